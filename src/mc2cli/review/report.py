"""Negotiation reports: coverage, deviations, key terms, responsibilities (product.md section 6)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from mc2cli import __version__
from mc2cli.assembly.constraints import RuleStatus, statuses
from mc2cli.assembly.contract import NO_REASON, Contract
from mc2cli.inputs.markdown import escape
from mc2cli.output.tables import KeyTerm, Responsibility, key_terms, responsibilities, totals

REPORT_FORMAT = 1


@dataclass
class Coverage:
    number: int
    principle: str
    title: str
    status: str  # covered | partial | omitted
    clauses: list[str]
    omitted_clauses: list[str]
    reason: str | None


@dataclass
class DeviationRow:
    kind: str
    target: str
    detail: str
    middle: str
    value: str
    reason: str
    needs_reason: bool
    line: int


@dataclass
class Report:
    deal: str
    title: str
    library: str
    coverage: list[Coverage]
    deviations: list[DeviationRow]
    key_terms: list[KeyTerm]
    responsibilities: list[Responsibility]
    totals: dict[str, int]
    constraints: list[RuleStatus] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "mc2_version": __version__,
            "deal": self.deal,
            "title": self.title,
            "library": self.library,
            "coverage": [asdict(c) for c in self.coverage],
            "deviations": [asdict(d) for d in self.deviations],
            "key_terms": [asdict(k) for k in self.key_terms],
            "responsibilities": [asdict(r) for r in self.responsibilities],
            "totals": self.totals,
            "constraints": [asdict(r) for r in self.constraints],
        }


def coverage(contract: Contract) -> list[Coverage]:
    included = {c.id for c in contract.clauses}
    out: list[Coverage] = []
    for principle in contract.library.principles:
        lib_ids = [lc.clause.id for lc in contract.library.section_clauses(principle.id)]
        extra = [c.id for s in contract.sections if s.id == principle.id for c in s.clauses
                 if c.extra]
        if principle.id in contract.omitted_principles:
            out.append(Coverage(principle.number, principle.id, principle.title, "omitted", [],
                                lib_ids, contract.omitted_principles[principle.id]))
            continue
        omitted = [cid for cid in lib_ids if cid not in included]
        kinds = {p.kind for p in contract.deal.products}
        # A clause for other kinds of product is not applicable, not missing.
        required_gone = [cid for cid in omitted
                         if contract.library.clauses[cid].clause.required
                         and kinds & set(contract.library.clauses[cid].clause.applies_to)]
        status = "partial" if required_gone else "covered"
        reasons = [contract.omitted_clauses.get(cid) for cid in required_gone]
        reason = "; ".join(r for r in reasons if r) or None
        out.append(Coverage(principle.number, principle.id, principle.title, status,
                            [cid for cid in lib_ids if cid in included] + extra, omitted,
                            reason))
    return out


def deviations(contract: Contract) -> list[DeviationRow]:
    return [DeviationRow(d.kind, d.target, d.detail, d.middle, d.value, d.reason or NO_REASON,
                         d.needs_reason, d.where[1]) for d in contract.deviations]


def make_report(contract: Contract, deal_name: str) -> Report:
    rows = responsibilities(contract)
    return Report(deal_name, contract.deal.title, contract.library.edition, coverage(contract),
                  deviations(contract), key_terms(contract), rows, totals(rows),
                  statuses(contract.library, contract.clauses))


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    return escape(text.replace("\n", " "))  # values come from deals and libraries


def _csv_cell(value: Any) -> str:
    """Plain text for a spreadsheet; a cell that would start a formula is quoted with '."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = "" if value is None else str(value).replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def tables(report: Report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the report as headers and rows: the one source for md, csv and text."""
    return {
        "coverage": (["#", "principle", "status", "clauses", "omitted clauses", "reason"],
                     [[c.number, c.title, c.status, c.clauses, c.omitted_clauses,
                       c.reason or ("" if c.status == "covered" else NO_REASON)]
                      for c in report.coverage]),
        "deviations": (["kind", "target", "detail", "middle", "value", "reason", "line"],
                       [[d.kind, d.target, d.detail, d.middle, d.value, d.reason, d.line]
                        for d in report.deviations]),
        "key-terms": (["parameter", "term", "value", "unit", "middle", "bounds", "in bounds",
                       "clauses"],
                      [[k.id, k.title, k.value, k.unit, k.middle, k.bounds,
                        "yes" if k.in_bounds else "NO", k.clause_numbers]
                       for k in report.key_terms]),
        "responsibilities": (["clause", "id", "title", "principle", "obligor"],
                             [[r.number, r.clause, r.title, r.section_title, r.obligor]
                              for r in report.responsibilities]),
        "constraints": (["id", "rule", "in words", "status"],
                        [[r.id, r.rule, r.says, r.status] for r in report.constraints]),
    }


TITLES = {"coverage": "Principle coverage", "deviations": "Deviations from the Middle",
          "key-terms": "Key terms", "responsibilities": "Responsibility matrix",
          "constraints": "Figures checked against each other"}


def to_markdown(report: Report) -> str:
    titles = TITLES
    lines = [f"# Negotiation report: {escape(report.title)}", "",
             f"Deal {escape(report.deal)}; library {escape(report.library)}.", ""]
    for name, (headers, rows) in tables(report).items():
        lines += [f"## {titles[name]}", ""]
        if name == "deviations" and not rows:
            lines += ["None: every clause is at the Middle.", ""]
            continue
        lines += [*_md_table(headers, rows), ""]
        if name == "responsibilities":
            t = report.totals
            lines += [f"Totals: HDO {t['hdo']}, MDM {t['mdm']}, both {t['both']}.", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_csv(report: Report) -> dict[str, bytes]:
    """One CSV file per table."""
    files: dict[str, bytes] = {}
    for name, (headers, rows) in tables(report).items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([[_csv_cell(v) for v in row] for row in rows])
        files[f"{name}.csv"] = buf.getvalue().encode()
    return files
