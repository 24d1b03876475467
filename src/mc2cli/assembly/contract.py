"""The assembled contract: the plain data every later stage reads (document, report,
notes, lock, diff). Nothing here reaches back to files or raw dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mc2cli.inputs.library import Library
from mc2cli.inputs.models import Deal, Position, Principle
from mc2cli.inputs.values import Style, style_for

NO_REASON = "no reason given"


@dataclass
class ParamUse:
    id: str
    value: Any
    middle: Any
    set_by: str  # "library", "deal", "principle" or "clause"
    in_bounds: bool
    reason: str | None


@dataclass
class AssembledClause:
    id: str
    title: str
    section: str
    number: str
    obligor: str
    position: Position
    required: bool
    text: str
    params: dict[str, ParamUse]
    references: list[str]
    notes: str
    extra: bool
    reason: str | None
    sha256: str
    positions: dict[str, str] = field(default_factory=dict)


@dataclass
class Section:
    number: int
    id: str
    title: str
    principle: Principle | None
    clauses: list[AssembledClause]


@dataclass
class Deviation:
    kind: str  # position | omit-principle | omit-clause | parameter | out-of-bounds | extra-clause
    target: str
    detail: str
    reason: str | None
    needs_reason: bool
    where: tuple[str, int, int]
    middle: str = ""
    value: str = ""


@dataclass
class Contract:
    deal: Deal
    library: Library
    sections: list[Section]
    general: Section | None
    definitions: list[tuple[str, str]]
    omitted_principles: dict[str, str | None]
    omitted_clauses: dict[str, str | None]
    deviations: list[Deviation]
    context: dict[str, Any]

    @property
    def style(self) -> Style:
        """How dates and figures are written: the style of the governing law's jurisdiction."""
        return style_for(self.deal.governing_law)

    @property
    def all_sections(self) -> list[Section]:
        return [*self.sections, *([self.general] if self.general else [])]

    @property
    def clauses(self) -> list[AssembledClause]:
        return [c for s in self.all_sections for c in s.clauses]
