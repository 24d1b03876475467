"""Placeholders: values `mc2 init` marks `# edit:` (and its starter address and signatory)
are warnings located at their field, errors under --strict, in check and build alike."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.inputs.placeholders import placeholder_problems
from mc2cli.inputs.yamlload import load_text
from mc2cli.pipeline import check

runner = CliRunner()


def _problems(text: str) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.col, p.field, p.message) for p in placeholder_problems(load_text(text, "d"))]


def test_a_marked_value_is_located_at_its_outermost_field() -> None:
    found = _problems(
        "governing_law: the State of New York   # edit: usually the master agreement's law\n"
        "parties:\n"
        "  hdo:\n"
        "    signatory: {name: Jane Doe, title: CEO}  # Edit: who signs\n"
        "products:\n"
        "  - {name: Pump, model: P-1}  #edit: name and model\n"
        "reference: R-1   # edit\n")
    assert found == [
        (1, 1, "governing_law", "'the State of New York' is a placeholder, marked "
                                "'# edit: usually the master agreement's law'"),
        (4, 5, "parties.hdo.signatory", "'Jane Doe, CEO' is a placeholder, marked "
                                        "'# Edit: who signs'"),
        (6, 5, "products[0]", "'Pump, P-1' is a placeholder, marked '# edit: name and model'"),
        (7, 1, "reference", "'R-1' is a placeholder, marked '# edit'"),
    ]


def test_only_a_comment_after_a_value_is_a_marker() -> None:
    assert _problems(
        "# edit: a comment line says nothing about a value\n"
        "title: \"Agreement # edit: inside quotes is text\"\n"
        "reason: 'it''s # edit: text too'\n"
        "notes: |\n"
        "  a block # edit: is text\n"
        "reference: A#edit:no-space-before-the-hash\n"
        "position: middle  # default position; edit: not at the start\n"
        "library: builtin  # editor: a word that starts like the marker\n") == []


def test_the_starter_address_and_signatory_warn_without_a_marker() -> None:
    found = _problems("parties:\n"
                      "  mdm:\n"
                      "    address: Principal office address\n"
                      "    signatory: {name: Authorized Signatory, title: Authorized Officer}\n")
    assert [(line, field) for line, _col, field, _m in found] == [
        (3, "parties.mdm.address"), (4, "parties.mdm.signatory.name")]


def test_a_marked_starter_value_warns_once() -> None:
    found = _problems("parties:\n"
                      "  mdm:\n"
                      "    address: Principal office address  # edit: the address\n")
    assert len(found) == 1


def _init(tmp_path: Path) -> Path:
    deal = tmp_path / "deal.yaml"
    assert runner.invoke(app, ["init", str(deal), "--hdo", "Lakeside Regional Health System",
                               "--mdm", "Acme Infusion Systems, Inc."]).exit_code == 0
    return deal


def _edit(deal: Path, old: str, new: str) -> None:
    text = deal.read_text()
    assert old in text
    deal.write_text(text.replace(old, new, 1))


def test_an_init_deal_fails_strict_until_its_placeholders_are_replaced(tmp_path: Path) -> None:
    deal = _init(tmp_path)
    first = check(deal)
    assert not first.errors and first.contract is not None
    fields = [p.field for p in first.problems if p.rule == "placeholder"]
    assert fields == ["effective_date", "governing_law", "parties.hdo.address",
                      "parties.hdo.signatory", "parties.mdm.address", "parties.mdm.signatory",
                      "products[0]"]
    assert len(check(deal, strict=True).errors) == len(fields)
    # A value replaced but still marked still warns: the marker is the signal.
    _edit(deal, "address: Principal office address", "address: 1 Lake Road, Lakeside")
    assert len(check(deal).problems) == len(fields)
    # A marker deleted from a starter value does not hide it.
    _edit(deal, "signatory: {name: Authorized Signatory, title: Authorized Officer}  # edit: "
                "who signs", "signatory: {name: Authorized Signatory, title: Authorized Officer}")
    assert "parties.hdo.signatory.name" in [p.field for p in check(deal).problems]
    # Each value replaced and its marker deleted: strict passes.
    lines = []
    for line in deal.read_text().splitlines():
        if not line.startswith("#"):
            line = line.split("# edit:")[0].rstrip()
        lines.append(line.replace("Principal office address", "1 Lake Road, Lakeside")
                     .replace("Authorized Signatory", "Jane Doe"))
    deal.write_text("\n".join(lines) + "\n")
    strict = check(deal, strict=True)
    assert strict.problems == [] and strict.contract is not None


def test_build_prints_placeholders_and_refuses_them_under_strict(tmp_path: Path) -> None:
    deal = _init(tmp_path)
    built = runner.invoke(app, ["build", str(deal), "-o", str(tmp_path / "out"), "-t", "md"])
    assert built.exit_code == 0, built.output
    assert "deal.yaml:16:5: warning: parties.hdo.address: 'Principal office address' is a " \
           "placeholder" in built.output
    assert "hint: replace it with the deal's own value and delete the '# edit:'" in built.output
    refused = runner.invoke(app, ["build", "--strict", str(deal), "-o", str(tmp_path / "o2"),
                                  "-t", "md"])
    assert refused.exit_code == 1
    assert "deal.yaml:16:5: error: parties.hdo.address" in refused.output
    assert not (tmp_path / "o2").exists()
