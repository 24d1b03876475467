"""`mc2 build --check`: rebuild in memory, compare with the committed outputs, write nothing."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.output.stale import first_changed_line, stale_files

runner = CliRunner()


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(tiny: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["build", str(tiny / "deal.yaml"), "-o", str(tiny / "o"), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_fresh_outputs_pass_and_a_deal_edit_fails(tiny: Path) -> None:
    assert _build(tiny)[0] == 0
    code, output = _build(tiny, "--check")
    assert code == 0, output
    assert "o/ is up to date (6 files)" in output  # notes.docx only with --notes
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text().replace("name: Lakeside Health", "name: Lakeview Health"))
    before = _snapshot(tiny)
    code, output = _build(tiny, "--check")
    assert code == 1
    stale = re.findall(r"o/([\w.]+):(\d+):1: error: stale: differs from what \S*deal\.yaml now "
                       r"produces", output)
    names = {name for name, _ in stale}
    assert {"contract.md", "contract.docx", "contract.pdf", "contract.html",
            "manifest.json"} <= names
    assert dict(stale)["contract.docx"] == "1"  # binary files are not located by line
    assert "run 'mc2 build" in output
    assert re.search(r"deal\.yaml: stale in \S*o/: contract\.docx, contract\.html", output)
    assert _snapshot(tiny) == before  # nothing written


def test_the_first_changed_line_of_a_text_output_is_named(tiny: Path) -> None:
    assert _build(tiny, "-t", "md")[0] == 0
    contract = (tiny / "o" / "contract.md").read_text().splitlines()
    line = next(i for i, text in enumerate(contract, 1) if "thirty (30) days" in text)
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text() + "parameters:\n  patch_days: 20\n")
    code, output = _build(tiny, "-t", "md", "--check")
    assert code == 1
    assert re.search(rf"o/contract\.md:{line}:1: error: stale", output), output


def test_a_missing_output_is_stale(tiny: Path) -> None:
    assert _build(tiny, "-t", "md")[0] == 0
    (tiny / "o" / "notes.md").unlink()
    code, output = _build(tiny, "-t", "md", "--check")
    assert code == 1
    assert re.search(r"o/notes\.md:1:1: error: missing: \S*deal\.yaml produces it", output)


def test_never_built_is_stale(tiny: Path) -> None:
    code, output = _build(tiny, "-t", "md", "--check")
    assert code == 1
    assert "stale in" in output and "contract.md, manifest.json, notes.md" in output
    assert not (tiny / "o").exists() and not (tiny / "deal.yaml.lock").exists()


def test_an_invalid_deal_is_located_not_compared(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    deal.write_text(deal.read_text().replace("mc2: 1\n", "mc2: 1\nbogus: 1\n"))
    code, output = _build(tiny, "--check")
    assert code == 1
    assert re.search(r"deal\.yaml:2:1: error: bogus: unknown key 'bogus'", output)
    assert "not checked (1 error, 0 warnings)" in output


def test_stale_files_compares_only_what_the_build_makes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"one\ntwo\n")
    (tmp_path / "extra.txt").write_bytes(b"left alone")
    assert stale_files(tmp_path, {"a.md": b"one\ntwo\n"}, "out", "deal.yaml") == []
    [problem] = stale_files(tmp_path, {"a.md": b"one\nTWO\n"}, "out", "deal.yaml")
    assert (problem.path, problem.line, problem.rule) == ("out/a.md", 2, "stale-output")


def test_first_changed_line() -> None:
    assert first_changed_line(b"a\nb\nc\n", b"a\nb\nX\n") == 3
    assert first_changed_line(b"a\nb\n", b"a\nb\nmore\n") == 3
    assert first_changed_line(b"", b"x") == 1
