"""Two assembled contracts compared: the deal's choices that changed, then the text, part by part.

Choices are compared on the assembled contracts, so a value the library changed between two
revisions shows as well as one the deal changed. The text is compared on the canonical
Markdown (document.to_markdown), cut into parts: the title and parties, each `##` section
heading with its introduction, and each clause, matched by id so that renumbering never
pairs unrelated clauses. Plain data throughout; never prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from mc2cli import __version__
from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.errors import InputError
from mc2cli.inputs.markdown import unescape as printed
from mc2cli.inputs.values import plain
from mc2cli.output.document import to_markdown
from mc2cli.pipeline import check, display
from mc2cli.review.textdiff import (
    Block,
    BlockDiff,
    blocks,
    diff_blocks,
    number_pairs,
    only_renumbered,
    renumbering,
)

DIFF_FORMAT = 1
PREAMBLE = "Title and parties"
PartStatus = Literal["equal", "changed", "added", "removed"]
_SECTION_NUMBER = re.compile(r"^\d+\.\s+")


@dataclass
class ChoiceChange:
    """One deal choice that differs: a position, a value, an omission, an extra clause or the
    reason given for one. `old`/`new` are None where the choice is absent on that side."""

    kind: str  # position | parameter | omit-principle | omit-clause | extra-clause
    target: str
    old: str | None
    new: str | None
    old_reason: str | None
    new_reason: str | None
    clauses: list[str]


@dataclass
class PartDiff:
    key: str
    clause: str | None
    title: str
    status: PartStatus
    old_number: str | None
    new_number: str | None
    blocks: list[BlockDiff] = field(default_factory=list)
    renumbered: bool = False  # changed only in its numbers: shown as one line, not as text


@dataclass
class Side:
    label: str
    title: str
    library: str


@dataclass
class ContractDiff:
    old: Side
    new: Side
    choices: list[ChoiceChange]
    parts: list[PartDiff]

    @property
    def changed_parts(self) -> list[PartDiff]:
        """Parts whose text changed, other than by renumbering."""
        return [p for p in self.parts if p.status != "equal" and not p.renumbered]

    @property
    def renumbered_parts(self) -> list[PartDiff]:
        return [p for p in self.parts if p.renumbered]

    @property
    def renumbering(self) -> str:
        """The renumbering as one line: `14.1-14.5 -> 15.1-15.5, 16 -> 17`, or ''."""
        pairs = [pair for p in self.parts for b in p.blocks if renumbered(b)
                 for pair in number_pairs(printed(b.old.text if b.old else ""),
                                          printed(b.new.text if b.new else ""))]
        return renumbering(pairs)

    @property
    def changed(self) -> bool:
        return bool(self.choices or self.changed_parts or self.renumbered_parts)


# --- choices ----------------------------------------------------------------------------------

def _state(omitted: bool) -> str:
    return "omitted" if omitted else "included"


def _omitted_principles(old: Contract, new: Contract) -> Iterator[ChoiceChange]:
    for p in new.library.principles:
        if old.library.principle(p.id) is None:
            continue
        was, now = p.id in old.omitted_principles, p.id in new.omitted_principles
        why_old, why_new = old.omitted_principles.get(p.id), new.omitted_principles.get(p.id)
        if was != now or (now and why_old != why_new):
            yield ChoiceChange("omit-principle", p.id, _state(was), _state(now), why_old,
                               why_new, [])


def _own_omissions(contract: Contract) -> dict[str, str | None]:
    """Clauses omitted one by one, not with their whole principle."""
    lib = contract.library.clauses
    return {cid: why for cid, why in contract.omitted_clauses.items()
            if cid in lib and lib[cid].section not in contract.omitted_principles}


def _omitted_clauses(old: Contract, new: Contract) -> Iterator[ChoiceChange]:
    old_own, new_own = _own_omissions(old), _own_omissions(new)
    for cid, lib_clause in new.library.clauses.items():
        section = lib_clause.section
        if cid not in old.library.clauses or section in old.omitted_principles \
                or section in new.omitted_principles:
            continue
        was, now = cid in old_own, cid in new_own
        if was != now or (now and old_own[cid] != new_own[cid]):
            yield ChoiceChange("omit-clause", cid, _state(was), _state(now), old_own.get(cid),
                               new_own.get(cid), [cid])


def _positions(old: Contract, new: Contract) -> Iterator[ChoiceChange]:
    before = {c.id: c for c in old.clauses if not c.extra}
    for c in new.clauses:
        o = before.get(c.id)
        if o is None or c.extra:
            continue
        why_old = o.reason if o.position != "middle" else None
        why_new = c.reason if c.position != "middle" else None
        if o.position != c.position or why_old != why_new:
            yield ChoiceChange("position", c.id, o.position, c.position, why_old, why_new, [c.id])


def _parameter_rows(old: Contract, new: Contract) -> Iterator[tuple[tuple[str, str, str,
                                                                          str | None,
                                                                          str | None], str]]:
    before = {c.id: c for c in old.clauses}
    for c in new.clauses:
        o = before.get(c.id)
        if o is None:
            continue
        for pid in sorted(c.params.keys() & o.params.keys()):
            was, now = o.params[pid], c.params[pid]
            shown_old = plain(old.library.parameters[pid][0], was.value)
            shown_new = plain(new.library.parameters[pid][0], now.value)
            why_old = was.reason if was.set_by != "library" else None
            why_new = now.reason if now.set_by != "library" else None
            if shown_old != shown_new or why_old != why_new:
                yield (pid, shown_old, shown_new, why_old, why_new), c.id


def _parameters(old: Contract, new: Contract) -> Iterator[ChoiceChange]:
    """One change per parameter and pair of values, with the clauses where it happened."""
    groups: dict[tuple[str, str, str, str | None, str | None], list[str]] = {}
    for key, clause_id in _parameter_rows(old, new):
        groups.setdefault(key, []).append(clause_id)
    for (pid, was, now, why_old, why_new), clauses in groups.items():
        yield ChoiceChange("parameter", pid, was, now, why_old, why_new, clauses)


def _extras(old: Contract, new: Contract) -> Iterator[ChoiceChange]:
    before = {x.id: x for x in old.deal.extra_clauses}
    after = {x.id: x for x in new.deal.extra_clauses}
    for xid in [*after, *(k for k in before if k not in after)]:
        o, n = before.get(xid), after.get(xid)
        if o is not None and n is not None and o.model_dump() == n.model_dump():
            continue
        yield ChoiceChange("extra-clause", xid, o.title if o else None, n.title if n else None,
                           o.reason if o else None, n.reason if n else None, [xid])


def choices(old: Contract, new: Contract) -> list[ChoiceChange]:
    """The choices that differ: omitted principles, omitted clauses, positions, parameter
    values, extra clauses, in that order, each in the order of the new contract."""
    return [*_omitted_principles(old, new), *_omitted_clauses(old, new), *_positions(old, new),
            *_parameters(old, new), *_extras(old, new)]


# --- text --------------------------------------------------------------------------------------

@dataclass
class _Part:
    key: str
    clause: AssembledClause | None
    title: str
    blocks: list[Block]


def _parts(contract: Contract) -> list[_Part]:
    """The contract's Markdown cut at every `##` and `###` heading; `###` headings are the
    clauses, in order."""
    clauses = iter(contract.clauses)
    parts = [_Part(PREAMBLE, None, PREAMBLE, [])]
    for block in blocks(to_markdown(contract)):
        heading = block.text.lstrip("#").strip()
        if block.kind == "h3":
            clause = next(clauses, None)
            parts.append(_Part(clause.id if clause else heading, clause, heading, []))
        elif block.kind == "h2":
            parts.append(_Part(_SECTION_NUMBER.sub("", heading), None, heading, []))
        parts[-1].blocks.append(block)
    return parts


def _part_diff(old: _Part | None, new: _Part | None) -> PartDiff:
    if old is not None and new is not None:
        found = diff_blocks(old.blocks, new.blocks)
        status: PartStatus = "equal" if all(b.status == "equal" for b in found) else "changed"
    elif new is not None:
        found, status = diff_blocks([], new.blocks), "added"
    else:
        assert old is not None
        found, status = diff_blocks(old.blocks, []), "removed"
    either = new or old
    assert either is not None
    clause = either.clause
    return PartDiff(either.key, clause.id if clause else None, either.title, status,
                    old.clause.number if old and old.clause else None,
                    new.clause.number if new and new.clause else None, found,
                    status == "changed" and all(b.status == "equal" or renumbered(b)
                                                for b in found))


def renumbered(block: BlockDiff) -> bool:
    """A block changed only in its numbers (sections renumbered)."""
    return block.status == "changed" and block.old is not None and block.new is not None \
        and only_renumbered(printed(block.old.text), printed(block.new.text),
                            heading=block.new.kind.startswith("h"))


def text_diff(old: Contract, new: Contract) -> list[PartDiff]:
    """Every part of both contracts in reading order, each with its block diffs."""
    before, after = _parts(old), _parts(new)
    matcher = SequenceMatcher(None, [p.key for p in before], [p.key for p in after],
                              autojunk=False)
    out: list[PartDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(_part_diff(o, n) for o, n in zip(before[i1:i2], after[j1:j2],
                                                         strict=True))
        else:
            out.extend(_part_diff(o, None) for o in before[i1:i2])
            out.extend(_part_diff(None, n) for n in after[j1:j2])
    return out


# --- whole comparisons --------------------------------------------------------------------------

def _side(contract: Contract, label: str) -> Side:
    return Side(label, contract.deal.title, contract.library.edition)


def compare(old: Contract, new: Contract, old_label: str, new_label: str) -> ContractDiff:
    """What changed from `old` to `new`: choices first, then the text."""
    return ContractDiff(_side(old, old_label), _side(new, new_label), choices(old, new),
                        text_diff(old, new))


def assembled(deal_path: Path, library: list[Path] | None = None) -> Contract:
    """The deal's contract; InputError with every problem when it has errors."""
    result = check(deal_path, library=library)
    if result.contract is None:
        raise InputError(result.problems)
    return result.contract


