"""`check --locked` reports one problem per cause, where the cause is, with a word diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import LAKESIDE, OMIT_RISK
from mc2cli.cli.main import app

runner = CliRunner()
EXAMPLE = LAKESIDE


def test_a_principle_put_back_is_one_problem_at_the_deal(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    original = EXAMPLE.read_text()
    deal.write_text(original + OMIT_RISK)
    assert runner.invoke(app, ["lock", str(deal)]).exit_code == 0
    deal.write_text(original)  # the principle is back
    result = runner.invoke(app, ["check", "--locked", "--format", "json", str(deal)])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    # Before: 28 errors, one per clause, title and heading, located in the lock file and
    # labelled lock-drift though the deal caused them.
    assert len(problems) == 1, [p["message"] for p in problems]
    (p,) = problems
    assert p["path"].endswith("deal.yaml") and p["rule"] == "lock-outdated"
    assert p["message"].startswith("principle 'risk-management' is in the contract again")
    assert "+ risk.security-risk-management: Security Risk Management Process" in p["detail"]
    # renumbering collapses into one line, word-level: no 300-character sentences
    assert "renumbered: 4.1 -> 5.1" in p["detail"] and "13.2 -> 14.2" in p["detail"]
    assert all(len(line) < 400 for line in p["detail"].splitlines()
               if not line.startswith("renumbered:"))


def test_real_drift_is_located_in_the_library(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE.parents[1] / "house-library", tmp_path / "h")
    deal = tmp_path / "h" / "deal.yaml"
    assert runner.invoke(app, ["lock", str(deal)]).exit_code == 0
    target = tmp_path / "h" / "clauses" / "08-remote-access.yaml"
    target.write_text(target.read_text().replace("stating the Product, the purpose",
                                                 "stating the Product, the site, the purpose"))
    result = runner.invoke(app, ["check", "--locked", str(deal)])
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert len(errors) == 1, result.output
    assert target.name in errors[0] and "lock-drift" not in errors[0]
    assert "the library's text for position 'middle' changed" in errors[0]
    assert "08-remote-access.yaml:8:7:" in errors[0]  # the middle text
    assert "stating the Product,{+ the site,+} the purpose" in result.output
