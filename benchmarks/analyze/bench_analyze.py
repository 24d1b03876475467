"""Speed and memory of `mc2 analyze` on a 300-paragraph document, model load included.

    python benchmarks/analyze/bench_analyze.py [--paragraphs N] [--runs N] [--lexical]

Builds a Markdown document of N paragraphs (default 300) from the evaluation set, in a fixed
order under numbered headings, then runs `mc2 analyze FILE -f json` in a fresh process and
prints the median wall time and the peak memory (max RSS) of that process. The goal on two
cores: under 15 s and 500 MB with the sentence model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def document(n: int) -> str:
    rows = [json.loads(x) for x in (HERE / "paragraphs.jsonl").read_text().splitlines() if x]
    lines = ["# Their terms", ""]
    for i in range(n):
        row = rows[(i * 7) % len(rows)]
        if i % 5 == 0:
            lines += [f"## {i // 5 + 1}. Section {i // 5 + 1}", ""]
        lines += [f"{i // 5 + 1}.{i % 5 + 1} {row['text']}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lexical", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "their-terms.md"
        path.write_text(document(args.paragraphs), encoding="utf-8")
        cmd = [sys.executable, "-m", "mc2cli", "analyze", str(path), "-f", "json"]
        if args.lexical:
            cmd.append("--lexical")
        times, peak, segments = [], 0.0, 0
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out = proc.stdout.read() if proc.stdout else b""
            _pid, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("mc2 analyze failed: " + (proc.stderr.read().decode() if proc.stderr
                                                  else ""))
            peak = max(peak, usage.ru_maxrss / 1024)
            segments = len(json.loads(out)["segments"])
    method = "lexical" if args.lexical else "with the model (if installed)"
    print(f"{segments} segments, {method}, {os.cpu_count()} cores: median "
          f"{statistics.median(times):.1f} s over {args.runs} runs (min {min(times):.1f} s), "
          f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
