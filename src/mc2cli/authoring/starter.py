"""The starter deal `mc2 init` writes: valid at once, commented, and its own menu.

The file passes `mc2 check` as written. Values the user did not give are defaults marked
`# edit:`, which `mc2 check` reports as placeholders (warnings; errors under --strict) until
the user replaces the value and deletes the marker; below the deal, every principle of the
library is listed with its clauses (id, title, who owes it, what the positions change), as
comments.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from mc2cli.inputs.placeholders import STARTER_ADDRESS, STARTER_SIGNATORY

if TYPE_CHECKING:  # the models load on first use: `mc2 --help` imports this module
    from mc2cli.inputs.library import Library
    from mc2cli.inputs.models import Position

DEFAULT_GOVERNING_LAW = "the State of New York"
DEFAULT_ADDRESS = STARTER_ADDRESS  # placeholders check reports these even without `# edit:`
DEFAULT_SIGNATORY = STARTER_SIGNATORY
DEFAULT_HDO = "Health System"
DEFAULT_MDM = "Device Manufacturer"
DEFAULT_PRODUCT = "Medical Device"
SCHEMA_FILE = "mc2-deal.schema.json"
_WIDTH = 100
_PLAIN = re.compile(r"^[A-Za-z0-9./(][A-Za-z0-9 ,.'&()/_-]*(?<! )$")
_NUMBER = re.compile(r"[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


@dataclass(frozen=True)
class Product:
    name: str
    model: str
    software_version: str | None = None


@dataclass
class Answers:
    """What `mc2 init` asks for; `given` names the answers the user supplied."""

    hdo: str = DEFAULT_HDO
    mdm: str = DEFAULT_MDM
    products: list[Product] = field(
        default_factory=lambda: [Product(DEFAULT_PRODUCT, DEFAULT_PRODUCT)])
    position: Position = "middle"
    reason: str | None = None
    effective_date: dt.date = dt.date(2027, 1, 1)
    governing_law: str = DEFAULT_GOVERNING_LAW
    hdo_address: str = DEFAULT_ADDRESS
    mdm_address: str = DEFAULT_ADDRESS
    hdo_signatory: tuple[str, str] = DEFAULT_SIGNATORY
    mdm_signatory: tuple[str, str] = DEFAULT_SIGNATORY
    library: list[str] = field(default_factory=lambda: ["builtin"])
    schema: str = SCHEMA_FILE
    given: set[str] = field(default_factory=set)


# --- answers: parsed and checked as the deal model will check them ------------------------

@cache
def _line_adapter() -> Any:
    from pydantic import TypeAdapter

    from mc2cli.inputs.models import Line
    return TypeAdapter(Line)


def check_line(value: str) -> str:
    """A single line of text as the deal model accepts it; ValueError says what is wrong."""
    from pydantic import ValidationError
    try:
        return str(_line_adapter().validate_python(value))
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ValueError(message) from None


def parse_date(value: str) -> dt.date:
    """A YYYY-MM-DD date."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            raise ValueError
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD (check that the day "
                         "exists)") from None


def parse_signatory(value: str) -> tuple[str, str]:
    """'Name, Title' (the title may itself hold commas)."""
    name, sep, title = value.partition(",")
    if not sep:
        raise ValueError("write the signatory as 'Name, Title'")
    return check_line(name), check_line(title)


def parse_product(value: str) -> Product:
    """'Name', 'Name; Model' or 'Name; Model; Software version'."""
    parts = [p.strip() for p in value.split(";")]
    if len(parts) > 3:
        raise ValueError("write a product as 'Name; Model; Software version'")
    name = check_line(parts[0])
    model = check_line(parts[1]) if len(parts) > 1 else name
    version = check_line(parts[2]) if len(parts) > 2 and parts[2] else None
    return Product(name, model, version)


def default_effective_date(today: dt.date | None = None) -> dt.date:
    """1 January of the year after today, where today is SOURCE_DATE_EPOCH when that is set,
    so a scripted `mc2 init` writes the same file on every run."""
    if today is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        today = (dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch.isdigit()
                 else dt.date.today())
    return dt.date(today.year + 1, 1, 1)


# --- the text --------------------------------------------------------------------------------

def _scalar(value: str, *, flow: bool = False) -> str:
    """A YAML scalar that mc2 and editors both read back as this text; inside a flow
    mapping or list (`flow`), a comma ends a plain scalar, so such values are quoted."""
    plain = (_PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS
             and not _NUMBER.fullmatch(value) and not (flow and "," in value))
    return value if plain else json.dumps(value, ensure_ascii=False)


def _line(key: str, value: str, comment: str = "", indent: int = 0) -> str:
    return _comment(f"{' ' * indent}{key}: {value}", comment)


def _comment(text: str, comment: str) -> str:
    return f"{text.ljust(40)}  # {comment}" if comment else text


def _edit(answers: Answers, name: str, what: str) -> str:
    return "" if name in answers.given else f"edit: {what}"


def starter_text(lib: Library, answers: Answers) -> str:
    """The whole starter deal: header, the deal itself, then the menu."""
    return "\n".join([*_header(answers), *_deal(lib, answers), "", *_menu(lib)]) + "\n"


def _header(answers: Answers) -> list[str]:
    return [
        f"# yaml-language-server: $schema={answers.schema}",
        "# A deal for mc2, written by `mc2 init`. Values marked `# edit:` are placeholders:",
        "# replace each and delete its marker (`mc2 check` lists those left; `--strict` refuses",
        "# them). `mc2 build deal.yaml` writes the contract; the menu at the end lists every",
        "# principle and clause you can move, omit or change.",
    ]


