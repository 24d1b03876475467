"""Parameter values: parsed at each level of the deal, resolved per clause, last level wins."""

from __future__ import annotations

from typing import Any

from mc2cli.assembly.contract import ParamUse, Section
from mc2cli.assembly.deviations import Ledger
from mc2cli.inputs.library import Library
from mc2cli.inputs.models import Clause, Deal, ExtraClause, Position
from mc2cli.inputs.values import Param, ValueProblem, coerce, in_bounds, style_for
from mc2cli.inputs.yamlload import PathKey
from mc2cli.suggest import did_you_mean

Values = dict[str, tuple[Any, str | None]]  # parameter id -> (typed value, reason)


def split_value(raw: Any) -> tuple[Any, str | None, bool]:
    """A parameter entry is a value, or {value: ..., reason: ...}."""
    if isinstance(raw, dict):
        if set(raw) <= {"value", "reason"} and "value" in raw:
            reason = raw.get("reason")
            return raw["value"], (str(reason).strip() if reason else None), True
        return raw, None, False
    return raw, None, True


class DealParameters:
    """The values a deal sets, deal-wide, per principle and per clause, typed once."""

    def __init__(self, deal: Deal, lib: Library, ledger: Ledger) -> None:
        self.deal = deal
        self.style = style_for(deal.governing_law)  # dates and figures as its law writes them
        self.lib = lib
        self.ledger = ledger
        self.deal_wide = self.parse(deal.parameters, ("parameters",))
        self.principle = {pid: self.parse(ch.parameters, ("principles", pid, "parameters"))
                          for pid, ch in deal.principles.items()}
        self.clause = {cid: self.parse(ch.parameters, ("clauses", cid, "parameters"))
                       for cid, ch in deal.clauses.items()}
        self.used: set[str] = set()
        # (parameter, clause) -> the deal key that set the value, for located deviations
        self.keys: dict[tuple[str, str], PathKey] = {}

    def parse(self, raw: dict[str, Any], key: PathKey) -> Values:
        out: Values = {}
        for pid, entry in raw.items():
            k = (*key, pid)
            if pid not in self.lib.parameters:
                self.ledger.err(k, f"unknown parameter '{pid}'",
                                did_you_mean(pid, self.lib.parameters)
                                or "run 'mc2 library show <clause-id>' for a clause's parameters")
                continue
            value, reason, ok = split_value(entry)
            if not ok:
                self.ledger.err(k, "must be a value, or a mapping with 'value' and 'reason'",
                                did_you_mean(next(iter(entry), ""), ["value", "reason"])
                                if isinstance(entry, dict) else "")
                continue
            try:
                typed = coerce(self.lib.parameters[pid][0], value)
            except ValueProblem as exc:
                self.ledger.err(k, str(exc), exc.hint)
                continue
            out[pid] = (typed, reason)
        return out

    def resolve(self, c: Clause | ExtraClause, sid: str, position: Position, names: set[str],
                own: Values, own_key: PathKey) -> tuple[dict[str, ParamUse], dict[str, Any]]:
        """The parameters a clause text uses: their uses and the values to render with.

        Names that are not library parameters are left out (the caller reports them).
        """
        uses: dict[str, ParamUse] = {}
        values: dict[str, Any] = {}
        levels: tuple[tuple[str, Values, PathKey], ...] = (
            ("deal", self.deal_wide, ("parameters",)),
            ("principle", self.principle.get(sid, {}), ("principles", sid, "parameters")),
            ("clause", self.clause.get(c.id, {}), ("clauses", c.id, "parameters")),
            ("clause", own, own_key),
        )
        for pid in sorted(names):
            if pid not in self.lib.parameters:
                continue
            param = self.lib.parameters[pid][0]
            middle = self.lib.default(pid, "middle")
            value, set_by, why = self.lib.default(pid, position), "library", None
            for level, table, key in levels:
                if pid in table:
                    value, why = table[pid]
                    set_by = level
                    self.keys[(pid, c.id)] = (*key, pid)
            self.used.add(pid)
            uses[pid] = ParamUse(pid, value, middle, set_by, in_bounds(param, value),
                                 why or self.reason_at(set_by, sid, c))
            values[pid] = Param(param, value, self.style)
        return uses, values

    def reason_at(self, level: str, sid: str, c: Clause | ExtraClause) -> str | None:
        """The reason the deal gives at the level that set a value (never another level's)."""
        if level == "clause":
            if isinstance(c, ExtraClause):
                return c.reason
            choice = self.deal.clauses.get(c.id)
            return choice.reason if choice else None
        if level == "principle":
            pchoice = self.deal.principles.get(sid)
            return pchoice.reason if pchoice else None
        return self.deal.reason if level == "deal" else None

    def warn_unused(self, sections: list[Section]) -> None:
        """Values the deal sets that no included clause uses."""
        for pid in self.deal.parameters:
            if pid in self.lib.parameters and pid not in self.used:
                self.ledger.err(("parameters", pid),
                                f"parameter '{pid}' is not used by any clause in this deal",
                                "its clauses may be omitted; remove the value",
                                severity="warning")
        for sid, choice in self.deal.principles.items():
            if choice.omit:
                continue
            used_here = {u for s in sections if s.id == sid for c in s.clauses for u in c.params}
            for name in choice.parameters:
                if name in self.lib.parameters and name not in used_here:
                    self.ledger.err(("principles", sid, "parameters", name),
                                    f"no clause of '{sid}' in this deal uses parameter '{name}'",
                                    "set it deal-wide under 'parameters:', or on the clause "
                                    "that uses it")
