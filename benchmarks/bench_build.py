"""Whole-process build times for the Lakeside example, against pandoc alone.

    python benchmarks/bench_build.py [--runs N]

Prints the median wall time and peak memory (max RSS of the process itself) of
`mc2 build -t md`, `mc2 build -t docx`, all formats, and of the bundled pandoc
converting the same contract.md to DOCX, and the ratios between them. Figures
from one run on one machine are only comparable with each other.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEAL = ROOT / "examples" / "lakeside-infusion" / "deal.yaml"


def _measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    times: list[float] = []
    peak = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(cmd)}")
        peak = max(peak, usage.ru_maxrss / 1024)  # the process itself, not its children
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    mc2 = shutil.which("mc2") or sys.exit("mc2 is not on PATH; install it first")
    from mc2cli.output.convert import READER, pandoc_path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        rows = []
        for label, fmt in (("mc2 build -t md", "md"), ("mc2 build -t docx", "docx"),
                           ("mc2 build (all four formats)", "md,docx,pdf,html")):
            t, mem = _measure([mc2, "build", str(DEAL), "-o", str(out), "-t", fmt], args.runs)
            rows.append((label, t, mem))
        md = out / "contract.md"
        ref = ROOT / "templates" / "reference.docx"
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
        t, mem = _measure([str(pandoc_path()), "--sandbox", "-f", READER, "-t", "docx",
                           "--reference-doc", str(ref), "-o", str(Path(tmp) / "p.docx"),
                           str(md)], args.runs, env)
        rows.append(("pandoc alone: contract.md -> docx", t, mem))
    print(f"{'what':40} {'median s':>9} {'peak MiB':>9}")
    for label, t, mem in rows:
        print(f"{label:40} {t:9.3f} {mem:9.1f}")
    base = rows[3][1]
    print(f"\nmc2 -t docx / pandoc alone: {rows[1][1] / base:.2f}x")
    print(f"mc2 -t md   / pandoc alone: {rows[0][1] / base:.2f}x")


if __name__ == "__main__":
    main()
