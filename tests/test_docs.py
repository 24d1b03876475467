"""Docs kept honest: the README's commands are the ones CI runs, and every command is there."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from mc2cli.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [b.strip() for b in blocks]


def test_readme_install_command_builds_the_lakeside_example() -> None:
    first = _commands()[0]
    assert "pip install ." in first
    assert first.endswith("mc2 build examples/lakeside-infusion/deal.yaml")
    assert (ROOT / "examples" / "lakeside-infusion" / "deal.yaml").is_file()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_in_the_readme() -> None:
    group = typer.main.get_group(app)
    names: list[str] = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names.extend(f"mc2 {name} {s}" for s in sub) if sub else names.append(f"mc2 {name}")
    assert names
    for name in names:
        assert f"`{name}" in README, name
