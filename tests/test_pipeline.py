"""check() and build() on the tiny library: precedence, numbering, references, definitions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mc2cli.errors import InputError
from mc2cli.pipeline import build, check


def _deal(root: Path, extra: str) -> Path:
    path = root / "deal.yaml"
    path.write_text(path.read_text() + extra)
    return path


def test_valid_deal_assembles(tiny: Path) -> None:
    result = check(tiny / "deal.yaml")
    assert result.errors == []
    assert result.contract is not None
    numbers = [(c.id, c.number) for c in result.contract.clauses]
    assert numbers == [("patching.timeline", "2.1"), ("patching.install", "2.2"),
                       ("audit.rights", "3.1"), ("general.precedence", "4.1")]


def test_precedence_last_wins(tiny: Path) -> None:
    path = _deal(tiny, """\
position: mdm
reason: The supplier is a start-up.
parameters:
  patch_days: 45
principles:
  patching:
    position: hdo
    reason: Patching matters most.
clauses:
  patching.timeline:
    parameters: {patch_days: 20}
""")
    contract = check(path).contract
    assert contract is not None
    by_id = {c.id: c for c in contract.clauses}
    assert by_id["patching.timeline"].position == "hdo"
    assert "twenty (20) days" in by_id["patching.timeline"].text
    assert by_id["audit.rights"].position == "mdm"
    assert "twenty-four (24) months" in by_id["audit.rights"].text


def test_references_resolve_to_assigned_numbers(tiny: Path) -> None:
    contract = check(tiny / "deal.yaml").contract
    assert contract is not None
    assert "see Section 2.2" in contract.clauses[0].text


def test_reference_to_an_omitted_clause_is_an_error_naming_both(tiny: Path) -> None:
    path = _deal(tiny, "clauses:\n  patching.install:\n    omit: true\n    reason: n/a\n")
    result = check(path)
    assert any("'patching.install' is omitted, but clause 'patching.timeline' refers to it"
               in p.message for p in result.errors)


def test_definitions_hold_exactly_the_terms_used(tiny: Path) -> None:
    contract = check(tiny / "deal.yaml").contract
    assert contract is not None
    # "Vulnerability" is used only inside the definition of "Security Patch".
    assert [t for t, _ in contract.definitions] == ["Security Patch", "Vulnerability"]
    path = _deal(tiny, "position: hdo\nreason: r\nclauses:\n  patching.install:\n"
                       "    position: hdo\n")
    contract = check(path).contract
    assert contract is not None
    assert [t for t, _ in contract.definitions] == ["Security Patch", "Vulnerability"]


def test_deviation_without_reason_warns_and_strict_fails(tiny: Path) -> None:
    path = _deal(tiny, "principles:\n  audit:\n    omit: true\n")
    result = check(path)
    assert result.errors == []
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert len(warnings) == 1 and "without a reason" in warnings[0].message
    assert re.search(r"deal\.yaml:\d+:\d+", warnings[0].format())
    assert check(path, strict=True).errors


def test_out_of_bounds_value_is_a_deviation(tiny: Path) -> None:
    path = _deal(tiny, "parameters:\n  patch_days: {value: 120, reason: Legacy fleet.}\n")
    result = check(path)
    assert result.contract is not None
    devs = [(d.kind, d.target, d.reason) for d in result.contract.deviations]
    assert ("out-of-bounds", "patch_days", "Legacy fleet.") in devs


def test_every_problem_in_one_run(tiny: Path) -> None:
    """Acceptance: typo'd key, wrong type, unknown clause, duplicate key, YAML 1.1 boolean."""
    path = _deal(tiny, """\
parameters:
  patch_days: thirty
clauses:
  patching.timline:
    position: hdo
  audit.rights:
    omit: yes
  audit.rights:
    position: mdm
""").parent / "deal.yaml"
    text = path.read_text().replace("    address: 1 Lake St", "    adress: 1 Lake St")
    path.write_text(text)
    result = check(path)
    messages = "\n".join(p.format() for p in result.errors)
    assert "unknown key 'adress'" in messages and "did you mean 'address'?" in messages
    assert "parameters.patch_days: must be a whole number" in messages
    assert "unknown clause 'patching.timline'" in messages
    assert "did you mean 'patching.timeline'?" in messages
    assert "duplicate key 'audit.rights'" in messages
    assert "omit: must be true or false; got 'yes'" in messages
    assert len(result.errors) == 5
    assert all(re.match(r".*deal\.yaml:\d+:\d+: error: ", p.format()) for p in result.errors)


def test_build_refuses_bad_input_and_writes_nothing(tiny: Path) -> None:
    path = _deal(tiny, "clauses:\n  nope.nope: {position: hdo}\n")
    out = tiny / "out"
    with pytest.raises(InputError):
        build(path, out_dir=out, formats=["md"])
    assert not out.exists()


def test_extra_clause_is_numbered_and_counted(tiny: Path) -> None:
    path = _deal(tiny, """\
extra_clauses:
  - id: deal.training
    principle: patching
    after: patching.timeline
    title: Training
    obligor: mdm
    text: "{{ mdm }} shall train staff within {{ patch_days }}."
    reason: Asked for.
""")
    contract = check(path).contract
    assert contract is not None
    ids = [(c.id, c.number) for c in contract.clauses][:3]
    assert ids == [("patching.timeline", "2.1"), ("deal.training", "2.2"),
                   ("patching.install", "2.3")]
    assert any(d.kind == "extra-clause" for d in contract.deviations)


