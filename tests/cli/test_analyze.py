"""`mc2 analyze` from the command line: formats, the lexical notice, -o, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mc2cli.cli.main import app

runner = CliRunner()
PAPER = """# Vendor Terms

## 1. Security Patches

Vendor shall make validated security patches available within ninety (90) days.

## 2. Payment

Customer shall pay all invoices within thirty (30) days of receipt.
"""


def _paper(tmp_path: Path) -> Path:
    path = tmp_path / "paper.md"
    path.write_text(PAPER)
    return path


def test_json_is_stable_and_the_lexical_notice_is_said_once(tmp_path: Path) -> None:
    paper = _paper(tmp_path)
    first = runner.invoke(app, ["analyze", str(paper), "--lexical", "-f", "json"])
    second = runner.invoke(app, ["analyze", str(paper), "--lexical", "-f", "json"])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["method"] == "lexical"
    assert [s["principle"] for s in data["segments"]] == ["security-patching", "none"]
    assert first.stderr.count("lexical method only") == 1


def test_text_and_markdown(tmp_path: Path) -> None:
    paper = _paper(tmp_path)
    text = runner.invoke(app, ["analyze", str(paper), "--lexical"])
    assert text.exit_code == 0 and "Coverage of the principles:" in text.stdout
    assert "beyond the MDM-leaning position" in text.stdout
    md = runner.invoke(app, ["analyze", str(paper), "--lexical", "-f", "md"])
    assert md.exit_code == 0 and md.stdout.startswith("# Analysis of")


def test_new_deal(tmp_path: Path) -> None:
    paper = _paper(tmp_path)
    deal = tmp_path / "deal.yaml"
    result = runner.invoke(app, ["analyze", str(paper), "--lexical", "-o", str(deal)])
    assert result.exit_code == 0, result.output
    assert deal.is_file() and "wrote" in result.stderr
    again = runner.invoke(app, ["analyze", str(paper), "--lexical", "-o", str(deal)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(app, ["check", str(deal)]).exit_code == 0


def test_bad_input_exits_1_with_a_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    bomb_like = tmp_path / "x.docx"
    bomb_like.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    missing = tmp_path / "missing.md"
    for path, words in ((empty, "file is empty"), (big, "larger than the limit"),
                        (bomb_like, "encrypted"), (missing, "file not found")):
        result = runner.invoke(app, ["analyze", str(path), "--lexical"])
        assert result.exit_code == 1, (path, result.output)
        assert words in result.stderr and "Traceback" not in result.output
