"""The JSON Schema (draft 2020-12) of the deal file for one library, for editors.

The structure comes from the deal model itself (`Deal.model_json_schema()`), so every field
the model has is in the schema, closed with `additionalProperties: false` as the models
forbid extra keys. Added to it is what only the library knows: principle, clause and
parameter ids as the properties of their mappings, parameter types and choices, and the
library's descriptions.

Two choices keep the schema from refusing what mc2 accepts:
- A parameter's bounds are stated in its description, not as `minimum`/`maximum`: a value
  outside them is allowed, as a deviation that needs a reason.
- Single-line text fields also accept numbers: mc2 reads `software_version: 4.10` as the
  text "4.10", while an editor's YAML 1.2 parser sees a number.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from mc2cli import __version__
from mc2cli.authoring.catalog import deal_value, position_changes
from mc2cli.inputs import models
from mc2cli.inputs.library import GENERAL, LibClause, Library
from mc2cli.inputs.models import POSITIONS, Deal, Parameter
from mc2cli.inputs.values import MAX_LIST, NUMERIC, bounds_text, unit

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "mc2 deal file"
JSON = dict[str, Any]

_LINE: JSON = {"type": ["string", "number"], "minLength": 1, "maxLength": 400,
               "pattern": r"^[^\r\n]*\S[^\r\n]*$"}
_DATE: JSON = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

# What a field means, for the editor's hover text, by "Model.field"; a field's own
# `Field(description=...)` wins. A field with neither is still in the schema (its structure
# comes from the model), only without a text.
ABOUT = {
    "Deal.mc2": "Answers-file format version; always 1.",
    "Deal.title": "The contract's title (default: Medical Device Cybersecurity Addendum with "
                  "a master agreement, ... Agreement without one).",
    "Deal.reference": "Your own reference for the deal (optional).",
    "Deal.effective_date": "The date the contract takes effect, written YYYY-MM-DD.",
    "Deal.governing_law": "Whose law governs, as the contract prints it: "
                          "'the State of Minnesota'.",
    "Deal.master_agreement": "The master agreement this supplements (optional); makes the "
                             "contract an addendum.",
    "Deal.parties": "The HDO (the buyer) and the MDM (the manufacturer).",
    "Deal.products": "The covered products.",
    "Deal.library": "'builtin', a library folder relative to the deal, or a list of folders "
                    "layered first-wins: [./house, builtin].",
    "Deal.position": "The default position of every clause.",
    "Deal.reason": "Why the deal's position departs from the Middle.",
    "Deal.parameters": "Deal-wide parameter values.",
    "Deal.principles": "Choices per principle: position, omit, reason, parameters.",
    "Deal.clauses": "Choices per clause: position, omit, reason, parameters.",
    "Deal.extra_clauses": "Deal-specific clauses; each is a deviation.",
    "Parties.hdo": "The HDO: the hospital or health system that buys.",
    "Parties.mdm": "The MDM: the medical device manufacturer that supplies.",
    "Party.name": "The party's legal name.",
    "Party.short_name": "The defined term the contract uses for the party "
                        "(default Customer for the HDO, Supplier for the MDM).",
    "Party.address": "The party's address, on one line.",
    "Party.signatory": "Who signs for the party.",
    "Party.security_contact": "Where security notices go (optional).",
    "Person.name": "Name.",
    "Person.title": "Title.",
    "Contact.name": "Name of the person or team.",
    "Contact.email": "Email address.",
    "Contact.phone": "Phone number (optional).",
    "Product.name": "Product name.",
    "Product.model": "Model.",
    "Product.software_version": "Software version (optional).",
    "Product.quantity": "Units supplied (optional).",
    "Product.delivery_date": ("Delivery date, YYYY-MM-DD (optional); for a cloud "
                              "service, the Service Start Date."),
    "Product.end_of_support": "The manufacturer's committed End of Support, YYYY-MM-DD "
                              "(optional).",
    "Product.operating_system": "The operating system the product runs (optional).",
    "Product.os_end_of_support": "End of Support of that operating system, YYYY-MM-DD "
                                 "(optional).",
    "Product.cyber_device": "A Cyber Device under section 524B of the FD&C Act (optional).",
    "Product.handles_phi": "Whether it creates, receives, keeps or sends PHI (optional).",
    "Choice.position": "The position taken here.",
    "Choice.omit": "Leave it out of the contract (a deviation that needs a reason).",
    "Choice.reason": "Why the deal departs from the Middle here.",
    "Choice.parameters": "Parameter values: a value, or {value: ..., reason: ...}.",
    "ExtraClause.id": "A new dotted id, e.g. deal.training; not a library clause's.",
    "ExtraClause.principle": "The principle whose section holds the clause.",
    "ExtraClause.title": "The clause title.",
    "ExtraClause.obligor": "Who owes it: hdo, mdm or both.",
    "ExtraClause.text": "The clause text: Markdown with {{ hdo }}, {{ mdm }}, parameters and "
                        "ref('id').",
    "ExtraClause.reason": "Why the deal adds the clause.",
    "ExtraClause.after": "Place it after this clause of its section.",
    "ExtraClause.references": "Standards or laws the clause cites.",
    "ExtraClause.parameters": "Values for the library parameters its text uses.",
}


class _DealSchema(GenerateJsonSchema):
    """Pydantic's schema, plus what the models' own validators check and it cannot see."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # "Short Name" beside short_name says nothing the key does not

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JSON:
        inner = self.generate_inner(schema["schema"])
        function = schema["function"]["function"]
        if function is models._one_line:
            return {**inner, **_LINE}
        if function is models._email:
            return {**inner, "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}
        if function is models._format_version:
            return {"const": 1}
        return inner

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema
                               ) -> JSON:
        inner = self.generate_inner(schema["schema"])
        return {**inner, **_DATE} if schema["function"]["function"] is models._date else inner


