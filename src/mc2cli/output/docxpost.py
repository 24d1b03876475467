"""What pandoc's DOCX writer leaves out, added to its package so the contract survives
negotiation in Word.

- Heading numbers come from one Word multilevel list bound to the Heading 1 and Heading 2
  styles (templates/structure.lua has taken the typed numbers out of the headings); headings
  without a number (Recitals, Signatures, the schedules) switch the list off.
- Schedule A starts a new page; no table row splits across pages; the signature block is
  kept on one page, its Signature and Date rows tall enough to sign in.
- A running header with the title and reference, and on a draft the stamp.
- `w:trackRevisions` when asked, so the other side's edits are tracked by default.

Every added part has fixed zip metadata, so the same contract gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mc2cli.output.structure import Layout

NUM_ID = "9400"  # far above the ids pandoc gives its own lists
HEADER_PART = "word/header1.xml"
HEADER_REL = "rIdMc2Header1"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SIGN_ROW_TWIPS = 1000  # 0.69 in: room for a signature
DATE_ROW_TWIPS = 560

Rewrite = Callable[[str], str]


def rewrite(docx: bytes, changes: dict[str, Rewrite], added: dict[str, str] | None = None
            ) -> bytes:
    """The same package with some members changed and some added. Every entry keeps (or, if
    new, gets) fixed metadata, so the bytes stay reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        infos = src.infolist()
        for info in infos:
            data = src.read(info)
            if info.filename in changes:
                data = changes[info.filename](data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
        for name, text in sorted((added or {}).items()):
            entry = zipfile.ZipInfo(name, date_time=infos[0].date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = infos[0].external_attr
            dst.writestr(entry, text.encode("utf-8"))
    return out.getvalue()


# --- numbering ------------------------------------------------------------------------------

def _level(ilvl: int, style: str, text: str) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            f'<w:pStyle w:val="{style}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:tabs><w:tab w:val="num" w:pos="720"/></w:tabs>'
            '<w:ind w:left="720" w:hanging="720"/></w:pPr></w:lvl>')


CLAUSE_LIST = (f'<w:abstractNum w:abstractNumId="{NUM_ID}">'
               '<w:multiLevelType w:val="multilevel"/>'
               + _level(0, "Heading1", "%1.") + _level(1, "Heading2", "%1.%2")
               + '</w:abstractNum>')


def add_clause_list(numbering: str) -> str:
    """numbering.xml with the heading list: its abstractNum after the others, its num last."""
    if f'w:abstractNumId="{NUM_ID}"' in numbering:
        return numbering
    num = f'<w:num w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>'
    first_num = numbering.find("<w:num ")
    if first_num < 0:
        first_num = numbering.rindex("</w:numbering>")
    numbering = numbering[:first_num] + CLAUSE_LIST + numbering[first_num:]
    end = numbering.rindex("</w:numbering>")
    return numbering[:end] + num + numbering[end:]


def bind_heading_styles(styles: str) -> str:
    """styles.xml with Heading 1 and Heading 2 numbered by the heading list."""
    for style, ilvl, num in (("Heading1", 0, NUM_ID), ("Heading2", 1, NUM_ID),
                             ("TOCHeading", 0, "0")):  # the contents' title: no number
        numpr = f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'
        pattern = re.compile(rf'(<w:style [^>]*w:styleId="{style}"[^>]*>.*?<w:pPr>)(.*?)'
                             r'(</w:pPr>)', re.S)
        styles = pattern.sub(_StyleNumbering(numpr), styles, count=1)
    return styles


class _StyleNumbering:
    def __init__(self, numpr: str) -> None:
        self.numpr = numpr

    def __call__(self, m: re.Match[str]) -> str:
        return m.group(1) + _after_keeps(m.group(2), self.numpr) + m.group(3)


def _after_keeps(ppr: str, element: str) -> str:
    """Insert `element` into a pPr's children after keepNext/keepLines/pageBreakBefore."""
    keeps = re.match(r"\s*(?:<w:(?:keepNext|keepLines|pageBreakBefore|pStyle)[^>]*/>\s*)*",
                     ppr)
    cut = keeps.end() if keeps else 0
    return ppr[:cut] + element + ppr[cut:]


# --- the body -------------------------------------------------------------------------------

_MARKED = re.compile(r'<w:bookmarkStart w:id="(\d+)" w:name="mc2mark_(plain|sign|break)_\d+" />'
                     r'(\s*)<w:p><w:pPr>(<w:pStyle w:val="[^"]*" />)')
_TABLE = re.compile(r"<w:tbl>.*?</w:tbl>", re.S)
_ROW = re.compile(r"<w:tr>(?:<w:trPr>(.*?)</w:trPr>|<w:trPr ?/>)?", re.S)
_CELL_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_PPR_IN_CELL = re.compile(r"<w:p><w:pPr>(<w:pStyle w:val=\"[^\"]*\" />)?")


def _heading_marks(xml: str) -> tuple[str, list[int]]:
    """Unnumbered headings switch the list off; Schedule A breaks the page; the marker
    bookmarks go. Returns the new XML and where each signature heading now starts."""
    removed: list[str] = []

    def mark(m: re.Match[str]) -> str:
        bid, kind, gap, style = m.groups()
        removed.append(bid)
        extra = "<w:keepNext />" if kind == "sign" else ""
        extra += "<w:pageBreakBefore />" if kind == "break" else ""
        return (f'{gap}<w:p><w:pPr>{style}{extra}'
                '<w:numPr><w:ilvl w:val="0" /><w:numId w:val="0" /></w:numPr>'
                + ("<!--mc2-sign-->" if kind == "sign" else ""))

    xml = _MARKED.sub(mark, xml)
    for bid in removed:
        xml = re.sub(rf'\s*<w:bookmarkEnd w:id="{bid}" />', "", xml, count=1)
    return xml, [m.start() for m in re.finditer("<!--mc2-sign-->", xml)]


def _rows_do_not_split(table: str) -> str:
    def row(m: re.Match[str]) -> str:
        inner = m.group(1) or ""
        if "<w:cantSplit" in inner:
            return m.group(0)
        return f"<w:tr><w:trPr><w:cantSplit />{inner}</w:trPr>"
    return _ROW.sub(row, table)


def _signature_table(table: str) -> str:
    """Rows tall enough to sign in, and every row kept with the next one."""
    rows = re.split(r"(?=<w:tr>)", table)
    out = []
    for i, row in enumerate(rows):
        if not row.startswith("<w:tr>"):
            out.append(row)
            continue
        first = _CELL_TEXT.search(row)
        label = first.group(1) if first else ""
        height = {"Signature": SIGN_ROW_TWIPS, "Date": DATE_ROW_TWIPS}.get(label)
        if height:
            row = row.replace("<w:cantSplit />", f'<w:cantSplit /><w:trHeight w:val="{height}" '
                              'w:hRule="atLeast" />', 1)
            row = row.replace("<w:tcPr />", '<w:tcPr><w:vAlign w:val="bottom" /></w:tcPr>')
        if i < len(rows) - 1:
            row = _PPR_IN_CELL.sub(lambda m: f"<w:p><w:pPr>{m.group(1) or ''}<w:keepNext />",
                                   row)
        out.append(row)
    return "".join(out)


def _keep_intro_with_table(xml: str, sign_at: int) -> str:
    """The sentences between the signature heading and its table stay with the table."""
    table_at = xml.find("<w:tbl>", sign_at)
    if table_at < 0:
        return xml
    between = xml[sign_at:table_at]
    between = re.sub(r"(<w:p><w:pPr>(?:<w:pStyle w:val=\"[^\"]*\" />)?)(?!<w:keepNext)",
                     r"\1<w:keepNext />", between)
    return xml[:sign_at] + between + xml[table_at:]


def lay_out_body(xml: str, layout: Layout | None) -> str:
    xml, signs = _heading_marks(xml)
    for at in reversed(signs):
        xml = _keep_intro_with_table(xml, at)
    sign_tables = set()
    for at in signs:
        found = _TABLE.search(xml, at)
        if found:
            sign_tables.add(found.start())

    def table(m: re.Match[str]) -> str:
        t = _rows_do_not_split(m.group(0))
        return _signature_table(t) if m.start() in sign_tables else t

    xml = _TABLE.sub(table, xml).replace("<!--mc2-sign-->", "")
    # Word needs a paragraph after a closing table; without one, the reader adds it itself
    # (LibreOffice records that as a tracked insertion when tracking is on).
    xml = re.sub(r"</w:tbl>(\s*<w:sectPr>)", r"</w:tbl><w:p />\1", xml, count=1)
    if layout is not None:
        xml = xml.replace("<w:sectPr>", f'<w:sectPr><w:headerReference r:id="{HEADER_REL}" '
                          'w:type="default" />', 1)
    return xml


# --- running header, settings, package parts ------------------------------------------------

def _run(text: str, props: str = "") -> str:
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r>'


def header_xml(layout: Layout) -> str:
    small = '<w:color w:val="595959" /><w:sz w:val="17" /><w:szCs w:val="17" />'
    line = _run(layout.title, small)
    if layout.reference:
        line += '<w:r><w:rPr>' + small + '</w:rPr><w:tab /></w:r>' + _run(layout.reference,
                                                                           small)
    paras = [f'<w:p><w:pPr><w:pStyle w:val="Header" /><w:tabs><w:tab w:val="right" '
             f'w:pos="9406" /></w:tabs></w:pPr>{line}</w:p>']
    if layout.draft:
        stamp = '<w:b /><w:color w:val="C00000" /><w:sz w:val="20" /><w:szCs w:val="20" />'
        paras.append('<w:p><w:pPr><w:pStyle w:val="Header" /><w:jc w:val="center" /></w:pPr>'
                     + _run(layout.draft, stamp) + "</w:p>")
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">' + "".join(paras) + "</w:hdr>")


def _add_header_rel(rels: str) -> str:
    rel = (f'<Relationship Id="{HEADER_REL}" Target="header1.xml" Type="{R_NS}/header" />')
    return rels.replace("</Relationships>", rel + "</Relationships>", 1)


def _add_header_type(types: str) -> str:
    override = ('<Override PartName="/word/header1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.header+xml" />')
    return types.replace("</Types>", override + "</Types>", 1)


def track_revisions(settings: str) -> str:
    """settings.xml asking Word to track changes, in its schema place."""
    if "<w:trackRevisions" in settings:
        return settings
    for before in ("<w:doNotTrackMoves", "<w:defaultTabStop"):
        if before in settings:
            return settings.replace(before, "<w:trackRevisions />" + before, 1)
    return re.sub(r"(<w:settings[^>]*>)", r"\1<w:trackRevisions />", settings, count=1)


def post_process(docx: bytes, layout: Layout | None) -> bytes:
    """The contract's DOCX with Word numbering, page rules, a running header (given a
    layout) and, if the layout asks, tracked changes switched on."""
    changes: dict[str, Rewrite] = {
        "word/numbering.xml": add_clause_list,
        "word/styles.xml": bind_heading_styles,
        "word/document.xml": lambda xml: lay_out_body(xml, layout),
    }
    added: dict[str, str] = {}
    if layout is not None:
        changes["word/_rels/document.xml.rels"] = _add_header_rel
        changes["[Content_Types].xml"] = _add_header_type
        added[HEADER_PART] = header_xml(layout)
        if layout.track_changes:
            changes["word/settings.xml"] = track_revisions
    return rewrite(docx, changes, added)
