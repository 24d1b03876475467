"""Rules between figures and between positions: proved on the library, enforced on deals."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BUILTIN_DEAL
from mc2cli.assembly.constraints import lint_constraints, parse, rules
from mc2cli.authoring.catalog import load_layers
from mc2cli.cli.main import app
from mc2cli.inputs.library import Library
from mc2cli.inputs.models import POSITIONS
from mc2cli.pipeline import check

runner = CliRunner()

DEAL = BUILTIN_DEAL + "products:\n  - {name: Pump, model: P1}\n"


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_layers(None)


def test_builtin_constraints_parse_and_name_real_parameters(lib: Library) -> None:
    assert len(lib.constraints) >= 5
    for constraint, _where in lib.constraints.values():
        assert not isinstance(parse(lib, constraint), str), constraint.rule


def test_every_position_default_satisfies_every_constraint(lib: Library) -> None:
    for rule in rules(lib):
        for pos in POSITIONS:
            left, right = lib.defaults[rule.left][pos], lib.defaults[rule.right][pos]
            assert rule.holds(lib, left, right), (rule.id, pos, left, right)
    assert lint_constraints(lib) == []


def _write(tmp_path: Path, extra: str) -> Path:
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL + extra, encoding="utf-8")
    return deal


def test_critical_patch_longer_than_patch_fails_check_naming_both_lines(tmp_path: Path) -> None:
    deal = _write(tmp_path, "parameters:\n  patch_days: 30\n  patch_critical_days: 45\n")
    errors = [p for p in check(deal).problems if p.severity == "error"]
    assert len(errors) == 1
    problem = errors[0]
    assert problem.line == 13 and problem.rule == "constraint"
    assert "patch_critical_days (45 days, line 13) must be at most patch_days (30 days, line 12)" \
        in problem.message
    assert "no later than any other Vulnerability" in problem.message  # the rule in words
    result = runner.invoke(app, ["check", str(deal)])
    assert result.exit_code == 1
    assert f"{deal}:13:3: error:" in result.output


def test_notice_later_than_patch_from_a_position_mix_fails_check(tmp_path: Path) -> None:
    # Riverside's old mix: notice of other Vulnerabilities at the Middle (30 days) with the
    # HDO-leaning patch clock (20 days).
    deal = _write(tmp_path, "principles:\n  security-patching: {position: hdo, reason: r}\n")
    errors = [p for p in check(deal).problems if p.severity == "error"]
    assert any("vulnerability_notice_days (30 days" in p.message
               and "patch_days (20 days" in p.message for p in errors)
    fixed = _write(tmp_path, "principles:\n  security-patching: {position: hdo, reason: r}\n"
                   "parameters:\n  vulnerability_notice_days: {value: 15, reason: r}\n")
    assert [p for p in check(fixed).problems if p.severity == "error"] == []


def test_a_required_position_of_another_clause_is_enforced(tmp_path: Path) -> None:
    deal = _write(tmp_path, "clauses:\n  supply-chain.malicious-code: {position: hdo, reason: r}\n")
    errors = [p for p in check(deal).problems if p.severity == "error"]
    assert len(errors) == 1
    assert "'supply-chain.malicious-code' at 'hdo'" in errors[0].message
    assert "requires 'general.remedies' at 'hdo', not 'middle'" in errors[0].message
    ok = _write(tmp_path, "clauses:\n  supply-chain.malicious-code: {position: hdo, reason: r}\n"
                "  general.remedies: {position: hdo, reason: r}\n")
    assert [p for p in check(ok).problems if p.severity == "error"] == []


def _house(tmp_path: Path, files: dict[str, str]) -> Path:
    house = tmp_path / "house"
    house.mkdir()
    for name, text in files.items():
        (house / name).write_text(text, encoding="utf-8")
    return house


def test_lint_refuses_a_rule_the_defaults_break_or_that_does_not_parse(tmp_path: Path) -> None:
    house = _house(tmp_path, {"parameters.yaml": """\
constraints:
  - {id: install-before-patch, rule: hdo_patch_install_days <= patch_days, says: nonsense}
  - {id: garbled, rule: patch_days is less than ten, says: x}
  - {id: apples-and-pears, rule: patch_days <= breach_liability_cap, says: x}
"""})
    result = runner.invoke(app, ["library", "lint", "-L", str(house), "-L", "builtin"])
    assert result.exit_code == 1
    assert "the 'hdo' defaults break constraint 'install-before-patch'" in result.output
    assert "is not '<parameter> <op> <parameter>'" in result.output
    assert "do not measure the same thing" in result.output


def test_lint_warns_on_an_undeclared_contradictory_mix(tmp_path: Path) -> None:
    house = _house(tmp_path, {"10-security-patching.yaml": """\
principle: security-patching
clauses:
  - id: patching.critical-timeline
    conflicts: []
"""})
    result = runner.invoke(app, ["library", "lint", "-L", str(house), "-L", "builtin"])
    assert result.exit_code == 0
    assert ("warning: clauses[1].id: 'patching.critical-timeline' at 'mdm' with "
            "'patching.timeline' at 'hdo' breaks constraint 'critical-patch-first'") \
        in result.output
