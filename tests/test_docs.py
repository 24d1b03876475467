"""Docs kept honest: the README's commands work and are the ones CI runs; the command reference
lists every command and option; the site's pages are all in its navigation."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown
import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.cli.reference import click_command

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
MKDOCS = yaml.safe_load((ROOT / "mkdocs.yml").read_text())


def _commands(text: str = README) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [b.strip() for b in blocks]


def _shell_lines(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_install_command_builds_the_lakeside_example() -> None:
    first = _commands()[0]
    assert "pip install ." in first
    assert first.endswith("mc2 build examples/lakeside-infusion/deal.yaml")
    assert (ROOT / "examples" / "lakeside-infusion" / "deal.yaml").is_file()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()
    assert test_command in _commands((DOCS / "contributing.md").read_text())


def test_ci_builds_the_site_strictly() -> None:
    assert "mkdocs build --strict" in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_in_the_readme() -> None:
    group = typer.main.get_group(app)
    names: list[str] = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names.extend(f"mc2 {name} {s}" for s in sub) if sub else names.append(f"mc2 {name}")
    assert names
    for name in names:
        assert f"`{name}" in README, name


def test_the_readme_is_a_quick_start_not_the_reference() -> None:
    assert len(README.splitlines()) < 150
    assert "MC2_UPDATE_GOLDEN" not in README  # contributor material lives in docs/contributing.md


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    quick = _commands()[2]
    assert [line.split()[1] for line in _shell_lines(quick)] == [
        "init", "check", "build", "report", "init", "diff"]
    # the getting-started page walks through the same commands
    assert _shell_lines(quick) == _shell_lines(_commands((DOCS / "getting-started.md").read_text())[1])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MC2_UPDATE_GOLDEN", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", quick], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    for name in ("contract.md", "contract.docx", "contract.pdf", "contract.html", "manifest.json"):
        assert (tmp_path / "out" / "lakeside" / name).is_file(), name
    assert (tmp_path / "out" / "redline.docx").is_file()
    assert "position" in done.stdout  # the diff shows the positions that moved
    # check, build and report each list the starter's placeholders; strict refuses them
    assert done.stderr.count("parties.hdo.address: 'Principal office address' is a "
                             "placeholder") == 3
    strict = subprocess.run(["mc2", "check", "--strict", "lakeside.yaml"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600, check=False)
    assert strict.returncode == 1 and "error: parties.hdo.address" in strict.stderr


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _nav_files(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


def test_every_page_is_in_the_navigation_and_every_entry_exists() -> None:
    nav = _nav_files(MKDOCS["nav"])
    assert sorted(nav) == sorted(p.name for p in _pages())


@pytest.mark.parametrize("path", [ROOT / "README.md", *_pages()], ids=lambda p: p.name)
def test_no_table_cell_is_an_essay(path: Path) -> None:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
            long = [c for c in cells if len(c.strip()) > 200]
            assert not long, f"{path.name}:{number}: a table cell of {len(long[0])} characters"


def _reference_text() -> str:
    """docs/commands.md as the site renders it, with the extensions mkdocs.yml names."""
    names: list[str] = []
    configs: dict[str, Any] = {}
    for item in MKDOCS["markdown_extensions"]:
        if isinstance(item, dict):
            (name, config), = item.items()
            names.append(name)
            configs[name] = config or {}
        else:
            names.append(item)
    rendered = markdown.Markdown(extensions=names, extension_configs=configs).convert(
        (DOCS / "commands.md").read_text())
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def _help_options(path: list[str]) -> list[str]:
    """Every option name in the Options section of `mc2 PATH --help`."""
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    section = result.output.split("Options:", 1)[1].split("Commands:", 1)[0]
    found: list[str] = []
    for line in section.splitlines():
        if line.lstrip().startswith("-"):
            names_part = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
            found += re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", names_part)
    return found


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _walk(sub, [*path, name])
    return found


def missing_from_reference(reference: str) -> list[str]:
    """Commands and options of `mc2 --help` (and each subcommand's) that `reference` lacks."""
    missing: list[str] = []
    for path, command in _walk(click_command(), []):
        heading = " ".join(["mc2", *path])
        if heading not in reference:
            missing.append(heading)
        options = {o for p in command.params for o in [*p.opts, *p.secondary_opts] if o[0] == "-"}
        options |= set(_help_options(path))
        missing += [f"{heading} {option}" for option in sorted(options)
                    if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", reference)]
    return missing


def test_the_command_reference_lists_every_command_and_option() -> None:
    reference = _reference_text()
    assert "::: mkdocs-click" not in reference  # the generator ran
    assert not missing_from_reference(reference)


def test_a_command_or_option_missing_from_the_reference_is_caught() -> None:
    reference = _reference_text()
    assert "mc2 library show" in missing_from_reference(reference.replace("mc2 library show", ""))
    without = re.sub(r"--max-deviations", "", reference)
    assert "mc2 check --max-deviations" in missing_from_reference(without)
