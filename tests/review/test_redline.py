"""Redlines: valid Markdown around every change, and DOCX whose tracked changes undo exactly.

The round-trip tests read a redline back with pandoc's DOCX reader: accepting every change
must give the new contract's text, rejecting every change the old one's.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest

from mc2cli.output.convert import convert as convert_markdown
from mc2cli.output.convert import pandoc_path
from mc2cli.output.docxpost import rewrite
from mc2cli.review import redline
from mc2cli.review.diff import diff_files
from mc2cli.review.textdiff import Block, BlockDiff, Segment, blocks, diff_blocks, tokenize

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPAN = r'\{\.(insertion|deletion) author="mc2" date="2026-01-01T00:00:00Z"\}'


def redline_of(old: str, new: str) -> str:
    return redline.blocks_markdown(diff_blocks(blocks(old), blocks(new)))


def docx_of(markdown: str) -> bytes:
    return rewrite(convert_markdown(markdown, "docx", tracked=True),
                   {"word/document.xml": redline.track_whole_paragraphs})


BARE_MARKER = re.compile(r"-|\((?:[a-z]{1,4}|\d{1,3})\)|\d{1,3}[.)]")
LEADING_MARKER = re.compile(r"^[ \t]*(?:\((?:[a-z]{1,4}|\d{1,3})\)|\d{1,3}[.)])[ \t]+")


def read_back(data: bytes, changes: str) -> str:
    """The document's text with every change accepted or rejected, as pandoc reads it.

    pandoc's reader leaves behind the empty paragraphs and table rows that Word removes with
    their tracked paragraph marks and rows, so empty lines and bare list markers are dropped;
    curly quotes are compared straight."""
    with tempfile.NamedTemporaryFile(suffix=".docx") as fh:
        fh.write(data)
        fh.flush()
        text = subprocess.run([str(pandoc_path()), "-f", "docx", f"--track-changes={changes}",
                               "-t", "plain", "--wrap=none", fh.name], capture_output=True,
                              text=True, check=True, timeout=120).stdout
    lines = [line.rstrip() for line in text.splitlines()]
    # List numbers are Word's to compute (a deleted item still counts until accepted, and
    # pandoc's reader keeps counting it): compare the items' words, not their numbers.
    words = [LEADING_MARKER.sub("", line) for line in lines]
    kept = "\n".join(line for line in words
                     if line.strip() and not BARE_MARKER.fullmatch(line.strip()))
    return re.sub("[\u201c\u201d]", '"', kept)


def assert_round_trip(old: str, new: str) -> None:
    data = docx_of(redline_of(old, new))
    assert read_back(data, "accept") == read_back(convert_markdown(new, "docx"), "accept")
    assert read_back(data, "reject") == read_back(convert_markdown(old, "docx"), "accept")


def document_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()


CASES = {
    "a word": ("Supplier shall act within thirty (30) days.",
               "Supplier shall act within fifteen (15) days."),
    "emphasis and quotes": ('Made by **Acme** ("**Supplier**"), each a "party".',
                            'Made by **Acme Corp** ("**Manufacturer**"), each a "party".'),
    "brackets and backslashes": (r"Refer to \[A\] and [cid] and C:\ now.",
                                 r"Refer to \[B\] and [other] and D:\ now."),
    "code spans": ("Use `a b` then `c`.", "Use `x y` then `c`."),
    "a hard line break": ("Reference: T-1\\\nEffective date: 1 May 2027",
                          "Effective date: 2 May 2027"),
    "a list item added": ("Supplier shall:\n\n- patch\n\n- report",
                          "Supplier shall:\n\n- patch\n\n- test\n\n- report"),
    "a tight list": ("Do:\n- one\n- two", "Do:\n- one\n- two\n- three"),
    "words gone before a list marker": ("Intro\nmore words\n- item", "Intro\n- item"),
    "a heading renumbered": ("## 4. General Terms\n\n### 4.1 Order",
                             "## 3. General Terms\n\n### 3.1 Order"),
    "a paragraph removed": ("One.\n\nTwo is gone entirely now.\n\nThree.", "One.\n\nThree."),
    "table rows": ("| Term | Value |\n|---|---|\n| Patch | 30 days |\n| Audit | 12 months |",
                   "| Term | Value |\n|---|---|\n| Patch | 20 days |\n| Breach | 2 days |"),
    "a table head": ("| | Customer | Supplier |\n|---|---|---|\n| Party | A | B |",
                     "| | Health System | Manufacturer |\n|---|---|---|\n| Party | A | B |"),
    "a title": ("# Medical Device Addendum\n\nText.", "# Cloud Software Agreement\n\nText."),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip(case: str) -> None:
    old, new = CASES[case]
    assert_round_trip(old, new)


@pytest.mark.parametrize(("old", "new"), [("lakeside-infusion", "riverside-mri"),
                                          ("riverside-mri", "cirrus-cloud-samd")])
def test_round_trip_of_example_contracts(old: str, new: str) -> None:
    assert_round_trip((EXAMPLES / old / "contract.md").read_text(),
                      (EXAMPLES / new / "contract.md").read_text())


def test_spans_hold_words_and_marks_stay_outside() -> None:
    old, new = CASES["emphasis and quotes"]
    markdown = redline_of(old, new)
    assert re.sub(SPAN, "", markdown) == ("Made by **Acme[ Corp]** (\u201c**[Supplier][Manufacturer]"
                                          "**\u201d), each a \u201cparty\u201d.\n")


def test_brackets_inside_spans_are_escaped() -> None:
    markdown = redline_of(*CASES["brackets and backslashes"])
    assert re.sub(SPAN, "", markdown) == ("Refer to [\\[A\\]][\\[B\\]] and [\\[cid\\]][\\[other\\]] "
                                          "and [C:\\\\][D:\\\\] now.\n")


def test_a_deletion_never_opens_a_list_line() -> None:
    old, new = Block("para", "Intro\nmore words\n- item"), Block("para", "Intro\n- item")
    segments = [Segment("equal", tuple(new.tokens[:2])), Segment("delete", tuple(old.tokens[2:6])),
                Segment("equal", tuple(new.tokens[2:]))]
    markdown = redline.block_markdown(BlockDiff("changed", old, new, segments))
    assert re.sub(SPAN, "", markdown) == "Intro\n- [more words ]item"


def test_a_whole_row_keeps_its_pipes_and_padding_outside_its_spans() -> None:
    markdown = redline_of(*CASES["table rows"])
    assert "| [Audit]{.deletion" in markdown
    assert "|---|---|\n| Patch |" in markdown


def test_tokens_join_back_to_their_text() -> None:
    for old, new in CASES.values():
        for text in (old, new):
            assert "".join(t.text for t in tokenize(text)) == text


def test_whole_paragraphs_and_rows_are_tracked_with_their_marks() -> None:
    old, new = CASES["a paragraph removed"]
    xml = document_xml(docx_of(redline_of(old, new)))
    assert re.search(r'<w:pPr><w:pStyle w:val="BodyText" /><w:rPr><w:del w:id="\d+" '
                     r'w:author="mc2" w:date="2026-01-01T00:00:00Z" /></w:rPr></w:pPr>', xml)
    xml = document_xml(docx_of(redline_of(*CASES["table rows"])))
    assert re.search(r'<w:tr><w:trPr><w:del w:id="\d+" w:author="mc2" ', xml)
    assert re.search(r'<w:tr><w:trPr><w:ins w:id="\d+" w:author="mc2" ', xml)


def test_every_tracked_change_has_an_id_of_its_own() -> None:
    old, new = ((EXAMPLES / name / "contract.md").read_text()
                for name in ("lakeside-infusion", "cirrus-cloud-samd"))
    xml = document_xml(docx_of(redline_of(old, new)))
    ids = re.findall(r'<w:(?:ins|del|bookmarkStart) w:id="(\d+)"', xml)
    assert len(ids) > 100
    assert len(ids) == len(set(ids))


def test_redline_docx_is_reproducible_and_opens(tiny: Path) -> None:
    new = tiny / "new.yaml"
    new.write_text((tiny / "deal.yaml").read_text().replace("Test Addendum", "Test Agreement")
                   + "parameters:\n  patch_days: 20\n", encoding="utf-8")
    result = diff_files(tiny / "deal.yaml", new)
    first, second = redline.redline_docx(result), redline.redline_docx(result)
    assert first == second
    opened = docx.Document(io.BytesIO(first))
    assert opened.core_properties.title == "Test Agreement"
    assert any("Patch Timeline" in p.text for p in opened.paragraphs)
    settings = zipfile.ZipFile(io.BytesIO(first)).read("word/settings.xml").decode()
    assert "<w:trackRevisions />" in settings  # the other side's edits are tracked too


def test_list_items_stay_list_items() -> None:
    """An inserted item and the items renumbered after it keep their markers outside the
    tracked words, so pandoc (and Word) still read them as a list."""
    old = "Supplier shall:\n\n(a) first item;\n\n(b) second item; and\n\n(c) third item.\n"
    new = "Supplier shall:\n\n(a) first item;\n\n(b) a new item;\n\n(c) second item; and\n\n(d) third item.\n"
    markdown = redline_of(old, new)
    assert [line[:4] for line in markdown.splitlines() if line.startswith("(")] == [
        "(a) ", "(b) ", "(c) ", "(d) "]
    xml = document_xml(docx_of(markdown))
    assert xml.count("<w:numPr>") == 4  # four numbered paragraphs
    assert_round_trip(old, new)
