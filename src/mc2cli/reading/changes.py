"""Each returned clause compared with the deal's contract, and the difference named.

A clause that reads as the deal prints it is unchanged. Otherwise its text is matched
against every position's text of that clause, rendered with the deal's parameters but with
each parameter's printed value left open: the deal's own position with only values changed
is a `parameter` change (each value read back to its type), another position's text is a
`position` change (with any values that differ from it), a clause gone is `omitted`, and
anything else is a `text` edit with a word diff. Paragraphs new to the contract become
`inserted` clauses of the principle they sit in; comments are listed on their clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.assembly.render import RenderError, render_text
from mc2cli.inputs.library import Library
from mc2cli.inputs.models import POSITIONS, Parameter
from mc2cli.inputs.values import Param, bounds_text, coerce, in_bounds
from mc2cli.reading.docxread import Mark, Para, Returned
from mc2cli.reading.match import Found, Layout
from mc2cli.reading.plain import fold, key, md_paragraphs
from mc2cli.reading.printed import jsonable, unrender
from mc2cli.review.textdiff import tokenize, word_diff

KINDS = ("omitted", "position", "parameter", "text", "inserted", "comment")
TAKEN = ("omitted", "position", "parameter", "inserted")  # what a proposed deal expresses
NEW_PARAGRAPH = 0.5  # a paragraph less alike than this to every paragraph of its clause is new


@dataclass
class Change:
    kind: str
    clause: str | None
    number: str | None
    parameter: str | None = None
    old: Any = None
    new: Any = None
    author: str | None = None
    date: str | None = None
    tracked: bool = False
    text_diff: str | None = None
    detail: dict[str, Any] | None = None
    order: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "clause": self.clause, "number": self.number,
                "parameter": self.parameter, "old": jsonable(self.old),
                "new": jsonable(self.new), "author": self.author, "date": self.date,
                "tracked": self.tracked, "text_diff": self.text_diff, "detail": self.detail,
                "taken": self.kind in TAKEN}


class _Open(Param):
    """A parameter whose printed value is a marker, so a text can be matched with the value
    left open; `.value` stays the real value for the text's conditions."""

    __slots__ = ("marker",)

    def __init__(self, param: Parameter, value: Any, marker: str) -> None:
        super().__init__(param, value)
        self.marker = marker

    def __str__(self) -> str:
        return self.marker

    def joined(self, conjunction: str) -> str:
        return self.marker


def _marker(i: int) -> str:
    return f"zqmctwoparam{chr(97 + i // 26)}{chr(97 + i % 26)}q"


