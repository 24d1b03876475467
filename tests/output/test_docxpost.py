"""Every example's DOCX, PDF and HTML, checked on the files themselves: Word numbering and
fields, bookmarks, page rules, the signature block, cross-reference links; and a renumbering
in LibreOffice that the references follow."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from mc2cli.output.docxpost import NUM_ID
from mc2cli.output.structure import PageOptions, bookmark_name
from mc2cli.pipeline import build, check

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/deal.yaml"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REF = re.compile(r"Section (\d+\.\d+)")
PARAGRAPH = re.compile(r"<w:p>(?:(?!</w:p>).)*</w:p>", re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in EXAMPLES:
        folder = tmp_path_factory.mktemp(name)
        build(ROOT / "examples" / name / "deal.yaml", out_dir=folder,
              formats=["md", "docx", "pdf", "html"])
        out[name] = folder
    return out


def _part(path: Path, name: str) -> str:
    return zipfile.ZipFile(path).read(name).decode("utf-8")


def _headings(xml: str) -> Iterator[tuple[str, str, str]]:
    """(style, paragraph properties, text) of each Heading 1/2 paragraph."""
    for para in PARAGRAPH.findall(xml):
        style = re.search(r'<w:pStyle w:val="(Heading[12])" />', para)
        if style:
            ppr = re.search(r"<w:pPr>(.*?)</w:pPr>", para, re.S)
            text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para))
            yield style.group(1), ppr.group(1) if ppr else "", text


@pytest.mark.parametrize("name", EXAMPLES)
def test_headings_are_numbered_by_word_not_by_their_text(name: str,
                                                         built: dict[str, Path]) -> None:
    path = built[name] / "contract.docx"
    styles = _part(path, "word/styles.xml")
    for style, ilvl in (("Heading1", 0), ("Heading2", 1)):
        block = re.search(rf'w:styleId="{style}".*?</w:style>', styles, re.S)
        assert block and (f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{NUM_ID}"/>'
                          in block.group(0))
    numbering = _part(path, "word/numbering.xml")
    assert f'<w:num w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/>' in numbering
    assert '<w:pStyle w:val="Heading2"/><w:lvlText w:val="%1.%2"/>' in numbering

    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    numbered = [(s, t) for s, ppr, t in _headings(_part(path, "word/document.xml"))
                if '<w:numId w:val="0" />' not in ppr]
    expected = [("Heading1", "Definitions")]
    for section in contract.all_sections:
        expected.append(("Heading1", section.title))
        expected += [("Heading2", c.title) for c in section.clauses]
    assert numbered == expected  # no "2.1 " typed in any heading
    assert not [t for _s, _p, t in _headings(_part(path, "word/document.xml"))
                if re.match(r"\d+(\.\d+)*\.?\s", t)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_cross_reference_is_a_ref_field_to_a_clause_bookmark(
        name: str, built: dict[str, Path]) -> None:
    path = built[name] / "contract.docx"
    xml = _part(path, "word/document.xml")
    marks = dict(re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="([^"]+)" />', xml))
    names = set(marks.values())
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    number_of = {bookmark_name(c.id): c.number for c in contract.clauses}
    assert {bookmark_name(c.id) for c in contract.clauses} <= names
    fields = re.findall(r"<w:instrText xml:space=\"preserve\"> REF (\S+) \\n \\h </w:instrText>"
                        r".*?<w:t>([^<]*)</w:t>", xml)
    markdown = re.sub(r"\s+", " ", (built[name] / "contract.md").read_text())
    assert len(fields) == len(REF.findall(markdown))
    for target, cached in fields:
        assert target in names and number_of[target] == cached
    plain = re.sub(r"<w:fldChar.*?w:fldCharType=\"end\"/>", "", xml, flags=re.S)
    words = " ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", plain))
    assert not REF.search(re.sub(r"\s+", " ", words))


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_clause_bookmark_spans_its_heading_and_text(name: str,
                                                          built: dict[str, Path]) -> None:
    xml = _part(built[name] / "contract.docx", "word/document.xml")
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    for clause in contract.clauses:
        start = re.search(rf'<w:bookmarkStart w:id="(\d+)" w:name="{bookmark_name(clause.id)}"'
                          r' />\s*<w:p><w:pPr><w:pStyle w:val="Heading2" />', xml)
        assert start, clause.id
        end = xml.index(f'<w:bookmarkEnd w:id="{start.group(1)}" />')
        body = xml[start.end():end]
        assert body.count("<w:p>") >= 1 and clause.title.split()[0] in body


@pytest.mark.parametrize("name", EXAMPLES)
def test_page_rules_in_the_docx(name: str, built: dict[str, Path]) -> None:
    xml = _part(built[name] / "contract.docx", "word/document.xml")
    assert re.search(r"<w:pageBreakBefore />[^<]*(?:<[^>]*>){0,8}<w:t[^>]*>Schedule A:", xml)
    rows = re.findall(r"<w:tr>(?:<w:trPr>.*?</w:trPr>)?", xml)
    assert rows and all("<w:cantSplit />" in r for r in rows)
    sign = xml[xml.index(">Signatures<"):]
    table = sign[:sign.index("</w:tbl>")]
    assert table.count('w:hRule="atLeast"') == 2  # the Signature and Date rows
    assert '<w:trHeight w:val="1000" w:hRule="atLeast" />' in table
    header = _part(built[name] / "contract.docx", "word/header1.xml")
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    assert contract.deal.title.split()[0] in header
    assert "DRAFT" not in header
    assert "trackRevisions" not in _part(built[name] / "contract.docx", "word/settings.xml")


def test_draft_stamp_contents_and_tracked_changes(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    deal = ROOT / "examples" / "riverside-mri" / "deal.yaml"
    page = PageOptions(draft=True, toc=True, track_changes=True)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(deal, out_dir=tmp_path / "a", formats=["docx", "pdf", "html"], page=page)
    header = _part(tmp_path / "a" / "contract.docx", "word/header1.xml")
    assert "DRAFT - 2027-03-01 - RHS-IMG-2027-004" in header  # the effective date
    assert "RHS-IMG-2027-004" in header.split("DRAFT")[0]
    assert "<w:trackRevisions />" in _part(tmp_path / "a" / "contract.docx",
                                           "word/settings.xml")
    document = _part(tmp_path / "a" / "contract.docx", "word/document.xml")
    assert "TOC \\o" in document and ">Contents<" in document
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "a" / "contract.pdf").pages)
    assert "DRAFT - 2027-03-01 - RHS-IMG-2027-004" in text and "Contents" in text
    assert "DRAFT - 2027-03-01" in (tmp_path / "a" / "contract.html").read_text()

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21
    build(deal, out_dir=tmp_path / "b", formats=["docx"], page=page)
    build(deal, out_dir=tmp_path / "c", formats=["docx"], page=page)
    header = _part(tmp_path / "b" / "contract.docx", "word/header1.xml")
    assert "DRAFT - 2026-09-21 - RHS-IMG-2027-004" in header
    assert ((tmp_path / "b" / "contract.docx").read_bytes()
            == (tmp_path / "c" / "contract.docx").read_bytes())


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's text lines, without the running header and the page footer."""
    out = []
    for page in PdfReader(pdf).pages:
        lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
        out.append([ln for ln in lines if not re.fullmatch(r"Page \d+ of \d+", ln)])
    return out


