"""How long mc2's own checks take on hostile-but-legal input, to catch quadratic behaviour.

    python benchmarks/bench_hostile.py

Prints the time of the clause-text safety check on texts of growing size made mostly of
blank lines (once quadratic: 0.3 s at 20,000 lines), and the ratio between sizes: a linear
check roughly doubles when the text doubles.
"""

from __future__ import annotations

import time

from mc2cli.inputs.markdown import unsafe


def main() -> None:
    previous = 0.0
    for lines in (20_000, 40_000, 80_000, 160_000):
        text = "x\n" + "\n" * lines + "y"
        start = time.perf_counter()
        for _ in range(5):
            unsafe(text)
        took = (time.perf_counter() - start) / 5
        ratio = f"{took / previous:5.2f}x" if previous else "     "
        print(f"{lines:>8} blank lines: {took * 1000:8.2f} ms {ratio}")
        previous = took


if __name__ == "__main__":
    main()