class Classifier:
    def __init__(self, contract: Contract, variants: dict[str, dict[str, AssembledClause]],
                 returned: Returned) -> None:
        self.contract = contract
        self.lib: Library = contract.library
        self.variants = variants
        self.returned = returned
        numbers = {c.id: c.number for c in contract.clauses}
        self.ref: Callable[[str], str] = \
            lambda cid: f"Section {numbers[cid]}" if cid in numbers else f"[{cid}]"

    # --- who and when ------------------------------------------------------------------------
    def by(self, paras: list[Para]) -> tuple[str | None, str | None, bool]:
        marks: list[Mark] = [m for p in paras for m in p.marks]
        if not marks:
            return self.returned.last_author, self.returned.modified, False
        latest = max(marks, key=lambda m: m.date or "")
        return latest.author, latest.date, True

    # --- one clause --------------------------------------------------------------------------
    def clause(self, found: Found, order: int) -> tuple[list[Change], list[Para]]:
        """The clause's changes, and the new paragraphs at its end (inserted after it)."""
        e = found.expected
        c = e.clause
        live = [p for p in found.paragraphs if not p.gone and p.text]
        heading: Para | None = None
        if (live and live[0].index == found.start and found.how != "text") or \
                (live and key(live[0].text) == key(e.heading)):
            heading, live = live[0], live[1:]
        want = [key(t) for t in e.body]
        who = self.by(found.paragraphs)
        base = Change("", c.id, c.number, author=who[0], date=who[1], tracked=who[2],
                      order=order)
        if not live:
            return [_with(base, kind="omitted", old="\n".join(e.body))], []
        out: list[Change] = []
        if heading is not None and _title(heading.text) != _title(e.heading):
            out.append(_with(base, kind="text", old=e.heading, new=heading.text,
                             text_diff=text_diff(e.heading, heading.text),
                             detail={"part": "heading"}))
        tail: list[Para] = []
        explained = self.explain(c, [key(p.text) for p in live])
        if explained is None:
            # New paragraphs at the clause's end are an insertion after it, not part of it.
            while len(live) > 1 and not any(_alike(key(live[-1].text), w) for w in want):
                tail.insert(0, live.pop())
            got = [key(p.text) for p in live]
            if got == want:
                return out, tail
            explained = self.explain(c, got) if tail else None
        if explained == []:
            return out, tail
        new_text = "\n".join(p.text for p in live)
        old_text = "\n".join(e.body)
        if explained is None:
            out.append(_with(base, kind="text", old=old_text, new=new_text,
                             text_diff=text_diff(old_text, new_text),
                             detail={"part": "body"}))
            return out, tail
        diff = text_diff(old_text, new_text)
        for kind, param, old, new, detail in explained:
            out.append(_with(base, kind=kind, parameter=param, old=old, new=new,
                             text_diff=diff, detail=detail))
        return out, tail

    def explain(self, c: AssembledClause, got: list[str]
                ) -> list[tuple[str, str | None, Any, Any, dict[str, Any] | None]] | None:
        """The position and parameter values that print `got`, as changes; None if none do."""
        if c.extra or not c.positions:
            return self.values_only(c, c, c.positions.get(c.position, ""), got, c.position,
                                    extra=True)
        order = [c.position, *[p for p in POSITIONS if p != c.position]]
        seen: set[str] = set()
        for pos in order:
            raw = c.positions.get(pos, "")
            variant = self.variants.get(pos, {}).get(c.id)
            if variant is None or (raw in seen and pos != c.position):
                continue
            seen.add(raw)
            changes = self.values_only(c, variant, raw, got, pos)
            if changes is None:
                continue
            if pos != c.position:
                changes.insert(0, ("position", None, c.position, pos, None))
            return changes
        return None

    def values_only(self, c: AssembledClause, variant: AssembledClause, raw: str,
                    got: list[str], pos: str, extra: bool = False
                    ) -> list[tuple[str, str | None, Any, Any, dict[str, Any] | None]] | None:
        if extra:
            return None  # an extra clause's text is the deal's own: edits to it are text edits
        pids = sorted(variant.params)
        markers = {pid: _marker(i) for i, pid in enumerate(pids)}
        values: dict[str, Any] = dict(self.contract.context)
        for pid in pids:
            values[pid] = _Open(self.lib.parameters[pid][0], variant.params[pid].value,
                                markers[pid])
        try:
            pattern = "\n".join(key(p) for p in md_paragraphs(render_text(raw, values,
                                                                           self.ref)))
        except RenderError:
            return None
        regex = _regex(pattern, markers)
        m = regex.fullmatch("\n".join(got))
        if m is None:
            return None
        out: list[tuple[str, str | None, Any, Any, dict[str, Any] | None]] = []
        chosen: dict[str, Any] = {}
        for pid in pids:
            group = m.groupdict().get(_group(markers[pid]))
            param = self.lib.parameters[pid][0]
            current = variant.params[pid].value
            if group is None:
                chosen[pid] = current
                continue
            value = unrender(param, group)
            if value is None:
                return None
            chosen[pid] = value
            if value != current:
                out.append(("parameter", pid, c.params[pid].value if pid in c.params
                            else current, value, standing(param, value)))
        if out and not self.reprints(variant, raw, chosen, got):
            return None
        return out

    def reprints(self, variant: AssembledClause, raw: str, chosen: dict[str, Any],
                 got: list[str]) -> bool:
        values: dict[str, Any] = dict(self.contract.context)
        for pid, value in chosen.items():
            values[pid] = Param(self.lib.parameters[pid][0], value, self.contract.style)
        try:
            text = render_text(raw, values, self.ref)
        except RenderError:
            return False
        return [key(p) for p in md_paragraphs(text)] == got


def standing(param: Parameter, value: Any) -> dict[str, Any]:
    """Where a value sits: the positions' defaults, the bounds, and the positions it equals."""
    defaults = {}
    for pos in POSITIONS:
        try:
            defaults[pos] = coerce(param, param.default[pos])
        except ValueError:
            defaults[pos] = None
    b = param.bounds
    return {"defaults": {p: jsonable(v) for p, v in defaults.items()},
            "bounds": bounds_text(param) or None,
            "min": jsonable(b.min) if b else None, "max": jsonable(b.max) if b else None,
            "in_bounds": in_bounds(param, value),
            "equals": [p for p in POSITIONS if defaults[p] == value]}