def _signature_block_on_one_page(pages: list[list[str]], names: list[str]) -> None:
    with_heading = [p for p in pages if "Signatures" in p]
    assert len(with_heading) == 1
    page = " ".join(with_heading[0])
    assert "Signed by the authorized representatives" in page
    for word in ("Signature", "Date", *names):
        assert word in page


def _no_schedule_heading_ends_a_page(pages: list[list[str]]) -> None:
    for lines in pages:
        assert lines and not re.match(r"(Schedule [A-Z]:|Signatures$)", lines[-1]), lines[-1]


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_keeps_the_signature_block_and_schedule_headings_with_their_text(
        name: str, built: dict[str, Path]) -> None:
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    parties = contract.deal.parties
    pages = _pages(built[name] / "contract.pdf")
    _signature_block_on_one_page(pages, [parties.hdo.signatory.name,
                                         parties.mdm.signatory.name])
    _no_schedule_heading_ends_a_page(pages)


@pytest.mark.parametrize("name", EXAMPLES)
def test_html_links_references_to_stable_clause_ids(name: str, built: dict[str, Path]) -> None:
    html = (built[name] / "contract.html").read_text()
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    ids = set(re.findall(r' id="([^"]+)"', html))
    assert {c.id for c in contract.clauses} <= ids
    links = re.findall(r"<a\s+href=\"#([^\"]+)\">Section\s+(\d+\.\d+)</a>", html)
    number_of = {c.id: c.number for c in contract.clauses}
    markdown = re.sub(r"\s+", " ", (built[name] / "contract.md").read_text())
    assert len(links) == len(REF.findall(markdown))
    assert all(number_of[target] == number for target, number in links)
    assert '<nav id="TOC"' in html and f'href="#{contract.clauses[0].id}"' in html
    assert 'class="signatures"' in html


