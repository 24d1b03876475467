"""Their paper as blocks of text: .docx (pinned pandoc), .pdf (pypdf), .md and .txt.

Every file is hostile until read: sizes are limited before parsing, a .docx is opened as a zip
and its expanded size checked before pandoc sees it, pandoc runs sandboxed under a timeout, a
PDF's pages are capped, and an encrypted or image-only file is refused with a plain message.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mc2cli.errors import InputError, Problem
from mc2cli.reading.files import read_bounded

MAX_BYTES = 10 * 1024 * 1024        # the file itself
MAX_EXPANDED = 60 * 1024 * 1024     # a .docx's members once unzipped
MAX_RATIO = 200                     # unzipped / zipped, per member: more is a zip bomb
MAX_PAGES = 1000
MAX_CHARS = 3_000_000               # text taken from any file
SUFFIXES = (".docx", ".pdf", ".md", ".txt")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .docx, or an old .doc


@dataclass(frozen=True)
class Block:
    """A paragraph or heading as read. `level` is 0 for body text, 1-6 for headings."""

    text: str
    level: int = 0


def fail(path: str, message: str, hint: str = "") -> InputError:
    return InputError([Problem(path, 1, 1, message, hint=hint, rule="analyze")])


def read_document(path: Path, display: str | None = None) -> list[Block]:
    """The blocks of a document, or an InputError saying why it cannot be read."""
    shown = display or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise fail(shown, f"cannot read '{suffix or path.name}' files",
                   "give a .docx, .pdf, .md or .txt file (save a .doc as .docx first)")
    raw = read_bounded(path, shown, MAX_BYTES, fail)
    if len(raw) > MAX_BYTES:
        raise fail(shown, f"file is larger than the limit of {MAX_BYTES // (1024 * 1024)} MB",
                   "split the document, or save it without embedded images")
    if not raw.strip():
        raise fail(shown, "file is empty")
    if suffix == ".docx":
        blocks = markdown_blocks(_docx_markdown(raw, shown))
    elif suffix == ".pdf":
        blocks = pdf_blocks(raw, shown)
    else:
        text = _decode(raw, shown)
        blocks = markdown_blocks(text) if suffix == ".md" else text_blocks(text)
    if not any(b.level == 0 for b in blocks):
        raise fail(shown, "no text found in the document",
                   "a scanned document needs OCR first; an empty one has nothing to analyze")
    return blocks


def _decode(raw: bytes, shown: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(shown, f"not UTF-8 text (byte {exc.start + 1})",
                   "save the file as UTF-8") from None
    if "\x00" in text:
        raise fail(shown, "contains NUL bytes: this is not a text file")
    return clean(text[:MAX_CHARS])


def clean(text: str) -> str:
    """Soft hyphens and zero-width characters out, non-breaking spaces and ligatures plain."""
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    text = text.replace("\u00a0", " ").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text).replace("\r\n", "\n")


# --- .docx --------------------------------------------------------------------------------

def _check_zip(raw: bytes, shown: str) -> None:
    if raw.startswith(_OLE):
        raise fail(shown, "the file is encrypted (password-protected) or an old binary .doc",
                   "save an unprotected copy as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            names = {m.filename for m in members}
            bomb = any(m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1_000_000
                       for m in members)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise fail(shown, "not a .docx file (it is not a readable zip package)",
                   "open it in a word processor and save it as .docx") from None
    if bomb or total > MAX_EXPANDED or len(members) > 10_000:
        raise fail(shown, "the .docx expands to more than the limit "
                   f"({MAX_EXPANDED // (1024 * 1024)} MB, ratio {MAX_RATIO}:1); refused as a "
                   "zip bomb", "save the document again from a word processor")
    if "word/document.xml" not in names:
        raise fail(shown, "not a .docx file (no word/document.xml inside)")


def _docx_markdown(raw: bytes, shown: str) -> str:
    """The .docx as CommonMark, by the pinned pandoc, sandboxed and under the timeout."""
    from mc2cli.output.convert import pandoc_path, timeout

    _check_zip(raw, shown)
    with tempfile.TemporaryDirectory(prefix="mc2-") as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(raw)
        args = [str(pandoc_path()), "--sandbox", "-f", "docx", "-t",
                "commonmark-raw_html", "--wrap=none", str(src)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "LC_ALL": "C.UTF-8", "HOME": tmp}
        limit = timeout()
        try:
            proc = subprocess.run(args, capture_output=True, timeout=limit, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise fail(shown, f"reading the .docx took longer than {limit:g} s",
                       "raise the limit with MC2_CONVERT_TIMEOUT=SECONDS") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise fail(shown, "pandoc could not read the .docx: "
                   + (message[-1][:200] if message else f"exit {proc.returncode}"))
    return clean(proc.stdout.decode("utf-8", "replace")[:MAX_CHARS])


# --- Markdown and plain text ----------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^( {0,3})(?:[-*+]|\d{1,3}[.)])\s+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def inline_text(text: str) -> str:
    """Markdown emphasis, links, images and escapes out; whitespace collapsed."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def markdown_blocks(text: str) -> list[Block]:
    """Headings, paragraphs and top-level list items (nested items stay in their parent)."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        joined = inline_text(" ".join(para))
        if joined:
            blocks.append(Block(joined))
        para.clear()

    for line in text.split("\n"):
        heading = _ATX.match(line)
        if heading:
            flush()
            title = inline_text(heading.group(2))
            if title:
                blocks.append(Block(title, len(heading.group(1))))
        elif not line.strip() or re.match(r"^\s*([-*_]\s*){3,}$", line) or line.startswith("|-"):
            flush()
        elif _ITEM.match(line):
            flush()
            para.append(re.sub(r"^\s*[-*+]\s+", "", line))
        else:
            para.append(line.lstrip("> ").strip("|"))
    flush()
    return blocks


_NUMBERED = re.compile(r"^\s*(?:\(?[a-z0-9]{1,3}[.)]|(?:\d{1,3}\.)+\d{0,3}|[•·▪\-\u2013*])\s+\S",
                       re.IGNORECASE)
_END = re.compile(r"[.;:!?)\]\"”]$")


def text_blocks(text: str) -> list[Block]:
    """Plain text: blank lines separate paragraphs; lines are joined within a paragraph
    unless the next line starts a numbered or bulleted item."""
    return _reflow(text.split("\n"))


def _reflow(lines: list[str]) -> list[Block]:
    widths = sorted(len(s.strip()) for s in lines if len(s.strip()) > 20)
    full = widths[int(len(widths) * 0.6)] if widths else 80
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            joined = re.sub(r"\s+", " ", " ".join(para)).strip()
            if joined:
                blocks.append(Block(joined))
            para.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        if para and _NUMBERED.match(line):
            flush()
        if para and para[-1].endswith("-") and line[:1].islower():
            para[-1] = para[-1][:-1] + line   # a word hyphenated across the line break
        else:
            para.append(line)
        if _END.search(line) and len(line) < 0.8 * full:
            flush()  # a short line that ends a sentence ends its paragraph
        elif len(para) == 1 and len(line) < 0.6 * full and not _END.search(line) \
                and len(line.split()) <= 12 and line[:1].isupper():
            flush()  # a short line on its own: a heading (the segmenter decides)
    flush()
    return blocks


# --- PDF -------------------------------------------------------------------------------------

def pdf_blocks(raw: bytes, shown: str) -> list[Block]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise fail(shown, "reading PDF files needs the analyze extra",
                   "pip install 'mc2cli[analyze]', or save the document as .docx or .txt") \
            from None
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                raise fail(shown, "the PDF is encrypted (password-protected)",
                           "save an unprotected copy of the document")
        if len(reader.pages) > MAX_PAGES:
            raise fail(shown, f"the PDF has more than {MAX_PAGES} pages")
        pages: list[list[str]] = []
        size = 0
        for page in reader.pages:
            text = clean(page.extract_text() or "")
            size += len(text)
            if size > MAX_CHARS:
                raise fail(shown, f"the PDF holds more than {MAX_CHARS} characters of text")
            pages.append(text.split("\n"))
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, IndexError, AssertionError, ZeroDivisionError) as exc:
        raise fail(shown, f"not a readable PDF ({type(exc).__name__})",
                   "open it in a PDF reader and save or print it to a new PDF") from None
    if not any(line.strip() for page in pages for line in page):
        raise fail(shown, "the PDF has no text layer (a scanned or image-only document)",
                   "run OCR on it first, or ask for the Word or text version")
    return _reflow(_drop_running_lines(pages))


def _drop_running_lines(pages: list[list[str]]) -> list[str]:
    """Page numbers, and headers or footers repeated on most pages, out; pages joined."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    counts = Counter(k for page in pages for k in {key(x) for x in page if x.strip()})
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    lines: list[str] = []
    for page in pages:
        for line in page:
            k = key(line)
            if k in repeated or re.fullmatch(r"(page\s*)?#(\s*(of|/)\s*#)?|-\s*#\s*-", k):
                continue
            lines.append(line)
    return lines
