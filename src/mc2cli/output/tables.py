"""The tables a contract and a report share: key terms and the responsibility matrix."""

from __future__ import annotations

from dataclasses import dataclass

from mc2cli.assembly.contract import Contract
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
            shown = plain(param, use.value)
            row = rows.get((use.id, shown))
            if row is None:
                row = KeyTerm(use.id, param_title(use.id, param.title), shown, unit(param),
                              plain(param, use.middle), bounds_text(param), use.in_bounds,
                              use.set_by, [], [])
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


def responsibilities(contract: Contract) -> list[Responsibility]:
    return [Responsibility(s.id, s.title, c.number, c.id, c.title, c.obligor)
            for s in contract.all_sections for c in s.clauses]


def totals(rows: list[Responsibility]) -> dict[str, int]:
    out = {"hdo": 0, "mdm": 0, "both": 0}
    for r in rows:
        out[r.obligor] += 1
    return out
