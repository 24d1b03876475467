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