def diff_files(old: Path, new: Path, *, library: list[Path] | None = None) -> ContractDiff:
    """Compare two deal files (each with its own library unless `library` is given)."""
    return compare(assembled(old, library), assembled(new, library), display(old), display(new))


def diff_revision(deal: Path, rev: str, *, library: list[Path] | None = None) -> ContractDiff:
    """Compare a deal as committed at git revision `rev` (with its library, where that lives
    in the same repository) with the deal as it is now."""
    from mc2cli.review.gitrev import snapshot
    with snapshot(deal, rev, library) as snap:
        try:
            old = assembled(snap.deal, snap.library)
        except InputError as exc:
            raise InputError(snap.relabel(exc.problems)) from None
        return compare(old, assembled(deal, library), snap.label, display(deal))


# --- JSON ---------------------------------------------------------------------------------------

def _part_dict(part: PartDiff) -> dict[str, Any]:
    return {
        "clause": part.clause, "title": part.title, "status": part.status,
        "old_number": part.old_number, "new_number": part.new_number,
        "blocks": [{"status": b.status,
                    "segments": [{"op": s.op, "text": printed(s.text)} for s in b.segments]}
                   for b in part.blocks if b.status != "equal" and not renumbered(b)],
    }


def to_dict(diff: ContractDiff) -> dict[str, Any]:
    """The diff as plain JSON data (README: Comparing deals and redlines)."""
    return {
        "format": DIFF_FORMAT,
        "mc2_version": __version__,
        "old": asdict(diff.old),
        "new": asdict(diff.new),
        "changed": diff.changed,
        "choices": [asdict(c) for c in diff.choices],
        "text": [_part_dict(p) for p in diff.changed_parts],
        "renumbered": {"numbers": diff.renumbering,
                       "parts": [p.clause or p.key for p in diff.renumbered_parts]},
    }


def to_json(diff: ContractDiff) -> str:
    """One JSON object with sorted keys, ending in a newline."""
    return json.dumps(to_dict(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