def test_unsafe_extra_clause_is_refused(tiny: Path) -> None:
    path = _deal(tiny, """\
extra_clauses:
  - id: deal.leak
    principle: patching
    title: Leak
    obligor: mdm
    text: "![x](/etc/passwd)"
    reason: x
""")
    assert any("text contains an image" in p.message for p in check(path).errors)


def test_party_names_are_escaped_and_single_line(tiny: Path) -> None:
    path = tiny / "deal.yaml"
    path.write_text(path.read_text().replace("name: Lakeside Health",
                                             "name: \"Lakeside *Health* <b>\""))
    build(path, out_dir=tiny / "o", formats=["md"])
    md = (tiny / "o" / "contract.md").read_text()
    assert r"Lakeside \*Health\* \<b\>" in md
    path.write_text(path.read_text().replace("\"Lakeside *Health* <b>\"", "\"Two\\nlines\""))
    assert any("single line" in p.message for p in check(path).errors)


def test_values_format_for_contract_and_tables() -> None:
    from mc2cli.inputs.models import Parameter
    from mc2cli.inputs.values import plain, render

    days = Parameter.model_validate({"id": "x_days", "type": "business_days", "description": "d",
                                     "default": {"hdo": 1, "middle": 1, "mdm": 1}})
    assert render(days, 1) == "one (1) business day"
    assert plain(days, 1) == "1 business day"
    assert render(days, 2555) == "two thousand five hundred fifty-five (2,555) business days"
    assert plain(days, 2555) == "2,555 business days"
    flag = Parameter.model_validate({"id": "flag", "type": "boolean", "description": "d",
                                     "default": {"hdo": True, "middle": True, "mdm": False}})
    assert plain(flag, True) == "yes"


def test_short_names_are_plain_defined_terms(tiny: Path) -> None:
    path = tiny / "deal.yaml"
    path.write_text(path.read_text().replace("    address: 1 Lake St",
                                             "    short_name: \"*Bold*\"\n    address: 1 Lake St"))
    problems = check(path).errors
    assert any("is not a usable defined term" in p.message for p in problems)


@pytest.mark.parametrize("bad", ["Lakeside\\u2028Health", "Lakeside\\x85Health",
                                 "Lakeside\\u202eHealth", "Lakeside\\aHealth",
                                 "Lakeside\\u0000Health"])
def test_invisible_characters_are_refused(tiny: Path, bad: str) -> None:
    path = tiny / "deal.yaml"
    path.write_text(path.read_text().replace("name: Lakeside Health", f'name: "{bad}"'))
    errors = check(path).errors
    assert any(p.field == "parties.hdo.name" and "invisible character" in p.message
               for p in errors), errors


def test_negative_and_huge_figures_are_refused(tiny: Path) -> None:
    path = _deal(tiny, "parameters:\n  patch_days: {value: -5, reason: r}\n"
                       "  audit_frequency_months: 99999999999999\n")
    messages = [p.message for p in check(path).errors]
    assert "must be zero or more; got -5" in messages
    assert any("is too large" in m for m in messages)


def test_parties_need_distinct_short_names_that_are_not_defined_terms(tiny: Path) -> None:
    path = tiny / "deal.yaml"
    text = path.read_text()
    path.write_text(text.replace("    address: 2 Harbor Rd",
                                 "    short_name: Customer\n    address: 2 Harbor Rd"))
    assert any("both parties would be called 'Customer'" in p.message
               for p in check(path).errors)
    path.write_text(text.replace("    address: 2 Harbor Rd",
                                 "    short_name: Vulnerability\n    address: 2 Harbor Rd"))
    assert any("already the defined term 'Vulnerability'" in p.message
               for p in check(path).errors)


def test_empty_sections_are_empty_not_errors(tiny: Path) -> None:
    path = _deal(tiny, "principles:\nclauses:\nparameters:\nextra_clauses:\n")
    assert check(path).errors == []


def test_a_parameter_set_deal_wide_does_not_borrow_a_principle_reason(tiny: Path) -> None:
    path = _deal(tiny, "parameters:\n  patch_days: 20\nprinciples:\n  patching:\n"
                       "    position: hdo\n    reason: Principle reason.\n")
    contract = check(path).contract
    assert contract is not None
    dev = next(d for d in contract.deviations if d.target == "patch_days")
    assert dev.reason is None


def test_titles_are_escaped_everywhere(tiny: Path) -> None:
    path = _deal(tiny, """\
extra_clauses:
  - id: deal.evil
    principle: audit
    title: "Evil | col ![x](/etc/passwd)"
    obligor: mdm
    text: "{{ mdm }} shall do it."
    reason: test
""")
    build(path, out_dir=tiny / "o", formats=["md"])
    md = (tiny / "o" / "contract.md").read_text()
    assert "### 3.2 Evil \\| col !\\[x\\](/etc/passwd)" in md
    row = next(line for line in md.splitlines() if line.startswith("| 3.2 |"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert [c.strip() for c in cells][2:] == ["", "X"]
    notes = (tiny / "o" / "notes.md").read_text()
    assert "Evil \\| col" in notes


def test_the_public_surface_is_importable() -> None:
    import mc2cli
    for name in mc2cli.__all__:
        assert getattr(mc2cli, name) is not None, name
