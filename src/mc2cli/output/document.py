"""The assembled contract -> canonical Markdown, through the master template."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from mc2cli.assembly.contract import Contract
from mc2cli.assembly.render import render_template
from mc2cli.inputs.markdown import escape
from mc2cli.inputs.models import Party
from mc2cli.inputs.values import long_date
from mc2cli.output.tables import key_terms, responsibilities, totals
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
        "effective_date": long_date(deal.effective_date),
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
        "totals": totals(rows),
        "products": [{"name": escape(p.name), "model": escape(p.model),
                      "software_version": escape(p.software_version or "")}
                     for p in deal.products],
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
