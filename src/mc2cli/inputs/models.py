"""Pydantic models of the files users and library authors write (product.md sections 2-3)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Position = Literal["hdo", "middle", "mdm"]
POSITIONS: tuple[Position, ...] = ("hdo", "middle", "mdm")
Obligor = Literal["hdo", "mdm", "both"]
ParamType = Literal[
    "days", "business_days", "months", "years", "integer", "choice", "text", "boolean", "date",
    "list",
]

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CLAUSE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"
PARAM_ID = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"


# Characters that break a line in some reader (NEL, LS, PS), ring bells, or make text display
# other than it reads (bidirectional overrides and isolates, zero-width marks).
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                        "\u2066-\u2069\ufeff]")


def visible(value: str, *, multiline: bool) -> str:
    """Refuse control and direction-changing characters; line breaks only where allowed."""
    if not multiline and ("\n" in value or "\r" in value):
        raise ValueError("must be a single line; remove the line break")
    found = _INVISIBLE.search(value.replace("\t", " ") if multiline else value)
    char = found.group() if found else None if value.isascii() else next(
        (c for c in value if c > "\x7f" and unicodedata.category(c) == "Cf"), None)
    if char:
        raise ValueError(f"contains the invisible character U+{ord(char):04X}; "
                         "remove it (it could make the text print or display other than "
                         "it reads)")
    return value


def _one_line(value: str) -> str:
    visible(value, multiline=False)
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _text(value: str) -> str:
    return visible(value, multiline=True)


def _flag(value: object) -> object:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "false"):
            return word == "true"
        raise ValueError(f"must be true or false; got {value!r} (mc2 does not read yes/no/on/off "
                         "as booleans)")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
Line = Annotated[str, StringConstraints(max_length=400), AfterValidator(_one_line)]
Text = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_text)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
ClauseId = Annotated[str, StringConstraints(pattern=CLAUSE_ID, max_length=120)]
ParamId = Annotated[str, StringConstraints(pattern=PARAM_ID, max_length=80)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --- the clause library -------------------------------------------------------------------

class PositionInfo(Model):
    title: Line
    summary: Line


class Pillar(Model):
    title: Line


class Principle(Model):
    id: Slug
    number: int = Field(ge=1, le=99)
    title: Line
    pillar: Slug
    summary: Line
    references: list[Line] = []


class Framework(Model):
    framework: Line
    edition: Line
    positions: dict[Position, PositionInfo]
    pillars: dict[Slug, Pillar]
    principles: list[Principle] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Framework:
        _all_positions(self.positions)
        return self


def _all_positions(positions: dict[Position, Any]) -> None:
    missing = [p for p in POSITIONS if p not in positions]
    if missing:
        raise ValueError(f"positions must be exactly hdo, middle and mdm; missing {missing}")


class SameAs(Model):
    same_as: Position = Field(alias="same-as")


Kind = Literal["device", "software", "cloud"]
KINDS: tuple[Kind, ...] = ("device", "software", "cloud")


class MixRule(Model):
    """A clause's position that contradicts (conflicts) or needs (requires) positions of another.

    `conflicts`: this clause at `position` with `clause` at one of `positions` contradicts
    itself, unless the deal's figures satisfy every constraint between the two clauses.
    `requires`: this clause at `position` needs `clause` at one of `positions`.
    """

    position: Position
    clause: ClauseId
    positions: list[Position] = Field(min_length=1)
    because: Line


class Clause(Model):
    id: ClauseId
    title: Line
    obligor: Obligor
    required: Flag = False
    priority: int | None = Field(default=None, ge=1, le=9)
    parameters: list[ParamId] = []
    references: list[Line] = []
    positions: dict[Position, Text | SameAs]
    conflicts: list[MixRule] = []
    requires: list[MixRule] = []
    applies_to: list[Kind] = Field(default=list(KINDS), min_length=1)
    notes: Text = ""

    def text(self, position: Position) -> str:
        """The text of a position, following `same-as` (one level; lint refuses chains)."""
        seen: set[str] = set()
        current: Position = position
        while True:
            value = self.positions.get(current, "")
            if isinstance(value, SameAs):
                if current in seen:
                    return ""
                seen.add(current)
                current = value.same_as
                continue
            return value


class ClauseFile(Model):
    """A clause file; its entries are validated one by one, as clauses or as overrides."""

    principle: Slug | None = None
    section: Literal["general"] | None = None
    clauses: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _one_of(self) -> ClauseFile:
        if (self.principle is None) == (self.section is None):
            raise ValueError("a clause file names either its `principle` or `section: general`")
        return self


class Bounds(Model):
    min: int | dt.date | None = None
    max: int | dt.date | None = None


class Parameter(Model):
    id: ParamId
    title: Line | None = None
    type: ParamType
    unit: Line | None = None
    choices: dict[Annotated[str, StringConstraints(max_length=80)], Line] | None = None
    default: dict[Position, Any]
    bounds: Bounds | None = None
    description: Text

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        missing = [p for p in POSITIONS if p not in self.default]
        if missing:
            raise ValueError("default needs a value for each of hdo, middle, mdm; "
                             f"missing {missing}")
        if self.type == "choice" and not self.choices:
            raise ValueError("a `choice` parameter needs `choices`")
        return self


class ParametersFile(Model):
    parameters: list[dict[str, Any]] = []
    constraints: list[dict[str, Any]] = []


class Constraint(Model):
    """A rule between two figures, e.g. `patch_critical_days <= patch_days`."""

    id: Slug
    rule: Line
    says: Line


class ConstraintOverride(Model):
    id: Slug
    rule: Line | None = None
    says: Line | None = None


class Definition(Model):
    term: Line
    plural: Line | None = None
    text: Text


class DefinitionsFile(Model):
    definitions: list[dict[str, Any]] = []


# --- house layers: partial entries that override what a later layer declares ------------
# An entry whose id a later layer already declares is an override: `id` (or `term`) plus any
# subset of the fields. An entry with a new id is a new item and uses the full model above.

class FrameworkHead(Model):
    """framework.yaml of the base layer; its principles are validated one by one."""

    framework: Line
    edition: Line
    positions: dict[Position, PositionInfo]
    pillars: dict[Slug, Pillar]
    principles: list[dict[str, Any]] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> FrameworkHead:
        _all_positions(self.positions)
        return self


class PositionInfoOverride(Model):
    title: Line | None = None
    summary: Line | None = None


class FrameworkOverride(Model):
    """framework.yaml of a house layer: only what it renames, regroups or adds."""

    framework: Line | None = None
    edition: Line | None = None
    positions: dict[Position, PositionInfoOverride] = {}
    pillars: dict[Slug, Pillar] = {}
    principles: list[dict[str, Any]] = []


class PrincipleOverride(Model):
    id: Slug
    number: int | None = Field(default=None, ge=1, le=99)
    title: Line | None = None
    pillar: Slug | None = None
    summary: Line | None = None
    references: list[Line] | None = None


class ClauseOverride(Model):
    id: ClauseId
    title: Line | None = None
    obligor: Obligor | None = None
    required: Flag | None = None
    priority: int | None = Field(default=None, ge=1, le=9)
    parameters: list[ParamId] | None = None
    references: list[Line] | None = None
    positions: dict[Position, Text | SameAs] | None = None
    conflicts: list[MixRule] | None = None
    requires: list[MixRule] | None = None
    applies_to: list[Kind] | None = Field(default=None, min_length=1)
    notes: Text | None = None


class ParameterOverride(Model):
    id: ParamId
    title: Line | None = None
    type: ParamType | None = None
    unit: Line | None = None
    choices: dict[Annotated[str, StringConstraints(max_length=80)], Line] | None = None
    default: dict[Position, Any] | None = None
    bounds: Bounds | None = None
    description: Text | None = None


class DefinitionOverride(Model):
    term: Line
    plural: Line | None = None
    text: Text | None = None


# --- the deal file ------------------------------------------------------------------------

class Person(Model):
    name: Line
    title: Line


def _email(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value):
        raise ValueError("is not an email address")
    return value


class Contact(Model):
    name: Line
    email: Annotated[Line, AfterValidator(_email)]
    phone: Annotated[Line, StringConstraints(
        pattern=r"^[0-9+() ./-]{3,40}( ?(ext\.?|x) ?[0-9]{1,6})?$")] | None = None


ShortName = Annotated[str, StringConstraints(
    pattern=r"^[A-Za-z][A-Za-z0-9 .'&-]{0,59}$", strip_whitespace=True)]


class Party(Model):
    name: Line
    short_name: ShortName | None = None  # a defined term: a word or a few, no Markdown
    address: Line
    signatory: Person
    security_contact: Contact | None = None


class Parties(Model):
    hdo: Party
    mdm: Party


def _product_date(value: object) -> object:
    return _date(value)


ProductDate = Annotated[dt.date, BeforeValidator(_product_date)]


class Product(Model):
    """A covered product: one row of Schedule C. All but name and model are optional."""

    name: Line
    model: Line
    software_version: Line | None = None
    kind: Kind = "device"
    delivery_date: ProductDate | None = None
    quantity: int | None = Field(default=None, ge=1, le=1_000_000)
    end_of_support: ProductDate | None = None  # the manufacturer's committed End of Support
    operating_system: Line | None = None
    os_end_of_support: ProductDate | None = None
    cyber_device: Flag | None = None  # a Cyber Device under FD&C Act section 524B
    handles_phi: Flag | None = None  # creates, receives, keeps or sends PHI


class Choice(Model):
    """A deal's choice for a principle or a clause."""

    position: Position | None = None
    omit: Flag = False
    reason: Line | None = None
    parameters: dict[str, Any] = {}


