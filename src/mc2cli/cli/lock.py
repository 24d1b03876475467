"""`mc2 lock`: write each deal's lock file, or print it (for scripts and git's textconv)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mc2cli.cli.console import DealsArg, LibraryOpt, err
from mc2cli.cli.console import expand_deals as _expand
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers
from mc2cli.cli.console import print_problems as _print_problems
from mc2cli.errors import InputError, Problem


def lock(
    deals: DealsArg,
    stdout: Annotated[bool, typer.Option(
        "--stdout", help="Print the lock to standard output; write nothing.")] = False,
    textconv: Annotated[bool, typer.Option(
        "--textconv", help="For git's diff textconv: what the deal resolves to as text to "
                           "read (positions, reasons, values, texts; no hashes); a deal that "
                           "cannot be resolved prints its problems and its own text, and "
                           "exits 0.")] = False,
    library: LibraryOpt = None,
) -> None:
    """Write DEAL.lock beside each deal, accepting the library's current text on purpose."""
    def run() -> int:
        failed = 0
        for path in _expand(deals):
            if textconv:
                _textconv(path, _layers(library))
            elif stdout:
                failed += not _print_lock(path, _layers(library))
            else:
                failed += not _write_lock(path, _layers(library))
        return 1 if failed else 0
    _guard(run)


def _print_lock(path: Path, library: list[Path] | None) -> bool:
    from mc2cli.pipeline import resolve_lock
    try:
        resolved = resolve_lock(path, library=library)
    except InputError as exc:
        _print_problems(exc.problems)
        return False
    _print_problems(resolved.warnings)
    sys.stdout.buffer.write(resolved.data)
    sys.stdout.flush()
    return True


def _textconv(path: Path, library: list[Path] | None) -> None:
    """Never fails on the deal's content: git diff stops at a textconv that does."""
    from mc2cli.pipeline import check
    from mc2cli.review.textconv import textconv
    try:
        result = check(path, library=library)
    except InputError as exc:
        sys.stdout.write(_unresolved(path, exc.problems))
    else:
        if result.contract is None:
            sys.stdout.write(_unresolved(path, result.problems))
        else:
            sys.stdout.buffer.write(textconv(result.contract, path.name).encode())
    sys.stdout.flush()


def _unresolved(path: Path, problems: list[Problem]) -> str:
    lines = [f"# mc2 could not resolve {path.name}; its own text follows."]
    lines += [f"# {line}" for p in problems for line in p.format().splitlines()]
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        text = f"# cannot read it: {exc.strerror}\n"
    return "\n".join(lines) + "\n" + text


def _write_lock(path: Path, library: list[Path] | None) -> bool:
    from mc2cli.output.lock import write
    from mc2cli.pipeline import resolve_lock
    from mc2cli.review.locked import locked_changes
    try:
        resolved = resolve_lock(path, library=library)
    except InputError as exc:
        _print_problems(exc.problems)
        err.print(f"{path}: not locked", style="red", markup=False)
        return False
    _print_problems(resolved.warnings)
    name = resolved.path.name
    previous = _read(resolved.path)
    if previous == resolved.data:
        err.print(f"{path}: {name} is up to date", style="green", markup=False)
        return True
    changes = locked_changes(path, resolved.contract) if previous is not None else []
    write(resolved.path, resolved.data, overwrite=True)
    accepted = sorted({c.problem.field for c in changes if c.problem.rule != "lock-file"})
    if previous is None:
        what = f"wrote {name} ({len(resolved.lock.clauses)} clauses)"
    elif accepted:
        shown = ", ".join(accepted[:8]) + (f" and {len(accepted) - 8} more"
                                           if len(accepted) > 8 else "")
        what = f"updated {name}, accepting changes to {shown}"
    elif changes:
        what = f"replaced {name}, which could not be read"
    else:
        what = f"updated {name}: no clause changed, the library's edition or hash did"
    err.print(f"{path}: {what}", style="green", markup=False)
    return True


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