def _soffice(args: list[str], profile: Path) -> None:
    binary = shutil.which("soffice")
    assert binary, "LibreOffice (soffice) is needed: .ci/run installs it"
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    *args], check=True, capture_output=True, timeout=300)


def _delete_clause(source: Path, bookmark: str, target: Path) -> None:
    """Delete a clause's paragraphs as a Word user would, bookmark and all."""
    document = docx.Document(str(source))
    body = document.element.body
    start = next(e for e in body.iter(f"{W}bookmarkStart") if e.get(f"{W}name") == bookmark)
    element, ident = start, start.get(f"{W}id")
    while element is not None:
        following = element.getnext()
        body.remove(element)
        if element.tag == f"{W}bookmarkEnd" and element.get(f"{W}id") == ident:
            break
        element = following
    document.save(str(target))


def test_references_follow_a_deleted_clause_in_libreoffice(built: dict[str, Path],
                                                           tmp_path: Path) -> None:
    name = "riverside-mri"
    contract = check(ROOT / "examples" / name / "deal.yaml").contract
    assert contract is not None
    markdown = re.sub(r"\s+", " ", (built[name] / "contract.md").read_text())
    cited = REF.findall(markdown)
    # Delete the clause just before the first cited clause that has one in its section.
    target = next(n for n in cited if not n.endswith(".1"))
    section, index = target.split(".")
    gone = next(c for c in contract.clauses if c.number == f"{section}.{int(index) - 1}")
    _delete_clause(built[name] / "contract.docx", bookmark_name(gone.id), tmp_path / "cut.docx")

    def renumbered(number: str) -> str:
        s, i = number.split(".")
        return f"{s}.{int(i) - 1}" if s == section and int(i) > int(index) - 1 else number

    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "cut.docx")],
             tmp_path / "profile")
    pages = _pages(tmp_path / "cut.pdf")
    text = re.sub(r"\s+", " ", " ".join(" ".join(p) for p in pages))
    assert REF.findall(text) == [renumbered(n) for n in cited if n != gone.number]
    moved = next(c for c in contract.clauses if c.number == target)
    assert re.search(rf"{gone.number}\s+{re.escape(moved.title)}", text)  # Word numbering


def test_libreoffice_pages_of_the_docx(built: dict[str, Path], tmp_path: Path) -> None:
    """The DOCX as LibreOffice lays it out: the signature block on one page, no schedule
    heading alone at the foot of a page."""
    for name in EXAMPLES:
        shutil.copy(built[name] / "contract.docx", tmp_path / f"{name}.docx")
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
              *[str(tmp_path / f"{name}.docx") for name in EXAMPLES]], tmp_path / "profile")
    for name in EXAMPLES:
        contract = check(ROOT / "examples" / name / "deal.yaml").contract
        assert contract is not None
        parties = contract.deal.parties
        pages = _pages(tmp_path / "pdf" / f"{name}.pdf")
        title = contract.deal.title
        pages = [[ln for ln in p if not ln.startswith(title)] for p in pages]  # the header
        _signature_block_on_one_page(pages, [parties.hdo.signatory.name,
                                             parties.mdm.signatory.name])
        _no_schedule_heading_ends_a_page(pages)
        assert any(p and p[0].startswith("Schedule A:") for p in pages)


def test_documents_are_reproducible_with_structure(built: dict[str, Path],
                                                   tmp_path: Path) -> None:
    name = EXAMPLES[0]
    build(ROOT / "examples" / name / "deal.yaml", out_dir=tmp_path, formats=["docx", "html"])
    for fmt in ("docx", "html"):
        assert ((tmp_path / f"contract.{fmt}").read_bytes()
                == (built[name] / f"contract.{fmt}").read_bytes())
