"""Build many deals: in parallel processes, past failures, each outcome reported back."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .crash import crash_log
from .errors import InputError, Mc2Error, Problem
from .pipeline import build, default_out_dir


@dataclass
class Outcome:
    """What became of one deal. Plain data, so it crosses process boundaries."""

    deal: Path
    out_dir: Path
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str = ""
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class Job:
    deal: Path
    out_dir: Path
    formats: tuple[str, ...]
    strict: bool
    library: tuple[Path, ...] | None


def plan(deals: list[Path], out_dir: Path | None) -> list[tuple[Path, Path]]:
    """Each deal with its output folder; two deals may not share one."""
    pairs = [(d, out_dir or default_out_dir(d)) for d in deals]
    seen: dict[Path, Path] = {}
    clashes = []
    for deal, target in pairs:
        key = target.resolve()
        if key in seen:
            clashes.append(Problem(str(deal), 1, 1, f"would write to {target}, as "
                                   f"{seen[key]} does", hint="give each deal its own "
                                   "folder or file name", rule="batch"))
        seen[key] = deal
    if clashes:
        raise InputError(clashes)
    return pairs


def run_one(job: Job) -> Outcome:
    """Build one deal and describe the result; never raises for a deal's own problems."""
    outcome = Outcome(job.deal, job.out_dir)
    try:
        result = build(job.deal, out_dir=job.out_dir, formats=list(job.formats),
                       strict=job.strict, library=list(job.library) if job.library else None)
    except InputError as exc:
        outcome.problems, outcome.exit_code = exc.problems, exc.exit_code
    except Mc2Error as exc:
        outcome.error, outcome.exit_code = str(exc), exc.exit_code
    except Exception:  # a bug: keep the other deals going, keep the traceback
        outcome.error = f"internal error: this is a bug in mc2; the traceback is in {crash_log()}"
        outcome.exit_code = 4
    else:
        outcome.files = sorted(result.files)
        outcome.problems = result.warnings
    return outcome


def build_many(jobs: list[Job], workers: int,
               on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every job; `workers` processes at most; outcomes in the jobs' order."""
    results: dict[int, Outcome] = {}
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            results[i] = run_one(job)
            if on_done:
                on_done(results[i])
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = {pool.submit(run_one, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_done:
                    on_done(results[i])
    return [results[i] for i in range(len(jobs))]


def default_workers() -> int:
    return os.cpu_count() or 1
