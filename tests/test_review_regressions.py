"""One test per problem a code review found: each failed before its fix."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DEAL, PARAMETERS, library_files, write_tree
from mc2cli.cli.main import app
from mc2cli.errors import InputError, Problem, UsageError
from mc2cli.inputs.yamlload import load_text
from mc2cli.pipeline import build, check, default_out_dir

runner = CliRunner()


def _deal(root: Path, extra: str) -> Path:
    path = root / "deal.yaml"
    path.write_text(path.read_text() + extra)
    return path


def test_a_dotted_file_name_cannot_name_the_output_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="give one with -o"):
        default_out_dir(tmp_path / "...yaml")


def test_folder_scan_skips_links_out_of_the_folder(tiny: Path, tmp_path_factory:
                                                   pytest.TempPathFactory) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    secret.write_text("mc2: ghp_SECRETTOKEN123\n")
    deals = tiny / "deals"
    (deals / "x").mkdir(parents=True)
    os.symlink(secret, deals / "x" / "deal.yaml")
    (deals / "ok.yaml").write_text((tiny / "deal.yaml").read_text()
                                   .replace("library: lib", "library: ../lib"))
    result = runner.invoke(app, ["check", str(deals)])
    assert result.exit_code == 0, result.output
    assert "SECRETTOKEN" not in result.output


def test_date_bounds_on_a_count_are_a_lint_error_not_a_crash(tmp_path: Path) -> None:
    params = PARAMETERS.replace("bounds: {min: 7, max: 90}", "bounds: {min: 2027-01-01}")
    write_tree(tmp_path, {**library_files(**{"lib/parameters.yaml": params}), "deal.yaml": DEAL})
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1, result.output
    assert "bounds of a 'days' parameter must be whole numbers" in result.output


def test_a_broken_library_is_reported_without_assembling(tmp_path: Path) -> None:
    params = PARAMETERS.replace("{hdo: 15, middle: 30, mdm: 60}",
                                "{hdo: 15, middle: soon, mdm: 60}")
    write_tree(tmp_path, {**library_files(**{"lib/parameters.yaml": params}), "deal.yaml": DEAL})
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "default for 'middle' must be a whole number" in result.output


def test_rich_markup_in_a_reason_is_printed_as_text(tiny: Path) -> None:
    path = _deal(tiny, "position: hdo\nreason: \"see [/bold] and [link=file:///etc]x[/link]\"\n")
    result = runner.invoke(app, ["report", str(path)])
    assert result.exit_code == 0, result.output
    assert "[/bold]" in result.stdout


def test_a_forged_workflow_command_in_a_key_stays_on_its_line() -> None:
    line = Problem("x.yaml", 1, 1, "unknown key", field="x\n::warning title=pwn::i").format()
    assert "\n" not in line and "\\u000a::warning" in line


def test_principle_parameters_that_no_clause_uses_are_errors(tiny: Path) -> None:
    path = _deal(tiny, "principles:\n  audit:\n    parameters: {patch_days: 5}\n")
    assert any("no clause of 'audit' in this deal uses parameter 'patch_days'" in p.message
               for p in check(path).errors)


def test_empty_and_repeated_list_items(tiny: Path, tmp_path: Path) -> None:
    params = PARAMETERS + """\
  - id: formats
    type: list
    choices: {spdx: SPDX, cyclonedx: CycloneDX}
    default: {hdo: [spdx], middle: [spdx], mdm: [spdx]}
    description: d
