"""Coverage, required clauses missing, renderings, JSON schema and stable bytes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.reading.analysis import Item, analyze_file, coverage, to_json, to_markdown, to_text
from mc2cli.reading.classify import Candidate, Match
from mc2cli.reading.segments import Segment

ROOT = Path(__file__).resolve().parents[2]
LIB = load_library([builtin_library_dir()])
PAPER = """# Vendor Security Terms

## 1. Patching

1.1 Security Patches. Vendor shall make validated security patches for the operating system
and third-party software available within ninety (90) days after their release.

## 2. Incident Notification

Vendor shall notify Customer of any Security Incident affecting Customer Data within 72 hours
after discovery and cooperate with Customer's investigation.

## 3. Payment

Customer shall pay all invoices within thirty (30) days of receipt.
"""


def _item(index: int, principle: str, confidence: str) -> Item:
    match = Match(principle, None, 0.5, confidence, [Candidate(principle, None, 0.5)])
    return Item(Segment(index, None, None, "text"), match, [])


def test_coverage_never_covered_on_low_confidence_alone() -> None:
    items = [_item(1, "security-testing", "low"), _item(2, "security-testing", "low"),
             _item(3, "audit-and-evidence", "medium"), _item(4, "audit-and-evidence", "medium"),
             _item(5, "remote-access", "high"), _item(6, "end-of-life", "medium")]
    cov = coverage(items, ["security-testing", "audit-and-evidence", "remote-access",
                           "end-of-life", "data-protection"])
    assert {k: v.status for k, v in cov.items()} == {
        "security-testing": "weak", "audit-and-evidence": "covered", "remote-access": "covered",
        "end-of-life": "weak", "data-protection": "missing"}
    assert cov["security-testing"].segments == [1, 2]


def test_analysis_of_a_paper(tmp_path: Path) -> None:
    path = tmp_path / "paper.md"
    path.write_text(PAPER)
    a = analyze_file(path, LIB, None, display="paper.md")
    principles = [it.match.principle for it in a.items]
    assert principles == ["security-patching", "incident-response", "none"]
    assert a.items[0].segment.number == "1.1" and a.items[0].segment.heading == "Security Patches"
    figure = a.items[0].figures[0]
    assert figure.text == "ninety (90) days" and figure.parameter is not None
    assert "MDM-leaning" in (figure.note or "")
    assert a.coverage["incident-response"].segments == [2]
    assert a.coverage["end-of-life"].status == "missing"
    assert "eol.minimum-support" in a.missing_required
    assert "patching.timeline" not in a.missing_required or a.items[0].match.clause != \
        "patching.timeline"
    data = json.loads(to_json(a))
    schema = json.loads((ROOT / "schemas" / "analyze.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert to_json(analyze_file(path, LIB, None, display="paper.md")) == to_json(a)
    assert "covered" in to_text(a) and "| Principle | Status | Segments |" in to_markdown(a)
