"""The command line: parse, call the core, print, exit with product.md's codes."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mc2cli import __version__
from mc2cli.cli.console import VERBOSITY, DealsArg, LibraryOpt, err, example, out
from mc2cli.cli.console import expand_deals as _expand
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers
from mc2cli.cli.console import print_problems as _print_problems
from mc2cli.cli.console import summary as _summary
from mc2cli.errors import InputError, UsageError, shown

if TYPE_CHECKING:
    from mc2cli.cli.batch import Job, Outcome
    from mc2cli.cli.diagnostics import DealDiagnostics

HELP = {"help_option_names": ["-h", "--help"]}
core = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False, context_settings=HELP,
                  help="Assemble medical-device cybersecurity contracts from the MC2 principles.",
                  epilog="Example: mc2 check deals/ && mc2 build deals/")
class Require(StrEnum):
    all = "all"
    required = "required"


class ReportFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


def _version(value: bool) -> None:
    if value:
        _print_version()
        raise typer.Exit(0)


def _print_version() -> None:
    """Read off framework.yaml and the binary: nothing is loaded or validated."""
    from mc2cli.inputs.edition import edition
    from mc2cli.output.convert import pandoc_version
    from mc2cli.paths import builtin_library_dir
    typer.echo(f"mc2 {__version__}\nlibrary: {edition(builtin_library_dir())}\n"
               f"pandoc: {pandoc_version()}")


@core.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the versions of mc2, its library and "
                                               "pandoc.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors: no "
                                        "warnings, progress or summaries.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print each "
                                          "problem's rule id.")] = False,
) -> None:
    """mc2 turns a deal file into a complete cybersecurity contract."""
    VERBOSITY["level"] = -1 if quiet else 1 if verbose else 0


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _check_one(path: Path, *, strict: bool, library: list[Path] | None, require: str | None,
               max_deviations: int | None, locked: bool) -> tuple[DealDiagnostics, int]:
    """Check one deal (and with `locked`, its lock file): its diagnostics and clause count."""
    from mc2cli.cli.diagnostics import DealDiagnostics
    from mc2cli.pipeline import check as check_deal
    result = check_deal(path, strict=strict, library=library, require=require,
                        max_deviations=max_deviations)
    diagnostics = DealDiagnostics(str(path), list(result.problems))
    if locked and result.contract is not None:
        from mc2cli.review.locked import locked_changes
        for change in locked_changes(path, result.contract):
            diagnostics.problems.append(change.problem)
            if change.diff:
                diagnostics.details[change.problem] = change.diff
    return diagnostics, len(result.contract.clauses) if result.contract else 0


def _print_detailed(diagnostics: DealDiagnostics) -> None:
    """Each problem, then its detail (a unified diff: two header lines, then -/+ lines)."""
    for p in diagnostics.problems:
        _print_problems([p])
        for i, line in enumerate(diagnostics.details.get(p, "").splitlines()):
            style = None if i < 2 else {"+": "green", "-": "red"}.get(line[:1])
            err.print(f"    {line}", style=style, markup=False)


@core.command(short_help="Validate deals; writes nothing.",
             epilog=example("mc2 check deals/", "mc2 check --strict --locked deal.yaml",
                            "mc2 check --format github deals/",
                            "cat deal.yaml | mc2 check -"))
def check(
    deals: DealsArg,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    require: Annotated[Require | None, typer.Option(
        help="Fail on omitted principles ('all') or on required clauses omitted without a "
             "reason ('required').")] = None,
    max_deviations: Annotated[int | None, typer.Option(
        min=0, help="Fail when the deal has more deviations from the Middle.")] = None,
    locked: Annotated[bool, typer.Option(
        "--locked", help="Fail when a clause differs from the deal's lock file (DEAL.lock), "
                         "showing how its text changed.")] = False,
    format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="text for people; json, github (workflow annotations) or "
                               "sarif (code scanning) on standard output.")] = CheckFormat.text,
    library: LibraryOpt = None,
) -> None:
    """Validate deals, their library and the assembled text; writes nothing."""
    def run() -> int:
        from mc2cli.cli.diagnostics import FORMATTERS
        runs = []
        for path in _expand(deals):
            diagnostics, n = _check_one(path, strict=strict, library=_layers(library),
                                        require=require.value if require else None,
                                        max_deviations=max_deviations, locked=locked)
            runs.append(diagnostics)
            if format is CheckFormat.text:
                _print_detailed(diagnostics)
            if not diagnostics.ok:
                err.print(f"{shown(path)}: {_summary(diagnostics.problems)}", markup=False)
            else:
                as_locked = ", as locked" if locked else ""
                err.print(f"{shown(path)}: ok ({n} clauses{as_locked}; "
                          f"{_summary(diagnostics.problems)})", style="green", markup=False)
        if format is not CheckFormat.text:
            sys.stdout.write(FORMATTERS[format.value](runs))
        return 0 if all(r.ok for r in runs) else 1
    _guard(run)


@core.command(short_help="Write the contract in every format.",
             epilog=example("mc2 build deal.yaml", "mc2 build deals/ -o out/ -t md,docx",
                            "mc2 build --check deals/", "mc2 build --lock deal.yaml"))
def build(
    deals: DealsArg,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Output folder (default out/<deal>).")] = None,
    to: Annotated[str, typer.Option("--to", "-t", help="Formats: md,docx,pdf,html.")] =
        "md,docx,pdf,html",
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    check_only: Annotated[bool, typer.Option(
        "--check", help="Rebuild in memory and exit 1, naming the files, if those in the "
                        "output folder are stale or missing; writes nothing.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Deals built at once (default: half the cores, at least "
                                    "one; each build already runs its converters in "
                                    "parallel).")] = None,
    lock: Annotated[bool, typer.Option(
        "--lock", help="Also write DEAL.lock beside each deal that has none (without it, "
                       "nothing is written outside the output folder).")] = False,
    library: LibraryOpt = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Stamp every page 'DRAFT - date - reference'; the date is --draft-date, "
                        "else SOURCE_DATE_EPOCH, else the deal's effective date.")] = False,
    draft_date: Annotated[str | None, typer.Option(
        "--draft-date", metavar="YYYY-MM-DD", help="The draft stamp's date.")] = None,
    toc: Annotated[bool, typer.Option(
        "--toc", help="A table of contents in the DOCX and PDF (the HTML always has one).")]
        = False,
    track_changes: Annotated[bool, typer.Option(
        "--track-changes", help="Open the DOCX with Word's Track Changes on.")] = False,
    notes: Annotated[bool, typer.Option(
        "--notes", help="Also write the negotiator's notes as DOCX (notes.docx); notes.md "
                        "is always written.")] = False,
) -> None:
    """Assemble each deal and write the contract in every format, with a manifest.

    With several deals (or folders of them) the builds run in parallel and go on past a
    failing deal; -o then names the folder that holds one output folder per deal.
    """
    def run() -> int:
        from mc2cli.cli.batch import Job, build_many, default_workers, exit_code, plan
        from mc2cli.output.convert import FORMATS
        from mc2cli.output.structure import PageOptions
        formats = [f.strip() for f in to.split(",") if f.strip()]
        bad = [f for f in formats if f not in FORMATS]
        if bad or not formats:
            raise UsageError(f"unknown format(s): {', '.join(bad) or '(none)'}; "
                             f"choose from {','.join(FORMATS)}")
        layers = _layers(library)
        page = PageOptions(draft or draft_date is not None, _draft_day(draft_date), toc,
                           track_changes)
        work = [Job(deal, target, tuple(formats), strict, tuple(layers) if layers else None,
                    check_only, lock, page, notes)
                for deal, target in plan(_expand(deals), output)]
        outcomes = _run_with_progress(work, jobs or default_workers(), build_many)
        if len(outcomes) > 1:
            failed = [o for o in outcomes if not o.ok]
            verb = "checked" if check_only else "built"
            err.print(f"{len(outcomes) - len(failed)} of {len(outcomes)} deals {verb}"
                      + (f"; failed: {', '.join(str(o.deal) for o in failed)}" if failed
                         else ""), style="red" if failed else "green", markup=False)
        return exit_code(outcomes)
    _guard(run)


def _draft_day(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(f"--draft-date {raw!r}: give a date as YYYY-MM-DD") from None


def _run_with_progress(work: list[Job], workers: int, build_many: Any) -> list[Outcome]:
    """A progress bar on a terminal (not under CI); plain lines otherwise."""
    def report(outcome: Outcome) -> None:
        _print_problems(outcome.problems)
        err.print(f"{shown(outcome.deal)}: {shown(outcome.summary)}",
                  style="green" if outcome.ok else "red", markup=False)

    if len(work) > 1 and err.is_terminal and not os.environ.get("CI"):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from mc2cli.cli.console import real
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=real(err), transient=True) as progress:
            task = progress.add_task("building", total=len(work))

            def advance(outcome: Outcome) -> None:
                report(outcome)
                progress.advance(task)
            return list(build_many(work, workers, advance))
    return list(build_many(work, workers, report))


@core.command(short_help="Coverage, deviations, key terms, who owes what.",
             epilog=example("mc2 report deal.yaml", "mc2 report deal.yaml -f csv -o tables/",
                            "cat deal.yaml | mc2 report -"))
def report(
    deal: Annotated[Path, typer.Argument(metavar="DEAL", help="A deal file; '-' reads it "
                                                              "from standard input.")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] =
        ReportFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Folder for the CSV files (with csv).")]
        = None,
    library: LibraryOpt = None,
) -> None:
    """Coverage of the principles, deviations from the Middle, key terms, who owes what."""
    def run() -> int:
        from mc2cli.output.write import publish
        from mc2cli.pipeline import check as check_deal
        from mc2cli.review.report import (
            TITLES,
            make_report,
            tables,
            to_csv,
            to_json,
            to_markdown,
        )
        if deal.is_dir():
            raise UsageError(f"{deal}: report takes one deal file, not a folder")
        _expand([deal])
        if output is not None and format is not ReportFormat.csv:
            raise UsageError("-o is for --format csv, which writes one file per table")
        result = check_deal(deal, library=_layers(library))
        if result.contract is None:
            raise InputError(result.problems)
        _print_problems(result.problems)
        rep = make_report(result.contract, str(deal))
        if format is ReportFormat.json:
            sys.stdout.write(to_json(rep))
        elif format is ReportFormat.md:
            sys.stdout.write(to_markdown(rep))
        elif format is ReportFormat.csv:
            if output is None:
                raise UsageError("--format csv writes one file per table: name a folder with -o")
            written = publish(output, to_csv(rep))
            err.print(f"wrote {', '.join(shown(p) for p in written.values())}", markup=False)
        else:
            from rich.table import Table
            from rich.text import Text
            for name, (headers, rows) in tables(rep).items():
                table = Table(*headers, title=TITLES[name], title_justify="left")
                for row in rows:  # Text cells: a '[' in a reason is not rich markup
                    table.add_row(*[Text(", ".join(map(str, v)) if isinstance(v, list) else
                                         ("" if v is None else str(v))) for v in row])
                out.print(table)
            t = rep.totals
            out.print(f"Obligations: HDO {t['hdo']}, MDM {t['mdm']}, both {t['both']}",
                      markup=False)
        return 0
    _guard(run)


def main(argv: list[str] | None = None) -> Any:
    """Entry point."""
    # mc2's models use no pydantic plugin, and looking for them (every installed package's
    # entry points, through importlib.metadata) cost a check a tenth of a second.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        _print_version()  # as the option prints it, without building every command first
        raise SystemExit(0)
    if args in (["--help"], ["-h"]):
        return listing()(args=args, prog_name="mc2")
    return command_line(_invoked(args))(args=args, prog_name="mc2")


# Commands kept in modules of their own: name, (module, function, short help, examples).
_ELSEWHERE: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "lock": ("mc2cli.cli.lock", "lock", "Record what each deal resolves to (DEAL.lock).",
             ("mc2 lock deals/", "mc2 lock --stdout deal.yaml",
              "git config diff.mc2.textconv 'mc2 lock --textconv'")),
    "init": ("mc2cli.cli.author", "init", "Write a commented starter deal.",
             ("mc2 init deals/lakeside/ --hdo 'Lakeside Health' --mdm 'Acme'",
              "mc2 init -i deal.yaml")),
    "schema": ("mc2cli.cli.author", "schema", "Print the deal file's JSON Schema.",
               ("mc2 schema > mc2-deal.schema.json",)),
    "diff": ("mc2cli.cli.diff", "diff", "What changed between two deals, or since a revision.",
             ("mc2 diff old.yaml new.yaml", "mc2 diff deal.yaml --rev HEAD~1",
              "mc2 diff deal.yaml --rev main --redline redline.docx")),
    "analyze": ("mc2cli.cli.analyze", "analyze",
                "Map the other side's contract to the principles.",
                ("mc2 analyze their-contract.docx",
                 "mc2 analyze their-contract.pdf -o deals/theirs/deal.yaml")),
    "ingest": ("mc2cli.cli.ingest", "ingest",
               "Turn the other side's edits to a returned Word file into deal changes.",
               ("mc2 ingest acme-markup.docx --deal deal.yaml",
                "mc2 ingest acme-markup.docx --deal deal.yaml -o round-2.yaml "
                "--round 'Round 2'")),
}
LIBRARY_HELP = "Browse and lint clause libraries."
_GLOBAL_FLAGS = {"-q", "--quiet", "-v", "--verbose"}


def _name(info: Any) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))


def _invoked(args: list[str]) -> str | None:
    """The command `args` run; None when mc2 needs every command (help, a misspelt command
    to suggest a name for, shell completion)."""
    if any(key.startswith("_MC2_COMPLETE") for key in os.environ):
        return None
    command = next((a for a in args if a not in _GLOBAL_FLAGS), None)
    return command if command in app_names() else None


def app_names() -> list[str]:
    """Every command's and group's name, in the order `mc2 --help` lists them."""
    return [*(_name(c) for c in core.registered_commands), *_ELSEWHERE, "library"]


def command_line(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with only the command `only` names. Typer reads
    every registered command's signature before it runs one, and the commands kept elsewhere
    import their modules to be registered: a check builds and loads only what it runs."""
    import copy
    import importlib

    built = copy.copy(core)
    built.registered_commands = [c for c in core.registered_commands
                                 if only in (None, _name(c))]
    built.registered_groups = []  # the one group, `library`, lives in its own module
    if only in (None, "library"):
        from mc2cli.cli.library import library_app
        built.add_typer(library_app, name="library", short_help=LIBRARY_HELP)
    for name, (module, function, short, examples) in _ELSEWHERE.items():
        if only in (None, name):
            built.command(name, short_help=short, epilog=example(*examples))(
                getattr(importlib.import_module(module), function))
    return built


def _stub() -> None:
    """Never run: a command of `listing()`, which only prints the list of commands."""


def listing() -> typer.Typer:
    """The app as `mc2 --help` shows it: every command with its short help and no options.
    Reading the commands' signatures was a third of `mc2 --help`; the text is the same
    (tests/cli/test_startup.py compares the two)."""
    import copy

    built = copy.copy(core)
    built.registered_commands = []
    built.registered_groups = []
    for c in core.registered_commands:
        built.command(_name(c), short_help=c.short_help, help=c.help)(_stub)
    for name, (_module, _function, short, _examples) in _ELSEWHERE.items():
        built.command(name, short_help=short)(_stub)
    group = typer.Typer()
    group.command("list")(_stub)
    built.add_typer(group, name="library", short_help=LIBRARY_HELP)
    return built


def __getattr__(name: str) -> Any:
    """`app`: the whole command line (for tests, docs and the reference page)."""
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _whole() -> typer.Typer:
    return command_line()
