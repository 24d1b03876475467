"""`mc2 init`: a starter deal that passes `mc2 check` (its `# edit:` placeholders listed as
warnings), and `mc2 check --strict` once they are replaced, and builds, commented as its own
menu, never overwriting a deal, from flags or from checked interactive answers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from conftest import library_files, write_tree
from mc2cli.authoring.starter import Answers, default_effective_date, starter_text
from mc2cli.cli.main import app
from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
FLAGS = ["--hdo", "Lakeside Regional Health System", "--mdm", "Acme Infusion Systems, Inc.",
         "--product", "AcmeFlow 3000 Infusion Pump; AF-3000; 4.2.1",
         "--product", "Acme Gateway; GW-2"]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18


def _init(tmp_path: Path, *args: str, input: str | None = None) -> tuple[int, str, Path]:
    deal = tmp_path / "deal.yaml"
    result = runner.invoke(app, ["init", str(deal), *args], input=input)
    return result.exit_code, result.output, deal


def _check(deal: Path) -> None:
    """Checks with only placeholder warnings; strict refuses them; once each is replaced and
    its marker deleted (as a user would), strict passes."""
    marked = sum("# edit:" in ln for ln in deal.read_text().splitlines()
                 if not ln.startswith("#"))
    result = runner.invoke(app, ["check", str(deal)])
    assert result.exit_code == 0, result.output
    assert f"0 errors, {marked} warnings" in result.output
    assert result.output.count("is a placeholder, marked '# edit:") == marked
    if marked:
        assert runner.invoke(app, ["check", "--strict", str(deal)]).exit_code == 1
    _replace_placeholders(deal)
    result = runner.invoke(app, ["check", "--strict", str(deal)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def _replace_placeholders(deal: Path) -> None:
    lines = []
    for line in deal.read_text().splitlines():
        if "# edit:" in line and not line.startswith("#"):
            line = line.split("# edit:")[0].rstrip()
            line = (line.replace("Principal office address", "1 Main Street, Springfield")
                    .replace("Authorized Signatory", "Jane Doe"))
        lines.append(line)
    deal.write_text("\n".join(lines) + "\n")


def test_init_with_flags_checks_strict_and_builds(tmp_path: Path) -> None:
    code, output, deal = _init(tmp_path, *FLAGS)
    assert code == 0, output
    assert "wrote" in output and "mc2 check --strict" in output
    _check(deal)
    built = runner.invoke(app, ["build", str(deal), "-o", str(tmp_path / "out"), "-t", "md"])
    assert built.exit_code == 0, built.output
    contract = (tmp_path / "out" / "contract.md").read_text()
    assert "**Lakeside Regional Health System**" in contract
    assert "AcmeFlow 3000 Infusion Pump" in contract and "GW-2" in contract


def test_the_file_marks_defaults_and_keeps_given_values(tmp_path: Path) -> None:
    _code, _output, deal = _init(tmp_path, *FLAGS)
    lines = deal.read_text().splitlines()
    assert lines[0] == "# yaml-language-server: $schema=mc2-deal.schema.json"
    assert "    name: Lakeside Regional Health System" in lines
    assert "    name: Acme Infusion Systems, Inc." in lines
    assert '  - {name: AcmeFlow 3000 Infusion Pump, model: AF-3000, software_version: "4.2.1"}' \
        in lines
    edits = [ln.split(":", 1)[0].strip() for ln in lines
             if "# edit:" in ln and not ln.startswith("#")]
    assert edits == ["effective_date", "governing_law", "address", "signatory", "address",
                     "signatory"]
    assert "effective_date: 2027-01-01" in deal.read_text()


def test_the_menu_lists_every_principle_and_clause(tmp_path: Path) -> None:
    _code, _output, deal = _init(tmp_path)
    text = deal.read_text()
    lib = load_library([builtin_library_dir()])
    for p in lib.principles:
        assert f"# {p.number} {p.id}: {p.title}\n" in text
    for cid, lc in lib.clauses.items():
        assert re.search(rf"^#   {re.escape(cid)}: {re.escape(lc.clause.title)} "
                         rf"\({lc.clause.obligor}(, required)?\)$", text, re.M), cid
    assert "#       patch_days: hdo 20 / middle 30 / mdm 60 days" in text
    data = yaml.safe_load(text)
    assert data["principles"] == {} and data["clauses"] == {}


def test_starter_text_for_a_small_library(tmp_path: Path) -> None:
    write_tree(tmp_path, library_files())
    text = starter_text(load_library([tmp_path / "lib"]), Answers())
    menu = text[text.index("# ---- The menu"):]
    assert "#   patching.timeline: Patch Timeline (mdm, required)\n" \
           "#       mdm has its own text; hdo and middle share one\n" in menu or \
           "#       hdo has its own text; middle and mdm share one\n" in menu
    assert "#       patch_days: hdo 15 / middle 30 / mdm 60 days\n" in menu
    assert "#       the same text in every position\n" in menu
    assert "#       audit_frequency_months: hdo 12 / middle 12 / mdm 24 months" in menu
    assert "# general: General Terms\n#   general.precedence: Order of Precedence (both)" in menu


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text("mine\n")
    code, output, _deal = _init(tmp_path, *FLAGS)
    assert code == 1
    assert f"{deal}:1:1: error: already exists; mc2 init does not overwrite it" in output
    assert "--force" in output and "Traceback" not in output
    assert deal.read_text() == "mine\n"
    assert not (tmp_path / "mc2-deal.schema.json").exists()
    code, output, _deal = _init(tmp_path, *FLAGS, "--force")
    assert code == 0, output
    _check(deal)


def test_a_foreign_schema_file_is_not_overwritten(tmp_path: Path) -> None:
    schema = tmp_path / "mc2-deal.schema.json"
    schema.write_text('{"title": "someone else\'s"}')
    code, output, deal = _init(tmp_path)
    assert code == 1 and "is not a schema mc2 wrote" in output
    assert not deal.exists()
    schema.write_text('{"title": "mc2 deal file"}')
    assert _init(tmp_path)[0] == 0
    assert json.loads(schema.read_text())["$defs"]


def test_schema_option_points_elsewhere_and_writes_no_schema(tmp_path: Path) -> None:
    url = "https://example.org/mc2-deal.schema.json"
    code, output, deal = _init(tmp_path, "--schema", url)
    assert code == 0, output
    assert deal.read_text().startswith(f"# yaml-language-server: $schema={url}\n")
    assert not (tmp_path / "mc2-deal.schema.json").exists()


def test_the_deal_validates_against_the_schema_beside_it(tmp_path: Path) -> None:
    _init(tmp_path, *FLAGS, "--position", "hdo", "--reason", "Board policy.")
    schema = json.loads((tmp_path / "mc2-deal.schema.json").read_text())
    data = yaml.safe_load((tmp_path / "deal.yaml").read_text())
    data["effective_date"] = str(data["effective_date"])  # an editor reads it as text
    assert list(Draft202012Validator(schema).iter_errors(data)) == []


def test_position_other_than_middle_needs_a_reason(tmp_path: Path) -> None:
    code, output, deal = _init(tmp_path, "--position", "mdm")
    assert code == 2 and "say why with --reason" in output
    assert not deal.exists()
    code, output, deal = _init(tmp_path, "--position", "mdm", "--reason", "A small vendor.")
    assert code == 0, output
    assert "position: mdm" in deal.read_text() and "reason: A small vendor." in deal.read_text()
    _check(deal)


@pytest.mark.parametrize(("args", "message"), [
    (["--hdo", ""], "Invalid value for '--hdo': must not be empty"),
    (["--effective-date", "2027-02-30"], "'2027-02-30' is not a date written YYYY-MM-DD"),
    (["--hdo-signatory", "Dana Whitfield"], "write the signatory as 'Name, Title'"),
    (["--product", "A; B; C; D"], "write a product as 'Name; Model; Software version'"),
    (["--position", "hd"], "Invalid value for '--position'"),
    (["--hdo-adress", "x"], "No such option: --hdo-adress"),
])
def test_bad_flags_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    code, output, deal = _init(tmp_path, *args)
    assert code == 2
    assert message in re.sub(r"\s+", " ", output.replace("│", " ")), output
    assert not deal.exists()


def test_every_flag_lands_in_the_deal(tmp_path: Path) -> None:
    code, output, deal = _init(
        tmp_path, *FLAGS, "--effective-date", "2027-07-01", "--governing-law",
        "the State of Minnesota", "--hdo-address", "100 Lake Street, Duluth, MN 55802",
        "--mdm-address", "2 Harbor Road, Boston, MA 02110", "--hdo-signatory",
        "Dana Whitfield, Chief Information Security Officer", "--mdm-signatory",
        "Lee Park, VP, Product Security")
    assert code == 0, output
    data = yaml.safe_load(deal.read_text())
    assert str(data["effective_date"]) == "2027-07-01"
    assert data["governing_law"] == "the State of Minnesota"
    assert data["parties"]["mdm"]["signatory"] == {"name": "Lee Park",
                                                   "title": "VP, Product Security"}
    assert data["parties"]["hdo"]["address"] == "100 Lake Street, Duluth, MN 55802"
    assert "# edit:" not in deal.read_text().split("products:")[0].split("mc2: 1")[1]
    assert '    signatory: {name: Lee Park, title: "VP, Product Security"}' in deal.read_text()
    _check(deal)


def test_same_command_same_bytes(tmp_path: Path) -> None:
    first = _init(tmp_path / "a", *FLAGS)[2].read_bytes()
    assert _init(tmp_path / "b", *FLAGS)[2].read_bytes() == first


def test_default_effective_date_rule() -> None:
    import datetime as dt
    assert default_effective_date(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert default_effective_date(dt.date(2027, 1, 1)) == dt.date(2028, 1, 1)


def test_a_folder_gets_deal_yaml(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "deal.yaml").read_text()
    assert "name: Medical Device, model: Medical Device}  # edit:" in text
    assert "    name: Health System                   # edit:" in text
    _check(tmp_path / "deal.yaml")


@pytest.mark.parametrize("name", ["three/", "three", "three.d", "nested/three/"])
def test_a_folder_that_does_not_exist_yet_gets_deal_yaml(tmp_path: Path, name: str) -> None:
    deals = tmp_path / "deals"
    deals.mkdir()
    result = runner.invoke(app, ["init", f"{deals}/{name}"])
    assert result.exit_code == 0, result.output
    folder = deals / name.rstrip("/")
    assert sorted(p.name for p in folder.iterdir()) == ["deal.yaml", "mc2-deal.schema.json"]
    assert sorted(p.name for p in deals.iterdir()) == [name.split("/")[0]]
    assert f"mc2 check --strict {folder / 'deal.yaml'}" in " ".join(result.output.split())
    _check(folder / "deal.yaml")


@pytest.mark.parametrize("name", ["three.yaml", "three.yml", "Three.YAML"])
def test_a_yaml_name_that_does_not_exist_is_the_file(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "deals" / name)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "deals" / name).is_file()
    assert sorted(p.name for p in (tmp_path / "deals").iterdir()) == sorted(
        [name, "mc2-deal.schema.json"])


def test_init_target_takes_an_existing_file_as_the_file(tmp_path: Path) -> None:
    from mc2cli.cli.author import init_target
    (tmp_path / "mine").write_text("mine\n")
    assert init_target(str(tmp_path / "mine")) == tmp_path / "mine"
    assert init_target(str(tmp_path)) == tmp_path / "deal.yaml"
    assert init_target(f"{tmp_path}/new/") == tmp_path / "new" / "deal.yaml"
    assert init_target("deal.yaml") == Path("deal.yaml")
    refused = runner.invoke(app, ["init", str(tmp_path / "mine")])
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert (tmp_path / "mine").read_text() == "mine\n"


def test_house_layers_are_written_relative_to_the_deal(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "house-library" / "clauses", tmp_path / "house")
    deal = tmp_path / "deals" / "north" / "deal.yaml"
    result = runner.invoke(app, ["init", str(deal), "-L", str(tmp_path / "house"),
                                 "-L", "builtin"])
    assert result.exit_code == 0, result.output
    text = deal.read_text()
    assert re.search(r"^library: \[\.\./\.\./house, builtin\] ", text, re.M), text[:1500]
    assert "controls.security-handover: Security Handover Before Clinical Use" in text
    assert "# 8 remote-access: Vendor Remote Service" in text
    _check(deal)


def test_a_broken_library_writes_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, library_files(**{
        "definitions": "definitions:\n  - {term: Gadget, text: means a thing.}\n"}))
    deal = tmp_path / "deal.yaml"
    result = runner.invoke(app, ["init", str(deal), "-L", str(tmp_path / "lib")])
    assert result.exit_code == 1
    assert "defined term 'Gadget' is not used" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib"]


INTERACTIVE = "\n".join([
    "   ",                                 # HDO name: blank, asked again with the reason
    "Lakeside Health",
    "100 Lake Street, Duluth, MN 55802",
    "Dana Whitfield",                      # no title: asked again
    "Dana Whitfield, CISO",
    "Acme Devices, Inc.",
    "",                                    # MDM address: keep the default
    "",                                    # MDM signatory: keep the default
    "AcmeFlow; AF-3000; 4.2.1",
    "A; B; C; D",                          # too many parts: asked again
    "Gateway; GW-2",
    "",                                    # no more products
    "hd",                                  # not a position: asked again
    "hdo",
    "",                                    # a reason is required: asked again
    "Lakeside policy.",
    "2027-02-30",                          # no such day: asked again
    "2027-03-01",
    "",                                    # governing law: keep the default
]) + "\n"


def test_interactive_answers_are_checked_as_typed(tmp_path: Path) -> None:
    code, output, deal = _init(tmp_path, "--interactive", input=INTERACTIVE)
    assert code == 0, output
    assert "Error: write the signatory as 'Name, Title'" in output
    assert "Error: write a product as 'Name; Model; Software version'" in output
    assert "Error: 'hd' is not a position; did you mean 'hdo'?" in output
    assert "Error: '2027-02-30' is not a date written YYYY-MM-DD" in output
    assert "Error: a name is required" in output
    assert "Error: a reason is required: position hdo departs from the Middle" in output
    data = yaml.safe_load(deal.read_text())
    assert data["parties"]["hdo"] == {"name": "Lakeside Health",
                                      "address": "100 Lake Street, Duluth, MN 55802",
                                      "signatory": {"name": "Dana Whitfield", "title": "CISO"}}
    assert [p["model"] for p in data["products"]] == ["AF-3000", "GW-2"]
    assert (data["position"], data["reason"]) == ("hdo", "Lakeside policy.")
    assert str(data["effective_date"]) == "2027-03-01"
    text = deal.read_text()
    assert "address: Principal office address     # edit:" in text  # the MDM's default
    assert "name: Lakeside Health\n" in text
    _check(deal)


def test_interactive_takes_flags_as_defaults(tmp_path: Path) -> None:
    answers = "\n" * 6 + "\n" + "\n" * 4 + "\n"
    code, output, deal = _init(tmp_path, *FLAGS, "-i", input=answers)
    assert code == 0, output
    assert "[Lakeside Regional Health System]" in output
    data = yaml.safe_load(deal.read_text())
    assert data["parties"]["mdm"]["name"] == "Acme Infusion Systems, Inc."
    assert len(data["products"]) == 2
    _check(deal)


def test_every_empty_answer_that_is_asked_again_says_why(tmp_path: Path) -> None:
    answers = ["", "", "", "", "", "",      # the parties: defaults
               "", "",                      # product: the default, no more
               "mdm",
               "", "", "Supplier policy.",  # empty reason twice, then one
               "", ""]                      # date and law: defaults
    code, output, deal = _init(tmp_path, "-i", input="\n".join(answers) + "\n")
    assert code == 0, output
    # the test runner echoes each answer (here an empty one) after its question
    again = ("Why not the Middle?: \n"
             "Error: a reason is required: position mdm departs from the Middle\n")
    assert output.count(again) == 2, output
    assert output.count("Why not the Middle?:") == 3
    assert yaml.safe_load(deal.read_text())["reason"] == "Supplier policy."
    blank = runner.invoke(app, ["init", str(tmp_path / "other.yaml"), "-i"],
                          input=" \n" + "\n" * 13)
    assert blank.exit_code == 0, blank.output
    assert "HDO (the buyer), legal name [Health System]:  \nError: a name is required\n" \
        in blank.output


def test_interactive_offers_the_default_names_and_keeps_them_marked(tmp_path: Path) -> None:
    code, output, deal = _init(tmp_path, "-i", input="\n" * 11)
    assert code == 0, output
    assert "HDO (the buyer), legal name [Health System]:" in output
    assert "MDM (the manufacturer), legal name [Device Manufacturer]:" in output
    assert "Product, 'Name; Model; Software version' [Medical Device]:" in output
    # every default accepted as it stands is marked '# edit:', as without --interactive
    plain = runner.invoke(app, ["init", str(tmp_path / "plain.yaml")])
    assert plain.exit_code == 0, plain.output
    assert deal.read_bytes() == (tmp_path / "plain.yaml").read_bytes()


@pytest.mark.parametrize("answers", ["", "Lakeside Health\n", "\n" * 8 + "mdm\n"])
def test_end_of_input_is_a_usage_error_and_writes_nothing(tmp_path: Path, answers: str) -> None:
    code, output, _deal = _init(tmp_path, "-i", input=answers)
    assert code == 2, output
    assert "error: no answer: nothing written (the input ended at '" in output
    assert "Aborted" not in output and "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_a_question_is_an_interruption(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    def interrupted(*_args: object, **_kwargs: object) -> str:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise typer.Abort() from None  # what the prompt does with Ctrl-C
    monkeypatch.setattr(typer, "prompt", interrupted)
    code, output, _deal = _init(tmp_path, "-i")
    assert code == 130, output
    assert "interrupted" in output and "Aborted" not in output
    assert list(tmp_path.iterdir()) == []


def test_interactive_refuses_before_asking(tmp_path: Path) -> None:
    (tmp_path / "deal.yaml").write_text("mine\n")
    code, output, _deal = _init(tmp_path, "-i", input="Lakeside\n")
    assert code == 1 and "already exists" in output and "legal name" not in output


def test_an_unwritable_place_is_exit_3(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    result = runner.invoke(app, ["init", str(blocker / "deal.yaml")])
    assert result.exit_code == 3
    assert "cannot write there" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ['St. Mary\'s "General" #2: Main', "true", "4.10", "null",
                                  "[North] {West}, Inc.", "- Dash", "Zürich Spital & Co.",
                                  "ends with space ", "&anchor", "*alias"])
def test_any_name_reads_back_as_written(tmp_path: Path, name: str) -> None:
    code, output, deal = _init(tmp_path, "--hdo", name, "--product", f"{name}; M-1",
                               "--hdo-signatory", f"Dana Whitfield, {name}")
    assert code == 0, output
    from mc2cli.pipeline import load_deal
    model, _doc = load_deal(deal)
    assert model.parties.hdo.name == name.strip()
    assert model.products[0].name == name.strip()
    assert model.parties.hdo.signatory.title == name.strip()
