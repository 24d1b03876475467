"""The command line: parse, call the core, print, exit with product.md's codes."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from . import __version__
from .console import LibraryOpt, err, out
from .console import expand_deals as _expand
from .console import guard as _guard
from .console import layers as _layers
from .console import print_problems as _print_problems
from .console import summary as _summary
from .errors import InputError, Mc2Error, UsageError

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Assemble medical-device cybersecurity contracts from the MC2 principles.")
library_app = typer.Typer(no_args_is_help=True, help="Browse and lint clause libraries.")
app.add_typer(library_app, name="library")

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
        from .convert import pandoc_version
        from .library import load_library
        from .paths import builtin_library_dir
        try:
            edition = load_library([builtin_library_dir()]).edition
        except Mc2Error:
            edition = "unreadable"
        out.print(f"mc2 {__version__}\nlibrary: {edition}\npandoc: {pandoc_version()}",
                  markup=False)
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the versions of mc2, its library and "
                                               "pandoc.")] = False,
) -> None:
    """mc2 turns a deal file into a complete cybersecurity contract."""


@app.command()
def check(
    deals: Annotated[list[Path], typer.Argument(help="Deal files (or folders of them).")],
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    require: Annotated[Require | None, typer.Option(
        help="Fail on omitted principles ('all') or on required clauses omitted without a "
             "reason ('required').")] = None,
    max_deviations: Annotated[int | None, typer.Option(
        min=0, help="Fail when the deal has more deviations from the Middle.")] = None,
    library: LibraryOpt = None,
) -> None:
    """Validate deals, their library and the assembled text; writes nothing."""
    def run() -> int:
        from .pipeline import check as check_deal
        failed = 0
        for path in _expand(deals):
            result = check_deal(path, strict=strict, library=_layers(library),
                                require=require.value if require else None,
                                max_deviations=max_deviations)
            _print_problems(result.problems)
            if result.errors:
                failed += 1
                err.print(f"{path}: {_summary(result.problems)}", markup=False)
            else:
                n = len(result.contract.clauses) if result.contract else 0
                err.print(f"{path}: ok ({n} clauses; {_summary(result.problems)})",
                          style="green", markup=False)
        return 1 if failed else 0
    _guard(run)


@app.command()
def build(
    deals: Annotated[list[Path], typer.Argument(help="Deal files (or folders of them).")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Output folder (default out/<deal>).")] = None,
    to: Annotated[str, typer.Option("--to", "-t", help="Formats: md,docx,pdf,html.")] =
        "md,docx,pdf,html",
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    library: LibraryOpt = None,
) -> None:
    """Assemble each deal and write the contract in every format, with a manifest."""
    def run() -> int:
        from .convert import FORMATS
        from .pipeline import build as build_deal
        formats = [f.strip() for f in to.split(",") if f.strip()]
        bad = [f for f in formats if f not in FORMATS]
        if bad or not formats:
            raise UsageError(f"unknown format(s): {', '.join(bad) or '(none)'}; "
                             f"choose from {','.join(FORMATS)}")
        paths = _expand(deals)
        if output is not None and len(paths) > 1:
            raise UsageError("-o names one folder; with several deals, leave it out")
        failed = 0
        for path in paths:
            try:
                result = build_deal(path, out_dir=output, formats=formats, strict=strict,
                                    library=_layers(library))
            except InputError as exc:
                _print_problems(exc.problems)
                err.print(f"{path}: not built ({_summary(exc.problems)})", style="red",
                          markup=False)
                failed += 1
                continue
            _print_problems(result.warnings)
            names = ", ".join(sorted(result.files))
            err.print(f"{path}: wrote {result.out_dir}/ ({names})", style="green", markup=False)
        return 1 if failed else 0
    _guard(run)


@app.command()
def report(
    deal: Annotated[Path, typer.Argument(help="A deal file.")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] =
        ReportFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Folder for the CSV files (with csv).")]
        = None,
    library: LibraryOpt = None,
) -> None:
    """Coverage of the principles, deviations from the Middle, key terms, who owes what."""
    def run() -> int:
        from .pipeline import check as check_deal
        from .report import make_report, tables, to_csv, to_json, to_markdown
        from .write import publish
        _expand([deal])
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
            err.print(f"wrote {', '.join(str(p) for p in written.values())}", markup=False)
        else:
            titles = {"coverage": "Principle coverage", "deviations": "Deviations from the Middle",
                      "key-terms": "Key terms", "responsibilities": "Responsibility matrix"}
            for name, (headers, rows) in tables(rep).items():
                table = Table(*headers, title=titles[name], title_justify="left")
                for row in rows:
                    table.add_row(*[", ".join(map(str, v)) if isinstance(v, list) else
                                    ("" if v is None else str(v)) for v in row])
                out.print(table)
            t = rep.totals
            out.print(f"Obligations: HDO {t['hdo']}, MDM {t['mdm']}, both {t['both']}",
                      markup=False)
        return 0
    _guard(run)


@library_app.command("list")
def library_list(
    library: LibraryOpt = None,
    principle: Annotated[str | None, typer.Option(help="Only this principle's clauses.")] = None,
) -> None:
    """A table of every clause: principle, id, title, obligor, required."""
    def run() -> int:
        from .catalog import catalog_rows
        rows = catalog_rows(_layers(library), principle)
        table = Table("principle", "clause", "title", "obligor", "required")
        for r in rows:
            table.add_row(*r)
        out.print(table)
        return 0
    _guard(run)


@library_app.command("show")
def library_show(
    clause_id: Annotated[str, typer.Argument(metavar="ID", help="A clause id.")],
    library: LibraryOpt = None,
) -> None:
    """A clause in all three positions with its defaults, parameters, references, notes."""
    def run() -> int:
        from .catalog import show_clause
        out.print(show_clause(_layers(library), clause_id), markup=False)
        return 0
    _guard(run)


@library_app.command("lint")
def library_lint(library: LibraryOpt = None) -> None:
    """Check a library against every rule; exit 1 on any error."""
    def run() -> int:
        from .catalog import load_layers
        from .lint import lint_library
        lib = load_layers(_layers(library))
        problems = lint_library(lib)
        _print_problems(problems)
        errors = [p for p in problems if p.severity == "error"]
        err.print(f"{', '.join(lib.layers)}: {len(lib.clauses)} clauses, "
                  f"{len(lib.parameters)} parameters, {len(lib.definitions)} definitions; "
                  f"{_summary(problems)}", style="red" if errors else "green", markup=False)
        return 1 if errors else 0
    _guard(run)


def main(argv: list[str] | None = None) -> Any:
    """Entry point."""
    return app(args=argv, prog_name="mc2")


# Commands kept in modules of their own (cli_*.py), registered here.
