"""Batch build times by -j: is the default no slower than -j 1?

    python benchmarks/bench_jobs.py [--runs N] [--formats md,docx,pdf,html]

Builds the four examples together (`mc2 build examples/ -o TMP`) with `-j 1`, with the
default (no -j) and with `-j <cores>`, and prints the median wall time of each and the
default's ratio to `-j 1`. Figures from one run on one machine are only comparable with
each other; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _median(args: list[str], runs: int, formats: str) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, "-m", "mc2cli", "build", str(EXAMPLES), "-o", out,
                   "-t", formats, *args]
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="md,docx,pdf,html")
    opts = parser.parse_args()
    cores = os.cpu_count() or 1
    one = _median(["-j", "1"], opts.runs, opts.formats)
    default = _median([], opts.runs, opts.formats)
    every = _median(["-j", str(cores)], opts.runs, opts.formats)
    print(f"cores: {cores}; formats: {opts.formats}; median of {opts.runs} runs")
    print(f"-j 1:        {one:6.2f} s")
    print(f"default:     {default:6.2f} s  ({default / one:.2f} x -j 1)")
    print(f"-j {cores:<2}:      {every:6.2f} s  ({every / one:.2f} x -j 1)")


if __name__ == "__main__":
    main()
