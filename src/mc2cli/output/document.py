"""The assembled contract -> canonical Markdown, through the master template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from mc2cli.assembly.contract import Contract
from mc2cli.assembly.render import render_template
from mc2cli.inputs.markdown import escape
from mc2cli.inputs.models import Party, Product
from mc2cli.inputs.values import Style, long_date
from mc2cli.output.tables import key_terms, responsibilities
from mc2cli.paths import templates_dir

TEMPLATE = "contract.md.j2"


def _party(party: Party, default_short: str) -> dict[str, Any]:
    contact = party.security_contact
    return {
        "name": escape(party.name),
        "short": escape(party.short_name or default_short),
        "address": escape(party.address),
        "signatory": {"name": escape(party.signatory.name),
                      "title": escape(party.signatory.title)},
        "contact": None if contact is None else {
            "name": escape(contact.name), "email": escape(contact.email),
            "phone": escape(contact.phone) if contact.phone else ""},
    }


# Schedule C's optional fields: (field, heading, table). Every deal shows every column, a
# field it leaves out reading "not stated": two deals' Schedule C then differ only in cells
# and rows, which a redline tracks cleanly (whole tables appearing or going it does not).
PRODUCT_COLUMNS = (
    ("quantity", "Quantity", "supply"),
    ("delivery_date", "Delivery date", "supply"),
    ("end_of_support", "End of Support (committed)", "security"),
    ("operating_system", "Operating system", "security"),
    ("os_end_of_support", "OS End of Support", "security"),
    ("cyber_device", "Cyber Device", "security"),
    ("handles_phi", "Handles PHI", "security"),
)


def _cell(value: object, style: Style, missing: str = "not stated") -> str:
    if value is None:
        return missing
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return long_date(value, style)
    return escape(str(value))


# A cloud-only deal has no units, no delivery and no operating system the customer sees. It
# keeps every column (see above): the delivery date is headed "Service Start Date", the term
# its texts use, and the fields a service does not have read "not applicable" when left out.
CLOUD_HEADINGS = {"delivery_date": "Service Start Date"}
CLOUD_NOT_APPLICABLE = frozenset({"quantity", "operating_system", "os_end_of_support"})


def schedule_c(products: Sequence[Product], style: Style,
               cloud_only: bool = False) -> dict[str, Any]:
    """Schedule C's further tables: what is supplied, and the security facts of each
    product."""
    headings = {f: (CLOUD_HEADINGS.get(f, t) if cloud_only else t) for f, t, _ in PRODUCT_COLUMNS}
    missing = {f: ("not applicable" if cloud_only and f in CLOUD_NOT_APPLICABLE else "not stated")
               for f, _t, _ in PRODUCT_COLUMNS}
    supply = [f for f, _t, table in PRODUCT_COLUMNS if table == "supply"]
    security = [f for f, _t, table in PRODUCT_COLUMNS if table == "security"]
    return {
        "products": [{"name": escape(p.name), "model": escape(p.model),
                      "software_version": escape(p.software_version or ""),
                      "supply": [_cell(getattr(p, f), style, missing[f]) for f in supply],
                      "security": [_cell(getattr(p, f), style, missing[f]) for f in security]}
                     for p in products],
        "supply_columns": [headings[f] for f in supply],
        "security_columns": [headings[f] for f in security],
    }


def view(contract: Contract) -> dict[str, Any]:
    """Everything the master template reads; every deal value already escaped."""
    deal = contract.deal
    rows = responsibilities(contract)
    numbers = {s.id: s.number for s in contract.all_sections}
    matrix = [{"number": f"{numbers[sid]}.", "title": escape(next(iter(group)).section_title),
               "rows": [{"number": r.number, "title": escape(r.title), "obligor": r.obligor}
                        for r in rows if r.section == sid]}
              for sid, group in groupby(rows, key=lambda r: r.section)]
    return {
        "title": escape(deal.title),
        "reference": escape(deal.reference) if deal.reference else "",
        "effective_date": long_date(deal.effective_date, contract.style),
        "hdo": _party(deal.parties.hdo, "Customer"),
        "mdm": _party(deal.parties.mdm, "Supplier"),
        "master_agreement": escape(deal.master_agreement or ""),
        "this_agreement": contract.context["this_agreement"],
        "framework": escape(contract.library.framework.framework),
        "definitions": [(escape(term), text) for term, text in contract.definitions],
        # Titles come from libraries and deals: escaped like every other value.
        "sections": [{"number": s.number, "title": escape(s.title),
                      "clauses": [{"number": c.number, "title": escape(c.title), "text": c.text}
                                  for c in s.clauses]} for s in contract.all_sections],
        "key_terms": [{"title": escape(k.title), "value": escape(k.value),
                       "clause_numbers": k.clause_numbers} for k in key_terms(contract)],
        "matrix": matrix,
        **schedule_c(deal.products, contract.style, bool(contract.context.get("cloud_only"))),
    }


def to_markdown(contract: Contract) -> str:
    source = (templates_dir() / TEMPLATE).read_text(encoding="utf-8")
    text = render_template(source, view(contract))
    lines = [ln.rstrip() for ln in text.splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln == "" and out and out[-1] == "":
            continue
        out.append(ln)
    return "\n".join(out).strip() + "\n"
