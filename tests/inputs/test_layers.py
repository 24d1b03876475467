"""Layered libraries: house overrides merged part by part, located and layer-named messages,
`library list/show` with layers and a deal's extra clauses, and shell completion of ids."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DEAL, library_files, write_tree
from mc2cli.assembly.contract import Contract
from mc2cli.assembly.lint import lint_library
from mc2cli.cli.main import app
from mc2cli.errors import InputError
from mc2cli.inputs.layers import load_library
from mc2cli.inputs.library import Library
from mc2cli.output.document import to_markdown
from mc2cli.paths import builtin_library_dir
from mc2cli.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
HOUSE = ROOT / "examples" / "house-library"
runner = CliRunner()


def _layered(tmp_path: Path, house: dict[str, str]) -> Library:
    """The tiny library in lib/ with a house layer in house/ over it."""
    write_tree(tmp_path, {**library_files(), **{f"house/{k}": v for k, v in house.items()}})
    return load_library([tmp_path / "house", tmp_path / "lib"])


def _messages(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(p.format() for p in excinfo.value.problems)


# --- the example house library --------------------------------------------------------------

@pytest.fixture(scope="module")
def house() -> Contract:
    result = check(HOUSE / "deal.yaml", strict=True)
    assert result.contract is not None, "\n".join(p.format() for p in result.problems)
    return result.contract


@pytest.fixture(scope="module")
def house_contract(house: Contract) -> str:
    return to_markdown(house)


def test_example_contract_shows_overridden_text(house_contract: str) -> None:
    assert "approval from Customer's clinical engineering service desk" in house_contract
    builtin = load_library([builtin_library_dir()]).clauses["remote.session-approval"]
    assert "service desk" not in builtin.clause.text("middle")


def test_example_contract_holds_the_added_clause(house_contract: str) -> None:
    assert re.search(r"^### \d+\.\d+ Security Handover Before Clinical Use$", house_contract,
                     re.M), house_contract[:2000]
    assert "within thirty (30) days after delivery" in house_contract


def test_example_contract_uses_the_changed_default(house: Contract,
                                                   house_contract: str) -> None:
    logging = next(c for c in house.clauses if c.id == "remote.session-logging")
    use = logging.params["remote_session_log_retention_days"]
    assert (logging.position, use.set_by, use.value, use.middle) == (
        "middle", "library", 730, 730)
    builtin = load_library([builtin_library_dir()]).parameters
    param = builtin["remote_session_log_retention_days"][0]
    assert param.default["middle"] != "730"
    assert "keep those records for at least seven hundred thirty (730) days" \
        in house_contract
    assert "| 730 days |" in house_contract.split("## Schedule A")[1]  # Key Terms


def test_example_contract_uses_the_renamed_principle(house_contract: str) -> None:
    assert re.search(r"^## \d+\. Vendor Remote Service$", house_contract, re.M)
    assert "Remote Access and Service" not in house_contract


def test_example_library_lints_clean() -> None:
    lib = load_library([HOUSE / "clauses", builtin_library_dir()])
    assert lint_library(lib) == []
    assert len(lib.layers) == 2 and lib.layers[1] == "builtin"


def test_planted_problem_names_the_house_layer(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(HOUSE, tmp_path / "house-library")
    added = tmp_path / "house-library" / "clauses" / "06-standard-security-controls.yaml"
    added.write_text(added.read_text().replace("hold one online session",
                                               "hold one remote session"))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["library", "lint", "-L", "house-library/clauses",
                                 "-L", "builtin"])
    assert result.exit_code == 1
    assert re.search(r"house-library/clauses/06-standard-security-controls\.yaml:\d+:1: error: "
                     r"clauses\[0\]\.positions\.mdm: 'remote session' is the defined term "
                     r"'Remote Session' in other capitalization \[layer house-library/clauses\]",
                     result.output), result.output
    assert "Traceback" not in result.output


# --- merging ----------------------------------------------------------------------------------

def test_override_changes_only_the_parts_it_gives(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {"01-patching.yaml": """\
        principle: patching
        clauses:
          - id: patching.install
            positions:
              hdo: "{{ hdo }} shall install each validated Security Patch within a week."
        """})
    lc = lib.clauses["patching.install"]
    assert lc.clause.text("hdo").endswith("within a week.")
    assert lc.clause.text("middle").startswith("{{ hdo }} shall install each validated")
    assert lc.clause.title == "Installing Patches" and lc.clause.notes == "HDO duty."
    house = str(tmp_path / "house")
    assert lc.origin["positions.hdo"].endswith("house")
    assert lc.origin["positions.middle"].endswith("lib") and lc.origin["notes"].endswith("lib")
    assert lc.where.layer.endswith("lib")
    assert house.endswith(lc.origin["positions.hdo"])


def test_same_as_follows_the_merged_text(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {"01-patching.yaml": """\
        principle: patching
        clauses:
          - id: patching.timeline
            positions:
              middle: "{{ mdm }} shall provide each Security Patch within {{ patch_days }}."
        """})
    clause = lib.clauses["patching.timeline"].clause
    assert clause.text("mdm") == clause.text("middle")
    assert "ref(" not in clause.text("mdm")


def test_new_clause_parameter_and_definition_are_added(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {
        "02-audit.yaml": """\
            principle: audit
            clauses:
              - id: audit.reports
                title: Audit Reports
                obligor: mdm
                parameters: [report_days]
                references: [ISO/IEC 27001]
                positions:
                  hdo: "{{ mdm }} shall send each Audit Report within {{ report_days }}."
                  middle: {same-as: hdo}
                  mdm: {same-as: hdo}
                notes: House clause.
            """,
        "parameters.yaml": """\
            parameters:
              - {id: report_days, type: days, default: {hdo: 10, middle: 20, mdm: 30},
                 description: Days to send a report.}
            """,
        "definitions.yaml": """\
            definitions:
              - {term: Audit Report, text: means a written report of an audit.}
            """})
    assert list(lib.section_clauses("audit"))[-1].clause.id == "audit.reports"
    assert "report_days" in lib.parameters and "Audit Report" in lib.definitions
    assert lint_library(lib) == []


def test_parameter_override_merges_default_and_bounds_key_by_key(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {"parameters.yaml": """\
        parameters:
          - id: patch_days
            default: {middle: 20}
            bounds: {max: 45}
        """})
    param, where = lib.parameters["patch_days"]
    assert param.default == {"hdo": "15", "middle": "20", "mdm": "60"}
    assert param.bounds is not None and (param.bounds.min, param.bounds.max) == (7, 45)
    origin = where.origin(("default.hdo", "default.middle", "bounds.min", "bounds.max"))
    assert origin["default.hdo"].endswith("lib") and origin["default.middle"].endswith("house")
    assert origin["bounds.min"].endswith("lib") and origin["bounds.max"].endswith("house")
    # The lib's mdm default (60) now lies outside the house's bounds: reported in lib's file,
    # at the default, naming its layer.
    problems = [p for p in lint_library(lib) if "outside its bounds" in p.message]
    assert len(problems) == 1
    assert problems[0].path.endswith("lib/parameters.yaml")
    assert problems[0].field == "parameters[0].default.mdm"
    assert re.search(r" \[layer [^\]]*lib\]$", problems[0].message), problems[0].message


def test_partial_framework_renames_and_regroups(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {"framework.yaml": """\
        edition: "1-house"
        positions: {middle: {title: The Shared Position}}
        pillars: {performance: {title: Performance}}
        principles:
          - {id: audit, title: Assurance, pillar: performance}
        """})
    audit = lib.principle("audit")
    assert audit is not None and (audit.title, audit.pillar) == ("Assurance", "performance")
    assert audit.summary == "Audits." and audit.number == 2
    assert lib.framework.positions["middle"].title == "The Shared Position"
    assert lib.framework.positions["middle"].summary == "Shared risk."
    assert lib.edition == "TEST 1-house"
    assert lib.principle_where["audit"].part(("title",)).layer.endswith("house")


def test_lint_names_a_layer_on_every_message(tmp_path: Path) -> None:
    lib = _layered(tmp_path, {
        "01-patching.yaml": """\
            principle: patching
            clauses:
              - id: patching.install
                positions: {hdo: "{{ hdo }} shall install each security patch."}
                notes: ""
            """,
        "definitions.yaml": "definitions:\n  - {term: Gadget, text: means a thing.}\n"})
    problems = lint_library(lib)
    assert len(problems) >= 3
    for p in problems:
        assert re.search(r" \[layer [^\]]+\]$", p.message), p.format()
    case = next(p for p in problems if "'security patch'" in p.message)
    assert case.path.endswith("house/01-patching.yaml") and case.message.endswith("house]")


def test_single_layer_messages_name_no_layer(tmp_path: Path) -> None:
    write_tree(tmp_path, library_files(**{"definitions": "definitions:\n  - {term: G, text: x}\n"}))
    problems = lint_library(load_library([tmp_path / "lib"]))
    assert problems and not any("[layer" in p.message for p in problems)


def test_content_hash_covers_every_layer_and_follows_edits(tmp_path: Path) -> None:
    base = _layered(tmp_path, {"parameters.yaml": "parameters: []\n"})
    alone = load_library([tmp_path / "lib"])
    assert base.content_hash != alone.content_hash
    (tmp_path / "house" / "parameters.yaml").write_text(
        "parameters:\n  - {id: patch_days, default: {middle: 21}}\n")
    edited = load_library([tmp_path / "house", tmp_path / "lib"])
    assert edited.content_hash != base.content_hash
    assert edited.parameters["patch_days"][0].default["middle"] == "21"


def test_manifest_records_every_layer(tmp_path: Path) -> None:
    import json

    from mc2cli.pipeline import build
    build(HOUSE / "deal.yaml", out_dir=tmp_path, formats=["md"])
    library = json.loads((tmp_path / "manifest.json").read_text())["library"]
    assert library["layers"][-1] == "builtin" and len(library["layers"]) == 2
    assert library["content_sha256"] == load_library(
        [HOUSE / "clauses", builtin_library_dir()]).content_hash
    assert library["content_sha256"] != load_library([builtin_library_dir()]).content_hash


# --- mistakes in house layers -------------------------------------------------------------

def test_typo_in_an_override_id_suggests_the_clause(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        _layered(tmp_path, {"01-patching.yaml": """\
            principle: patching
            clauses:
              - id: patching.instal
                notes: House notes.
            """})
    text = _messages(excinfo)
    assert "clauses[0].title: is required" in text
    assert "'patching.instal' is not in any later layer, so it is a new clause" in text
    assert "did you mean 'patching.install'?" in text
    assert "[layer " in text


@pytest.mark.parametrize(("house", "expected"), [
    ({"01-patching.yaml": "principle: patching\nclauses:\n  - id: patching.install\n    notes:\n"},
     r"clauses\[0\]\.notes: is empty"),
    ({"01-patching.yaml": "principle: patching\nclauses:\n  - id: audit.rights\n    notes: x\n"},
     r"clause 'audit\.rights' belongs to principle 'audit'"),
    ({"01-patching.yaml": "principle: patching\nclauses:\n  - {id: patching.install, "
                          "notes: a}\n  - {id: patching.install, notes: b}\n"},
     r"clause id 'patching\.install' is used twice"),
    ({"01-patching.yaml": "principle: patching\nclauses:\n  - {id: patching.install, "
                          "obligor: nobody}\n"},
     r"obligor: must be one of"),
    ({"framework.yaml": "principles:\n  - {id: audit, number: 1}\n"},
     r"principle number 1 is taken by 'patching' too"),
    ({"framework.yaml": "principles:\n  - {id: audit, pillar: maturty}\n"},
     r"unknown pillar 'maturty'.*\n    hint: did you mean 'maturity'\?"),
    ({"paramters.yaml": "parameters: []\n"},
     r"unexpected file 'paramters\.yaml'.*\n    hint: did you mean 'parameters\.yaml'\?"),
])
def test_house_mistakes_are_located(tmp_path: Path, house: dict[str, str],
                                    expected: str) -> None:
    with pytest.raises(InputError) as excinfo:
        lib = _layered(tmp_path, house)
        problems = [p for p in lint_library(lib) if p.severity == "error"]
        raise InputError(problems)
    text = _messages(excinfo)
    assert re.search(expected, text), text
    assert "house/" in text


def test_a_partial_layer_alone_says_to_list_the_base(tmp_path: Path) -> None:
    write_tree(tmp_path, {"house/framework.yaml": "principles:\n  - {id: audit, title: A}\n"})
    with pytest.raises(InputError) as excinfo:
        load_library([tmp_path / "house"])
    text = _messages(excinfo)
    assert "framework: is required" in text
    assert "so it must be complete; to change another library's, list that library" in text


def test_layer_errors_from_the_command_line(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, library_files())
    monkeypatch.chdir(tmp_path)
    twice = runner.invoke(app, ["library", "lint", "-L", "lib", "-L", "lib"])
    assert twice.exit_code == 1 and "library layer 'lib' is listed twice" in twice.output
    missing = runner.invoke(app, ["library", "list", "-L", "lbi"])
    assert missing.exit_code == 2  # a command-line argument naming nothing: usage
    assert "clause library folder not found" in missing.output
    assert "did you mean 'lib'?" in missing.output
    builtin = runner.invoke(app, ["library", "list", "-L", "builtn"])
    assert builtin.exit_code == 2 and "did you mean 'builtin'?" in builtin.output


def test_deal_with_house_layer_reports_its_layer(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        **library_files(),
        "house/01-patching.yaml": "principle: patching\nclauses:\n  - id: patching.install\n"
                                  "    positions: {hdo: \"{{ hdo }} shall {{ nope }}.\"}\n",
        "deal.yaml": DEAL.replace("library: lib", "library: [./house, ./lib]")})
    result = check(tmp_path / "deal.yaml")
    text = "\n".join(p.format() for p in result.problems)
    assert result.contract is None
    assert "house/01-patching.yaml" in text and "[layer " in text


# --- library list / show ----------------------------------------------------------------------

def test_show_names_the_layer_of_each_part() -> None:
    result = runner.invoke(app, ["library", "show", "remote.session-approval",
                                 "-L", str(HOUSE / "clauses"), "-L", "builtin"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    house = next(ln for ln in lines if ln.startswith("--- middle")).split("[layer ")[1]
    assert house.rstrip("]").endswith("house-library/clauses")
    assert next(ln for ln in lines if ln.startswith("--- hdo")).endswith("[layer builtin]")
    assert any(ln.startswith("notes [layer ") and "house-library/clauses" in ln for ln in lines)
    shown = runner.invoke(app, ["library", "show", "remote.session-logging",
                                "-L", str(HOUSE / "clauses"), "-L", "builtin"])
    param = next(ln for ln in shown.stdout.splitlines()
                 if ln.startswith("  remote_session_log_retention_days"))
    assert "layer builtin" in param
    assert re.search(r"middle 730 days \[layer [^\]]*house-library/clauses\]", param), param
    assert re.search(r"hdo 730 days; ", param)


def test_list_has_a_layer_column_with_several_layers() -> None:
    result = runner.invoke(app, ["library", "list", "--principle", "standard-security-controls",
                                 "-L", str(HOUSE / "clauses"), "-L", "builtin"])
    assert result.exit_code == 0, result.output
    assert "layer" in result.stdout.splitlines()[1]
    row = next(ln for ln in result.stdout.splitlines() if "controls.security-handover" in ln)
    assert "house-library" in row


def _layer_column(*args: str) -> dict[str, str]:
    result = runner.invoke(app, ["library", "list", *args])
    assert result.exit_code == 0, result.output
    rows = [ln.split("│") for ln in result.stdout.splitlines() if "│" in ln]
    return {cells[2].strip(): cells[6].strip() for cells in rows}


def test_list_names_every_layer_that_wrote_a_clause() -> None:
    """A built-in clause whose Middle and notes a house layer rewrote is not 'builtin'."""
    layers = _layer_column("--deal", str(HOUSE / "deal.yaml"))
    assert re.fullmatch(r"\S*house-library/clauses \+ builtin", layers["remote.session-approval"])
    assert layers["controls.security-handover"].endswith("house-library/clauses")
    assert layers["remote.secure-channel"] == "builtin"


def test_list_orders_the_layers_that_wrote_a_clause_first_layer_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {**library_files(), "house/01-patching.yaml":
                          "principle: patching\nclauses:\n  - id: patching.install\n"
                          "    title: Installing Patches Our Way\n"})
    monkeypatch.chdir(tmp_path)
    layers = _layer_column("-L", "house", "-L", "lib")
    assert layers["patching.install"] == "house + lib"
    assert layers["patching.timeline"] == "lib"


EXTRA = """\
extra_clauses:
  - id: deal.reports
    principle: audit
    after: audit.rights
    title: Quarterly Reports
    obligor: mdm
    text: "{{ mdm }} shall send a report every quarter and patch within {{ patch_days }}."
    reason: Requested by the board.
    parameters: {patch_days: 21}
