"""Renderer limits are caught by check and library lint (exit 1, located, the limit named),
and a text at the limits builds in every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DEAL, library_files, write_tree
from mc2cli.assembly.render import MAX_BLOCK_DEPTH, MAX_BRACKET_DEPTH, MAX_TAG_CHARS
from mc2cli.cli.main import app
from mc2cli.inputs.markdown import MAX_CONTAINER_DEPTH, MAX_EMPHASIS_DEPTH

runner = CliRunner()


def _emphasis(n: int) -> str:
    opening = "".join(("*" if i % 2 else "_") + "w " for i in range(n))
    closing = "".join(" w" + ("*" if i % 2 else "_") for i in reversed(range(n)))
    return opening + "x" + closing


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


TOO_DEEP = {
    "120 nested if": ("{% if mdm %}" * 120 + "x" + "{% endif %}" * 120,
                      f"blocks nested more than {MAX_BLOCK_DEPTH} deep"),
    "1000 parentheses": ("{{ " + "(" * 1000 + "mdm" + ")" * 1000 + " }}",
                         f"(the limit is {MAX_TAG_CHARS})"),
    "25 nested brackets": ("{{ " + "(" * 25 + "mdm" + ")" * 25 + " }}",
                           f"brackets nested 25 deep (the limit is {MAX_BRACKET_DEPTH})"),
    "unclosed parentheses": ("{{ " + "(" * 1000 + "mdm", "too deeply nested"),
    "3000 nested emphases": (_emphasis(3000), f"nested more than {MAX_EMPHASIS_DEPTH} deep"),
    "40 nested lists": ("".join("  " * i + "- item\n" for i in range(40)),
                        f"nested more than {MAX_CONTAINER_DEPTH} deep"),
    "50 nested quotes": ("> " * 50 + "quote", f"nested more than {MAX_CONTAINER_DEPTH} deep"),
}


def _deal_with(text: str) -> str:
    return (DEAL + "extra_clauses:\n  - id: deal.extra\n    principle: patching\n"
            "    title: Extra\n    obligor: mdm\n    reason: Asked for.\n"
            f"    text: {_quoted(text)}\n")


@pytest.mark.parametrize("case", sorted(TOO_DEEP))
def test_check_refuses_what_the_renderers_do_not_survive(tmp_path: Path, case: str) -> None:
    text, message = TOO_DEEP[case]
    write_tree(tmp_path, {**library_files(), "deal.yaml": _deal_with(text)})
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1, result.output
    assert "deal.yaml:" in result.output and message in result.output, result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("case", sorted(TOO_DEEP))
def test_library_lint_refuses_them_too(tmp_path: Path, case: str) -> None:
    text, message = TOO_DEEP[case]
    lib = library_files()
    lib["lib/02-audit.yaml"] = lib["lib/02-audit.yaml"].replace(
        'hdo: "{{ hdo }} may audit {{ mdm }} every {{ audit_frequency_months }}."',
        f"hdo: {_quoted(text + ' {{ audit_frequency_months }}')}")
    write_tree(tmp_path, {**lib, "deal.yaml": DEAL})
    if case == "unclosed parentheses":  # the text's own '}}' closes the tag here
        message = f"(the limit is {MAX_TAG_CHARS})"
    result = runner.invoke(app, ["library", "lint", "-L", str(tmp_path / "lib")])
    assert result.exit_code == 1, result.output
    assert "02-audit.yaml:" in result.output and message in result.output, result.output
    check = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert check.exit_code == 1 and message in check.output, check.output


def test_a_text_at_every_limit_builds_in_every_format(tmp_path: Path) -> None:
    depth = MAX_CONTAINER_DEPTH
    lists = "".join("  " * i + "- item\n" for i in range(depth))
    quotes = "> " * depth + "a quote"
    conditions = "{% if mdm %}" * MAX_BLOCK_DEPTH + "nested" + "{% endif %}" * MAX_BLOCK_DEPTH
    brackets = "{{ " + "(" * MAX_BRACKET_DEPTH + "mdm" + ")" * MAX_BRACKET_DEPTH + " }}"
    text = (f"{{{{ mdm }}}} shall {_emphasis(MAX_EMPHASIS_DEPTH)} {conditions} {brackets}.\n\n"
            f"{lists}\n{quotes}\n")
    write_tree(tmp_path, {**library_files(), "deal.yaml": _deal_with(text)})
    result = runner.invoke(app, ["build", str(tmp_path / "deal.yaml"), "-o",
                                 str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {
        "contract.md", "contract.docx", "contract.pdf", "contract.html"}
