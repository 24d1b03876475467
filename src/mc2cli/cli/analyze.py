"""`mc2 analyze`: their paper mapped to the principles, gaps and figures; -o a starter deal."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mc2cli.cli.console import DealOpt, LibraryOpt, err, out
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers


class AnalyzeFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


def placeholders() -> dict[str, str]:
    """The values a new deal leaves for the user to edit: those `mc2 init` writes."""
    from mc2cli.authoring import starter

    return {"effective_date": starter.default_effective_date().isoformat(),
            "governing_law": starter.DEFAULT_GOVERNING_LAW, "hdo": starter.DEFAULT_HDO,
            "mdm": starter.DEFAULT_MDM, "address": starter.DEFAULT_ADDRESS,
            "signatory_name": starter.DEFAULT_SIGNATORY[0],
            "signatory_title": starter.DEFAULT_SIGNATORY[1], "product": starter.DEFAULT_PRODUCT}


def analyze(
    file: Annotated[Path, typer.Argument(metavar="FILE",
                                         help="Their contract: .docx, .pdf, .md or .txt.")],
    library: LibraryOpt = None,
    deal: DealOpt = None,
    format: Annotated[AnalyzeFormat, typer.Option("--format", "-f", help="Output format.")] =
        AnalyzeFormat.text,
    new_deal: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="NEW_DEAL",
        help="Also write a starter deal that reproduces their paper.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace NEW_DEAL if it exists.")] =
        False,
    lexical: Annotated[bool, typer.Option("--lexical", help="Use the lexical method only, "
                                                            "even with the model installed.")]
        = False,
) -> None:
    """Map their paper to the principles: coverage, missing required clauses, figures."""
    def run() -> int:
        from mc2cli.authoring.catalog import library_and_deal
        from mc2cli.pipeline import check
        from mc2cli.reading.analysis import analyze_file, to_json, to_markdown, to_text
        from mc2cli.reading.embedding import encoder
        from mc2cli.reading.newdeal import deal_text, write_deal

        layers = _layers(library)
        lib, _model = library_and_deal(layers, deal)
        model, why = (None, "lexical method only (--lexical)") if lexical else encoder()
        if model is None:
            err.print(why, style="yellow", markup=False)
        analysis = analyze_file(file, lib, model, display=str(file))
        if format is AnalyzeFormat.json:
            sys.stdout.write(to_json(analysis))
        elif format is AnalyzeFormat.md:
            sys.stdout.write(to_markdown(analysis))
        else:
            out.print(to_text(analysis), markup=False, highlight=False, end="")
        if new_deal is not None:
            from mc2cli.paths import builtin_library_dir
            here = new_deal.resolve().parent
            names = ["builtin" if p.resolve() == builtin_library_dir().resolve()
                     else os.path.relpath(p.resolve(), here) for p in lib.folders]
            write_deal(new_deal, deal_text(analysis, lib, names, placeholders()), force=force)
            result = check(new_deal, library=layers)
            problems = [p for p in result.problems if p.severity == "error"]
            if problems:
                from mc2cli.errors import InputError
                raise InputError(problems)
            err.print(f"wrote {new_deal}; check it with: mc2 check {new_deal}",
                      style="green", markup=False)
        return 0
    _guard(run)
