"""The tables a contract and a report share: key terms and the responsibility matrix."""

from __future__ import annotations

from dataclasses import dataclass

from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.assembly.obligors import BOTH, HDO, MDM, obligors
from mc2cli.inputs.values import bounds_text, plain, unit


@dataclass
class KeyTerm:
    id: str
    title: str
    value: str
    unit: str
    middle: str
    bounds: str
    in_bounds: bool
    set_by: str
    clauses: list[str]
    clause_numbers: list[str]


def param_title(pid: str, title: str | None) -> str:
    return title or pid.replace("_", " ").capitalize()


def key_terms(contract: Contract) -> list[KeyTerm]:
    """One row per parameter value the contract uses, in order of first use."""
    rows: dict[tuple[str, str], KeyTerm] = {}
    for clause in contract.clauses:
        for use in clause.params.values():
            param = contract.library.parameters[use.id][0]
            shown = plain(param, use.value, contract.style)
            row = rows.get((use.id, shown))
            if row is None:
                row = KeyTerm(use.id, param_title(use.id, param.title), shown, unit(param),
                              plain(param, use.middle, contract.style), bounds_text(param),
                              use.in_bounds, use.set_by, [], [])
                rows[(use.id, shown)] = row
            row.clauses.append(clause.id)
            row.clause_numbers.append(clause.number)
    return list(rows.values())


@dataclass
class Responsibility:
    section: str
    section_title: str
    number: str
    clause: str
    title: str
    obligor: str


def owed_by(contract: Contract, clause: AssembledClause) -> str:
    """Who owes something in the clause's chosen text ("hdo", "mdm" or "both"), read from
    its obligation sentences ("Supplier shall ..."); a text that sets no duty keeps the
    library's declared obligor."""
    found = obligors(clause.text, contract.context["hdo"], contract.context["mdm"])
    if found == {HDO, MDM}:
        return BOTH
    return next(iter(found)) if found else clause.obligor


def responsibilities(contract: Contract) -> list[Responsibility]:
    """One row per clause: who owes something in the text the deal actually chose."""
    return [Responsibility(s.id, s.title, c.number, c.id, c.title, owed_by(contract, c))
            for s in contract.all_sections for c in s.clauses]


def totals(rows: list[Responsibility]) -> dict[str, int]:
    out = {"hdo": 0, "mdm": 0, "both": 0}
    for r in rows:
        out[r.obligor] += 1
    return out
