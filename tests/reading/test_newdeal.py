"""The starter deal from their paper passes `mc2 check` and cites their sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from mc2cli.cli.analyze import placeholders
from mc2cli.errors import InputError
from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.pipeline import check
from mc2cli.reading.analysis import analyze_file
from mc2cli.reading.newdeal import deal_text, omittable, write_deal

LIB = load_library([builtin_library_dir()])
PAPER = """# Supplier Terms

## 4. Security Updates

4.1 Critical Patches. Supplier shall provide patches for critical vulnerabilities within 30 days.

## 5. Incidents

5.1 Breach Notice. Supplier shall notify Customer of a Security Incident within 96 hours of
discovery.
"""


def test_new_deal_passes_check_and_cites_sections(tmp_path: Path) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER)
    analysis = analyze_file(paper, LIB, None, display="paper.md")
    target = tmp_path / "deal.yaml"
    write_deal(target, deal_text(analysis, LIB, ["builtin"], placeholders()))
    text = target.read_text()
    assert "section 4.1 (Critical Patches) sets" in text
    assert "security_incident_notice_hours: 96" in text
    assert "end-of-life: {omit: true" in text
    result = check(target)
    assert result.contract is not None
    assert not [p for p in result.problems if p.severity == "error"]
    with pytest.raises(InputError):
        write_deal(target, "x")  # kept unless forced
    write_deal(target, text, force=True)


def test_principles_that_kept_clauses_refer_to_are_not_omitted() -> None:
    every = [p.id for p in LIB.principles if p.id != "security-patching"]
    kept = set(every) - set(omittable(LIB, every))
    assert "vulnerability-management" in kept  # the patching clauses refer to its clauses


def test_a_figure_placed_by_its_principle_lands_on_the_clause_that_uses_it(
        tmp_path: Path) -> None:
    # A security-testing paragraph matched to the hospital-testing clause whose figure sets the
    # penetration-test clause's frequency: the parameter goes to the clause that uses it.
    from mc2cli.reading.analysis import Item, coverage
    from mc2cli.reading.classify import Match
    from mc2cli.reading.figures import extract, place
    from mc2cli.reading.segments import Segment

    segment = Segment(1, "7.2", "Testing", "A penetration test at least every 12 months.")
    params = [LIB.parameters["pentest_frequency_months"][0]]
    figures = [place(f, params) for f in extract(segment.text)]
    assert figures and figures[0].parameter == "pentest_frequency_months"
    assert "pentest_frequency_months" not in LIB.clauses["testing.hdo-testing"].clause.parameters
    match = Match("security-testing", "testing.hdo-testing", 0.5, "medium", [])
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER)
    analysis = analyze_file(paper, LIB, None, display="paper.md")
    analysis.items.append(Item(segment, match, figures))
    analysis.coverage = coverage(analysis.items, [p.id for p in LIB.principles])
    target = tmp_path / "deal.yaml"
    write_deal(target, deal_text(analysis, LIB, ["builtin"], placeholders()))
    text = target.read_text()
    assert "testing.hdo-testing" not in text
    owner = next(cid for cid, lc in LIB.clauses.items()
                 if "pentest_frequency_months" in lc.clause.parameters)
    assert f"  {owner}:" in text and "pentest_frequency_months: 12" in text
    assert not [p for p in check(target).problems if p.severity == "error"]
