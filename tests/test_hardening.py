"""The smaller findings of the adversarial trial (issue 15), one regression test each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DEAL, library_files, write_tree
from mc2cli.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("char", ["\u061c", "\u2060", "\u00ad", "\U000e0041", "\U000e0001",
                                  "\u180e", "\ufff9"])
@pytest.mark.parametrize("field", ["title", "name"])
def test_format_characters_are_refused_in_single_line_fields(tmp_path: Path, char: str,
                                                             field: str) -> None:
    old = "title: Test Addendum" if field == "title" else "name: Lakeside Health"
    deal = DEAL.replace(old, old + char + " x")
    write_tree(tmp_path, {**library_files(), "deal.yaml": deal})
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1, result.output
    assert f"invisible character U+{ord(char):04X}" in result.output


@pytest.mark.parametrize("digits", ["\u0663\u0660", "\uff13\uff10", "\u0967\u0966"])
def test_non_ascii_digits_are_not_numbers(tmp_path: Path, digits: str) -> None:
    deal = DEAL + f"parameters:\n  patch_days: \"{digits}\"\n"
    write_tree(tmp_path, {**library_files(), "deal.yaml": deal})
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1, result.output
    assert "patch_days" in result.output


def test_a_fifo_named_as_the_deal_is_refused_without_blocking(tmp_path: Path) -> None:
    write_tree(tmp_path, library_files())
    os.mkfifo(tmp_path / "deal.yaml")
    proc = subprocess.run([sys.executable, "-m", "mc2cli", "check", "deal.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 1, proc.stderr
    assert "not a regular file" in proc.stderr


def test_a_file_name_with_a_newline_cannot_forge_a_workflow_command(tmp_path: Path) -> None:
    write_tree(tmp_path, library_files())
    name = "x\n::error file=forged.yaml::forged.yaml"
    (tmp_path / name).write_text(DEAL.replace("mc2: 1", "mc2: 9"), encoding="utf-8")
    for fmt in ("text", "github"):
        args = ["check", str(tmp_path / name)] + (["--format", fmt] if fmt != "text" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert not [line for line in result.output.splitlines()
                    if line.startswith("::error file=forged")], result.output


def test_a_library_folder_without_library_files_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {**library_files(), "deal.yaml": DEAL.replace(
        "library: lib", "library: [empty, lib]")})
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.txt").write_text("not a library", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path / "deal.yaml")])
    assert result.exit_code == 1, result.output
    assert "deal.yaml:" in result.output
    assert "clause library folder 'empty' holds no library files" in result.output


def test_init_of_a_hidden_name_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", ".deal.yaml"], input="")
    assert result.exit_code == 2, result.output
    assert "may not start with '.'" in result.output
    assert "outside" not in result.output
    assert list(tmp_path.iterdir()) == []