def deal_schema(lib: Library, model: type[Deal] = Deal) -> JSON:
    """The schema of a deal file for `lib`, as a JSON-ready dict."""
    base = model.model_json_schema(schema_generator=_DealSchema)
    defs: JSON = base.pop("$defs")
    base.pop("title", None)
    base.pop("description", None)
    for name, node in [*defs.items(), (model.__name__, base)]:
        node.pop("title", None)
        _describe(name, node)
    _add_library(lib, base, defs)
    return {"$schema": DIALECT, "title": TITLE,
            "description": f"A deal (answers file, format 1) for the {lib.edition} clause "
                           f"library; written by mc2 {__version__} (`mc2 schema`).",
            **base, "$defs": {**defs, **_library_defs(lib)}}


def schema_json(lib: Library) -> str:
    """`deal_schema` as text: indented, keys in model order, one trailing newline."""
    return json.dumps(deal_schema(lib), indent=2, ensure_ascii=False) + "\n"


def _describe(model: str, node: JSON) -> None:
    for key, prop in node.get("properties", {}).items():
        if prop.get("default", 0) is None:
            del prop["default"]  # "none given" is no default an editor could insert
        about = ABOUT.get(f"{model}.{key}")
        if about and "description" not in prop:
            prop["description"] = about


def _ref(name: str) -> JSON:
    return {"$ref": f"#/$defs/{name}"}


def _described(node: JSON, new: JSON) -> JSON:
    """`new` in place of `node`, keeping only `node`'s description."""
    return {**new, "description": node["description"]} if "description" in node else new


def _add_library(lib: Library, deal: JSON, defs: JSON) -> None:
    props = deal["properties"]
    props["parameters"] = _described(props["parameters"], _ref("parameters"))
    principles = {p.id: {**_ref("principleChoice"),
                         "description": f"{p.number} {p.title}: {p.summary}"}
                  for p in lib.principles}
    props["principles"] = _described(props["principles"], _closed(principles))
    choice = defs["Choice"]
    clauses = {cid: _clause_choice(lib, lc, choice) for cid, lc in lib.clauses.items()}
    props["clauses"] = _described(props["clauses"], _closed(clauses))
    choice["properties"]["parameters"] = _described(choice["properties"]["parameters"],
                                                    _ref("parameters"))
    defs["principleChoice"] = defs.pop("Choice")
    _positions(lib, deal)
    _positions(lib, defs)
    extra = defs["ExtraClause"]["properties"]
    ids = list(lib.clauses)
    extra["id"]["not"] = {"enum": ids}
    extra["principle"] = _described(extra["principle"],
                                    {"enum": [p.id for p in lib.principles]})
    extra["after"] = {**extra["after"], "examples": ids}
    extra["parameters"] = _described(extra["parameters"], _ref("parameters"))


def _closed(properties: JSON) -> JSON:
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _clause_choice(lib: Library, lc: LibClause, choice: JSON) -> JSON:
    own = {pid: _ref(f"parameter.{pid}") for pid in lc.clause.parameters
           if pid in lib.parameters}
    c = lc.clause
    where = "General Terms" if lc.section == GENERAL else f"principle {lc.section}"
    head = f"{c.title} ({where}; owed by {c.obligor}{', required' if c.required else ''})."
    node = copy.deepcopy(choice)
    node["description"] = "\n".join([head, *position_changes(lib, lc)])
    node["properties"]["parameters"] = {**_closed(own),
                                        "description": "The parameters this clause uses."}
    return node


def _positions(lib: Library, node: Any) -> None:
    """Describe every choice of position with the library's names for the three."""
    if isinstance(node, dict):
        if node.get("enum") == list(POSITIONS):
            node["description"] = "; ".join(f"{p}: {lib.framework.positions[p].title}"
                                            for p in POSITIONS)
        for value in node.values():
            _positions(lib, value)
    elif isinstance(node, list):
        for value in node:
            _positions(lib, value)


def _library_defs(lib: Library) -> JSON:
    defs: JSON = {"parameters": {
        **_closed({pid: _ref(f"parameter.{pid}") for pid in lib.parameters}),
        "description": ABOUT["Choice.parameters"]}}
    for pid, (param, _where) in lib.parameters.items():
        defs[f"parameter.{pid}"] = _parameter(param)
    return defs


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
    defaults = [_json_value(param, param.default[p]) for p in POSITIONS]
    with_reason = {**_closed({"value": value,
                              "reason": {**_LINE, "description": "Why the deal sets this "
                                                                 "value."}}),
                   "required": ["value"]}
    return {"anyOf": [value, with_reason], "description": _parameter_description(param),
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
