"""`mc2 --version` and `mc2 --help` start near the interpreter's speed: they load neither the
models, Jinja, rich nor the library. Which modules they import is checked here, so a top-level
import that slips back in fails a test (the timings live in benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mc2cli
from mc2cli.inputs.edition import edition

ROOT = Path(__file__).resolve().parents[2]
# What start-up must not load: the models, Jinja, rich (typer prints its help without it),
# YAML, the library, pypandoc's Python side. A subcommand's help goes through typer's own
# parameter handling, which loads pydantic and the installed metadata: only `mc2 --version`
# and `mc2 --help` are held to that too.
HEAVY = ("jinja2", "rich", "yaml", "pypandoc", "mc2cli.inputs.models", "mc2cli.inputs.layers",
         "mc2cli.inputs.library", "mc2cli.assembly", "mc2cli.pipeline", "mc2cli.output.lock",
         "mc2cli.authoring.catalog", "mc2cli.review")
TOP_LEVEL = (*HEAVY, "pydantic", "importlib.metadata")

_PROBE = """
import json, sys
from mc2cli.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, check=True)
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_nothing_heavy(args: list[str]) -> None:
    shown, modules = _loaded(*args)
    assert shown.strip()
    assert [m for m in modules if m.startswith(TOP_LEVEL)] == []


@pytest.mark.parametrize("args", [["library", "--help"], ["build", "--help"],
                                  ["init", "--help"], ["diff", "--help"]])
def test_command_help_loads_none_of_mc2s_heavy_parts(args: list[str]) -> None:
    shown, modules = _loaded(*args)
    assert shown.strip()
    assert [m for m in modules if m.startswith(HEAVY)] == []


def test_check_loads_no_writer() -> None:
    """A check writes nothing: no output stage, no lock comparison (without --locked), no
    thread pool."""
    _shown, modules = _loaded("check", str(ROOT / "examples" / "lakeside-infusion" / "deal.yaml"))
    assert "mc2cli.pipeline" in modules  # the probe did run the check
    unwanted = ("mc2cli.output", "mc2cli.review", "concurrent.futures")
    assert [m for m in modules if m.startswith(unwanted)] == []
    # nor another command's module: typer is given only the command that runs
    others = ("mc2cli.cli.author", "mc2cli.cli.diff", "mc2cli.cli.lock", "mc2cli.cli.analyze",
              "mc2cli.cli.ingest", "mc2cli.cli.library", "mc2cli.authoring")
    assert [m for m in modules if m.startswith(others)] == []


@pytest.mark.parametrize(("args", "expected"), [
    (["check", "deal.yaml"], "check"), (["-q", "-v", "diff", "a", "b"], "diff"),
    (["library", "list"], "library"), (["init", "--help"], "init"),
    (["--help"], None), (["chek"], None), (["--install-completion"], None), ([], None),
])
def test_only_the_invoked_command_is_built(args: list[str], expected: str | None) -> None:
    from mc2cli.cli import main
    assert main._invoked(args) == expected
    built = main.command_line(expected)
    names = {main._name(c) for c in built.registered_commands}
    names |= {str(g.name) for g in built.registered_groups}
    assert names == ({expected} if expected else set(main.app_names()))


def test_completion_builds_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from mc2cli.cli import main
    monkeypatch.setenv("_MC2_COMPLETE", "complete_bash")
    assert main._invoked(["check", "x"]) is None


def test_version_is_read_without_loading_the_library() -> None:
    shown, _modules = _loaded("--version")
    assert shown.splitlines()[1] == f"library: {edition(ROOT / 'clauses')}"
    assert shown.splitlines()[0] == f"mc2 {mc2cli.__version__}"


def test_version_alone_prints_what_the_option_prints() -> None:
    """`mc2 --version` alone is answered before typer builds the commands; with another
    option it goes through typer: the same three lines either way."""
    assert _loaded("--version")[0] == _loaded("-q", "--version")[0]


def test_version_constant_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert mc2cli.__version__ == project["version"]


@pytest.mark.parametrize(("text", "expected"), [
    ('framework: MC2\nedition: "2025"\n', "MC2 2025"),
    ("framework: 'MC2'  # the name\nedition: 2025 # year\n", "MC2 2025"),
    ("edition: >-\n  2026 draft\nframework: MC2\n", "MC2 2026 draft"),
    ("framework: MC2\n", "unreadable"),
    ("framework: [unclosed\n", "unreadable"),
])
def test_edition_read_cheaply_or_by_yaml(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "framework.yaml").write_text(text, encoding="utf-8")
    assert edition(tmp_path) == expected


def test_edition_of_a_missing_folder_is_unreadable(tmp_path: Path) -> None:
    assert edition(tmp_path / "nowhere") == "unreadable"


@pytest.mark.parametrize("width", [40, 80, 132])
def test_the_command_list_prints_what_the_whole_app_prints(width: int) -> None:
    """`mc2 --help` is printed from `listing()` (names and short helps only): the same text,
    at any terminal width."""
    from typer.testing import CliRunner

    from mc2cli.cli import main
    runner = CliRunner()
    for flag in ("--help", "-h"):
        quick = runner.invoke(main.listing(), [flag], prog_name="mc2", terminal_width=width)
        whole = runner.invoke(main.command_line(), [flag], prog_name="mc2",
                              terminal_width=width)
        assert quick.exit_code == whole.exit_code == 0
        assert quick.output == whole.output
        assert "library" in quick.output and "ingest" in quick.output
