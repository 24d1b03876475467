"""mc2 diff: choices and text compared, OLD NEW and --rev against real git repositories."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from typer.testing import CliRunner

from conftest import (
    LAKESIDE,
    OMIT_RISK,
    changed_deal,
    diff_json,
    needs_git,
    parts,
)
from mc2cli.cli.main import app
from mc2cli.review.diff import diff_files

runner = CliRunner()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def tracked(docx_bytes: bytes) -> tuple[list[str], list[str]]:
    """The text of each w:ins and each w:del in document.xml, in order."""
    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml")
    root = ElementTree.fromstring(xml)
    inserted = ["".join(t.text or "" for t in e.iter(f"{W}t")) for e in root.iter(f"{W}ins")]
    deleted = ["".join(t.text or "" for t in e.iter(f"{W}delText"))
               for e in root.iter(f"{W}del")]
    return [t for t in inserted if t], [t for t in deleted if t]


# --- the acceptance test: one parameter changed in a committed deal ---------------------------

@needs_git
def test_rev_shows_exactly_the_changed_parameter_and_its_clauses(repo: Path) -> None:
    deal = repo / "deal.yaml"
    deal.write_text(deal.read_text() + "parameters:\n  patch_days: 20\n", encoding="utf-8")
    data = diff_json(str(deal), "--rev", "HEAD")
    assert data["choices"] == [{
        "kind": "parameter", "target": "patch_days", "old": "30 days", "new": "20 days",
        "old_reason": None, "new_reason": None, "clauses": ["patching.timeline"]}]
    assert parts(data) == [("patching.timeline", "2.1 Patch Timeline", "changed"),
                           (None, "Schedule A: Key Terms", "changed")]
    assert data["old"] == {"label": "HEAD:deal.yaml", "title": "Test Addendum",
                           "library": "TEST 1"}

    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "parameter patch_days: 30 days -> 20 days (in patching.timeline)" in result.stdout
    assert "within [-thirty (30)-]{+twenty (20)+} days, see Section 2.2." in result.stdout
    assert "| Patch time frame | [-30-]{+20+} days | 2.1 |" in result.stdout
    assert "patching.install" not in result.stdout and "audit" not in result.stdout


@needs_git
def test_rev_redline_tracks_exactly_the_changed_words(repo: Path) -> None:
    deal = repo / "deal.yaml"
    deal.write_text(deal.read_text() + "parameters:\n  patch_days: 20\n", encoding="utf-8")
    target = repo / "out" / "redline.docx"
    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD", "--redline", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    data = target.read_bytes()
    assert tracked(data) == (["twenty (20)", "20"], ["thirty (30)", "30"])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count('w:author="mc2" w:date="2026-01-01T00:00:00Z"') == 4
    opened = docx.Document(io.BytesIO(data))
    assert any("Patch Timeline" in p.text for p in opened.paragraphs)
    assert [p.name for p in target.parent.iterdir()] == ["redline.docx"]  # no temporary left

    again = repo / "again.docx"
    runner.invoke(app, ["diff", str(deal), "--rev", "HEAD", "--redline", str(again)])
    assert again.read_bytes() == data


# --- two deal files ------------------------------------------------------------------------------

def test_old_new_lists_every_kind_of_choice(tiny: Path) -> None:
    data = diff_json(str(tiny / "deal.yaml"), str(changed_deal(tiny)))
    choices = data["choices"]
    assert isinstance(choices, list)
    assert [(c["kind"], c["target"], c["old"], c["new"], c["new_reason"]) for c in choices] == [
        ("omit-principle", "audit", "included", "omitted", "Audit rights are in the MSA."),
        ("position", "patching.install", "middle", "hdo",
         "Clinical engineering installs in batches."),
        ("parameter", "patch_days", "30 days", "20 days", None),
        ("extra-clause", "deal.training", None, "Training", "Requested by clinical engineering."),
    ]
    assert parts(data) == [
        ("patching.timeline", "2.1 Patch Timeline", "changed"),
        ("patching.install", "2.2 Installing Patches", "changed"),
        (None, "3. Audit", "removed"),
        ("audit.rights", "3.1 Audit Rights", "removed"),
        ("deal.training", "2.3 Training", "added"),
        (None, "Schedule A: Key Terms", "changed"),
        (None, "Schedule B: Responsibility Matrix", "changed"),
    ]
    text = data["text"]
    assert isinstance(text, list)
    renumbered = data["renumbered"]
    assert isinstance(renumbered, dict)
    assert "general.precedence" in renumbered["parts"]  # renumbered only: one line


def test_old_new_text_output(tiny: Path) -> None:
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), str(changed_deal(tiny))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "principle audit: included -> omitted" in out
    assert "reason: (none) -> Audit rights are in the MSA." in out
    assert "extra clause deal.training: added (Training)" in out
    # a part renumbered and otherwise unchanged is one line, not its text
    assert "  renumbered: 4 -> 3 (2 parts changed only so)" in out
    assert "Order of Precedence" not in out
    assert "Customer shall install [-each -]validated [-Security Patch promptly.-]" \
           "{+updates when convenient.+}" in out
    assert "{+Supplier shall train clinical engineering once a year.+}" in out


def test_a_reason_changed_alone_is_a_choice(tiny: Path) -> None:
    old = changed_deal(tiny, "clauses:\n  patching.install: {position: hdo, reason: Old.}\n")
    new = tiny / "newer.yaml"
    new.write_text(old.read_text().replace("reason: Old.", "reason: New."), encoding="utf-8")
    data = diff_json(str(old), str(new))
    assert data["choices"] == [{"kind": "position", "target": "patching.install",
                                "old": "hdo", "new": "hdo", "old_reason": "Old.",
                                "new_reason": "New.", "clauses": ["patching.install"]}]
    assert data["text"] == []
    assert data["changed"] is True


def test_clause_omissions_and_extra_clause_changes(tiny: Path) -> None:
    old = changed_deal(tiny)
    new = tiny / "newer.yaml"
    new.write_text(old.read_text().replace("once a year", "twice a year"), encoding="utf-8")
    data = diff_json(str(old), str(new))
    choices = data["choices"]
    assert isinstance(choices, list)
    assert [(c["kind"], c["target"], c["old"], c["new"]) for c in choices] == [
        ("extra-clause", "deal.training", "Training", "Training")]
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert "extra clause deal.training: changed (Training)" in result.stdout
    assert "[-once-]{+twice+} a year." in result.stdout

    omitted = tiny / "omitted.yaml"
    omitted.write_text((tiny / "deal.yaml").read_text()
                       + "clauses:\n  audit.rights: {omit: true, reason: In the MSA.}\n",
                       encoding="utf-8")
    data = diff_json(str(tiny / "deal.yaml"), str(omitted))
    assert data["choices"] == [{"kind": "omit-clause", "target": "audit.rights",
                                "old": "included", "new": "omitted", "old_reason": None,
                                "new_reason": "In the MSA.", "clauses": ["audit.rights"]}]
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), str(omitted)])
    assert "clause audit.rights: included -> omitted" in result.stdout


def test_json_is_stable_with_sorted_keys(tiny: Path) -> None:
    args = ["diff", str(tiny / "deal.yaml"), str(changed_deal(tiny)), "--format", "json"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert first.stdout == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert sorted(data) == ["changed", "choices", "format", "mc2_version", "new", "old",
                            "renumbered", "text"]
    assert data["renumbered"] == {"numbers": "4 -> 3", "parts": ["General Terms",
                                                                 "general.precedence"]}
    assert data["format"] == 1
    block = data["text"][0]["blocks"][0]
    assert block == {"status": "changed", "segments": [
        {"op": "equal", "text": "Supplier shall provide each Security Patch within "},
        {"op": "delete", "text": "thirty (30)"}, {"op": "insert", "text": "twenty (20)"},
        {"op": "equal", "text": " days, see Section 2.2."}]}


def test_exit_code(tiny: Path) -> None:
    deal, new = str(tiny / "deal.yaml"), str(changed_deal(tiny))
    same = runner.invoke(app, ["diff", deal, deal, "--exit-code"])
    assert same.exit_code == 0
    assert same.stdout == f"No differences between {deal} and {deal}.\n"
    assert runner.invoke(app, ["diff", deal, new]).exit_code == 0
    assert runner.invoke(app, ["diff", deal, new, "--exit-code"]).exit_code == 1
    assert runner.invoke(app, ["diff", deal, new, "--exit-code", "-f", "json"]).exit_code == 1


def _run_mc2(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "mc2cli", *args], capture_output=True,
                          text=True, env={**environ, **env}, timeout=120, check=False)


def test_a_pipe_gets_no_color_codes_and_a_terminal_does(tiny: Path) -> None:
    args = ["diff", str(tiny / "deal.yaml"), str(changed_deal(tiny))]
    piped = _run_mc2(args)
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout
    assert "[-thirty (30)-]{+twenty (20)+}" in piped.stdout
    colored = _run_mc2(args, FORCE_COLOR="1")
    assert "\x1b[" in colored.stdout


def test_library_option_applies_to_both_sides(tiny: Path) -> None:
    data = diff_json(str(tiny / "deal.yaml"), str(changed_deal(tiny)), "-L", str(tiny / "lib"))
    assert data["changed"] is True


def test_an_invalid_deal_is_an_input_error(tiny: Path) -> None:
    bad = changed_deal(tiny, "clauses:\n  patching.timline: {position: hdo}\n")
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), str(bad)])
    assert result.exit_code == 1
    assert "new.yaml:" in result.output and "did you mean 'patching.timeline'?" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["diff"], ["diff", "deal.yaml"], ["diff", "deal.yaml", "deal.yaml", "deal.yaml"],
    ["diff", "deal.yaml", "deal.yaml", "--rev", "HEAD"], ["diff", "nope.yaml", "deal.yaml"],
    ["diff", "lib", "deal.yaml"], ["diff", "deal.yaml", "deal.yaml", "--redline", "x.pdf"],
    ["diff", "deal.yaml", "deal.yaml", "--format", "xml"],
])
def test_usage_errors_exit_2(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                             args: list[str]) -> None:
    monkeypatch.chdir(tiny)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_redline_of_two_files_and_a_deleted_clause(tiny: Path) -> None:
    target = tiny / "redline.docx"
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), str(changed_deal(tiny)),
                                 "--redline", str(target)])
    assert result.exit_code == 0, result.output
    inserted, deleted = tracked(target.read_bytes())
    assert "Customer may audit Supplier every twelve (12) months." in deleted
    assert "Supplier shall train clinical engineering once a year." in inserted


def test_the_core_compares_without_the_command_line(tiny: Path) -> None:
    result = diff_files(tiny / "deal.yaml", tiny / "deal.yaml")
    assert not result.changed
    assert all(p.status == "equal" for p in result.parts)


def test_examples_compare_in_both_directions() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    a, b = root / "lakeside-infusion" / "deal.yaml", root / "riverside-mri" / "deal.yaml"
    forward, backward = diff_files(a, b), diff_files(b, a)
    assert forward.changed and backward.changed
    assert {c.target for c in forward.choices} == {c.target for c in backward.choices}
    assert len(forward.changed_parts) == len(backward.changed_parts)


# --- --rev -----------------------------------------------------------------------------------------


EXAMPLE = LAKESIDE


def test_renumbering_is_one_line_in_text_json_and_redline(tmp_path: Path) -> None:
    """Before: of the changed parts most were only [-14.1-]{+15.1+}."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(EXAMPLE.read_text() + OMIT_RISK)
    new.write_text(EXAMPLE.read_text())
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    renumbered = [line for line in lines if "renumbered:" in line]
    assert renumbered == ["  renumbered: 4-15 -> 5-16 (85 parts changed only so)"], renumbered
    assert not any("[-4.1-]" in line or "{+15.1+}" in line for line in lines)
    assert "Security Risk Management Process [risk.security-risk-management]: added" \
        in result.stdout
    data = json.loads(runner.invoke(app, ["diff", "-f", "json", str(old), str(new)]).stdout)
    assert data["renumbered"]["numbers"] == "4-15 -> 5-16"
    assert len(data["renumbered"]["parts"]) > 10
    texts = {part["clause"] for part in data["text"]}
    assert texts.isdisjoint(data["renumbered"]["parts"])
    target = tmp_path / "redline.docx"
    assert runner.invoke(app, ["diff", str(old), str(new), "--redline",
                               str(target)]).exit_code == 0
    with zipfile.ZipFile(target) as z:
        comments = z.read("word/comments.xml").decode()
        document = z.read("word/document.xml").decode()
    assert comments.count("<w:comment ") == 1 and "4-15 -&gt; 5-16" in comments
    assert document.count("<w:commentReference ") == 1
    # a renumbered clause's number is not a tracked change
    deleted = re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", document)
    assert not [d for d in deleted if re.fullmatch(r"\s*\d+\.\d+\s*", d)], deleted


def test_text_diff_shows_text_as_printed_without_escapes(tiny: Path) -> None:
    old = tiny / "deal.yaml"
    new = tiny / "new.yaml"
    new.write_text(old.read_text().replace("name: Lakeside Health", "name: Lakeside Health")
                   .replace("    name: Acme Devices, Inc.\n",
                            "    name: Acme Devices, Inc.\n    short_name: St. Mary's\n"))
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "St. Mary's" in result.stdout and "\\'" not in result.stdout
    data = runner.invoke(app, ["diff", "-f", "json", str(old), str(new)]).stdout
    assert "St. Mary's" in data and "\\\\'" not in data
