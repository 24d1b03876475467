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
