"""Finding each clause of the deal's contract in the returned file.

First by the clause bookmarks that builds write (`mc2_<id>`); then, for a file that lost
them (saved by another editor, or pasted into a new document), by the clause's heading
("2.1 Secure Development Framework", number and title, or the title alone); then by the
text of its first paragraph. A clause runs from where it starts to the next clause, section
heading, heading or paragraph of the contract's own frame (recitals, definitions,
signatures, schedules); tables are the schedules' and belong to no clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.output.structure import bookmark_name
from mc2cli.reading.docxread import Para, Returned
from mc2cli.reading.plain import key, md_paragraphs

# How alike (difflib ratio) a paragraph must be to a clause's first paragraph, or a heading
# to a clause's heading, to place a clause that lost its bookmark and its exact heading.
SIMILAR_BODY = 0.75
SIMILAR_HEADING = 0.85


_NUMBERED = re.compile(r"^\d{1,3}\.\d{1,3}\s")


@dataclass
class Expected:
    """A clause as the deal's contract prints it."""

    clause: AssembledClause
    heading: str
    body: list[str]


@dataclass
class Found:
    expected: Expected
    start: int
    how: str  # "bookmark", "heading" or "text"
    paragraphs: list[Para] = field(default_factory=list)


@dataclass
class Layout:
    """Where everything is: clauses found, frame paragraphs, and the rest."""

    found: dict[str, Found]
    missing: list[Expected]
    frame: set[int]                 # paragraphs of the contract's frame
    section_of: dict[int, str]      # frame paragraph index -> principle id whose heading it is
    owner: dict[int, str]           # paragraph index -> clause id whose range holds it


def expected(contract: Contract) -> list[Expected]:
    return [Expected(c, f"{c.number} {c.title}", md_paragraphs(c.text))
            for c in contract.clauses]

_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+")


def frame_keys(contract: Contract, markdown: str) -> tuple[set[str], dict[str, str]]:
    """Keys of the paragraphs that are the contract's own frame, and its section headings."""
    clause_keys = {key(p) for e in expected(contract) for p in [e.heading, *e.body]}
    clause_keys |= {key(e.clause.title) for e in expected(contract)}
    # A built DOCX numbers its headings with Word numbering, so their text has no number.
    frame = {key(q) for p in md_paragraphs(markdown)
             for q in (p, _SECTION_NUMBER.sub("", p, count=1))} - clause_keys
    headings = {key(t): s.id for s in contract.sections
                for t in (f"{s.number}. {s.title}", s.title)}
    return frame, headings


def locate(returned: Returned, contract: Contract, markdown: str) -> Layout:
    paras = returned.paragraphs
    exp = expected(contract)
    frame_set, headings = frame_keys(contract, markdown)
    frame = {p.index for p in paras if not p.gone and key(p.text) in frame_set}
    section_of = {p.index: headings[key(p.text)] for p in paras
                  if p.index in frame and key(p.text) in headings}
    starts: dict[str, tuple[int, str]] = {}
    by_mark: dict[str, int] = {}
    # A deleted clause's bookmark can survive as an empty mark on a neighbour's paragraph
    # (Word and LibreOffice keep it so). A clause's mark counts where it stands alone.
    for p in paras:
        marks = sorted({name for name in p.bookmarks if name.startswith("mc2_")})
        if len(marks) == 1:
            by_mark.setdefault(marks[0], p.index)
    used: set[int] = set()
    for e in exp:
        at = by_mark.get(bookmark_name(e.clause.id))
        if at is not None and at not in used:
            starts[e.clause.id] = (at, "bookmark")
            used.add(at)
    live = [p for p in paras if not p.gone and not p.in_table and p.text]
    for e in exp:
        if e.clause.id in starts:
            continue
        at = _heading(e, live, used)
        if at is not None:
            starts[e.clause.id] = (at, "heading")
            used.add(at)
    for e in exp:  # a heading deleted as a tracked change: the clause was deleted there
        if e.clause.id not in starts:
            at = next((p.index for p in paras if p.gone and p.index not in used
                       and key(p.old) == key(e.heading)), None)
            if at is not None:
                starts[e.clause.id] = (at, "heading")
                used.add(at)
    owner = _ranges(paras, starts, frame)
    bodies = {e.clause.id: {key(t) for t in e.body} for e in exp}
    for e in exp:
        if e.clause.id in starts or not e.body:
            continue
        at = _by_text(e, live, owner, used, bodies, frame)
        if at is not None:
            starts[e.clause.id] = (at, "text")
            used.add(at)
            owner = _ranges(paras, starts, frame)
    found: dict[str, Found] = {}
    for e in exp:
        if e.clause.id in starts:
            at, how = starts[e.clause.id]
            members = [p for p in paras if owner.get(p.index) == e.clause.id]
            found[e.clause.id] = Found(e, at, how, members)
    missing = [e for e in exp if e.clause.id not in found]
    return Layout(found, missing, frame, section_of, owner)


def _heading(e: Expected, live: list[Para], used: set[int]) -> int | None:
    full, title = key(e.heading), key(e.clause.title)
    for p in live:
        if p.index not in used and key(p.text) == full:
            return p.index
    for p in live:  # the title alone, on a heading or a numbered line
        if p.index not in used and key(p.text) == title and \
                (p.heading is not None or len(p.text) < 120):
            return p.index
    for p in live:
        if p.index in used or not (p.heading is not None or _NUMBERED.match(p.text)):
            continue
        if SequenceMatcher(None, key(p.text), full, autojunk=False).ratio() >= SIMILAR_HEADING:
            return p.index
    return None


def _by_text(e: Expected, live: list[Para], owner: dict[int, str], used: set[int],
             bodies: dict[str, set[str]], frame: set[int]) -> int | None:
    """A paragraph like the clause's first one, that is not a paragraph of the clause whose
    range it lies in (a clause that lost its heading runs on inside the one before it)."""
    first = key(e.body[0])
    best, best_ratio = None, SIMILAR_BODY
    for i, p in enumerate(live):
        if p.index in used or (p.index in owner and key(p.text) in bodies[owner[p.index]]):
            continue
        matcher = SequenceMatcher(None, key(p.text), first, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == 1.0 and best_ratio < 1.0):
            best, best_ratio = i, ratio
    if best is None:
        return None
    before = live[best - 1] if best > 0 else None
    if before is not None and before.index not in owner and before.index not in used and \
            before.index not in frame and \
            SequenceMatcher(None, key(before.text), key(e.heading),
                            autojunk=False).ratio() >= 0.6:
        return before.index
    return live[best].index


def _ranges(paras: list[Para], starts: dict[str, tuple[int, str]],
            frame: set[int]) -> dict[int, str]:
    """Each paragraph's clause: from a clause's start to the next boundary."""
    at_start = {i: cid for cid, (i, _how) in starts.items()}
    owner: dict[int, str] = {}
    current: str | None = None
    for p in paras:
        if p.index in at_start:
            current = at_start[p.index]
        elif p.in_table or p.index in frame or (p.heading is not None and not p.gone
                                                 and p.text):
            current = None
        if current is not None:
            owner[p.index] = current
    return owner
