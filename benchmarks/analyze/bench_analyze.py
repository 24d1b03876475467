"""Speed and memory of `mc2 analyze` on a 300-paragraph document, model load included.

    python benchmarks/analyze/bench_analyze.py [--paragraphs N] [--runs N] [--lexical]

Builds a Markdown document of N distinct paragraphs (default 300) from the evaluation set, in
a fixed order under numbered headings (a paragraph used again has its sentences in reverse
order, so no two texts are the same), then runs `mc2 analyze FILE -f json` in fresh processes
and prints wall time, CPU time and the peak memory (max RSS) of each. The first run starts with
an empty cache folder (the library's sentence vectors are computed: what the first analysis
after installing mc2 costs); the others find them cached. The goal on two cores: under 15 s
and 500 MB with the sentence model, model load included.
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
        text = rows[(i * 7) % len(rows)]["text"]
        for _ in range(i // len(rows)):
            sentences = [x for x in text.replace("; ", ". ").split(". ") if x]
            text = ". ".join(reversed(sentences)).rstrip(".") + "."
        if i % 5 == 0:
            lines += [f"## {i // 5 + 1}. Section {i // 5 + 1}", ""]
        lines += [f"{i // 5 + 1}.{i % 5 + 1} {text}", ""]
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
        env = {**os.environ, "MC2_CACHE_DIR": str(Path(tmp) / "cache")}
        env.pop("MC2_NO_CACHE", None)
        runs: list[tuple[float, float, float]] = []
        segments = 0
        for _ in range(max(args.runs, 2)):
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            out = proc.stdout.read() if proc.stdout else b""
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("mc2 analyze failed: " + (proc.stderr.read().decode() if proc.stderr
                                                  else ""))
            runs.append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
            segments = len(json.loads(out)["segments"])
    method = "lexical" if args.lexical else "with the model (if installed)"
    load = os.getloadavg()[0]
    print(f"{segments} segments, {method}, {os.cpu_count()} cores, load average {load:.1f}")
    cold, warm = runs[0], runs[1:]
    print(f"first run (empty cache folder: library and its vectors computed): "
          f"{cold[0]:.1f} s wall, {cold[1]:.1f} s CPU, peak memory {cold[2]:.0f} MB")
    print(f"later runs (cached), median of {len(warm)}: "
          f"{statistics.median(w for w, _, _ in warm):.1f} s wall, "
          f"{statistics.median(c for _, c, _ in warm):.1f} s CPU, "
          f"peak memory {max(m for _, _, m in warm):.0f} MB")
    print("goal: under 15 s wall and 500 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
