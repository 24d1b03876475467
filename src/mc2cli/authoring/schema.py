"""The JSON Schema (draft 2020-12) of the deal file for one library, for editors.

It mirrors models.Deal (every object closed with `additionalProperties: false`, as the
models forbid extra keys) and adds what only the library knows: principle, clause and
parameter ids as the properties of their mappings, parameter types and choices, and the
library's descriptions.

Two choices keep the schema from refusing what mc2 accepts:
- A parameter's bounds are stated in its description, not as `minimum`/`maximum`: a value
  outside them is allowed, as a deviation that needs a reason.
- Single-line text fields also accept numbers: mc2 reads `software_version: 4.10` as the
  text "4.10", while an editor's YAML 1.2 parser sees a number.
"""

from __future__ import annotations

import json
from typing import Any

from mc2cli import __version__
from mc2cli.authoring.catalog import deal_value, position_changes
from mc2cli.inputs.library import GENERAL, LibClause, Library
from mc2cli.inputs.models import CLAUSE_ID, POSITIONS, Parameter
from mc2cli.inputs.values import MAX_LIST, NUMERIC, bounds_text, unit

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "mc2 deal file"
JSON = dict[str, Any]

_LINE: JSON = {"type": ["string", "number"], "minLength": 1, "maxLength": 400,
               "pattern": r"^[^\r\n]*\S[^\r\n]*$"}
_TEXT: JSON = {"type": "string", "maxLength": 20_000}
_DATE: JSON = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
               "description": "A date written YYYY-MM-DD."}


def _obj(properties: dict[str, JSON], required: tuple[str, ...] = (),
         description: str = "") -> JSON:
    """A closed object: the deal models forbid keys they do not declare."""
    out: JSON = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = properties
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    return out


def _line(description: str, **extra: Any) -> JSON:
    return {**_LINE, "description": description, **extra}


def _ref(name: str) -> JSON:
    return {"$ref": f"#/$defs/{name}"}


def deal_schema(lib: Library) -> JSON:
    """The schema of a deal file for `lib`, as a JSON-ready dict."""
    return {
        "$schema": DIALECT,
        "title": TITLE,
        "description": f"A deal (answers file, format 1) for the {lib.edition} clause library; "
                       f"written by mc2 {__version__} (`mc2 schema`).",
        **_deal_object(lib),
        "$defs": _defs(lib),
    }


def schema_json(lib: Library) -> str:
    """`deal_schema` as text: indented, keys in model order, one trailing newline."""
    return json.dumps(deal_schema(lib), indent=2, ensure_ascii=False) + "\n"


def _deal_object(lib: Library) -> JSON:
    principles = {p.id: {**_ref("principleChoice"),
                         "description": f"{p.number} {p.title}: {p.summary}"}
                  for p in lib.principles}
    clauses = {cid: _clause_choice(lib, lc) for cid, lc in lib.clauses.items()}
    return _obj({
        "mc2": {"const": 1, "description": "Answers-file format version; always 1."},
        "title": _line("The contract's title.",
                       default="Medical Device Cybersecurity Addendum"),
        "reference": _line("Your own reference for the deal (optional)."),
        "effective_date": _DATE,
        "governing_law": _line("Whose law governs, as the contract prints it: "
                               "'the State of Minnesota'."),
        "master_agreement": _line("The master agreement this supplements (optional); "
                                  "makes the contract an addendum."),
        "parties": _obj({"hdo": _ref("party"), "mdm": _ref("party")}, ("hdo", "mdm"),
                        "The HDO (the buyer) and the MDM (the manufacturer)."),
        "products": {"type": "array", "minItems": 1, "maxItems": 500,
                     "items": _ref("product"), "description": "The covered products."},
        "library": {"anyOf": [_LINE, {"type": "array", "items": _LINE, "minItems": 1}],
                    "description": "'builtin', a library folder relative to the deal, or a "
                                   "list of folders layered first-wins: [./house, builtin].",
                    "default": "builtin"},
        "position": {**_ref("position"), "default": "middle",
                     "description": "The default position of every clause."},
        "reason": _line("Why the deal's position departs from the Middle."),
        "parameters": {**_ref("parameters"), "description": "Deal-wide parameter values."},
        "principles": _obj(principles, (), "Choices per principle: position, omit, reason, "
                                           "parameters."),
        "clauses": _obj(clauses, (), "Choices per clause: position, omit, reason, "
                                     "parameters."),
        "extra_clauses": {"type": "array", "maxItems": 200, "items": _extra_clause(lib),
                          "description": "Deal-specific clauses; each is a deviation."},
    }, ("mc2", "effective_date", "governing_law", "parties", "products"))


