"""`mc2 ingest`: the other side's edits to a returned Word file, as deal changes."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mc2cli.cli.console import LibraryOpt, err, out, print_problems
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers
from mc2cli.errors import UsageError

if TYPE_CHECKING:  # the core is imported when the command runs, not when mc2 starts
    from mc2cli.reading.changes import Change
    from mc2cli.reading.ingest import Ingested
    from mc2cli.reading.propose import Proposal


class IngestFormat(StrEnum):
    text = "text"
    json = "json"


def _describe(c: Change) -> str:
    where = f"{c.number} {c.clause}" if c.clause and c.number else (c.clause or "(no clause)")
    if c.kind == "parameter":
        what = f"parameter {c.parameter}: {_shown(c.old)} -> {_shown(c.new)}"
        if c.detail and not c.detail.get("in_bounds", True):
            what += f" (outside the bounds {c.detail.get('bounds')})"
        elif c.detail and c.detail.get("equals"):
            what += f" (the {'/'.join(c.detail['equals'])} default)"
    elif c.kind == "position":
        what = f"position: {c.old} -> {c.new}"
    elif c.kind == "omitted":
        what = "omitted: the clause was deleted"
    elif c.kind == "inserted":
        after = (c.detail or {}).get("after")
        what = f"inserted in {(c.detail or {}).get('principle')}" + \
            (f" after {after}" if after else "") + f": {_short(c.new)}"
    elif c.kind == "comment":
        what = f"comment: {_short(c.new)} (on \"{_short(c.old)}\")"
    else:
        what = f"text edit ({(c.detail or {}).get('part', 'body')}): {_context(c.text_diff)}"
    who = c.author or "unknown author"
    when = (c.date or "")[:10] or "no date"
    return f"  {where}: {what}  [{who}, {when}{'' if c.tracked else ', untracked'}]"


def _context(diff: str | None, words: int = 6) -> str:
    """The changed words of a diff with a few words either side; the JSON has it whole."""
    import re
    parts = re.split(r"(\[-.*?-\]|\{\+.*?\+\})", (diff or "").replace("\n", " / "), flags=re.S)
    out = []
    for i, part in enumerate(parts):
        ws = part.split(" ")
        if i % 2 or len(ws) <= words:
            out.append(part)
        elif i == 0:
            out.append("... " + " ".join(ws[-words:]))
        elif i == len(parts) - 1:
            out.append(" ".join(ws[:words]) + " ...")
        elif len(ws) > 2 * words:
            out.append(" ".join(ws[:words]) + " ... " + " ".join(ws[-words:]))
        else:
            out.append(part)
    return "".join(out).strip()


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value.isoformat() if hasattr(value, "isoformat") else value)


def _short(text: Any, limit: int = 80) -> str:
    words = " ".join(str(text or "").split())
    return words if len(words) <= limit else words[: limit - 3] + "..."


def _print(result: Ingested, proposal: Proposal | None, target: Path | None) -> None:
    from rich.text import Text
    found = result.layout.found.values()
    how = {h: sum(1 for f in found if f.how == h) for h in ("bookmark", "heading", "text")}
    by = ", ".join(f"{n} by {h}" for h, n in how.items() if n)
    out.print(Text(f"{result.returned.path} against {result.deal_path}: "
                   f"{len(result.layout.found)} of {len(result.contract.clauses)} clauses "
                   f"found ({by or 'none'}); {len(result.changes)} change"
                   f"{'' if len(result.changes) == 1 else 's'}", style="bold"))
    for change in result.changes:
        out.print(_describe(change), markup=False)
    if result.unmatched:
        out.print(Text("\nUnmatched (outside every clause; not taken)", style="bold"))
        for item in result.unmatched:
            out.print(f"  {_short(item['text'], 100)}", markup=False)
    if proposal is not None and target is not None:
        how_written = "regenerated: the original layout could not be kept" \
            if proposal.regenerated else "comments and layout kept"
        out.print(f"\nProposed deal: {target} ({how_written}); {len(proposal.taken)} change"
                  f"{'' if len(proposal.taken) == 1 else 's'} taken, "
                  f"{len(proposal.left_out)} left out for you to decide (text edits and "
                  "comments)", markup=False)


def ingest(
    returned: Annotated[Path, typer.Argument(metavar="RETURNED.docx",
                                             help="The contract as the other side returned it.",
                                             show_default=False)],
    deal: Annotated[Path, typer.Option("--deal", "-d", metavar="DEAL",
                                       help="The deal file the contract was built from.",
                                       show_default=False)],
    format: Annotated[IngestFormat, typer.Option("--format", "-f", help="Output format.")] =
        IngestFormat.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="NEW_DEAL",
        help="Write the proposed deal: the deal with each change taken, each with a reason.")]
        = None,
    round_name: Annotated[str | None, typer.Option(
        "--round", metavar="NAME",
        help="How the reasons name this round (default: 'Returned <file name>').")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite NEW_DEAL if it exists.")]
        = False,
    library: LibraryOpt = None,
) -> None:
    """Read a returned Word file against its deal: every change, clause by clause."""
    def run() -> int:
        from mc2cli.output.write import publish
        from mc2cli.reading.ingest import check_text
        from mc2cli.reading.ingest import ingest as read_back
        from mc2cli.reading.propose import propose
        if not deal.is_file():
            raise UsageError(f"{deal}: no such deal file" if not deal.exists()
                             else f"{deal}: not a file; --deal names a deal file")
        if output is not None:
            if output.resolve() == deal.resolve():
                raise UsageError(f"-o {output}: would overwrite the deal; name a new file")
            if output.suffix.lower() not in (".yaml", ".yml"):
                raise UsageError(f"-o {output}: a deal file ends in .yaml")
            if output.exists() and not force:
                raise UsageError(f"-o {output}: exists; use --force to overwrite it")
        layers = _layers(library)
        result = read_back(returned, deal, library=layers)
        proposal = None
        if output is not None:
            name = " ".join((round_name or f"Returned {returned.name}").split())
            proposal = propose(result, deal.read_text(encoding="utf-8"), name,
                               deal.resolve().parent, output.resolve().parent)
            problems = check_text(proposal.text, output, library=layers)
            print_problems(problems)
            publish(output.parent, {output.name: proposal.text.encode()})
        if format is IngestFormat.json:
            data = result.as_json()
            data["proposed"] = None if proposal is None or output is None else {
                "path": str(output), "regenerated": proposal.regenerated,
                "taken": len(proposal.taken), "left_out": len(proposal.left_out)}
            sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
                             + "\n")
        else:
            _print(result, proposal, output)
        if output is not None:
            err.print(f"wrote {output}", style="green", markup=False)
        return 0
    _guard(run)
