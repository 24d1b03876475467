"""Pydantic errors mapped back to the user's YAML: path, line, column, did-you-mean."""

from __future__ import annotations

from pathlib import Path

from mc2cli.errors import Problem
from mc2cli.inputs.models import Deal, Framework
from mc2cli.inputs.validate import validate, validate_lenient
from mc2cli.inputs.yamlload import load_text


def _problems(cls: type, text: str) -> list[Problem]:
    problems: list[Problem] = []
    validate(cls, load_text(text, "x.yaml"), problems)
    return problems


def test_capitalized_and_odd_keys_keep_their_location() -> None:
    for key in ("Title", "0[", "str"):
        problems: list[Problem] = []
        doc = load_text(f"mc2: 1\n{key}: x\n", "x.yaml")
        validate_lenient(Deal, doc, problems)
        unknown = [p for p in problems if "unknown key" in p.message]
        assert [(p.line, p.col, p.field) for p in unknown] == [(2, 1, key)], problems


def test_unknown_key_did_you_mean() -> None:
    problems = _problems(Framework, "framework: X\neditoin: '1'\n")
    extra = next(p for p in problems if "unknown key" in p.message)
    assert extra.hint == "did you mean 'edition'?"
    assert (extra.line, extra.col) == (2, 1)


def test_union_tags_do_not_leak_into_field_paths() -> None:
    problems: list[Problem] = []
    doc = load_text("mc2: 1\nlibrary: {a: 1}\n", "x.yaml")
    validate_lenient(Deal, doc, problems)
    lib = [p for p in problems if p.field.startswith("library")]
    assert lib and all(p.field == "library" for p in lib)


def test_missing_field_is_located_at_its_parent() -> None:
    problems: list[Problem] = []
    doc = load_text("mc2: 1\nparties:\n  hdo: {name: A}\n", "x.yaml")
    validate_lenient(Deal, doc, problems)
    address = next(p for p in problems if p.field == "parties.hdo.address")
    assert address.message == "is required" and address.line == 3


def test_an_item_missing_a_field_does_not_hide_the_rest_of_the_file(tmp_path: Path) -> None:
    from mc2cli.pipeline import check
    root = tmp_path
    lakeside = Path(__file__).resolve().parents[2] / "examples" / "lakeside-infusion"
    deal = root / "deal.yaml"
    deal.write_text((lakeside / "deal.yaml").read_text() + """\
clauses:
  patching.timline: {position: hdo}
extra_clauses:
  - id: deal.x
    principle: data-protection
    title: X
    text: "{{ mdm }} shall do X."
""")
    messages = [p.message for p in check(deal).errors]
    assert "is required" in messages  # the extra clause's obligor
    assert "unknown clause 'patching.timline'" in messages  # found in the same run