"""


def test_list_and_show_a_deals_extra_clause(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text() + EXTRA)
    listed = runner.invoke(app, ["library", "list", "--deal", str(deal)])
    assert listed.exit_code == 0, listed.output
    rows = [ln for ln in listed.stdout.splitlines() if "│" in ln]
    ids = [r.split("│")[2].strip() for r in rows[1:]]
    assert ids.index("deal.reports") == ids.index("audit.rights") + 1
    assert "extra" in rows[ids.index("deal.reports") + 1]
    shown = runner.invoke(app, ["library", "show", "deal.reports", "--deal", str(deal)])
    assert shown.exit_code == 0, shown.output
    assert "number: 3.2" in shown.stdout
    assert "Supplier shall send a report every quarter and patch within twenty-one (21) days." \
        in shown.stdout
    assert "patch_days (days): 21 days, set by the clause; library: hdo 15 days" in shown.stdout
    typo = runner.invoke(app, ["library", "show", "deal.report", "--deal", str(deal)])
    assert typo.exit_code == 1 and "did you mean 'deal.reports'?" in typo.output


def test_extra_clause_parameters_come_from_the_library(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text() + EXTRA.replace(
        "{patch_days: 21}", "{patch_days: 21, audit_frequency_months: 6}").replace(
        "within {{ patch_days }}", "within {{ patch_dayz }}"))
    text = "\n".join(p.format() for p in check(deal).problems)
    assert "unknown name 'patch_dayz'" in text and "did you mean 'patch_days'?" in text
    assert "extra clause 'deal.reports' does not use parameter 'audit_frequency_months'" in text
    assert "is undefined" not in text  # one message per mistake, not a second from rendering


# --- shell completion -------------------------------------------------------------------------

def _complete(words: str) -> list[str]:
    result = runner.invoke(app, [], prog_name="mc2", env={
        "_MC2_COMPLETE": "complete_bash", "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))})
    return result.stdout.split()


def test_clause_ids_complete_on_library_show() -> None:
    assert _complete("mc2 library show patching.cr") == ["patching.critical-timeline"]
    assert "patching.timeline" in _complete("mc2 library show patching.")


def test_clause_ids_complete_from_the_named_layers() -> None:
    found = _complete(f"mc2 library show -L {HOUSE / 'clauses'} -L builtin controls.sec")
    assert found == ["controls.security-handover"]


def test_principle_ids_complete_on_principle_option() -> None:
    assert _complete("mc2 library list --principle security-p") == ["security-patching"]


def test_completion_of_a_broken_library_is_empty(tmp_path: Path) -> None:
    assert _complete(f"mc2 library show -L {tmp_path / 'nope'} patch") == []


def test_a_loaded_library_keeps_no_parsed_yaml_and_still_locates(tmp_path: Path) -> None:
    """The library keeps its files compacted (memory at 10,000 clauses); a message about one
    of its clauses still points at the line that wrote it."""
    write_tree(tmp_path, library_files())
    lib = load_library([tmp_path / "lib"])
    where = next(iter(lib.clauses.values())).where
    assert where.doc.data is None
    problem = where.problem("m", sub=("positions", "hdo"))
    lines = (tmp_path / "lib" / Path(problem.path).name).read_text().splitlines()
    assert lines[problem.line - 1].strip().startswith("hdo:")