def _defs(lib: Library) -> JSON:
    defs: JSON = {
        "position": {"enum": list(POSITIONS),
                     "description": "; ".join(f"{p}: {lib.framework.positions[p].title}"
                                              for p in POSITIONS)},
        "party": _obj({
            "name": _line("The party's legal name."),
            "short_name": _line("The defined term the contract uses for the party "
                                "(default Customer for the HDO, Supplier for the MDM)."),
            "address": _line("The party's address, on one line."),
            "signatory": _obj({"name": _line("Name."), "title": _line("Title.")},
                              ("name", "title"), "Who signs for the party."),
            "security_contact": _obj({
                "name": _line("Name of the person or team."),
                "email": _line("Email address.", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                "phone": _line("Phone number (optional)."),
            }, ("name", "email"), "Where security notices go (optional)."),
        }, ("name", "address", "signatory")),
        "product": _obj({"name": _line("Product name."), "model": _line("Model."),
                         "software_version": _line("Software version (optional).")},
                        ("name", "model")),
        "principleChoice": _choice(_ref("parameters")),
        "parameters": _obj({pid: _ref(f"parameter.{pid}") for pid in lib.parameters}, (),
                           "Parameter values: a value, or {value: ..., reason: ...}."),
    }
    for pid, (param, _where) in lib.parameters.items():
        defs[f"parameter.{pid}"] = _parameter(param)
    return defs


def _choice(parameters: JSON) -> JSON:
    return _obj({
        "position": _ref("position"),
        "omit": {"type": "boolean", "description": "Leave it out of the contract (a "
                                                   "deviation that needs a reason)."},
        "reason": _line("Why the deal departs from the Middle here."),
        "parameters": parameters,
    })


def _clause_choice(lib: Library, lc: LibClause) -> JSON:
    own = {pid: _ref(f"parameter.{pid}") for pid in lc.clause.parameters
           if pid in lib.parameters}
    c = lc.clause
    where = "General Terms" if lc.section == GENERAL else f"principle {lc.section}"
    head = f"{c.title} ({where}; owed by {c.obligor}{', required' if c.required else ''})."
    choice = _choice(_obj(own, (), "The parameters this clause uses."))
    return {**choice, "description": "\n".join([head, *position_changes(lib, lc)])}


def _extra_clause(lib: Library) -> JSON:
    ids = list(lib.clauses)
    return _obj({
        "id": {"type": "string", "pattern": CLAUSE_ID, "not": {"enum": ids},
               "description": "A new dotted id, e.g. deal.training; not a library clause's."},
        "principle": {"enum": [p.id for p in lib.principles], "description":
                      "The principle whose section holds the clause."},
        "title": _line("The clause title."),
        "obligor": {"enum": ["hdo", "mdm", "both"], "description": "Who owes it."},
        "text": {**_TEXT, "description": "The clause text: Markdown with {{ hdo }}, "
                                         "{{ mdm }}, parameters and ref('id')."},
        "reason": _line("Why the deal adds the clause."),
        "after": {"type": "string", "pattern": CLAUSE_ID, "examples": ids,
                  "description": "Place it after this clause of its section."},
        "references": {"type": "array", "items": _LINE},
        "parameters": {**_ref("parameters"),
                       "description": "Values for the library parameters its text uses."},
    }, ("id", "principle", "title", "obligor", "text"))


def _value(param: Parameter) -> JSON:
    kind = param.type
    if kind in NUMERIC:
        return {"type": "integer"}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "date":
        return dict(_DATE)
    if kind == "choice":
        return {"enum": list(param.choices or {})}
    if kind == "list":
        item: JSON = {"enum": list(param.choices)} if param.choices else dict(_LINE)
        return {"type": "array", "maxItems": MAX_LIST, "items": item}
    return dict(_LINE)


def _parameter(param: Parameter) -> JSON:
    value = _value(param)
    description = _parameter_description(param)
    defaults = [_json_value(param, param.default[p]) for p in POSITIONS]
    with_reason = _obj({"value": value, "reason": _line("Why the deal sets this value.")},
                       ("value",))
    return {"anyOf": [value, with_reason], "description": description,
            "default": defaults[1], "examples": defaults}


def _parameter_description(param: Parameter) -> str:
    parts = [param.title or param.id]
    shown = "; ".join(f"{p} {deal_value(param, param.default[p])}" for p in POSITIONS)
    unit_name = unit(param) if param.type in NUMERIC else ""
    parts.append(f"Type {param.type}{f' ({unit_name})' if unit_name else ''}; "
                 f"defaults {shown}.")
    if param.choices:
        parts.append("Choices: " + "; ".join(f"{k} = {v}" for k, v in param.choices.items())
                     + ".")
    bounds = bounds_text(param)
    if bounds:
        parts.append(f"The library's bounds: {bounds}. A value outside them is allowed, as a "
                     "deviation that needs a reason.")
    parts.append(param.description.strip())
    return "\n".join(parts)


def _json_value(param: Parameter, raw: Any) -> Any:
    """A default as the JSON an editor would insert."""
    text = deal_value(param, raw)
    if param.type in NUMERIC and text.lstrip("-").isdigit():
        return int(text)
    if param.type == "boolean":
        return text == "true"
    if param.type == "list" and isinstance(raw, list):
        return [str(v) for v in raw]
    return text
