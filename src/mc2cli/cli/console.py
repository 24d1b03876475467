"""What the command line shares: the two consoles, problem printing, the error boundary.

The core never prints; this module and the cli modules do.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mc2cli.errors import InputError, Mc2Error, Problem, UsageError

if TYPE_CHECKING:
    from rich.console import Console


class LazyConsole:
    """A rich Console made on first use, so `mc2 --help` and `--version` never load rich."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console
            # In a pipe, tables are as wide as COLUMNS says, else 100 columns.
            width = None if self._stderr or sys.stdout.isatty() or \
                os.environ.get("COLUMNS", "").isdigit() else 100
            self._console = Console(stderr=self._stderr, highlight=False, soft_wrap=True,
                                    width=width)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """As rich's print; under -q only failures (red) are printed."""
        if VERBOSITY["level"] < 0 and kwargs.get("style") != "red":
            return
        self.real.print(*objects, **kwargs)


# -1 with -q/--quiet (only errors), 0 by default, 1 with -v/--verbose (rule ids, libraries).
VERBOSITY = {"level": 0}


def real(console: Any) -> Console:
    """The rich Console behind `console` (tests put a plain Console in its place)."""
    return console.real if isinstance(console, LazyConsole) else console


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)

LibraryOpt = Annotated[list[Path] | None, typer.Option(
    "--library", "-L", metavar="DIR", help="A library folder; repeat to layer (first wins). "
                            "'builtin' is the built-in library.")]


DealsArg = Annotated[list[Path], typer.Argument(
    metavar="DEAL", help="Deal files (or folders of them); '-' reads one from standard "
                            "input.", show_default=False)]


def print_problems(problems: list[Problem]) -> None:
    """Each problem with its hint (warnings not under -q; with -v, the rule id too)."""
    for p in problems:
        if p.severity == "warning" and VERBOSITY["level"] < 0:
            continue
        style = "red" if p.severity == "error" else "yellow"
        first, *rest = p.format().split("\n")
        if VERBOSITY["level"] > 0:
            first += f" [{p.rule}]"
        real(err).print(first, style=style, markup=False)
        for line in rest:
            real(err).print(line, markup=False)


def summary(problems: list[Problem]) -> str:
    e = sum(p.severity == "error" for p in problems)
    w = len(problems) - e
    return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"


def _terminated(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: temporary folders and staging are removed


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, `timeout`, `kill`) stops mc2 as Ctrl-C does: exit 130,
    every `finally` run, so no converter temporary folder or staging is left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guard(fn: Callable[[], int]) -> None:
    """The one error boundary: known errors -> message and code; anything else -> exit 4."""
    try:
        with sigterm_interrupts():
            code = fn()
    except InputError as exc:
        print_problems(exc.problems)
        code = exc.exit_code
    except Mc2Error as exc:
        err.print(f"error: {exc}", style="red", markup=False)
        code = exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", style="red")
        code = 130
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as exc:
        from mc2cli.cli.crash import crash_log, interrupted
        if interrupted(exc):
            err.print("interrupted", style="red")
            raise typer.Exit(130) from None
        err.print(f"internal error: this is a bug in mc2; the traceback is in {crash_log()}",
                  style="red", markup=False)
        code = 4
    raise typer.Exit(code)


def layers(library: list[Path] | None) -> list[Path] | None:
    """-L folders as paths; 'builtin' is the built-in library; a missing folder is a usage error."""
    if not library:
        return None
    from mc2cli.paths import builtin_library_dir
    from mc2cli.suggest import did_you_mean
    out = []
    for p in library:
        if str(p) == "builtin":
            out.append(builtin_library_dir())
        elif not p.is_dir():
            parent = p.resolve().parent
            nearby = [q.name for q in parent.iterdir() if q.is_dir()] if parent.is_dir() else []
            hint = did_you_mean(p.name, [*nearby, "builtin"])
            raise UsageError(f"--library {p}: clause library folder not found"
                             + (f"; {hint}" if hint else ""))
        else:
            out.append(p.resolve())
    return out


DEAL_SUFFIXES = (".yaml", ".yml")
STDIN = "-"


def read_stdin() -> None:
    """Read a deal from standard input once, for the path '-' (relative library folders are
    then taken from the working folder)."""
    from mc2cli.inputs.yamlload import MAX_BYTES, set_stdin
    set_stdin(sys.stdin.buffer.read(MAX_BYTES + 1))


def expand_deals(deals: list[Path]) -> list[Path]:
    """Deal files from arguments: files as given; in a folder, every deal.yaml below it and
    every *.yaml/*.yml directly in it (lock files aside). Each deal once; none is an error."""
    found: list[Path] = []
    for d in deals:
        if str(d) == STDIN:
            read_stdin()
            found.append(d)
            continue
        if not d.exists():
            raise UsageError(f"{d}: no such file or folder")
        if d.is_dir():
            root = d.resolve()
            # A link that leads out of the folder is not one of its deals (it could make mc2
            # read, and quote in its messages, a file from anywhere).
            inside = sorted(p for p in d.rglob("*") if p.is_file() and (
                p.name in ("deal.yaml", "deal.yml")
                or (p.parent == d and p.suffix in DEAL_SUFFIXES))
                and p.resolve().is_relative_to(root))
            if not inside:
                raise UsageError(f"{d}: no deal files in this folder (looked for deal.yaml "
                                 "below it and *.yaml or *.yml directly in it)")
            found.extend(inside)
        else:
            found.append(d)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def example(*lines: str) -> str:
    """A command's help epilog: its examples, kept as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


DealOpt = Annotated[Path | None, typer.Option(
    "--deal", metavar="DEAL",
    help="Use this deal's library layers (and list or show its extra clauses).")]


# --- shell completion ----------------------------------------------------------------------

def _completion_layers(ctx: typer.Context) -> tuple[list[Path] | None, Path | None]:
    raw = ctx.params.get("library") or []
    deal = ctx.params.get("deal")
    return layers([Path(str(p)) for p in raw]), Path(str(deal)) if deal else None


def complete_clause_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Clause ids (with titles) of the active library and the deal's extra clauses."""
    from mc2cli.authoring.catalog import clause_ids
    try:
        found = clause_ids(*_completion_layers(ctx))
    except (Mc2Error, OSError):
        return []  # a broken library must not break the shell
    return [(cid, title) for cid, title in found if cid.startswith(incomplete)]


def complete_principle_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Principle ids (with titles) of the active library, and 'general'."""
    from mc2cli.authoring.catalog import principle_ids
    try:
        found = principle_ids(*_completion_layers(ctx))
    except (Mc2Error, OSError):
        return []
    return [(pid, title) for pid, title in found if pid.startswith(incomplete)]
