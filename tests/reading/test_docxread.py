"""Returned files that are not safe Word files are refused: located, exit 1, nothing written."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.pipeline import check, render_outputs
from mc2cli.reading import docxread
from mc2cli.reading.docxread import read_docx

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = ROOT / "examples" / "lakeside-infusion" / "deal.yaml"
runner = CliRunner()


@cache
def built(example: str) -> bytes:
    deal = ROOT / "examples" / example / "deal.yaml"
    contract = check(deal).contract
    assert contract is not None
    return render_outputs(contract, ["docx"], deal)["contract.docx"]


def package(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def refused(tmp_path: Path, data: bytes, message: str) -> None:
    returned = tmp_path / "returned.docx"
    returned.write_bytes(data)
    target = tmp_path / "new" / "deal.yaml"
    result = runner.invoke(app, ["ingest", str(returned), "--deal", str(LAKESIDE),
                                 "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert f"{returned}:1:1: error: " in result.output
    assert message in result.output
    assert "hint:" in result.output
    assert not target.parent.exists()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize(("data", "message"), [
    (b"# not a contract\n", "not a Word file (.docx)"),
    (package({"a.txt": b"hello"}), "not a Word document"),
    (docxread.OLE_MAGIC + bytes(600), "encrypted (password-protected)"),
    (package({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document"}),
     "not well-formed XML"),
    (package({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml":
              b'<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>'}),
     "declares a DTD or entities"),
    (package({"[Content_Types].xml": CONTENT_TYPES,
              "word/document.xml": b"<d>" + b" " * (20 * 1024 * 1024) + b"</d>"}),
     "compressed more than 100 to 1"),
], ids=["text", "other-zip", "encrypted", "broken-xml", "entities", "zip-bomb"])
def test_unsafe_or_foreign_files_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    refused(tmp_path, data, message)


def test_an_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docxread, "MAX_FILE", 1000)
    refused(tmp_path, built("lakeside-infusion"), "larger than the limit of 1000 bytes")


def test_a_part_that_inflates_past_its_limit_is_refused(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docxread, "MAX_PART", 10_000)
    refused(tmp_path, built("lakeside-infusion"), "inflates to")


def test_a_document_without_the_deals_clauses_is_refused(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("Lakeside Regional Health System and Acme Infusion Systems, Inc. agree.")
    doc.add_paragraph("A letter about something else entirely.")
    buf = io.BytesIO()
    doc.save(buf)
    refused(tmp_path, buf.getvalue(), "only 0 of the deal's")


def test_another_deals_contract_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, built("riverside-mri"), "names neither party of the deal")


def test_tracked_changes_comments_and_bookmarks_are_read(tmp_path: Path) -> None:
    body = (f'<w:document xmlns:w="{W}"><w:body>'
            '<w:bookmarkStart w:id="1" w:name="mc2_a_b"/>'
            '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>2.1 Title</w:t></w:r></w:p>'
            '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve">within </w:t></w:r>'
            '<w:del w:id="2" w:author="A" w:date="2027-01-02T00:00:00Z"><w:r><w:delText>thirty (30)'
            '</w:delText></w:r></w:del><w:ins w:id="3" w:author="B" w:date="2027-01-03T00:00:00Z">'
            '<w:r><w:t>sixty (60)</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> days</w:t></w:r>'
            '<w:commentRangeEnd w:id="0"/></w:p><w:bookmarkEnd w:id="1"/>'
            '<w:p><w:pPr><w:rPr><w:del w:id="4" w:author="C" w:date="2027-01-04T00:00:00Z"/></w:rPr>'
            '</w:pPr><w:del w:id="5" w:author="C" w:date="2027-01-04T00:00:00Z"><w:r><w:delText>Gone.'
            '</w:delText></w:r></w:del></w:p></w:body></w:document>')
    comments = (f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="D" '
                'w:date="2027-01-05T00:00:00Z"><w:p><w:r><w:t>Why?</w:t></w:r></w:p></w:comment>'
                '</w:comments>')
    path = tmp_path / "t.docx"
    path.write_bytes(package({"[Content_Types].xml": CONTENT_TYPES,
                              "word/document.xml": body.encode(),
                              "word/comments.xml": comments.encode()}))
    got = read_docx(path, "t.docx")
    heading, para, gone = got.paragraphs
    assert (heading.text, heading.heading, heading.bookmarks) == ("2.1 Title", 2, ["mc2_a_b"])
    assert (para.text, para.old) == ("within sixty (60) days", "within thirty (30) days")
    assert [(m.kind, m.author) for m in para.marks] == [("del", "A"), ("ins", "B")]
    assert gone.gone and gone.old == "Gone." and gone.text == ""
    [comment] = got.comments
    assert (comment.author, comment.text, comment.anchor, comment.para) == \
        ("D", "Why?", "within sixty (60) days", 1)
