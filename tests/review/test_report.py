"""Negotiation reports: exact deviations and coverage per example, JSON schema, Schedule A."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.output.document import to_markdown as contract_markdown
from mc2cli.output.notes import to_markdown as notes_markdown
from mc2cli.pipeline import check
from mc2cli.review.report import make_report, to_json

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

PRINCIPLES = ["security-development-lifecycle", "supplier-transparency", "risk-management",
              "vulnerability-management", "supply-chain", "standard-security-controls",
              "supported-components", "remote-access", "security-testing", "security-patching",
              "incident-response", "end-of-life", "audit-and-evidence", "data-protection"]

EXPECTED_DEVIATIONS = {
    "lakeside-infusion": set(),
    "riverside-mri": {
        ("position", "vulnerability.exploited-notice"), ("position", "remote.secure-channel"),
        ("position", "remote.session-approval"), ("position", "remote.accounts"),
        ("position", "remote.session-logging"), ("position", "remote.disable-option"),
        ("position", "remote.onsite-personnel"),
        ("position", "patching.timeline"), ("position", "patching.critical-timeline"),
        ("position", "patching.validation-and-delivery"),
        ("position", "patching.hdo-installation"), ("position", "patching.regular-cycle"),
        ("position", "incident.breach-notice"), ("position", "eol.minimum-support"),
        ("parameter", "kev_notice_business_days"), ("parameter", "patch_critical_days"),
        ("parameter", "vulnerability_notice_days"),
        ("out-of-bounds", "remote_session_log_retention_days"),
        ("extra-clause", "deal.service-gateway"),
    },
    "cirrus-cloud-samd": {
        ("position", "deal"), ("omit-principle", "supported-components"),
        ("extra-clause", "deal.tenant-isolation"), ("parameter", "data_location"),
        ("parameter", "patch_cost_basis"),
    },
}
EXPECTED_OMITTED = {"cirrus-cloud-samd": {"supported-components"}}


def _report(name: str) -> dict[str, Any]:
    result = check(ROOT / "examples" / name / "deal.yaml")
    assert result.contract is not None
    return make_report(result.contract, name).to_dict()


@pytest.mark.parametrize("name", sorted(EXPECTED_DEVIATIONS))
def test_exact_deviations(name: str) -> None:
    report = _report(name)
    found = {(d["kind"], d["target"]) for d in report["deviations"]}
    assert found == EXPECTED_DEVIATIONS[name]
    assert all(d["reason"] != "no reason given"
               for d in report["deviations"])


@pytest.mark.parametrize("name", sorted(EXPECTED_DEVIATIONS))
def test_coverage_of_all_fourteen_principles(name: str) -> None:
    coverage = _report(name)["coverage"]
    assert [c["principle"] for c in coverage] == PRINCIPLES
    omitted = EXPECTED_OMITTED.get(name, set())
    for c in coverage:
        assert c["status"] == ("omitted" if c["principle"] in omitted else "covered")


def test_partial_coverage_when_a_required_clause_is_omitted(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text((ROOT / "examples" / "lakeside-infusion" / "deal.yaml").read_text()
                    + "clauses:\n  transparency.sbom: {omit: true}\n")
    result = check(deal)
    assert result.contract is not None
    report: dict[str, Any] = make_report(result.contract, "x").to_dict()
    status = {c["principle"]: (c["status"], c["reason"]) for c in report["coverage"]}
    assert status["supplier-transparency"] == ("partial", None)
    assert any(d["reason"] == "no reason given" for d in report["deviations"])


def test_json_validates_against_the_schema_and_is_sorted() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    for name in EXPECTED_DEVIATIONS:
        result = runner.invoke(app, ["report", str(ROOT / "examples" / name / "deal.yaml"),
                                     "--format", "json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        jsonschema.validate(data, schema)
        assert list(data) == sorted(data)


def test_schedule_a_and_report_key_terms_agree() -> None:
    for name in EXPECTED_DEVIATIONS:
        result = check(ROOT / "examples" / name / "deal.yaml")
        assert result.contract is not None
        md = contract_markdown(result.contract)
        schedule = md.split("## Schedule A: Key Terms")[1].split("## Schedule B")[0]
        rows = re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \|$", schedule, re.M)[1:]
        table = {(term.replace("\\", ""), value.replace("\\", ""), numbers)
                 for term, value, numbers in rows}
        report = json.loads(to_json(make_report(result.contract, name)))
        expected = {(k["title"], k["value"], ", ".join(k["clause_numbers"]))
                    for k in report["key_terms"]}
        assert table == expected


def test_markdown_and_csv(tmp_path: Path) -> None:
    deal = str(ROOT / "examples" / "riverside-mri" / "deal.yaml")
    md = runner.invoke(app, ["report", deal, "--format", "md"])
    assert md.exit_code == 0
    assert "## Deviations from the Middle" in md.stdout
    assert "| out-of-bounds | remote\\_session\\_log\\_retention\\_days |" in md.stdout
    result = runner.invoke(app, ["report", deal, "--format", "csv", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "constraints.csv", "coverage.csv", "deviations.csv", "key-terms.csv",
        "responsibilities.csv"]
    rows = list(csv.DictReader((tmp_path / "coverage.csv").open()))
    assert len(rows) == 14
    assert runner.invoke(app, ["report", deal, "--format", "csv"]).exit_code == 2


def test_text_report_in_terminal_tables() -> None:
    result = runner.invoke(app, ["report", str(ROOT / "examples" / "riverside-mri"
                                               / "deal.yaml")])
    assert result.exit_code == 0
    for title in ("Principle coverage", "Deviations from the Middle", "Key terms",
                  "Responsibility matrix"):
        assert title in result.stdout


def test_notes_are_labelled_and_hold_unchosen_positions() -> None:
    result = check(ROOT / "examples" / "riverside-mri" / "deal.yaml")
    assert result.contract is not None
    notes = notes_markdown(result.contract)
    contract = contract_markdown(result.contract)
    assert "These notes are not part of the contract" in notes
    assert "Not chosen, The Middle (`middle`)" in notes
    assert "Guidance:" in notes
    # Every heading in the notes is labelled as a note; none could pass for a contract heading.
    for heading in re.findall(r"^#+ (.*)$", notes, re.M):
        assert heading.startswith(("Negotiator's notes", "Note", "Deviations", "Omitted",
                                   "What to negotiate"))
    # The summary comes first, is one screen long and ranks the weightiest clauses.
    summary = notes.split("## What to negotiate in this deal", 1)[1].split("\n## ", 1)[0]
    assert notes.index("## What to negotiate") < notes.index("## Deviations from the Middle")
    assert len(summary.strip().splitlines()) <= 35
    assert "Costs of a Data Breach" in summary and re.search(r"and \d+ more", summary)
    assert "Figures checked against each other" in summary
    # The library's guidance never leaks into the contract.
    first_note = result.contract.clauses[0].notes.strip().splitlines()[0]
    assert first_note not in contract


@pytest.mark.parametrize(("args", "code"), [
    (["--require", "all"], 1), (["--require", "required"], 0), (["--max-deviations", "4"], 1),
    (["--max-deviations", "5"], 0)])
def test_check_gates(args: list[str], code: int) -> None:
    deal = str(ROOT / "examples" / "cirrus-cloud-samd" / "deal.yaml")
    assert runner.invoke(app, ["check", deal, *args]).exit_code == code


def test_require_required_fails_without_reason(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text((ROOT / "examples" / "lakeside-infusion" / "deal.yaml").read_text()
                    + "clauses:\n  transparency.sbom: {omit: true}\n")
    result = runner.invoke(app, ["check", str(deal), "--require", "required"])
    assert result.exit_code == 1
    assert "required clause omitted without a reason" in result.output
