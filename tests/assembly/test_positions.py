"""Reasons belong to the level that gave them and to the move they explain."""

from __future__ import annotations

from pathlib import Path

from mc2cli.pipeline import check

PRINCIPLE_MDM = """principles:
  patching:
    position: mdm
    reason: The maker carries the patch risk in this deal.
"""


def _deal(tiny: Path, extra: str) -> Path:
    path = tiny / "deal.yaml"
    path.write_text(path.read_text() + extra)
    return path


def _reason_warnings(path: Path, strict: bool = False) -> list[str]:
    result = check(path, strict=strict)
    return [f"{p.field}: {p.message}" for p in result.problems if p.rule == "reason"]


def test_a_clause_moved_elsewhere_needs_its_own_reason(tiny: Path) -> None:
    # Before: no warning, and the hdo move carried the reason written for the mdm move.
    path = _deal(tiny, PRINCIPLE_MDM + "clauses:\n  patching.install:\n    position: hdo\n")
    assert _reason_warnings(path) == ["patching.install: position 'hdo' without a reason"]
    result = check(path)
    assert result.contract is not None
    install = next(c for c in result.contract.clauses if c.id == "patching.install")
    assert install.position == "hdo" and install.reason is None
    dev = next(d for d in result.contract.deviations if d.target == "patching.install")
    assert dev.reason is None
    strict = check(path, strict=True)
    assert strict.contract is None
    assert any(p.rule == "reason" and p.severity == "error" for p in strict.problems)


def test_a_clause_that_repeats_its_principles_move_keeps_the_reason(tiny: Path) -> None:
    path = _deal(tiny, PRINCIPLE_MDM + "clauses:\n  patching.install:\n    position: mdm\n")
    assert _reason_warnings(path) == []


def test_a_clause_reason_for_its_parameters_does_not_explain_the_move(tiny: Path) -> None:
    path = _deal(tiny, PRINCIPLE_MDM + "clauses:\n  patching.timeline:\n"
                       "    reason: Our policy.\n    parameters: {patch_days: 20}\n")
    result = check(path)
    assert result.contract is not None
    timeline = next(c for c in result.contract.clauses if c.id == "patching.timeline")
    assert timeline.reason == "The maker carries the patch risk in this deal."


def test_an_omitted_clause_does_not_borrow_its_principles_reason(tiny: Path) -> None:
    path = _deal(tiny, PRINCIPLE_MDM + "clauses:\n  patching.timeline:\n    omit: true\n")
    assert _reason_warnings(path) == ["patching.timeline: required clause omitted without a "
                                      "reason"]


def test_a_principle_moved_without_a_reason_is_one_warning_at_the_principle(tiny: Path) -> None:
    # Before: one identical warning per clause, all at the principle's line.
    path = _deal(tiny, "principles:\n  patching:\n    position: mdm\n")
    assert _reason_warnings(path) == [
        "principles.patching: position 'mdm' without a reason (for its 2 clauses: "
        "patching.timeline, patching.install)"]


def test_every_problem_of_a_deal_in_one_run(tiny: Path) -> None:
    """A duplicate key, a bad date, a mistyped key, a bad position and a mistyped principle
    id: before, the principle id was only checked once the schema passed."""
    path = tiny / "deal.yaml"
    text = path.read_text().replace("effective_date: 2027-01-01", "effective_date: 2027-02-30")
    text = text.replace("reference: T-1\n", "reference: T-1\nreference: T-2\nrefrence: x\n")
    path.write_text(text + "principles:\n  patching:\n    position: centre\n"
                           "  pathcing:\n    omit: true\n    reason: Typo.\n")
    messages = [f"{p.field}: {p.message}" for p in check(path).problems]
    assert any("duplicate key" in m for m in messages), messages
    assert any(m.startswith("effective_date:") for m in messages), messages
    assert any("refrence" in m for m in messages), messages
    assert any(m.startswith("principles.patching.position:") for m in messages), messages
    assert "principles.pathcing: unknown principle 'pathcing'" in messages, messages
