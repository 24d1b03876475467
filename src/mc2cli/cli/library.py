"""`mc2 library`: browse and lint clause libraries."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mc2cli.cli.console import (
    DealOpt,
    LibraryOpt,
    complete_clause_id,
    complete_principle_id,
    err,
    example,
    out,
    real,
)
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers
from mc2cli.cli.console import print_problems as _print_problems
from mc2cli.cli.console import summary as _summary

library_app = typer.Typer(no_args_is_help=True, help="Browse and lint clause libraries.",
                          context_settings={"help_option_names": ["-h", "--help"]},
                          epilog="Example: mc2 library list")


@library_app.command("list", short_help="A table of the library's clauses.",
                     epilog=example("mc2 library list --principle remote-access",
                                    "mc2 library list -L house -L builtin"))
def library_list(
    library: LibraryOpt = None,
    principle: Annotated[str | None, typer.Option(
        help="Only this principle's clauses.", autocompletion=complete_principle_id)] = None,
    deal: DealOpt = None,
) -> None:
    """A table of every clause: principle, id, title, obligor, required (and layer)."""
    def run() -> int:
        from rich.table import Table
        from rich.text import Text

        from mc2cli.authoring.catalog import catalog
        headers, rows = catalog(_layers(library), principle, deal)
        table = Table(*headers)
        for r in rows:
            table.add_row(*(Text(cell) for cell in r))
        print_wide(table)
        return 0
    _guard(run)


@library_app.command("show", short_help="One clause in all three positions.",
                     epilog=example("mc2 library show remote.session-approval"))
def library_show(
    clause_id: Annotated[str, typer.Argument(metavar="ID", help="A clause id.",
                                             autocompletion=complete_clause_id)],
    library: LibraryOpt = None,
    deal: DealOpt = None,
) -> None:
    """A clause in all three positions with its defaults, parameters, references, notes."""
    def run() -> int:
        from mc2cli.authoring.catalog import show_clause
        out.print(show_clause(_layers(library), clause_id, deal), markup=False)
        return 0
    _guard(run)


@library_app.command("lint", short_help="Check a library against every rule.",
                     epilog=example("mc2 library lint -L clauses -L builtin"))
def library_lint(library: LibraryOpt = None, deal: DealOpt = None) -> None:
    """Check a library against every rule; exit 1 on any error."""
    def run() -> int:
        from mc2cli.assembly.lint import lint_library
        from mc2cli.authoring.catalog import library_and_deal
        lib, _model = library_and_deal(_layers(library), deal)
        problems = lint_library(lib)
        _print_problems(problems)
        errors = [p for p in problems if p.severity == "error"]
        err.print(f"{', '.join(lib.layers)}: {len(lib.clauses)} clauses, "
                  f"{len(lib.parameters)} parameters, {len(lib.definitions)} definitions; "
                  f"{_summary(problems)}", style="red" if errors else "green", markup=False)
        return 1 if errors else 0
    _guard(run)


def print_wide(table: Any) -> None:
    """A catalog table: in a pipe its rows are never cut, so ids stay whole for grep."""
    from rich.console import Console
    from rich.measure import Measurement
    console = real(out)
    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    Console(file=console.file, width=max(console.width, natural), highlight=False,
            soft_wrap=True, no_color=console.no_color).print(table)
