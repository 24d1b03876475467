"""Reading their paper: formats, reflow, and every kind of bad file refused with a message."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from mc2cli.errors import InputError
from mc2cli.reading.documents import MAX_BYTES, Block, markdown_blocks, read_document, text_blocks


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_document(path)
    return info.value.problems[0].format()


def test_markdown_headings_paragraphs_and_items() -> None:
    blocks = markdown_blocks("# Terms\n\nThe *Vendor* shall\npatch [systems](http://x).\n\n"
                             "1. First item here\n2. Second item\n   continued\n")
    assert blocks == [Block("Terms", 1), Block("The Vendor shall patch systems."),
                      Block("1. First item here"), Block("2. Second item continued")]


def test_text_reflow_joins_lines_and_mends_hyphens() -> None:
    text = ("SECURITY PATCHING\n"
            "The Supplier shall make security patches available to the Customer within thirty\n"
            "days after the patch is released by the maker of the third-party compo-\n"
            "nent, and shall validate each patch first.\n"
            "5.2 The Customer installs the patches.\n")
    blocks = text_blocks(text)
    assert blocks[0] == Block("SECURITY PATCHING")
    assert "third-party component, and shall validate" in blocks[1].text
    assert blocks[2].text == "5.2 The Customer installs the patches."


def test_soft_hyphens_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("The ven\u00addor shall notify the customer of each incident promptly.\n")
    assert read_document(path)[0].text == "The vendor shall notify the customer of each incident promptly."


def test_docx_through_pandoc(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("Security Patching", level=1)
    doc.add_paragraph("Vendor shall deliver validated security patches within ninety (90) days.")
    path = tmp_path / "their.docx"
    doc.save(str(path))
    blocks = read_document(path)
    assert Block("Security Patching", 1) in blocks
    assert any("ninety (90) days" in b.text for b in blocks)


def _pdf(text_lines: list[str]) -> bytes:
    import typst

    body = "\n\n".join(text_lines)
    src = f'#set page(width: 16cm, height: 20cm)\n#set text(size: 10pt)\n{body}\n'
    return bytes(typst.compile(src.encode(), format="pdf", ignore_system_fonts=True))


def test_pdf_text_is_reflowed_into_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "their.pdf"
    long = ("The Supplier shall notify the Customer of any Security Incident affecting Customer "
            "Data without undue delay and in any event within seventy-two hours after discovery, "
            "and shall cooperate with the investigation that follows.")
    path.write_bytes(_pdf([long, "Payment is due within thirty days of the invoice date."]))
    blocks = read_document(path)
    assert any("within seventy-two hours after discovery, and shall cooperate" in b.text
               for b in blocks)


def test_image_only_pdf(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "no text layer" in _error(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf(["Vendor shall patch the devices every month."]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "encrypted" in _error(path)


def test_encrypted_docx(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    assert "encrypted" in _error(path)


def test_zip_bomb(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
        zf.writestr("word/media/big.bin", b"\0" * (80 * 1024 * 1024))
    path = tmp_path / "bomb.docx"
    path.write_bytes(buf.getvalue())
    assert "zip bomb" in _error(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes(b"plain text pretending")
    assert "not a .docx" in _error(path)


def test_large_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert f"larger than the limit of {MAX_BYTES // (1024 * 1024)} MB" in _error(path)


@pytest.mark.parametrize("content", ["", "   \n\n", "# Only a heading\n"])
def test_empty_document(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.md"
    path.write_text(content)
    message = _error(path)
    assert "empty" in message or "no text" in message


def test_unknown_suffix_and_binary(tmp_path: Path) -> None:
    odt = tmp_path / "x.odt"
    odt.write_text("x")
    assert "cannot read '.odt' files" in _error(odt)
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"abc\0def")
    assert "NUL" in _error(binary)
