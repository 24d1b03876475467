"""Build many deals: in parallel processes, past failures, each outcome reported back."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from mc2cli.cli.crash import crash_log, interrupted
from mc2cli.errors import InputError, Mc2Error, OutputError, Problem
from mc2cli.output.structure import PageOptions
from mc2cli.pipeline import build, default_out_dir, stale_outputs, write_lock


@dataclass(frozen=True)
class Job:
    """One deal to build (or with `check_only`, to compare with its outputs)."""

    deal: Path
    out_dir: Path
    formats: tuple[str, ...]
    strict: bool = False
    library: tuple[Path, ...] | None = None
    check_only: bool = False
    lock: bool = False  # also write DEAL.lock beside the deal when it has none (--lock)
    page: PageOptions | None = None
    notes: bool = False  # also the notes as DOCX (--notes)


@dataclass
class Outcome:
    """What became of one deal. Plain data, so it crosses process boundaries."""

    deal: Path
    ok: bool
    summary: str
    problems: list[Problem] = field(default_factory=list)
    exit_code: int = 0


def plan(deals: list[Path], out_dir: Path | None) -> list[tuple[Path, Path]]:
    """Each deal with its output folder; two deals may not share one.

    One deal writes to `out_dir` itself; several write to `out_dir/<name>` (default
    `out/<name>`), where the name is the file's stem, or its folder's for a `deal.yaml`.
    """
    if len(deals) == 1:
        return [(deals[0], out_dir or default_out_dir(deals[0]))]
    pairs = [(d, (out_dir / default_out_dir(d).name) if out_dir else default_out_dir(d))
             for d in deals]
    seen: dict[Path, Path] = {}
    clashes = []
    for deal, target in pairs:
        key = target.resolve()
        if key in seen:
            clashes.append(Problem(str(deal), 1, 1, f"would write to {target}, as {seen[key]} "
                                   "does", hint="output folders are named after the deal "
                                   "file (or, for deal.yaml, its folder): rename one, or "
                                   "build it on its own with -o", rule="batch"))
        seen[key] = deal
    if clashes:
        raise InputError(clashes)
    return pairs


def _count(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return (f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}")


def run_one(job: Job) -> Outcome:
    """Build one deal (and with `lock`, lock it if unlocked); never raises for the deal's own
    problems. Without `lock` nothing is written outside the output folder."""
    library = list(job.library) if job.library else None
    try:
        if job.check_only:
            fresh = stale_outputs(job.deal, out_dir=job.out_dir, formats=list(job.formats),
                                  strict=job.strict, library=library, page=job.page,
                                  notes=job.notes)
            names = ", ".join(Path(p.path).name for p in fresh.stale)
            summary = (f"stale in {fresh.out_dir}/: {names}" if fresh.stale else
                       f"{fresh.out_dir}/ is up to date ({len(fresh.files)} files)")
            return Outcome(job.deal, not fresh.stale, summary, [*fresh.warnings, *fresh.stale],
                           1 if fresh.stale else 0)
        result = build(job.deal, out_dir=job.out_dir, formats=list(job.formats),
                       strict=job.strict, library=library, page=job.page, notes=job.notes)
    except InputError as exc:
        verb = "not checked" if job.check_only else "not built"
        return Outcome(job.deal, False, f"{verb} ({_count(exc.problems)})", exc.problems,
                       exc.exit_code)
    except Mc2Error as exc:
        return Outcome(job.deal, False, f"not built: {exc}", [], exc.exit_code)
    except Exception as exc:  # a bug: keep the other deals going, keep the traceback
        if interrupted(exc):
            return Outcome(job.deal, False, "interrupted", [], 130)
        return Outcome(job.deal, False, "internal error: this is a bug in mc2; the traceback "
                       f"is in {crash_log()}", [], 4)
    summary = f"wrote {result.out_dir}/ ({', '.join(sorted(result.files))})"
    if not job.lock:
        return Outcome(job.deal, True, summary, result.warnings)
    try:
        written = write_lock(job.deal, library=library)
    except OutputError as exc:  # the contract is written; the lock beside the deal is not
        return Outcome(job.deal, False, f"{summary}; {exc}", result.warnings, exc.exit_code)
    if written is not None:
        summary += f"; wrote {written.name}"
    return Outcome(job.deal, True, summary, result.warnings)


def build_many(jobs: list[Job], workers: int,
               on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every job with at most `workers` processes; outcomes in the jobs' order."""
    results: dict[int, Outcome] = {}
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            results[i] = run_one(job)
            if on_done:
                on_done(results[i])
    else:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                   initializer=_worker_signals)
        try:
            futures = {pool.submit(run_one, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_done:
                    on_done(results[i])
        except BaseException:  # Ctrl-C or SIGTERM: stop now, not after every queued deal
            _stop(pool)
            raise
        pool.shutdown()
    return [results[i] for i in range(len(jobs))]


def _worker_signals() -> None:
    """In a worker, SIGTERM unwinds like Ctrl-C, so its temporary folders are removed."""
    signal.signal(signal.SIGTERM, _interrupted)


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop the queued deals and end the running ones (each cleans up as it unwinds; a
    publish interrupted half-way is finished by the next build into its folder)."""
    pool.shutdown(wait=False, cancel_futures=True)
    workers = multiprocessing.active_children()
    for proc in workers:
        proc.terminate()
    for proc in workers:
        proc.join(timeout=10)


def exit_code(outcomes: list[Outcome]) -> int:
    """The batch's exit code: a bug (4) over an output failure (3) over a usage error (2)
    over input problems (1)."""
    codes = {o.exit_code for o in outcomes}
    return next((c for c in (4, 3, 2, 1, 130) if c in codes), 0)


def default_workers() -> int:
    """Half the cores: each build already runs its converters (pandoc, typst) side by side,
    so one deal per core oversubscribes the machine (benchmarks/bench_jobs.py measures it)."""
    return max(1, (os.cpu_count() or 1) // 2)
