"""Command-line conventions: -h, -q/-v, examples in help, '-' for standard input, metavars,
table width in a pipe, the default -j, builds that write only their output folder, init's
title and shared schema, and the mc2-lock pre-commit hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mc2cli.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [["check"], ["build"], ["report"], ["lock"], ["diff"], ["init"], ["schema"],
            ["analyze"], ["library", "list"], ["library", "show"], ["library", "lint"]]
NO_REASON = "principles:\n  patching:\n    position: mdm\n"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_takes_h_and_shows_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "-h"])
    assert result.exit_code == 0, result.output  # before: "No such option: -h"
    assert "Examples:\n    mc2 " in result.output
    assert "{deals}" not in result.output


def test_top_level_help_lists_commands_without_cut_summaries() -> None:
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    assert "..." not in result.output.split("Commands")[1], result.output
    assert "Example: mc2 check deals/" in result.output


def test_lock_names_its_argument_deal() -> None:
    # before: {deals}... where the others said DEAL
    for command in ("lock", "check", "build"):
        assert f"mc2 {command} [OPTIONS] {{DEAL}}..." in runner.invoke(
            app, [command, "-h"], prog_name="mc2").output


def test_quiet_prints_only_errors_and_verbose_the_rule(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text() + NO_REASON)
    normal = runner.invoke(app, ["check", str(deal)])
    assert "warning:" in normal.output and "ok (" in normal.output
    quiet = runner.invoke(app, ["-q", "check", str(deal)])
    assert quiet.exit_code == 0 and quiet.output == ""
    verbose = runner.invoke(app, ["--verbose", "check", str(deal)])
    assert "without a reason (for its 2 clauses: patching.timeline, patching.install) [reason]" \
        in verbose.output
    bad = tiny / "bad.yaml"
    bad.write_text(deal.read_text() + "bogus: 1\n")
    failed = runner.invoke(app, ["-q", "check", str(bad)])
    assert failed.exit_code == 1 and "unknown key 'bogus'" in failed.output
    assert "warning:" not in failed.output


def test_check_and_report_read_standard_input(tiny: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.chdir(tiny)  # the deal's library: lib is found from the working folder
    text = (tiny / "deal.yaml").read_text()
    result = runner.invoke(app, ["check", "-"], input=text)
    assert result.exit_code == 0, result.output  # before: "-: no such file or folder"
    assert "-: ok (" in result.output
    bad = runner.invoke(app, ["check", "-"], input=text + "bogus: 1\n")
    assert bad.exit_code == 1 and "<stdin>:" in bad.output
    report = runner.invoke(app, ["report", "-", "-f", "json"], input=text)
    assert report.exit_code == 0 and '"coverage"' in report.stdout


def _report_widths(deal: Path, columns: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    done = subprocess.run([sys.executable, "-m", "mc2cli", "report", str(deal)], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    return max(len(line) for line in done.stdout.splitlines())


def test_report_tables_fit_columns_or_100_in_a_pipe() -> None:
    deal = ROOT / "examples" / "lakeside-infusion" / "deal.yaml"
    assert _report_widths(deal, None) <= 100  # before: 200 whatever COLUMNS said
    assert 100 < _report_widths(deal, "160") <= 160


def test_default_jobs_is_half_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from mc2cli.cli import batch
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert batch.default_workers() == 1  # measured by benchmarks/bench_jobs.py
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert batch.default_workers() == 4


def test_build_writes_nothing_outside_its_output_folder(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    result = runner.invoke(app, ["build", str(deal), "-o", str(tiny / "elsewhere"), "-t", "md"])
    assert result.exit_code == 0, result.output
    assert not (tiny / "deal.yaml.lock").exists()  # before: written beside the deal
    result = runner.invoke(app, ["build", "--lock", str(deal), "-o", str(tiny / "o"),
                                 "-t", "md"])
    assert result.exit_code == 0 and (tiny / "deal.yaml.lock").exists()


def test_init_title_matches_the_deal(tmp_path: Path) -> None:
    target = tmp_path / "deal.yaml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    text = target.read_text()
    assert "title: Medical Device Cybersecurity Agreement" in text
    assert "\n# master_agreement:" in text  # no master agreement: an Agreement, not Addendum


def test_init_shares_one_schema_per_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    first, second = tmp_path / "deals" / "a" / "deal.yaml", tmp_path / "deals" / "b" / "deal.yaml"
    assert runner.invoke(app, ["init", str(first)]).exit_code == 0
    assert runner.invoke(app, ["init", str(second)]).exit_code == 0
    schemas = sorted(tmp_path.rglob("mc2-deal.schema.json"))
    assert schemas == [tmp_path / "mc2-deal.schema.json"]  # before: one per deal folder
    for deal in (first, second):
        assert deal.read_text().startswith(
            "# yaml-language-server: $schema=../../mc2-deal.schema.json\n")
        assert runner.invoke(app, ["check", str(deal)]).exit_code == 0


def test_pre_commit_offers_a_lock_fixer(tiny: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "mc2-lock")
    assert hook["pass_filenames"] is True and hook["files"] == r"(^|/)deal\.yaml$"
    entry = hook["entry"].split()
    assert entry == ["mc2", "lock"]
    result = runner.invoke(app, [*entry[1:], str(tiny / "deal.yaml")])
    assert result.exit_code == 0 and (tiny / "deal.yaml.lock").exists()