class ExtraClause(Model):
    id: ClauseId
    principle: Slug
    title: Line
    obligor: Obligor
    text: Text
    reason: Line | None = None
    after: ClauseId | None = None
    references: list[Line] = []
    parameters: dict[str, Any] = {}


def _date(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", value):
        raise ValueError(f"must be a date written YYYY-MM-DD; got {value!r}")
    if isinstance(value, int | float):
        raise ValueError(f"must be a date written YYYY-MM-DD; got {value!r}")
    return value.strip() if isinstance(value, str) else value


def _format_version(value: int) -> int:
    if value != 1:
        raise ValueError(f"answers-file format {value} is not supported; this mc2 reads format 1")
    return value


class Deal(Model):
    mc2: Annotated[int, AfterValidator(_format_version)]
    title: Line = "Medical Device Cybersecurity Addendum"
    reference: Line | None = None
    effective_date: Annotated[dt.date, BeforeValidator(_date)]
    governing_law: Line
    master_agreement: Line | None = None
    parties: Parties
    products: list[Product] = Field(min_length=1, max_length=500)
    library: Line | list[Line] = "builtin"
    position: Position = "middle"
    reason: Line | None = None
    parameters: dict[str, Any] = {}
    principles: dict[str, Choice] = {}
    clauses: dict[str, Choice] = {}
    extra_clauses: list[ExtraClause] = Field(default=[], max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _default_title(cls, data: Any) -> Any:
        # "Addendum" only where there is a master agreement to add to.
        if isinstance(data, dict) and data.get("title") is None:
            kind = "Addendum" if data.get("master_agreement") else "Agreement"
            data = {**data, "title": f"Medical Device Cybersecurity {kind}"}
        return data

    @field_validator("parameters", "principles", "clauses", "extra_clauses", mode="before")
    @classmethod
    def _empty(cls, value: Any, info: ValidationInfo) -> Any:
        # `principles:` with every entry commented out is an empty mapping, not an error.
        if value is None:
            return [] if info.field_name == "extra_clauses" else {}
        return value
