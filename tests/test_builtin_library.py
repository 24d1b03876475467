"""The built-in library: complete, lint-clean, and every clause renders in every position."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from mc2cli.assembly.lint import lint_library
from mc2cli.authoring.catalog import load_layers, show_clause
from mc2cli.cli.main import app
from mc2cli.inputs.library import GENERAL, Library
from mc2cli.inputs.models import POSITIONS, SameAs

runner = CliRunner()


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_layers(None)


def test_lint_is_clean(lib: Library) -> None:
    problems = lint_library(lib)
    assert problems == [], "\n".join(p.format() for p in problems)
    result = runner.invoke(app, ["library", "lint"])
    assert result.exit_code == 0 and "0 errors, 0 warnings" in result.output


def test_counts(lib: Library) -> None:
    per = Counter(lc.section for lc in lib.clauses.values() if lc.section != GENERAL)
    assert len(per) == 14
    assert min(per.values()) >= 4
    assert sum(per.values()) >= 56
    shared = [lc for lc in lib.clauses.values()
              if lc.section != GENERAL and lc.clause.obligor in ("hdo", "both")]
    assert len(shared) >= 10
    assert len(lib.definitions) >= 25
    assert len(lib.section_clauses(GENERAL)) >= 3


def test_positions_differ_and_same_as_is_rare(lib: Library) -> None:
    texts = same = 0
    for lc in lib.clauses.values():
        if lc.section == GENERAL:
            continue
        for pos in POSITIONS:
            texts += 1
            same += isinstance(lc.clause.positions[pos], SameAs)
        written = {lc.clause.text(p) for p in POSITIONS}
        assert len(written) >= 2, lc.clause.id
    assert same <= texts // 4


def test_middle_defaults_follow_the_sourced_figures(lib: Library) -> None:
    middle = {pid: p.default["middle"] for pid, (p, _w) in lib.parameters.items()}
    assert middle["patch_days"] == "30"
    assert middle["kev_notice_business_days"] == "3"
    assert middle["breach_notice_days"] == "5"
    assert middle["os_support_remaining_years"] == "2"
    assert [middle[k] for k in ("eol_notice_months", "end_of_guaranteed_support_notice_months",
                                "end_of_support_notice_months",
                                "end_of_training_notice_months")] == ["24", "24", "36", "24"]
    assert middle["data_location"] == "the United States"


def test_every_clause_has_references_and_notes(lib: Library) -> None:
    for cid, lc in lib.clauses.items():
        assert lc.clause.notes.strip(), cid
        if lc.section != GENERAL:
            assert lc.clause.references, cid


def test_every_clause_renders_in_every_position(lib: Library) -> None:
    for cid in lib.clauses:
        text = show_clause(None, cid)  # renders hdo, middle and mdm with their defaults
        assert "does not render" not in text, cid
        assert text.count("\n--- ") == 3, cid
        assert not re.search(r"Section [a-z-]+\.[a-z]", text), cid  # references show numbers


def test_no_placeholder_text(lib: Library) -> None:
    for cid, lc in lib.clauses.items():
        for pos in POSITIONS:
            text = lc.clause.text(pos)
            for bad in ("TBD", "[insert", "XXX", "TODO", "lorem"):
                assert bad.lower() not in text.lower(), (cid, pos, bad)


def test_list_and_show_commands() -> None:
    result = runner.invoke(app, ["library", "list", "--principle", "security-patching"])
    assert result.exit_code == 0
    assert "patching.critical-timeline" in result.stdout
    assert "sdl." not in result.stdout
    bad = runner.invoke(app, ["library", "list", "--principle", "security-patchin"])
    assert bad.exit_code == 1 and "did you mean 'security-patching'?" in bad.output
    shown = runner.invoke(app, ["library", "show", "patching.critical-timeline"])
    assert shown.exit_code == 0
    for part in ("--- hdo", "--- middle", "--- mdm", "patch_critical_days (days)", "notes:",
                 "references:"):
        assert part in shown.stdout
    missing = runner.invoke(app, ["library", "show", "patching.critical-timelin"])
    assert missing.exit_code == 1 and "did you mean" in missing.output
