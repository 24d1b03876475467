"""The assembly's record: every problem found and every departure from the Middle."""

from __future__ import annotations

from mc2cli.assembly.contract import Deviation, Section
from mc2cli.errors import Problem
from mc2cli.inputs.library import Library
from mc2cli.inputs.values import plain
from mc2cli.inputs.yamlload import Document, PathKey, dotted


class Ledger:
    """Problems and deviations, each located in the deal file."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.deviations: list[Deviation] = []
        self.keys: list[PathKey] = []  # the deal key of each deviation

    def err(self, key: PathKey, message: str, hint: str = "", rule: str = "deal",
            severity: str = "error", line_offset: int = 0) -> None:
        self.problems.append(self.doc.problem(key, message, hint, severity=severity, rule=rule,
                                              line_offset=line_offset))

    def where(self, key: PathKey) -> tuple[str, int, int]:
        line, col = self.doc.loc(key)
        return (self.doc.path, line, col)

    def deviate(self, kind: str, target: str, detail: str, reason: str | None,
                needs_reason: bool, key: PathKey, middle: str = "", value: str = "") -> None:
        self.deviations.append(Deviation(kind, target, detail, reason, needs_reason,
                                         self.where(key), middle, value))
        self.keys.append(key)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def missing_reasons(self) -> list[Problem]:
        """A warning for each deal choice that departs from the Middle without a reason: one
        at a principle that moves all its clauses, not one per clause."""
        groups: dict[tuple[str, PathKey], list[Deviation]] = {}
        for dev, key in zip(self.deviations, self.keys, strict=True):
            if dev.needs_reason and not dev.reason:
                groups.setdefault((dev.kind, key), []).append(dev)
        out = []
        hint = "add 'reason:' saying why the deal departs from the Middle"
        for (_kind, key), devs in groups.items():
            path, line, col = devs[0].where
            if len(devs) == 1:
                out.append(Problem(path, line, col, f"{devs[0].detail} without a reason",
                                   field=devs[0].target, severity="warning", rule="reason",
                                   hint=hint))
                continue
            targets = ", ".join(d.target for d in devs)
            out.append(Problem(path, line, col, f"{devs[0].detail} without a reason (for its "
                               f"{len(devs)} clauses: {targets})", field=dotted(key),
                               severity="warning", rule="reason", hint=hint))
        return out


def param_deviations(ledger: Ledger, lib: Library, sections: list[Section],
                     key_of: dict[tuple[str, str], PathKey]) -> None:
    """One deviation per parameter value the deal sets away from the Middle or its bounds.

    `key_of` maps (parameter id, clause id) to the deal key that set the value.
    """
    seen: set[tuple[str, str]] = set()
    for section in sections:
        for c in section.clauses:
            for use in c.params.values():
                if use.set_by == "library":
                    continue
                param = lib.parameters[use.id][0]
                shown = plain(param, use.value)
                if (use.id, shown) in seen:
                    continue
                seen.add((use.id, shown))
                key = key_of.get((use.id, c.id), ())
                middle = plain(param, use.middle)
                if not use.in_bounds:
                    ledger.deviate("out-of-bounds", use.id,
                                   f"{shown} is outside the library's bounds",
                                   use.reason, True, key, middle, shown)
                elif use.value != use.middle:
                    ledger.deviate("parameter", use.id, f"{shown} instead of {middle}",
                                   use.reason, False, key, middle, shown)
