"""A clause library: the merged items of one or several layers (layers.py reads and merges them).

Every item remembers where it was written, part by part, so a message about a text points at
the file, and names the layer, that wrote it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mc2cli.errors import Problem
from mc2cli.inputs.models import (
    Clause,
    Constraint,
    Definition,
    Framework,
    Parameter,
    Principle,
)
from mc2cli.inputs.values import ValueProblem, coerce
from mc2cli.inputs.yamlload import Document, PathKey

GENERAL = "general"
BUILTIN = "builtin"
CLAUSE_PARTS = ("title", "obligor", "required", "priority", "parameters", "references",
                "positions.hdo", "positions.middle", "positions.mdm", "conflicts", "requires",
                "applies_to", "notes")
PARAMETER_PARTS = ("title", "type", "unit", "choices", "default.hdo", "default.middle",
                   "default.mdm", "bounds.min", "bounds.max", "description")


@dataclass
class Located:
    """Where a library item was written: for located messages.

    `overrides` maps a part of the item (`notes`, `positions.hdo`, `default.mdm`) to where a
    house layer rewrote it; a problem about that part is reported there.
    """

    doc: Document
    key: PathKey
    layer: str
    overrides: dict[str, Located] = field(default_factory=dict)

    def part(self, sub: PathKey) -> Located:
        """The Located of the layer that wrote `sub` (or the nearest enclosing part)."""
        for n in range(len(sub), 0, -1):
            name = ".".join(str(s) for s in sub[:n])
            if name in self.overrides:
                return self.overrides[name]
        return self

    def problem(self, message: str, hint: str = "", *, sub: PathKey = (),
                line_offset: int = 0, severity: str = "error", rule: str = "lint") -> Problem:
        """A problem about `sub` of this item, located in the file that wrote it."""
        where = self.part(sub)
        return where.doc.problem((*where.key, *sub), message, hint, severity=severity,
                                 rule=rule, line_offset=line_offset)

    def origin(self, parts: tuple[str, ...]) -> dict[str, str]:
        """The layer that wrote each part."""
        return {name: self.part(tuple(name.split("."))).layer for name in parts}


@dataclass
class LibClause:
    clause: Clause
    section: str
    where: Located
    origin: dict[str, str] = field(default_factory=dict)


@dataclass
class Library:
    framework: Framework
    framework_where: Located
    clauses: dict[str, LibClause]
    parameters: dict[str, tuple[Parameter, Located]]
    definitions: dict[str, tuple[Definition, Located]]
    layers: list[str]
    content_hash: str
    principle_where: dict[str, Located] = field(default_factory=dict)
    layer_dirs: dict[str, str] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)
    # Each parameter's default per position, typed once when the library loads. A default that
    # does not fit its type is absent here; lint reports it.
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Its entry in the on-disk cache (inputs/cache.py), where its lint result is kept too.
    cache_key: str = ""
    # Rules between figures (parameters.yaml `constraints:`), by id.
    constraints: dict[str, tuple[Constraint, Located]] = field(default_factory=dict)

    @property
    def principles(self) -> list[Principle]:
        return sorted(self.framework.principles, key=lambda p: p.number)

    def principle(self, pid: str) -> Principle | None:
        return next((p for p in self.framework.principles if p.id == pid), None)

    def default(self, pid: str, position: str) -> Any:
        """The typed default of a parameter for a position (raises ValueProblem if it has none)."""
        typed = self.defaults.get(pid, {})
        if position in typed:
            return typed[position]
        param = self.parameters[pid][0]
        return coerce(param, param.default[position])  # type: ignore[index]

    def section_clauses(self, section: str) -> list[LibClause]:
        return [c for c in self.clauses.values() if c.section == section]

    @property
    def edition(self) -> str:
        return f"{self.framework.framework} {self.framework.edition}"

    def name_layers(self, problems: list[Problem]) -> list[Problem]:
        """Each problem with ' [layer X]' appended, when the library has several layers."""
        return name_layers(problems, self.layer_dirs)


def typed_defaults(parameters: dict[str, tuple[Parameter, Located]]
                   ) -> dict[str, dict[str, Any]]:
    """Every default that fits its parameter's type, typed; the others are left for lint."""
    out: dict[str, dict[str, Any]] = {}
    for pid, (param, _where) in parameters.items():
        out[pid] = {}
        for pos, raw in param.default.items():
            try:
                out[pid][pos] = coerce(param, raw)
            except ValueProblem:
                continue
    return out


def name_layers(problems: list[Problem], layer_dirs: dict[str, str]) -> list[Problem]:
    """Append the layer of each problem's file to its message (only with several layers)."""
    if len(layer_dirs) < 2:
        return problems
    out = []
    for p in problems:
        layer = next((name for name, folder in layer_dirs.items()
                      if p.path.startswith(folder.rstrip("/") + "/")), None)
        note = f" [layer {layer}]" if layer else ""
        out.append(p if not note or p.message.endswith(note)
                   else dataclasses.replace(p, message=p.message + note))
    return out
