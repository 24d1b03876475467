"""Rules between figures and between positions, declared in the library.

`constraints:` in parameters.yaml compare two parameters (`patch_critical_days <= patch_days`).
Durations compare in hours (a day and a business day count 24, a month 720, a year 8,760; an
`integer` with `unit: hours` counts as given), so a notice in hours can be held against one in
days; other numbers compare only with the same type and unit. Clause `conflicts:` and
`requires:` name positions of two clauses that contradict each other or depend on each other.

Lint proves every position's defaults satisfy every constraint and warns on position mixes
whose defaults break one (unless a clause declares the mix under `conflicts:`); `check` reports
a deal that breaks a rule at the deal line that set the offending value, naming both lines.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mc2cli.assembly.contract import AssembledClause
from mc2cli.assembly.deviations import Ledger
from mc2cli.assembly.positions import position_of
from mc2cli.assembly.render import analyze
from mc2cli.errors import Problem
from mc2cli.inputs.library import Library
from mc2cli.inputs.models import POSITIONS, Constraint, Deal, MixRule, Parameter
from mc2cli.inputs.values import plain
from mc2cli.inputs.yamlload import PathKey

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_WORDS = {"<=": "at most", "<": "less than", ">=": "at least", ">": "more than",
          "==": "equal to"}
_HOURS = {"days": 24, "business_days": 24, "months": 720, "years": 8760}
_RULE = re.compile(r"\s*([a-z][a-z0-9_]*)\s*(<=|>=|==|<|>)\s*([a-z][a-z0-9_]*)\s*")


@dataclass(frozen=True)
class Rule:
    id: str
    left: str
    op: str
    right: str
    says: str

    @property
    def text(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    def holds(self, lib: Library, left: Any, right: Any) -> bool:
        a = _measure(lib.parameters[self.left][0], left)
        b = _measure(lib.parameters[self.right][0], right)
        return _OPS[self.op](a, b)


def _measure(param: Parameter, value: Any) -> Any:
    if param.type in _HOURS:
        return value * _HOURS[param.type]
    return value


def _scale(param: Parameter) -> str:
    """What a parameter's number measures: 'duration' (in hours) or its own type and unit."""
    if param.type in _HOURS or (param.type == "integer" and param.unit == "hours"):
        return "duration"
    return f"{param.type}:{param.unit or ''}"


def parse(lib: Library, constraint: Constraint) -> Rule | str:
    """The rule, or what is wrong with it."""
    m = _RULE.fullmatch(constraint.rule)
    if not m:
        return (f"rule '{constraint.rule}' is not '<parameter> <op> <parameter>' with op one of "
                "<=, <, >=, >, ==")
    left, op, right = m.groups()
    for name in (left, right):
        if name not in lib.parameters:
            return f"rule '{constraint.rule}' names '{name}', which is not a declared parameter"
    kinds = {_scale(lib.parameters[n][0]) for n in (left, right)}
    numeric = all(lib.parameters[n][0].type in (*_HOURS, "integer") for n in (left, right))
    if not numeric or len(kinds) != 1:
        return (f"rule '{constraint.rule}' compares figures that do not measure the same thing "
                "(durations compare with durations, other numbers only with the same unit)")
    return Rule(constraint.id, left, op, right, constraint.says)


def rules(lib: Library) -> list[Rule]:
    """Every constraint of the library that parses (lint reports the others)."""
    return [r for c, _w in lib.constraints.values() if isinstance(r := parse(lib, c), Rule)]


def _users(lib: Library, pid: str, position: str) -> list[str]:
    """The clauses whose text at `position` uses parameter `pid`."""
    return [cid for cid, lc in lib.clauses.items() if pid in lc.clause.parameters
            and pid in analyze(lc.clause.text(position)).parameters]  # type: ignore[arg-type]


