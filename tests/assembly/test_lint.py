"""One tiny broken library per lint rule: the located message, and exit 1 from the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import AUDIT, DEFINITIONS, FRAMEWORK, GENERAL, PARAMETERS, PATCHING, write_tree
from mc2cli.cli.main import app

runner = CliRunner()

CASES: dict[str, tuple[dict[str, str | None], str]] = {
    "principle without clauses": (
        {"02-audit.yaml": None,
         "parameters.yaml": PARAMETERS.split("  - id: audit_frequency_months")[0]},
        r"framework\.yaml:\d+:\d+: error: principles\[1\]\.id: principle 'audit' has no clauses"),
    "missing position": (
        {"02-audit.yaml": AUDIT.replace('      mdm: "{{ hdo }} may review', '      #')},
        r"02-audit\.yaml:\d+:\d+: error: .*clause 'audit\.rights' has no 'mdm' position"),
    "undeclared parameter": (
        {"02-audit.yaml": AUDIT.replace("every {{ audit_frequency_months }}.\"\n      mdm",
                                        "every {{ audit_months }}.\"\n      mdm")},
        r"02-audit\.yaml:\d+:\d+: error: .*'audit_months' is not a declared parameter"),
    "unused parameter": (
        {"parameters.yaml": PARAMETERS + "  - {id: spare_days, type: days, description: x,"
                                         " default: {hdo: 1, middle: 1, mdm: 1}}\n"},
        r"parameters\.yaml:\d+:\d+: error: .*'spare_days' is declared but no clause uses it"),
    "parameter not listed on clause": (
        {"02-audit.yaml": AUDIT.replace("    parameters: [audit_frequency_months]\n", "")},
        r"02-audit\.yaml:\d+:\d+: error: .*does not list under 'parameters'"),
    "obligor disagrees with its text": (
        {"02-audit.yaml": AUDIT.replace('hdo: "{{ hdo }} may audit', 'hdo: "{{ hdo }} shall audit')},
        r"02-audit\.yaml:\d+:\d+: error: clauses\[0\]\.obligor: clause 'audit\.rights': the 'hdo' "
        r"text puts duties on the HDO, but 'obligor' is 'mdm'"),
    "default outside bounds": (
        {"parameters.yaml": PARAMETERS.replace("{hdo: 15, middle: 30, mdm: 60}",
                                               "{hdo: 15, middle: 30, mdm: 120}")},
        r"parameters\.yaml:\d+:\d+: error: parameters\[0\]\.default\.mdm: default for 'mdm' "
        r"\(120\) lies outside its bounds"),
    "undefined capitalization of a defined term": (
        {"01-patching.yaml": PATCHING.replace("install validated updates",
                                              "install each security patch")},
        r"01-patching\.yaml:\d+:\d+: error: .*'security patch' is the defined term "
        r"'Security Patch' in other capitalization"),
    # Non-ASCII text is searched without the lower-case shortcut: the long s matches an 's'
    # when case is ignored, and str.lower() leaves it as it is.
    "undefined capitalization in non-ASCII text": (
        {"01-patching.yaml": PATCHING.replace("install validated updates",
                                              "install each \u017fecurity patch")},
        r"01-patching\.yaml:\d+:\d+: error: .*'" "\u017f" r"ecurity patch' is the defined term "
        r"'Security Patch' in other capitalization"),
    "defined term unused": (
        {"definitions.yaml": DEFINITIONS + "  - {term: Gadget, text: means a thing.}\n"},
        r"definitions\.yaml:\d+:\d+: error: .*defined term 'Gadget' is not used"),
    "unresolved reference": (
        {"01-patching.yaml": PATCHING.replace("ref('patching.install')",
                                              "ref('patching.instal')")},
        r"01-patching\.yaml:\d+:\d+: error: .*ref\('patching\.instal'\): no such clause"),
    "duplicate clause id": (
        {"02-audit.yaml": AUDIT.replace("id: audit.rights", "id: patching.timeline")
         .replace("    parameters: [audit_frequency_months]\n", "")
         .replace("{{ audit_frequency_months }}", "year"),
         "parameters.yaml": PARAMETERS.split("  - id: audit_frequency_months")[0]},
        r"02-audit\.yaml:\d+:\d+: error: .*clause id 'patching\.timeline' is used twice"),
    "text that does not render": (
        {"01-patching.yaml": PATCHING.replace("install validated updates when convenient",
                                              "install updates {{ mdm.value.x }}")},
        r"01-patching\.yaml:\d+:\d+: error: .*'.x' is not allowed in clause text"),
    "unsafe text": (
        {"01-patching.yaml": PATCHING.replace("install validated updates when convenient",
                                              "install ![x](/etc/passwd)")},
        r"01-patching\.yaml:\d+:\d+: error: .*text contains an image"),
    "bad same-as": (
        {"02-audit.yaml": AUDIT.replace('      mdm: "{{ hdo }} may review {{ mdm }}\'s reports'
                                        ' every {{ audit_frequency_months }}."',
                                        "      mdm: {same-as: mdm}")},
        r"02-audit\.yaml:\d+:\d+: error: .*'mdm' says same-as 'mdm', which is not a text"),
}


def _library(root: Path, changes: dict[str, str | None]) -> Path:
    files = {"framework.yaml": FRAMEWORK, "01-patching.yaml": PATCHING, "02-audit.yaml": AUDIT,
             "general.yaml": GENERAL, "parameters.yaml": PARAMETERS,
             "definitions.yaml": DEFINITIONS}
    merged: dict[str, str | None] = {**files, **changes}
    write_tree(root, {f"lib/{k}": v for k, v in merged.items() if v is not None})
    return root / "lib"


def test_the_tiny_library_is_clean(tmp_path: Path) -> None:
    result = runner.invoke(app, ["library", "lint", "--library", str(_library(tmp_path, {}))])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule(name: str, tmp_path: Path) -> None:
    changes, expected = CASES[name]
    lib = _library(tmp_path, changes)
    result = runner.invoke(app, ["library", "lint", "--library", str(lib)])
    assert result.exit_code == 1, result.output
    assert re.search(expected, result.output), result.output
    assert "Traceback" not in result.output


def test_ids_inside_jinja_are_not_prose(tmp_path: Path) -> None:
    """A ref('vulnerability.x') is an id, not a mis-capitalized 'Vulnerability'."""
    patched = PATCHING.replace("id: patching.install", "id: patching.vulnerability-fix") \
        .replace("ref('patching.install')", "ref('patching.vulnerability-fix')")
    lib = _library(tmp_path, {"01-patching.yaml": patched})
    result = runner.invoke(app, ["library", "lint", "--library", str(lib)])
    assert result.exit_code == 0, result.output


def test_problems_inside_a_text_point_at_their_own_line(tmp_path: Path) -> None:
    patched = PATCHING.replace(
        "        {{ hdo }} shall install validated updates when convenient.\n",
        "        {{ hdo }} shall install validated updates\n        when convenient {% for x in y %}{% endfor %}.\n")
    lib = _library(tmp_path, {"01-patching.yaml": patched})
    result = runner.invoke(app, ["library", "lint", "--library", str(lib)])
    lines = (lib / "01-patching.yaml").read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "{% for" in line)
    assert f"01-patching.yaml:{expected}:1: error: " in result.output, result.output


def test_definitions_keep_to_the_clause_text_language(tmp_path: Path) -> None:
    bomb = DEFINITIONS.replace(
        "text: means an update that fixes a Vulnerability.",
        "text: \"means {% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
        "{% endfor %} an update that fixes a Vulnerability.\"")
    lib = _library(tmp_path, {"definitions.yaml": bomb})
    result = runner.invoke(app, ["library", "lint", "--library", str(lib)])
    assert result.exit_code == 1
    assert "definition of 'Security Patch': 'for' is not allowed in clause text" in result.output


def test_notes_are_checked_like_texts(tmp_path: Path) -> None:
    lib = _library(tmp_path, {"02-audit.yaml": AUDIT.replace(
        "    notes: Audit.", "    notes: \"Audit <script>x()</script>\"")})
    result = runner.invoke(app, ["library", "lint", "--library", str(lib)])
    assert result.exit_code == 1 and "notes of 'audit.rights' contain raw HTML" in result.output
