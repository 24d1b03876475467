"""Conversion: pinned pandoc, reproducible bytes, failures that leave the output folder alone."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from mc2cli.errors import OutputError
from mc2cli.output import convert
from mc2cli.pipeline import build


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_pandoc_is_the_bundled_binary() -> None:
    path = convert.pandoc_path()
    assert path.parent.name == "files" and path.parent.parent.name == "pypandoc"
    assert convert.pandoc_version().startswith("3.")


def test_every_format_is_byte_identical_between_runs(tiny: Path, tmp_path: Path) -> None:
    build(tiny / "deal.yaml", out_dir=tmp_path / "a")
    build(tiny / "deal.yaml", out_dir=tmp_path / "b", formats=["pdf", "html", "docx", "md"])
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert sorted(a) == ["contract.docx", "contract.html", "contract.md", "contract.pdf",
                         "manifest.json", "notes.md"]
    assert a == b


def test_notes_docx_is_written_on_request_only(tiny: Path, tmp_path: Path) -> None:
    build(tiny / "deal.yaml", out_dir=tmp_path / "plain", formats=["md", "docx"])
    assert not (tmp_path / "plain" / "notes.docx").exists()
    assert (tmp_path / "plain" / "notes.md").is_file()
    build(tiny / "deal.yaml", out_dir=tmp_path / "notes", formats=["md"], notes=True)
    build(tiny / "deal.yaml", out_dir=tmp_path / "again", formats=["md"], notes=True)
    assert (tmp_path / "notes" / "notes.docx").read_bytes()[:2] == b"PK"
    first, second = _digests(tmp_path / "notes"), _digests(tmp_path / "again")
    assert first == second and "notes.docx" in first
    manifest = (tmp_path / "notes" / "manifest.json").read_text()
    assert '"notes.docx"' in manifest
    assert (tmp_path / "notes" / "contract.md").read_bytes() == \
        (tmp_path / "plain" / "contract.md").read_bytes()


def test_timeout_leaves_previous_output_untouched(tiny: Path, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    out = tiny / "out"
    build(tiny / "deal.yaml", out_dir=out, formats=["md", "docx"])
    before = _digests(out)
    (tiny / "deal.yaml").write_text((tiny / "deal.yaml").read_text() + "position: hdo\n"
                                    "reason: r\n")
    monkeypatch.setenv(convert.TIMEOUT_ENV, "0.001")
    with pytest.raises(OutputError, match="timed out"):
        build(tiny / "deal.yaml", out_dir=out, formats=["md", "docx"])
    assert _digests(out) == before
    assert sorted(os.listdir(out)) == sorted(before)


def test_pandoc_failure_is_an_output_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert, "READER", "no-such-format")
    with pytest.raises(OutputError, match=r"pandoc \(docx\) failed"):
        convert.convert("# x\n", "docx")


def test_reader_ignores_metadata_and_raw_html() -> None:
    html = convert.convert("---\ntitle: Evil\n---\n\n<script>alert(1)</script>\n\ntext\n",
                           "html").decode()
    assert "<script>alert" not in html
    assert "Evil" not in html.split("<body")[0] or "<title>Evil" not in html


def test_nested_brackets_do_not_hang() -> None:
    out = convert.convert("[" * 2000 + "a" + "]" * 2000 + "\n", "html")
    assert b"aaa" not in out and b"a" in out


def test_images_never_reach_the_docx(tmp_path: Path) -> None:
    import io
    import zipfile
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    data = convert.convert(f"![x]({secret})\n\n<img src='{secret}'>\n", "docx")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith("word/media/")]


STRUCTURE = json.dumps({"sections": {}, "clauses": {"4.1": ["a.one", "mc2_a_one"],
                                                     "4.2": ["a.two", "mc2_a_two"]},
                        "signatures": "Signatures", "break_before": "Schedule A"})


def test_references_are_linked_once_wherever_they_stand() -> None:
    """Only blocks that mention a section are walked (structure.lua); a reference in bold, in
    a table cell, across a line break or in a footnote is linked once, never inside itself."""
    markdown = ("# T\n\n## 4. S\n\n### 4.1 One\n\nSee **Section 4.1** and\nSection\n4.2; "
                "not Section 9.9.[^n]\n\n[^n]: As Section 4.2 says.\n\n"
                "| a | b |\n|---|---|\n| Section 4.1 | x |\n")
    html = convert.convert(markdown, "html", structure=STRUCTURE).decode()
    assert html.count('href="#a.one"') == 2 and html.count('href="#a.two"') == 2
    assert "<span>Section" not in html and "Section 9.9" in html
    docx = convert.convert(markdown, "docx", structure=STRUCTURE)
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml").decode() + z.read("word/footnotes.xml").decode()
    assert xml.count("REF mc2_a_one") == 2 and xml.count("REF mc2_a_two") == 2