def _party(answers: Answers, role: str) -> list[str]:
    name = answers.hdo if role == "hdo" else answers.mdm
    address = answers.hdo_address if role == "hdo" else answers.mdm_address
    signatory = answers.hdo_signatory if role == "hdo" else answers.mdm_signatory
    short = "Customer" if role == "hdo" else "Supplier"
    who = "the HDO (the buyer)" if role == "hdo" else "the MDM (the manufacturer)"
    sign = ("{name: " + _scalar(signatory[0], flow=True) + ", title: "
            + _scalar(signatory[1], flow=True) + "}")
    return [
        f"  {role}:",
        _line("name", _scalar(name), _edit(answers, role, f"legal name of {who}"), 4),
        _comment(f"    # short_name: {short}", "the defined term the contract uses"),
        _line("address", _scalar(address),
              _edit(answers, f"{role}_address", f"the {role.upper()}'s address, on one line"), 4),
        _line("signatory", sign, _edit(answers, f"{role}_signatory", "who signs"), 4),
        "    # security_contact: {name: Security Office, email: security@example.org}",
    ]


def _products(answers: Answers) -> list[str]:
    lines = ["products:"]
    for product in answers.products:
        fields = [f"name: {_scalar(product.name, flow=True)}",
                  f"model: {_scalar(product.model, flow=True)}"]
        if product.software_version:
            fields.append(f"software_version: {json.dumps(product.software_version)}")
        edit = "products" not in answers.given or product.model == product.name
        lines.append(_comment("  - {" + ", ".join(fields) + "}",
                              "edit: name, model and software_version" if edit else ""))
    return lines


def _library_value(layers: list[str]) -> str:
    if layers == ["builtin"]:
        return "builtin"
    return "[" + ", ".join(_scalar(x, flow=True) for x in layers) + "]"


def _deal(lib: Library, answers: Answers) -> list[str]:
    lines = [
        _comment("mc2: 1", "answers-file format version"),
        _comment("title: Medical Device Cybersecurity Agreement",
                 "an Addendum when it has a master_agreement"),
        _comment("# reference: MSA-2026-117", "your own reference (optional)"),
        _line("effective_date", answers.effective_date.isoformat(),
              _edit(answers, "effective_date", "the date it takes effect (YYYY-MM-DD)")),
        _line("governing_law", _scalar(answers.governing_law),
              _edit(answers, "governing_law", "usually the master agreement's law")),
        "# master_agreement: Master Purchase Agreement dated March 14, 2025   # makes it an "
        "addendum",
        "parties:", *_party(answers, "hdo"), *_party(answers, "mdm"),
        *_products(answers),
        _line("library", _library_value(answers.library),
              "builtin, a folder, or [./house, builtin]"),
        _line("position", answers.position, "default position of every clause: "
              "hdo, middle or mdm"),
    ]
    if answers.reason:
        lines.append(_line("reason", _scalar(answers.reason)))
    else:
        lines.append(_comment("# reason: ...", "needed when position is not middle"))
    return [
        *lines, *_examples(lib),
        "parameters: {}",
        "principles: {}",
        "clauses: {}",
        _comment("extra_clauses: []", "deal-specific clauses (see the README)"),
    ]


def _examples(lib: Library) -> list[str]:
    """How departures are written, with ids taken from this library."""
    from mc2cli.authoring.catalog import deal_value
    from mc2cli.inputs.values import NUMERIC
    principle = lib.principles[-1].id
    clause = next((lc for lc in lib.clauses.values() if not lc.clause.required),
                  next(iter(lib.clauses.values())))
    lines = ["# Departures from the Middle; each one needs a reason (see the menu below):"]
    numeric = [p for p, _w in lib.parameters.values()
               if p.type in NUMERIC and p.default["hdo"] != p.default["middle"]]
    if numeric:
        lines.append(f"#   parameters: {{{numeric[0].id}: "
                     f"{deal_value(numeric[0], numeric[0].default['hdo'])}}}")
    return [
        *lines,
        "#   principles:",
        f"#     {principle}: {{position: hdo, reason: Why the deal departs from the Middle.}}",
        "#   clauses:",
        f"#     {clause.clause.id}: {{omit: true, reason: Covered by the master agreement.}}",
    ]


def _menu(lib: Library) -> list[str]:
    from mc2cli.authoring.catalog import position_changes
    from mc2cli.inputs.library import GENERAL
    lines = [
        f"# ---- The menu: the {lib.edition} library ----",
        "# Every principle and its clauses, each included at the deal's position unless the",
        "# deal says otherwise. Per clause: id, title, who owes it (hdo, mdm or both), and what",
        "# the positions change, with each parameter's default per position.",
        "# `mc2 library show ID` prints a clause in all three positions.",
    ]
    sections = [(f"{p.number} {p.id}", p.title, p.id) for p in lib.principles]
    sections.append(("general", "General Terms", GENERAL))
    for label, title, sid in sections:
        lines += ["#", f"# {label}: {title}"]
        for lc in lib.section_clauses(sid):
            c = lc.clause
            owed = c.obligor + (", required" if c.required else "")
            lines.append(f"#   {c.id}: {c.title} ({owed})")
            for phrase in position_changes(lib, lc):
                lines.extend(textwrap.wrap(phrase, _WIDTH, initial_indent="#       ",
                                           subsequent_indent="#         ",
                                           break_on_hyphens=False))
    return lines
