"""Clauses are found by bookmark, by heading, and by text when headings are lost."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from mc2cli.assembly.contract import Contract
from mc2cli.output.structure import bookmark_name
from mc2cli.pipeline import check, render_outputs
from mc2cli.reading.docxread import read_docx
from mc2cli.reading.ingest import ingest
from mc2cli.reading.plain import key

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "examples" / "lakeside-infusion" / "deal.yaml"


@cache
def built() -> tuple[bytes, Contract]:
    contract = check(DEAL).contract
    assert contract is not None
    return render_outputs(contract, ["docx"], DEAL)["contract.docx"], contract


def test_bookmark_names_follow_the_documents_rule() -> None:
    assert bookmark_name("sdl.secure-development-framework") == "mc2_sdl_secure_development_framework"
    long = bookmark_name("vulnerability.coordinated-disclosure-programme-x")
    assert len(long) == 40 and long.startswith("mc2_vulnerability_coordinated_d_")


def _edited(tmp_path: Path, *, bookmarks: bool, drop_headings: bool) -> Path:
    data, contract = built()
    doc = docx.Document(io.BytesIO(data))
    # Word numbering: a built heading's text is the title alone
    headings = {key(h): c.id for c in contract.clauses for h in (f"{c.number} {c.title}", c.title)}
    for i, para in enumerate(list(doc.paragraphs)):
        cid = headings.get(key(para.text))
        if cid is None:
            continue
        if bookmarks:
            mark = OxmlElement("w:bookmarkStart")
            mark.set(qn("w:id"), str(1000 + i))
            mark.set(qn("w:name"), bookmark_name(cid))
            para._p.insert(0, mark)
            for run in list(para.runs):
                run.text = ""
            para.runs[0].text = f"Clause {i}"  # headings no longer say which clause
        if drop_headings:
            para._p.getparent().remove(para._p)
    if not bookmarks:  # a file that lost the bookmarks builds write
        for mark in [*doc.element.body.iter(qn("w:bookmarkStart")),
                     *doc.element.body.iter(qn("w:bookmarkEnd"))]:
            mark.getparent().remove(mark)
    path = tmp_path / "returned.docx"
    doc.save(str(path))
    return path


def test_clauses_are_found_by_bookmark_whatever_their_headings_say(tmp_path: Path) -> None:
    result = ingest(_edited(tmp_path, bookmarks=True, drop_headings=False), DEAL)
    assert {f.how for f in result.layout.found.values()} == {"bookmark"}
    assert len(result.layout.found) == len(built()[1].clauses)
    assert {(c.kind, (c.detail or {}).get("part")) for c in result.changes} == \
        {("text", "heading")}


def test_clauses_that_lost_their_headings_are_found_by_text(tmp_path: Path) -> None:
    path = _edited(tmp_path, bookmarks=False, drop_headings=True)
    assert not any(p.heading == 2 for p in read_docx(path, "r").paragraphs)
    result = ingest(path, DEAL)
    assert len(result.layout.found) == len(built()[1].clauses)
    assert {f.how for f in result.layout.found.values()} == {"text"}
    assert result.changes == [] and result.unmatched == []
