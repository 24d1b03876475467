"""The command line: exit codes of product.md section 7 and what users read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mc2cli.cli import main as cli
from mc2cli.cli.main import app

runner = CliRunner()


def test_version_names_mc2_library_and_pandoc() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mc2 ")
    assert lines[1].startswith("library: MC2 ")
    assert lines[2].startswith("pandoc: 3.")


def test_check_ok_and_build_writes_files(tiny: Path) -> None:
    deal = str(tiny / "deal.yaml")
    assert runner.invoke(app, ["check", "--strict", deal]).exit_code == 0
    out = tiny / "o"
    result = runner.invoke(app, ["build", deal, "-o", str(out), "-t", "md,html"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["contract.html", "contract.md",
                                                     "manifest.json", "notes.md"]


def test_bad_input_exit_1_located_no_traceback(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text() + "clauses:\n  patching.timline: {position: hdo}\n")
    result = runner.invoke(app, ["build", str(deal), "-o", str(tiny / "o")])
    assert result.exit_code == 1
    assert "deal.yaml:" in result.output and "did you mean 'patching.timeline'?" in result.output
    assert "Traceback" not in result.output
    assert not (tiny / "o").exists()


@pytest.mark.parametrize("args", [["build"], ["build", "x.yaml", "--nope"], ["frobnicate"],
                                  ["build", "x.yaml", "-t", "rtf"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_missing_deal_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_output_failure_exit_3(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MC2_CONVERT_TIMEOUT", "0.001")
    result = runner.invoke(app, ["build", str(tiny / "deal.yaml"), "-o", str(tiny / "o")])
    assert result.exit_code == 3
    assert "timed out" in result.output


def test_a_bug_exits_4_with_a_log(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mc2cli.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(mc2cli.pipeline, "check", boom)
    result = runner.invoke(app, ["check", str(tiny / "deal.yaml")])
    assert result.exit_code == 4
    assert "this is a bug in mc2" in result.output
    log = result.output.split("traceback is in ")[1].split()[0]
    assert "ZeroDivisionError" in Path(log).read_text()
    assert "Traceback" not in result.output


def test_interrupt_exits_130(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mc2cli.pipeline

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mc2cli.pipeline, "check", stop)
    assert runner.invoke(app, ["check", str(tiny / "deal.yaml")]).exit_code == 130


def test_every_command_has_help() -> None:
    for args in (["build"], ["check"], ["library", "list"], ["library", "show"],
                 ["library", "lint"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
    assert cli.app.info.help


def test_a_folder_without_deals_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for command in (["build"], ["check"], ["check", "--format", "sarif"]):
        result = runner.invoke(app, [*command, str(tmp_path / "empty")])
        assert result.exit_code == 2 and "no deal files in this folder" in result.output


def test_yml_deals_are_found_and_each_deal_counts_once(tiny: Path) -> None:
    folder = tiny / "deals"
    folder.mkdir()
    text = (tiny / "deal.yaml").read_text().replace("library: lib", "library: ../lib")
    (folder / "one.yml").write_text(text)
    result = runner.invoke(app, ["check", str(folder), str(folder / "one.yml")])
    assert result.exit_code == 0, result.output
    assert result.output.count("one.yml: ok") == 1


@pytest.mark.parametrize(("args", "message"), [
    (["report", "{dir}"], "report takes one deal file"),
    (["report", "{deal}", "-o", "{dir}"], "-o is for --format csv"),
])
def test_argument_mistakes_exit_2(tiny: Path, args: list[str], message: str) -> None:
    filled = [a.format(dir=str(tiny), deal=str(tiny / "deal.yaml")) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2 and message in result.output


def test_bad_timeout_setting(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MC2_CONVERT_TIMEOUT", "abc")
    result = runner.invoke(app, ["build", str(tiny / "deal.yaml"), "-o", str(tiny / "o"),
                                 "-t", "docx"])
    assert result.exit_code == 2 and "MC2_CONVERT_TIMEOUT='abc'" in result.output


def test_missing_library_folder_is_located_in_the_deal(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text().replace("library: lib", "library: [./lbi, builtin]"))
    result = runner.invoke(app, ["check", str(deal)])
    assert result.exit_code == 1
    assert re.search(r"deal\.yaml:\d+:\d+: error: library\[0\]: clause library folder "
                     r"'\./lbi' not found", result.output)
    assert "did you mean 'lib'?" in result.output
