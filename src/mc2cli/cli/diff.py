"""`mc2 diff`: what changed between two deals, or between a deal and its committed self."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mc2cli.cli.console import LibraryOpt, err, out
from mc2cli.cli.console import guard as _guard
from mc2cli.cli.console import layers as _layers
from mc2cli.errors import UsageError, shown

if TYPE_CHECKING:  # the core is imported when the command runs, not when mc2 starts
    from rich.text import Text

    from mc2cli.review.diff import ChoiceChange, ContractDiff, PartDiff
    from mc2cli.review.textdiff import BlockDiff

NONE = "(none)"
_CHOICE_LABELS = {"position": "position", "parameter": "parameter",
                  "omit-principle": "principle", "omit-clause": "clause",
                  "extra-clause": "extra clause"}


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


def _paths(deals: list[Path], rev: str | None) -> list[Path]:
    if rev is not None and len(deals) != 1:
        raise UsageError("with --rev, name one deal file: mc2 diff DEAL --rev REV")
    if rev is None and len(deals) != 2:
        raise UsageError("name two deal files (mc2 diff OLD NEW), or one with --rev REV")
    for path in deals:
        if not path.is_file():
            raise UsageError(f"{path}: no such file" if not path.exists()
                             else f"{path}: not a file; mc2 diff compares deal files")
    return deals


def _choice(change: ChoiceChange) -> list[Text]:
    from rich.text import Text

    line = Text(f"  {_CHOICE_LABELS.get(change.kind, change.kind)} {change.target}: ")
    if change.kind == "extra-clause":
        what = "added" if change.old is None else "removed" if change.new is None else "changed"
        line.append(what, style="red" if what == "removed" else "green")
        line.append(f" ({change.new or change.old})")
    elif change.old == change.new:
        line.append(change.new or NONE)
    else:
        line.append(change.old or NONE, style="red")
        line.append(" -> ")
        line.append(change.new or NONE, style="green")
    if change.kind == "parameter" and change.clauses:
        line.append(f" (in {', '.join(change.clauses)})")
    lines = [line]
    if change.old_reason != change.new_reason:
        reason = Text("      reason: ")
        reason.append(change.old_reason or NONE, style="red")
        reason.append(" -> ")
        reason.append(change.new_reason or NONE, style="green")
        lines.append(reason)
    elif change.new_reason:
        lines.append(Text(f"      reason: {change.new_reason}", style="dim"))
    return lines


def _part_heading(part: PartDiff) -> Text:
    from rich.text import Text

    line = Text("  ")
    line.append(part.title, style="bold")
    if part.clause:
        line.append(f" [{part.clause}]")
    if part.old_number and part.new_number and part.old_number != part.new_number:
        line.append(f" (was {part.old_number})")
    line.append(f": {part.status}", style={"added": "green", "removed": "red"}.get(part.status, ""))
    return line


def printed(text: str) -> str:
    """Markdown as the contract prints it: no backslash escapes."""
    from mc2cli.inputs.markdown import unescape
    return unescape(text)


def _block(block: BlockDiff) -> Text:
    """One changed block, indented: `[-deleted-]` in red, `{+inserted+}` in green."""
    from rich.text import Text

    line = Text("    ")
    for seg in block.segments:
        text = printed(seg.text).replace("\n", "\n    ")
        if seg.op == "equal":
            line.append(text)
        elif seg.op == "delete":
            line.append(f"[-{text}-]", style="red")
        else:
            line.append(f"{{+{text}+}}", style="green")
    return line


def print_diff(result: ContractDiff) -> None:
    """The choices that changed, then the changed text, part by part."""
    from rich.text import Text

    from mc2cli.review.diff import renumbered
    if not result.changed:
        out.print(f"No differences between {result.old.label} and {result.new.label}.",
                  markup=False)
        return
    out.print(Text(f"{result.old.label} -> {result.new.label}", style="bold"))
    if result.choices:
        out.print(Text("\nChoices", style="bold underline"))
        for change in result.choices:
            for line in _choice(change):
                out.print(line)
    if result.changed_parts or result.renumbered_parts:
        out.print(Text("\nText", style="bold underline"))
    if result.renumbered_parts:
        out.print(Text(f"  renumbered: {result.renumbering} "
                       f"({len(result.renumbered_parts)} parts changed only so)", style="dim"))
    if result.changed_parts:
        for part in result.changed_parts:
            out.print(_part_heading(part))
            for block in part.blocks:
                if block.status != "equal" and not renumbered(block):
                    out.print(_block(block))


def _write_redline(data: bytes, target: Path) -> None:
    from mc2cli.output.write import publish
    written = publish(target.parent, {target.name: data})
    err.print(f"wrote {shown(written[target.name])}", style="green", markup=False)


def diff(
    deals: Annotated[list[Path], typer.Argument(
        metavar="OLD NEW | DEAL", help="Two deal files, or one deal file with --rev.",
        show_default=False)],
    rev: Annotated[str | None, typer.Option(
        "--rev", metavar="REV",
        help="Compare DEAL with the same file, and its library where that lies in the same "
             "git repository, as committed at git revision REV.")] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] =
        DiffFormat.text,
    redline: Annotated[Path | None, typer.Option(
        "--redline", metavar="FILE.docx",
        help="Also write the new contract as a Word file in which every change is a tracked "
             "change.")] = None,
    exit_code: Annotated[bool, typer.Option(
        "--exit-code", help="Exit 1 when anything differs (as 'git diff --exit-code').")] =
        False,
    library: LibraryOpt = None,
) -> None:
    """Compare two deals: the choices that changed, then the contract text clause by clause."""
    def run() -> int:
        from mc2cli.review.diff import diff_files, diff_revision
        paths = _paths(deals, rev)
        if redline is not None and redline.suffix.lower() != ".docx":
            raise UsageError(f"--redline writes a Word file: name it {redline.stem}.docx")
        if rev is not None:
            result = diff_revision(paths[0], rev, library=_layers(library))
        else:
            result = diff_files(paths[0], paths[1], library=_layers(library))
        if redline is None:
            _print(result)
        else:
            from concurrent.futures import ThreadPoolExecutor

            from mc2cli.review.redline import redline_docx
            # The converter runs while the diff prints (a separate process: they overlap).
            with ThreadPoolExecutor(max_workers=1) as pool:
                docx = pool.submit(redline_docx, result)
                _print(result)
                data = docx.result()
            _write_redline(data, redline)
        return 1 if exit_code and result.changed else 0

    def _print(result: ContractDiff) -> None:
        if format is DiffFormat.json:
            from mc2cli.review.diff import to_json
            sys.stdout.write(to_json(result))
        else:
            print_diff(result)
    _guard(run)
