"""A returned Word file, read safely: paragraphs as they now read, tracked changes with their
author and date, comments with the text they anchor to, and the bookmarks in each paragraph.

The file is someone else's, so it is read as hostile (robustness.md): its size, its number of
parts, each part's size and its compression ratio are limited before anything is inflated;
each part is read no further than its limit, whatever its header claims; an encrypted
(password-protected) file or an old binary .doc is recognised by its OLE signature and
refused by name; and XML goes through defusedxml with DTDs and entities forbidden, so no
entity expansion or external reference is ever followed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mc2cli.errors import InputError, Problem
from mc2cli.reading.files import read_bounded

MAX_FILE = 50 * 1024 * 1024      # the .docx itself
MAX_PART = 64 * 1024 * 1024      # one part, inflated
MAX_TOTAL = 200 * 1024 * 1024    # every part read, inflated
MAX_PARTS = 5000
MAX_RATIO = 100                  # inflated / compressed, for parts over 1 MB
MAX_DEPTH = 200                  # XML nesting followed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SKIP = {f"{W}pPr", f"{W}rPr", f"{W}instrText", f"{W}delInstrText", f"{W}drawing", f"{W}pict",
         f"{W}object", f"{W}footnoteReference", f"{W}endnoteReference", f"{W}sectPr",
         f"{W}tblPr", f"{W}tcPr", f"{W}trPr", f"{W}tblGrid",
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}
_TRACKED = {f"{W}ins": "ins", f"{W}del": "del", f"{W}moveTo": "ins", f"{W}moveFrom": "del"}


@dataclass(frozen=True)
class Mark:
    """One tracked change: an insertion or a deletion, by whom and when."""

    kind: str  # "ins" or "del"
    author: str | None
    date: str | None


@dataclass
class Para:
    """A paragraph as it reads with every tracked change accepted."""

    index: int
    text: str = ""
    old: str = ""                    # as it read before the tracked changes
    style: str = ""
    heading: int | None = None       # outline level 1-9 of a heading
    bookmarks: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    gone: bool = False               # deleted whole (text and paragraph mark)
    mark_deleted: bool = False       # its paragraph mark is a tracked deletion
    in_table: bool = False


@dataclass
class Comment:
    id: str
    author: str | None
    date: str | None
    text: str
    anchor: str = ""
    para: int | None = None          # index of the paragraph the anchor starts in


@dataclass
class Returned:
    """What was read from the file."""

    path: str
    paragraphs: list[Para]
    comments: list[Comment]
    last_author: str | None = None
    modified: str | None = None

    @property
    def tracked(self) -> bool:
        return any(p.marks for p in self.paragraphs)


def fail(path: str, message: str, hint: str = "") -> InputError:
    return InputError([Problem(path, 1, 1, message, hint=hint, rule="docx")])


def read_docx(path: Path, shown: str) -> Returned:
    """Read a returned .docx; InputError (located, with a hint) for anything unsafe or
    not a Word document."""
    raw = read_bounded(path, shown, MAX_FILE, fail)
    if len(raw) > MAX_FILE:
        raise fail(shown, f"file is larger than the limit of {MAX_FILE} bytes",
                   "check that this is the contract you sent out")
    if raw.startswith(OLE_MAGIC):
        raise fail(shown, "is encrypted (password-protected) or an old binary .doc file",
                   "remove the password, or save it as a .docx, and ingest that")
    parts = _Parts(raw, shown)
    body = parts.xml("word/document.xml")
    styles = _styles(parts.xml("word/styles.xml", required=False))
    comments = _comments(parts.xml("word/comments.xml", required=False))
    author, modified = _core(parts.xml("docProps/core.xml", required=False))
    walker = _Walker(styles)
    body_el = body.find(f"{W}body")
    if body_el is None:
        raise fail(shown, "word/document.xml has no document body",
                   "save the file from Word or LibreOffice as a .docx (not Strict Open XML)")
    walker.visit(body_el, 0)
    walker.flush()
    paragraphs = _accept(walker.paras)
    for cid, (anchor, para) in walker.anchors.items():
        if cid in comments:
            comments[cid].anchor = " ".join(anchor.split())
            comments[cid].para = para
    return Returned(shown, paragraphs, [comments[k] for k in sorted(comments, key=_num)],
                    author, modified)


def _num(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text)


class _Parts:
    """The zip, opened with limits on everything it could make us inflate."""

    def __init__(self, raw: bytes, shown: str) -> None:
        import io
        self.shown = shown
        self.total = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            raise fail(shown, "is not a Word file (.docx): it is not a zip package",
                       "save it from Word or LibreOffice as a .docx") from None
        if len(infos) > MAX_PARTS:
            raise fail(shown, f"has {len(infos)} parts; the limit is {MAX_PARTS}",
                       "a Word file has a few dozen; this one may be a zip bomb")
        self.infos = {i.filename: i for i in infos}
        if "[Content_Types].xml" not in self.infos or "word/document.xml" not in self.infos:
            raise fail(shown, "is a zip package but not a Word document "
                              "(no word/document.xml)",
                       "an .xlsx, .pptx or .odt is not a contract; save it as a .docx")
        for info in infos:
            if info.flag_bits & 0x1:
                raise fail(shown, f"part {info.filename} is encrypted",
                           "remove the password and save it again as a .docx")
            if info.file_size > MAX_PART:
                raise fail(shown, f"part {info.filename} inflates to {info.file_size} bytes; "
                                  f"the limit is {MAX_PART}", "this may be a zip bomb")
            if info.file_size > 1024 * 1024 and \
                    info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise fail(shown, f"part {info.filename} is compressed more than "
                                  f"{MAX_RATIO} to 1", "this may be a zip bomb")

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        try:
            with self.zip.open(info) as fh:
                data = fh.read(MAX_PART + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
                ValueError) as exc:
            raise fail(self.shown, f"part {name} cannot be read: {exc}",
                       "save the file again from Word or LibreOffice") from None
        self.total += len(data)
        if len(data) > MAX_PART or self.total > MAX_TOTAL:
            raise fail(self.shown, f"part {name} inflates past the limit of {MAX_PART} bytes",
                       "this may be a zip bomb")
        return data

    def xml(self, name: str, *, required: bool = True) -> Element:
        if name not in self.infos:
            if required:
                raise fail(self.shown, f"has no {name}")
            return Element("none")
        data = self.read(name)
        try:
            return fromstring(data, forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)
        except DefusedXmlException:
            raise fail(self.shown, f"{name} declares a DTD or entities, which a Word file "
                                   "never does", "this file may be crafted; do not open it "
                                                 "elsewhere either") from None
        except ParseError as exc:
            line, col = exc.position
            raise fail(self.shown, f"{name} is not well-formed XML (its line {line}, "
                                   f"column {col + 1})",
                       "save the file again from Word or LibreOffice") from None


def _styles(root: Element) -> dict[str, int | None]:
    """styleId -> heading level (None for other styles)."""
    out: dict[str, int | None] = {}
    for style in root.iter(f"{W}style"):
        sid = style.get(f"{W}styleId") or ""
        name_el = style.find(f"{W}name")
        name = (name_el.get(f"{W}val") or "") if name_el is not None else ""
        level = _heading_level(name) or _heading_level(sid)
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if level is None and outline is not None and (outline.get(f"{W}val") or "").isdigit():
            value = int(outline.get(f"{W}val") or "9")
            level = value + 1 if value < 9 else None
        out[sid] = level
    return out


def _heading_level(name: str) -> int | None:
    m = re.fullmatch(r"(?i)heading\s*([1-9])", name.strip())
    return int(m.group(1)) if m else None


def _text_of(el: Element) -> str:
    parts = []
    for node in el.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(" ")
        elif node.tag == f"{W}p" and parts:
            parts.append("\n")
    return "".join(parts)


def _comments(root: Element) -> dict[str, Comment]:
    out: dict[str, Comment] = {}
    for c in root.iter(f"{W}comment"):
        cid = c.get(f"{W}id") or ""
        text = " ".join(_text_of(c).split())
        out[cid] = Comment(cid, c.get(f"{W}author"), c.get(f"{W}date"), text)
    return out


def _core(root: Element) -> tuple[str | None, str | None]:
    author = modified = None
    for el in root:
        tag = el.tag.rpartition("}")[2]
        if tag == "lastModifiedBy" and (el.text or "").strip():
            author = (el.text or "").strip()
        elif tag == "modified" and (el.text or "").strip():
            modified = (el.text or "").strip()
    return author, modified


class _Walker:
    """Walks the body in document order, building paragraphs and comment anchors."""

    def __init__(self, styles: dict[str, int | None]) -> None:
        self.styles = styles
        self.paras: list[Para] = []
        self.current: Para | None = None
        self.pending: list[str] = []
        self.tracked: list[Mark] = []
        self.open: dict[str, tuple[list[str], int | None]] = {}
        self.anchors: dict[str, tuple[str, int | None]] = {}
        self.mark_state: dict[int, tuple[Mark | None, Mark | None]] = {}
        self.table = 0

    def visit(self, el: Element, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        tag = el.tag
        if tag in _SKIP:
            return
        if tag == f"{W}p":
            self.paragraph(el, depth)
            return
        if tag == f"{W}tbl":
            self.table += 1
        kind = _TRACKED.get(tag)
        if kind:
            self.tracked.append(Mark(kind, el.get(f"{W}author"), el.get(f"{W}date")))
        try:
            self.leaf(el)
            for child in el:
                self.visit(child, depth + 1)
        finally:
            if kind:
                self.tracked.pop()
            if tag == f"{W}tbl":
                self.table -= 1

    def paragraph(self, el: Element, depth: int) -> None:
        self.flush()
        para = Para(len(self.paras), bookmarks=self.pending, in_table=self.table > 0)
        self.pending = []
        ppr = el.find(f"{W}pPr")
        if ppr is not None:
            style = ppr.find(f"{W}pStyle")
            para.style = (style.get(f"{W}val") or "") if style is not None else ""
            para.heading = self.styles.get(para.style) or _heading_level(para.style)
            outline = ppr.find(f"{W}outlineLvl")
            if outline is not None and (outline.get(f"{W}val") or "").isdigit():
                value = int(outline.get(f"{W}val") or "9")
                para.heading = value + 1 if value < 9 else para.heading
            for kind in ("ins", "del"):
                m = ppr.find(f"{W}rPr/{W}{kind}")
                if m is not None:
                    para.marks.append(Mark(kind, m.get(f"{W}author"), m.get(f"{W}date")))
                    para.mark_deleted = para.mark_deleted or kind == "del"
        self.current = para
        self.paras.append(para)
        self.new: list[str] = []
        self.old: list[str] = []
        for child in el:
            self.visit(child, depth + 1)
        self.flush()

    def flush(self) -> None:
        para = self.current
        if para is None:
            return
        para.text = " ".join("".join(self.new).split())
        para.old = " ".join("".join(self.old).split())
        self.current = None

    def leaf(self, el: Element) -> None:
        tag = el.tag
        if tag == f"{W}bookmarkStart":
            name = el.get(f"{W}name") or ""
            if self.current is not None:
                self.current.bookmarks.append(name)
            else:
                self.pending.append(name)
            return
        if tag == f"{W}commentRangeStart":
            self.open[el.get(f"{W}id") or ""] = ([], self.current.index if self.current
                                                 else len(self.paras))
            return
        if tag == f"{W}commentRangeEnd":
            cid = el.get(f"{W}id") or ""
            if cid in self.open:
                words, para = self.open.pop(cid)
                self.anchors[cid] = ("".join(words), para)
            return
        text = _leaf_text(el)
        if text is None or self.current is None:
            return
        mark = self.tracked[-1] if self.tracked else None
        if mark is not None and mark not in self.current.marks:
            self.current.marks.append(mark)
        deleted = mark is not None and mark.kind == "del"
        if not deleted:
            self.new.append(text)
            for words, _para in self.open.values():
                words.append(text)
        if mark is None or deleted:
            self.old.append(text)


def _leaf_text(el: Element) -> str | None:
    tag = el.tag
    if tag in (f"{W}t", f"{W}delText"):
        return el.text or ""
    if tag in (f"{W}tab", f"{W}br", f"{W}cr"):
        return " "
    if tag == f"{W}noBreakHyphen":
        return "-"
    return None


def _accept(paras: list[Para]) -> list[Para]:
    """Accept the paragraph marks: a paragraph whose mark was deleted runs on into the next,
    and one deleted whole is kept as `gone` (its bookmarks still say where it stood)."""
    for i, para in enumerate(paras):
        if not para.mark_deleted:
            continue
        if para.text and i + 1 < len(paras):
            nxt = paras[i + 1]
            nxt.text = f"{para.text} {nxt.text}".strip()
            nxt.marks.extend(m for m in para.marks if m not in nxt.marks)
        para.text = ""
        para.gone = True
    return paras