def _declared(lib: Library, a: str, pa: str, b: str, pb: str) -> bool:
    def has(x: str, px: str, y: str, py: str) -> bool:
        return any(m.position == px and m.clause == y and py in m.positions
                   for m in lib.clauses[x].clause.conflicts)
    return has(a, pa, b, pb) or has(b, pb, a, pa)


def lint_constraints(lib: Library) -> list[Problem]:
    """Rules that do not parse; defaults that break a rule; undeclared contradictory mixes."""
    out: list[Problem] = []
    for cid, (constraint, where) in lib.constraints.items():
        rule = parse(lib, constraint)
        if isinstance(rule, str):
            out.append(where.problem(rule, sub=("rule",), rule="constraint"))
            continue
        defaults = lib.defaults
        for pos in POSITIONS:
            a, b = defaults.get(rule.left, {}).get(pos), defaults.get(rule.right, {}).get(pos)
            if a is not None and b is not None and not rule.holds(lib, a, b):
                out.append(where.problem(
                    f"the '{pos}' defaults break constraint '{cid}' ({rule.text}): "
                    f"{_pair(lib, rule, a, b)}", "change a default or the rule",
                    sub=("rule",), rule="constraint"))
        for pa in POSITIONS:
            for pb in POSITIONS:
                a = defaults.get(rule.left, {}).get(pa)
                b = defaults.get(rule.right, {}).get(pb)
                if pa == pb or a is None or b is None or rule.holds(lib, a, b):
                    continue
                for ca in _users(lib, rule.left, pa):
                    for cb in _users(lib, rule.right, pb):
                        if ca == cb or _declared(lib, ca, pa, cb, pb):
                            continue
                        out.append(lib.clauses[ca].where.problem(
                            f"'{ca}' at '{pa}' with '{cb}' at '{pb}' breaks constraint "
                            f"'{cid}' ({rule.text}) with their defaults: {_pair(lib, rule, a, b)}",
                            f"declare the mix under 'conflicts:' of '{ca}' so negotiators are "
                            "told, or change a default", sub=("id",), severity="warning",
                            rule="constraint-mix"))
    for cid, lc in lib.clauses.items():
        for kind in ("conflicts", "requires"):
            for i, mix in enumerate(getattr(lc.clause, kind)):
                if mix.clause not in lib.clauses:
                    out.append(lc.where.problem(f"{kind}: no such clause '{mix.clause}'",
                                                sub=(kind, i, "clause"), rule="constraint"))
                elif mix.clause == cid:
                    out.append(lc.where.problem(f"{kind}: a clause cannot name itself",
                                                sub=(kind, i, "clause"), rule="constraint"))
    return out


def _pair(lib: Library, rule: Rule, a: Any, b: Any) -> str:
    pa, pb = lib.parameters[rule.left][0], lib.parameters[rule.right][0]
    return (f"{rule.left} is {plain(pa, a)}, which is not {_WORDS[rule.op]} "
            f"{rule.right} of {plain(pb, b)}")


