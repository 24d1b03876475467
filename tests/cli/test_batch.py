"""Batch builds: many deals and folders, in parallel, past failures, with a summary."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mc2cli.cli import main as cli
from mc2cli.cli.batch import Job, build_many, exit_code, plan
from mc2cli.cli.main import app
from mc2cli.errors import InputError

runner = CliRunner()


def _make_batch(tiny: Path, count: int, broken: set[int]) -> Path:
    folder = tiny / "deals"
    folder.mkdir()
    source = (tiny / "deal.yaml").read_text().replace("library: lib", "library: ../lib")
    for i in range(count):
        text = source.replace("reference: T-1", f"reference: T-{i}")
        if i in broken:
            text += "clauses:\n  patching.timline: {position: hdo}\n"
        (folder / f"deal-{i:02d}.yaml").write_text(text)
    return folder


def test_fifty_deals_two_broken(tiny: Path) -> None:
    """Acceptance: 48 built, the 2 broken ones reported with located messages, exit 1."""
    folder = _make_batch(tiny, 50, {7, 31})
    out = tiny / "out"
    result = runner.invoke(app, ["build", str(folder), "-o", str(out), "-t", "md", "-j", "2"],
                           env={"CI": "true"})
    assert result.exit_code == 1, result.output
    built = sorted(p.name for p in out.iterdir())
    assert len(built) == 48
    assert "deal-07" not in built and "deal-31" not in built
    located = re.findall(r"deal-(07|31)\.yaml:\d+:\d+: error: clauses\.patching\.timline",
                         result.output)
    assert sorted(located) == ["07", "31"]
    assert "48 of 50 deals built; failed:" in result.output
    assert "\x1b[" not in result.output


def test_outputs_are_the_same_in_parallel_and_in_series(tiny: Path) -> None:
    folder = _make_batch(tiny, 4, set())
    deals = sorted(folder.iterdir())
    serial = [Job(d, tiny / "s" / d.stem, ("md",)) for d in deals]
    parallel = [Job(d, tiny / "p" / d.stem, ("md",)) for d in deals]
    assert all(o.ok for o in build_many(serial, 1))
    outcomes = build_many(parallel, 2)
    assert [o.deal for o in outcomes] == deals  # in the order given
    for d in deals:
        assert (tiny / "s" / d.stem / "contract.md").read_bytes() == \
            (tiny / "p" / d.stem / "contract.md").read_bytes()


def test_output_folders_may_not_clash(tiny: Path) -> None:
    a, b = tiny / "a" / "deal.yaml", tiny / "b" / "x" / "a.yaml"
    for p in (a, b):
        p.parent.mkdir(parents=True)
        p.write_text("")
    with pytest.raises(InputError) as info:
        plan([a, b], None)
    assert "would write to" in info.value.problems[0].message


def test_exit_code_priority() -> None:
    from mc2cli.cli.batch import Outcome
    outs = [Outcome(Path("a"), False, "", [], 1), Outcome(Path("b"), False, "", [], 3)]
    assert exit_code(outs) == 3
    assert exit_code([Outcome(Path("a"), True, "")]) == 0


def test_progress_bar_on_a_terminal(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=buffer, force_terminal=True, width=100))
    monkeypatch.delenv("CI", raising=False)
    folder = _make_batch(tiny, 3, set())
    work = [Job(d, tiny / "o" / d.stem, ("md",)) for d in sorted(folder.iterdir())]
    outcomes = cli._run_with_progress(work, 2, build_many)
    assert all(o.ok for o in outcomes)
    shown = buffer.getvalue()
    assert "building" in shown and "3/3" in shown


def test_notes_flag_writes_notes_docx_and_check_compares_it(tiny: Path) -> None:
    out = tiny / "out"
    deal = str(tiny / "deal.yaml")
    built = runner.invoke(app, ["build", deal, "-o", str(out), "-t", "md", "--notes"])
    assert built.exit_code == 0, built.output
    assert sorted(p.name for p in out.iterdir()) == [
        "contract.md", "manifest.json", "notes.docx", "notes.md"]
    fresh = runner.invoke(app, ["build", "--check", deal, "-o", str(out), "-t", "md",
                                "--notes"])
    assert fresh.exit_code == 0, fresh.output
    (out / "notes.docx").unlink()
    stale = runner.invoke(app, ["build", "--check", deal, "-o", str(out), "-t", "md",
                                "--notes"])
    assert stale.exit_code == 1 and "notes.docx" in stale.output
