"""The bundled examples: strict checks, golden contracts, and the Lakeside build in every format.

Regenerate the golden files on purpose with `MC2_UPDATE_GOLDEN=1 python -m pytest
tests/test_examples.py`, then review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mc2cli.output.document import to_markdown
from mc2cli.pipeline import build, check

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/deal.yaml"))


def test_three_examples_exist() -> None:
    assert {"lakeside-infusion", "riverside-mri", "cirrus-cloud-samd"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_passes_strict_check(name: str) -> None:
    result = check(ROOT / "examples" / name / "deal.yaml", strict=True)
    assert result.problems == [], "\n".join(p.format() for p in result.problems)


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_contract(name: str) -> None:
    result = check(ROOT / "examples" / name / "deal.yaml", strict=True)
    assert result.contract is not None
    text = to_markdown(result.contract)
    golden = ROOT / "examples" / name / "contract.md"
    if os.environ.get("MC2_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lakeside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lakeside")
    build(ROOT / "examples" / "lakeside-infusion" / "deal.yaml", out_dir=out)
    return out


def test_lakeside_docx_shows_parties_and_numbered_headings(lakeside: Path) -> None:
    import docx

    document = docx.Document(str(lakeside / "contract.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Lakeside Regional Health System" in text
    assert "Acme Infusion Systems, Inc." in text
    styles = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    headings = [text for style, text in styles if style.startswith("Heading")]
    assert "Definitions" in headings  # numbered by Word (tests/output/test_docxpost.py)
    assert not any(re.match(r"^\d", h) for h in headings)
    assert [text for style, text in styles if style == "Title"] == [
        "Medical Device Cybersecurity Addendum"]


def test_lakeside_pdf_has_title_and_parties(lakeside: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(lakeside / "contract.pdf"))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Medical Device Cybersecurity Addendum" in text
    assert "Lakeside Regional Health System" in text
    assert "Acme Infusion Systems, Inc." in text
    assert len(reader.pages) > 5


def test_lakeside_html_is_one_standalone_file(lakeside: Path) -> None:
    html = (lakeside / "contract.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<style" in html
    assert not re.search(r"<link|<script|src=\"http|url\(http", html)
    assert "Lakeside Regional Health System" in html


def test_lakeside_manifest(lakeside: Path) -> None:
    import hashlib
    import json

    manifest = json.loads((lakeside / "manifest.json").read_text())
    assert manifest["library"]["edition"].startswith("MC2 ")
    assert len(manifest["library"]["content_sha256"]) == 64
    clause = manifest["clauses"][0]
    assert {"id", "position", "parameters", "text_sha256", "number"} <= set(clause)
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((lakeside / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_lock_is_current(name: str) -> None:
    """The committed lock matches the library: regenerate with `mc2 lock examples/*/deal.yaml`."""
    from typer.testing import CliRunner

    from mc2cli.cli.main import app
    result = CliRunner().invoke(app, ["check", "--locked",
                                      str(ROOT / "examples" / name / "deal.yaml")])
    assert result.exit_code == 0, result.output


def test_riverside_schedule_b_is_drawn_from_the_text() -> None:
    """The HDO-leaning 11.4 (installing patches) binds Manufacturer too; no totals row."""
    text = (ROOT / "examples" / "riverside-mri" / "contract.md").read_text(encoding="utf-8")
    schedule_b = text.split("## Schedule B")[1].split("## Schedule C")[0]
    assert "| 11.4 | Installation of Security Patches | X | X |" in schedule_b
    assert "owed" not in schedule_b.lower().split("|", 1)[1]


# --- dates and figures in the governing law's style -------------------------------------

def _english(tmp_path: Path) -> str:
    text = (ROOT / "examples" / "lakeside-infusion" / "deal.yaml").read_text()
    deal = tmp_path / "deal.yaml"
    deal.write_text(text.replace("governing_law: the State of Minnesota",
                                 "governing_law: the laws of England and Wales"))
    result = check(deal, strict=True)
    assert result.contract is not None, [p.format() for p in result.problems]
    return to_markdown(result.contract)


def test_a_us_deal_and_an_english_deal_write_dates_and_figures_in_their_styles(
        tmp_path: Path) -> None:
    us = (ROOT / "examples" / "lakeside-infusion" / "contract.md").read_text()
    uk = _english(tmp_path)
    for american, british in [
        ("Effective Date: January 1, 2027", "Effective Date: 1 January 2027"),
        ("for at least one hundred eighty (180) days", "for at least one hundred and eighty (180) days"),
        ("is limited to US\\$5,000,000 for all", "is limited to USD 5,000,000 for all"),
        ("| Separate cap for Data Breach liability | US\\$5,000,000 |",
         "| Separate cap for Data Breach liability | USD 5,000,000 |"),
        ("| AcmeFlow 3000 Infusion Pump | 400 | March 1, 2027 |",
         "| AcmeFlow 3000 Infusion Pump | 400 | 1 March 2027 |"),
    ]:
        assert american in us and american not in uk, american
        assert british in uk and british not in us, british


# Figures the old rendering wrote beside one another: digits alone for large counts
# ("2,555 days"), words alone in a text ("within one business day"), money as a count of
# millions ("five (5) million US dollars"), and British dates or "and" under US law.
_UNITS = r"(?:business days?|days?|hours?|weeks?|months?|years?)"
_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
          r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
          r"sixty|seventy|eighty|ninety|hundred|thousand)")
_OLD = {
    "digits without words in the text": re.compile(rf"(?<![(\d,.$-])\b\d[\d,]* {_UNITS}\b"),
    "words without the figure": re.compile(rf"\b{_WORDS}(?:-[a-z]+)? {_UNITS}\b"),
    "money counted in millions": re.compile(r"million US dollars"),
    "a British date under US law": re.compile(
        r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|"
        r"October|November|December) \d{4}"),
    "a British 'and' under US law": re.compile(r"hundred and|thousand and"),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_contracts_write_every_figure_by_one_rule(name: str) -> None:
    text = (ROOT / "examples" / name / "contract.md").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("|"))
    found = {what: pattern.findall(body if what != "money counted in millions" else text)
             for what, pattern in _OLD.items()}
    assert {what: hits for what, hits in found.items() if hits} == {}


@pytest.mark.parametrize("name", EXAMPLES)
def test_notes_write_figures_by_the_same_rule(name: str) -> None:
    """The notes quote clause texts (words and figure) and comment in figures alone."""
    from mc2cli.output.notes import to_markdown as notes_markdown
    result = check(ROOT / "examples" / name / "deal.yaml", strict=True)
    assert result.contract is not None
    notes = notes_markdown(result.contract)
    found = {what: pattern.findall(notes) for what, pattern in _OLD.items()
             if what != "digits without words in the text"}
    assert {what: hits for what, hits in found.items() if hits} == {}