"""
    lib = tiny / "lib"
    (lib / "parameters.yaml").write_text(params)
    (lib / "02-audit.yaml").write_text((lib / "02-audit.yaml").read_text().replace(
        "parameters: [audit_frequency_months]", "parameters: [audit_frequency_months, formats]")
        .replace("every {{ audit_frequency_months }}.\"\n      middle",
                 "every {{ audit_frequency_months }} in {{ formats }}.\"\n      middle"))
    path = _deal(tiny, "parameters:\n  formats: []\n")
    assert any(p.message == "must name at least one item" for p in check(path).errors)
    path.write_text(path.read_text().replace("formats: []", "formats: [spdx, spdx]"))
    assert any("listed twice" in p.message for p in check(path).errors)


@pytest.mark.parametrize("value", ["0", "2027", "20270101", "2027-W01-1"])
def test_dates_are_written_yyyy_mm_dd(tiny: Path, value: str) -> None:
    path = tiny / "deal.yaml"
    path.write_text(path.read_text().replace("effective_date: 2027-01-01",
                                             f"effective_date: {value}"))
    errors = check(path).errors
    assert any(p.field == "effective_date" and "YYYY-MM-DD" in p.message for p in errors)


def test_manifest_names_the_layers_that_built_it(tiny: Path) -> None:
    result = build(tiny / "deal.yaml", out_dir=tiny / "o", formats=["md"],
                   library=[tiny / "lib"])
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest["library"]["layers"] == ["lib"]


def test_csv_cells_are_plain_and_never_formulas(tiny: Path) -> None:
    path = _deal(tiny, "position: hdo\nreason: \"=HYPERLINK(1) | pipes\"\n")
    out = tiny / "csv"
    assert runner.invoke(app, ["report", str(path), "--format", "csv", "-o", str(out)]
                         ).exit_code == 0
    rows = list(csv.DictReader((out / "deviations.csv").open()))
    assert rows[0]["reason"] == "'=HYPERLINK(1) | pipes"


def test_an_alias_as_a_key_is_refused() -> None:
    with pytest.raises(InputError, match="used as a key"):
        load_text("a: &k x\n*k : 1\n", "x.yaml")


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "0", "-3"])
def test_unusable_timeouts_are_usage_errors(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mc2cli.output import convert
    monkeypatch.setenv(convert.TIMEOUT_ENV, value)
    with pytest.raises(UsageError, match="seconds from 0 to 86400"):
        convert.timeout()


def test_report_markdown_escapes_deal_values(tiny: Path) -> None:
    path = _deal(tiny, "position: hdo\nreason: \"<script>x()</script> ![i](/etc/passwd)\"\n")
    text = path.read_text().replace("title: Test Addendum", "title: \"Deal <img src=x>\"")
    path.write_text(text)
    md = runner.invoke(app, ["report", str(path), "--format", "md"]).stdout
    assert not re.search(r"(?<!\\)<|(?<!\\)!(?<!\\)\[", md)  # every < and ![ escaped
    assert "\\<script\\>" in md


def test_the_default_title_fits_the_kind_of_agreement(tiny: Path) -> None:
    path = tiny / "deal.yaml"
    text = path.read_text().replace("title: Test Addendum\n", "")
    path.write_text(text)
    contract = check(path).contract
    assert contract is not None and contract.deal.title.endswith("Addendum")
    path.write_text("\n".join(line for line in text.splitlines()
                              if not line.startswith("master_agreement")) + "\n")
    contract = check(path).contract
    assert contract is not None and contract.deal.title.endswith("Agreement")


@pytest.mark.parametrize(("field", "value"), [
    ("email", "x@y.example<script>alert(1)</script>"), ("phone", "<b>555</b> [x](y)")])
def test_contact_details_must_look_like_contact_details(tiny: Path, field: str,
                                                         value: str) -> None:
    path = tiny / "deal.yaml"
    contact = {"email": "a@b.example", "phone": "+1 555 0100"} | {field: value}
    path.write_text(path.read_text().replace(
        "    address: 1 Lake St",
        f"    address: 1 Lake St\n    security_contact: {{name: SOC, email: '{contact['email']}',"
        f" phone: '{contact['phone']}'}}"))
    assert any(p.field == f"parties.hdo.security_contact.{field}" for p in check(path).errors)