def _group(marker: str) -> str:
    return "p" + marker[-3:-1]


def _regex(pattern: str, markers: dict[str, str]) -> re.Pattern[str]:
    by_marker = {m: pid for pid, m in markers.items()}
    parts = re.split("(" + "|".join(map(re.escape, by_marker)) + ")", pattern) \
        if by_marker else [pattern]
    out, seen = [], set()
    for part in parts:
        if part in by_marker:
            name = _group(part)
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
        else:
            out.append(re.escape(part))
    return re.compile("".join(out), re.S)


def _title(heading: str) -> str:
    """A heading without its number: renumbering is mc2's, not an edit."""
    return re.sub(r"^\d{1,3}(\.\d{1,3})*\.?\s+", "", key(heading))


def _alike(a: str, b: str) -> bool:
    """Word by word: two paragraphs of one clause share many letters and few phrases."""
    if a == b:
        return True
    matcher = SequenceMatcher(None, a.lower().split(), b.lower().split(), autojunk=False)
    return matcher.quick_ratio() >= NEW_PARAGRAPH and matcher.ratio() >= NEW_PARAGRAPH


def _with(base: Change, **fields: Any) -> Change:
    data = dict(base.__dict__)
    data.update(fields)
    return Change(**data)


def text_diff(old: str, new: str) -> str:
    """Deleted words as [-...-], inserted as {+...+}, on the folded text."""
    out = []
    for seg in word_diff(tokenize(fold_lines(old)), tokenize(fold_lines(new))):
        text = seg.text
        out.append(text if seg.op == "equal" else
                   f"[-{text}-]" if seg.op == "delete" else f"{{+{text}+}}")
    return "".join(out)


def fold_lines(text: str) -> str:
    return "\n".join(fold(line) for line in text.split("\n"))


def outside(layout: Layout, returned: Returned, tails: dict[str, list[Para]],
            contract: Contract, by: Callable[[list[Para]], tuple[str | None, str | None, bool]]
            ) -> tuple[list[tuple[str, str | None, list[Para]]], list[dict[str, Any]]]:
    """New paragraphs outside every clause: runs inside a principle's section become
    (principle, after-clause, paragraphs) insertions; the rest is unmatched."""
    principles = {s.id for s in contract.sections}
    section_of_clause = {c.id: c.section for c in contract.clauses}
    tail_at = {p.index: cid for cid, paras in tails.items() for p in paras}
    inserted: list[tuple[str, str | None, list[Para]]] = []
    unmatched: list[dict[str, Any]] = []
    where: tuple[str | None, str | None] = (None, None)
    run: list[Para] = []

    def close() -> None:
        if not run:
            return
        principle, after = where
        if principle in principles:
            inserted.append((principle, after, list(run)))
        else:
            author, date, tracked = by(run)
            unmatched.extend({"text": p.text, "after": after, "author": author,
                              "date": date, "tracked": tracked} for p in run)
        run.clear()

    for p in returned.paragraphs:
        if p.gone or p.in_table or not p.text:
            continue
        owner = layout.owner.get(p.index)
        if p.index in tail_at:
            if not run:
                cid = tail_at[p.index]
                where = (section_of_clause[cid], cid)
            run.append(p)
            continue
        close()
        if owner is not None:
            where = (section_of_clause[owner], owner)
        elif p.index in layout.frame:
            where = (layout.section_of.get(p.index), None)
        else:
            run.append(p)
    close()
    return inserted, unmatched


def comments(returned: Returned, layout: Layout, contract: Contract) -> list[Change]:
    numbers = {c.id: c.number for c in contract.clauses}
    order = {c.id: i for i, c in enumerate(contract.clauses)}
    out = []
    for comment in returned.comments:
        cid = layout.owner.get(comment.para) if comment.para is not None else None
        out.append(Change("comment", cid, numbers.get(cid) if cid else None,
                          old=comment.anchor, new=comment.text, author=comment.author,
                          date=comment.date, tracked=True,
                          order=order[cid] if cid else 1 << 20))
    return out


__all__ = ["KINDS", "Change", "Classifier", "comments", "outside", "standing", "text_diff"]
