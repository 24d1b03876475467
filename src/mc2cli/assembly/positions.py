"""Which clauses a deal includes, at which position, and in what order within each section."""

from __future__ import annotations

from dataclasses import dataclass, field

from mc2cli.assembly.deviations import Ledger
from mc2cli.inputs.library import GENERAL, LibClause, Library
from mc2cli.inputs.models import Clause, Deal, ExtraClause, Position
from mc2cli.inputs.yamlload import PathKey
from mc2cli.suggest import did_you_mean

# A planned clause: the clause, its library entry (None for a deal's extra clause) and, for an
# extra clause, its index in `extra_clauses` (-1 otherwise).
PlanItem = tuple[Clause | ExtraClause, LibClause | None, int]


@dataclass
class Plan:
    sections: list[tuple[str, list[PlanItem]]] = field(default_factory=list)
    omitted_principles: dict[str, str | None] = field(default_factory=dict)
    omitted_clauses: dict[str, str | None] = field(default_factory=dict)


def position_of(deal: Deal, clause_id: str, section: str) -> tuple[Position, str | None, PathKey]:
    """A clause's position, the reason given for it and the deal key that chose it.

    A reason belongs to the level that gave it and to the move it explains: a level that moves
    the clause elsewhere than the level above gives its own reason or none, and a reason given
    at a level that does not set the position (a clause's reason for its parameters, say) does
    not explain the position. A level that repeats the position above keeps that reason.
    """
    position: Position = deal.position
    reason = deal.reason
    key: PathKey = ("position",)
    for choice, at in ((deal.principles.get(section), ("principles", section)),
                       (deal.clauses.get(clause_id), ("clauses", clause_id))):
        if choice is None or choice.position is None:
            continue
        if choice.position != position or choice.reason:
            reason, key = choice.reason, at
        position = choice.position
    return position, reason, key


def plan(deal: Deal, lib: Library, ledger: Ledger) -> Plan:
    """Every section's clauses in order, with omissions and extra clauses recorded."""
    out = Plan()
    for principle in lib.principles:
        pchoice = deal.principles.get(principle.id)
        if pchoice and pchoice.omit:
            out.omitted_principles[principle.id] = pchoice.reason
            ledger.deviate("omit-principle", principle.id, "principle omitted",
                           pchoice.reason, True, ("principles", principle.id, "omit"))
            for lc in lib.section_clauses(principle.id):
                out.omitted_clauses[lc.clause.id] = pchoice.reason
            continue
        out.sections.append((principle.id, _section(deal, lib, ledger, principle.id,
                                                    out.omitted_clauses)))
    out.sections.append((GENERAL, _section(deal, lib, ledger, GENERAL, out.omitted_clauses)))
    for i, extra in enumerate(deal.extra_clauses):
        if extra.principle in out.omitted_principles:
            ledger.err(("extra_clauses", i, "principle"),
                       f"principle '{extra.principle}' is omitted in this deal",
                       "drop 'omit' on the principle or place the clause elsewhere")
    return out


def _section(deal: Deal, lib: Library, ledger: Ledger, sid: str,
             omitted: dict[str, str | None]) -> list[PlanItem]:
    items: list[PlanItem] = []
    kinds = {p.kind for p in deal.products}
    for lc in lib.section_clauses(sid):
        cchoice = deal.clauses.get(lc.clause.id)
        if kinds and not kinds & set(lc.clause.applies_to):
            omitted[lc.clause.id] = (
                f"it applies to {' and '.join(lc.clause.applies_to)} products, and every "
                f"product in this deal is a {' or '.join(sorted(kinds))} product")
            continue
        if cchoice and cchoice.omit:
            omitted[lc.clause.id] = cchoice.reason
            ledger.deviate("omit-clause", lc.clause.id,
                           "required clause omitted" if lc.clause.required else "clause omitted",
                           cchoice.reason, lc.clause.required, ("clauses", lc.clause.id, "omit"))
            continue
        items.append((lc.clause, lc, -1))
    for i, extra in enumerate(deal.extra_clauses):
        if extra.principle != sid:
            continue
        pos = len(items)
        if extra.after:
            ids = [c.id for c, _, _ in items]
            if extra.after in ids:
                pos = ids.index(extra.after) + 1
            else:
                ledger.err(("extra_clauses", i, "after"),
                           f"'{extra.after}' is not a clause of '{sid}' in this deal",
                           did_you_mean(extra.after, ids))
        items.insert(pos, (extra, None, i))
        ledger.deviate("extra-clause", extra.id, f"extra clause '{extra.title}'",
                       extra.reason, True, ("extra_clauses", i))
    return items