# --- a deal ----------------------------------------------------------------------------------
def check_deal(ledger: Ledger, lib: Library, deal: Deal, clauses: list[AssembledClause],
               keys: dict[tuple[str, str], PathKey]) -> None:
    """Every rule the assembled deal breaks, as an error at the deal line that set it."""
    by_id = {c.id: c for c in clauses if not c.extra}

    def position_key(c: AssembledClause) -> PathKey:
        return position_of(deal, c.id, c.section)[2]

    def value_key(pid: str, c: AssembledClause) -> tuple[PathKey, bool]:
        key = keys.get((pid, c.id))
        return (key, True) if key is not None else (position_key(c), False)

    linked: set[frozenset[str]] = set()
    seen: set[tuple[str, PathKey, PathKey, Any, Any]] = set()
    users = _by_parameter(by_id)
    for rule in rules(lib):
        for ca, cb in _uses(users, rule):
            linked.add(frozenset((ca.id, cb.id)))
            a, b = ca.params[rule.left].value, cb.params[rule.right].value
            if rule.holds(lib, a, b):
                continue
            (ka, set_a), (kb, set_b) = value_key(rule.left, ca), value_key(rule.right, cb)
            at, elsewhere = (kb, ka) if set_b and not set_a else (ka, kb)
            if (rule.id, at, elsewhere, a, b) in seen:
                continue
            seen.add((rule.id, at, elsewhere, a, b))
            la, lb = ledger.where(ka)[1], ledger.where(kb)[1]
            pa, pb = lib.parameters[rule.left][0], lib.parameters[rule.right][0]
            ledger.err(at, f"{rule.left} ({plain(pa, a)}, line {la}) must be {_WORDS[rule.op]} "
                           f"{rule.right} ({plain(pb, b)}, line {lb}): {rule.says} "
                           f"[constraint {rule.id}]",
                       "change one of the two figures, or the position that sets it",
                       rule="constraint")
    for c in by_id.values():
        lib_clause = lib.clauses[c.id].clause
        for mix in lib_clause.conflicts:
            other = by_id.get(mix.clause)
            if (c.position == mix.position and other and other.position in mix.positions
                    and frozenset((c.id, other.id)) not in linked):
                _mix_error(ledger, c, other, mix, position_key, "contradicts")
        for mix in lib_clause.requires:
            other = by_id.get(mix.clause)
            if c.position == mix.position and (other is None
                                               or other.position not in mix.positions):
                _mix_error(ledger, c, other, mix, position_key, "requires")


def _by_parameter(by_id: dict[str, AssembledClause]) -> dict[str, list[AssembledClause]]:
    """Each parameter's clauses, in the deal's order: built once, so pairing a rule's two
    parameters costs their users, not the whole deal for every rule."""
    users: dict[str, list[AssembledClause]] = {}
    for c in by_id.values():
        for pid in c.params:
            users.setdefault(pid, []).append(c)
    return users


def _uses(users: dict[str, list[AssembledClause]],
          rule: Rule) -> Iterator[tuple[AssembledClause, AssembledClause]]:
    for ca in users.get(rule.left, []):
        for cb in users.get(rule.right, []):
            yield ca, cb


def _mix_error(ledger: Ledger, c: AssembledClause, other: AssembledClause | None, mix: MixRule,
               position_key: Callable[[AssembledClause], PathKey], verb: str) -> None:
    here = position_key(c)
    wanted = " or ".join(f"'{p}'" for p in mix.positions)
    if other is None:
        ledger.err(here, f"'{c.id}' at '{c.position}' requires '{mix.clause}' at {wanted}, "
                         f"which the deal omits: {mix.because}",
                   "choose another position, or keep the other clause", rule="constraint")
        return
    there = ledger.where(position_key(other))[1]
    what = (f"contradicts '{other.id}' at '{other.position}' (chosen at line {there})"
            if verb == "contradicts" else
            f"requires '{other.id}' at {wanted}, not '{other.position}' (chosen at line {there})")
    ledger.err(here, f"'{c.id}' at '{c.position}' (chosen at line "
                     f"{ledger.where(here)[1]}) {what}: {mix.because}",
               "choose positions that fit together", rule="constraint")


@dataclass(frozen=True)
class RuleStatus:
    id: str
    rule: str
    says: str
    status: str  # "holds" or "not used": the deal's texts do not use both figures


def statuses(lib: Library, clauses: list[AssembledClause]) -> list[RuleStatus]:
    """Each constraint and how the assembled deal stands on it (a broken one fails check)."""
    by_id = {c.id: c for c in clauses if not c.extra}
    out = []
    users = _by_parameter(by_id)
    for rule in rules(lib):
        pairs = list(_uses(users, rule))
        ok = all(rule.holds(lib, a.params[rule.left].value, b.params[rule.right].value)
                 for a, b in pairs)
        state = ("holds" if ok else "broken") if pairs else "not used"
        out.append(RuleStatus(rule.id, rule.text, rule.says, state))
    return out
