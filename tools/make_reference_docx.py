#!/usr/bin/env python3
"""Build templates/reference.docx, the DOCX reference document for mc2.

Starts from pandoc's own default reference.docx (``pandoc --print-default-data-file
reference.docx``), restyles it for a contract by editing the XML
parts directly, and writes the result deterministically: the zip members are
written in a fixed order, with a fixed timestamp and fixed attributes, so two
runs with the same pandoc give byte-identical output.

What it changes:

* body text: Times New Roman 11 pt, justified, 6 pt after, slightly open
  leading; every theme font (major and minor) is Times New Roman too;
* Title, Subtitle, Heading 1-6: bold serif, black, no theme colours;
* pandoc's "Table" style: thin (0.5 pt) grey borders on every cell, a bold
  shaded header row, small cell padding; table text left-aligned ("Compact");
* page: US Letter, 2.5 cm margins, a centred footer "Page X of Y" built from
  PAGE and NUMPAGES fields, on every page.

Usage (from the repository root)::

    python tools/make_reference_docx.py            # writes templates/reference.docx
    python tools/make_reference_docx.py -o x.docx  # somewhere else

The pandoc binary is found through $PANDOC, then pypandoc's bundled binary,
then ``pandoc`` on PATH.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"w": W_NS, "r": R_NS, "a": A_NS, "pr": PR_NS, "ct": CT_NS}

FONT = "Times New Roman"
BODY_HALF_POINTS = 22  # 11 pt
TEXT_COLOR = "000000"
HEADING_COLOR = "1A1A1A"
RULE_COLOR = "7F7F7F"  # table borders
HEADER_FILL = "EDEDED"  # table header row shading

# US Letter, 2.5 cm margins (1 cm = 567 twips).
PAGE_W, PAGE_H = 12240, 15840
MARGIN = 1417
HEADER_FOOTER_DIST = 709  # 1.25 cm

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "templates" / "reference.docx"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# --------------------------------------------------------------------------
# pandoc


def find_pandoc() -> str:
    env = os.environ.get("PANDOC")
    if env:
        return env
    try:
        import pypandoc  # type: ignore

        path = pypandoc.get_pandoc_path()
        if path:
            return path
    except Exception:  # pragma: no cover - pypandoc missing or broken
        pass
    path = shutil.which("pandoc")
    if path:
        return path
    sys.exit("make_reference_docx: no pandoc found (set $PANDOC)")


def default_reference(pandoc: str) -> bytes:
    # Without -o, pandoc writes the data file to stdout (`-o -` would make a
    # file named "-").
    data = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    if not data.startswith(b"PK"):
        sys.exit("make_reference_docx: pandoc did not print a DOCX file")
    return data


# --------------------------------------------------------------------------
# small XML helpers


def el(tag: str, attrs: dict[str, str] | None = None, *children) -> etree._Element:
    """Make a w: element; attrs keys are plain local names in the w namespace."""
    e = etree.Element(w(tag))
    for k, v in (attrs or {}).items():
        e.set(w(k), v)
    for c in children:
        e.append(c)
    return e


def child(parent: etree._Element, tag: str, before: tuple[str, ...] = ()) -> etree._Element:
    """Return parent's w:tag child, creating it (before the first of `before`) if absent."""
    found = parent.find(w(tag))
    if found is not None:
        return found
    new = etree.Element(w(tag))
    for b in before:
        ref = parent.find(w(b))
        if ref is not None:
            ref.addprevious(new)
            return new
    parent.append(new)
    return new


def replace(parent: etree._Element, new: etree._Element) -> None:
    """Put `new` in parent, replacing any existing element with the same tag."""
    old = parent.find(new.tag)
    if old is not None:
        old.addprevious(new)
        parent.remove(old)
    else:
        parent.append(new)


def remove(parent: etree._Element, *tags: str) -> None:
    for t in tags:
        for e in parent.findall(w(t)):
            parent.remove(e)


# Schema order of the rPr and pPr children we touch (ECMA-376 CT_RPr / CT_PPr),
# used to keep the output valid for Word, which is strict about element order.
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
    "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
    "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz",
    "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
    "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr",
    "widowControl", "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs",
    "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr",
    "pPrChange",
]
STYLE_ORDER = [
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden",
    "uiPriority", "semiHidden", "unhideWhenUsed", "qFormat", "locked",
    "personal", "personalCompose", "personalReply", "rsid", "pPr", "rPr",
    "tblPr", "trPr", "tcPr", "tblStylePr",
]


def sort_children(parent: etree._Element, order: list[str]) -> None:
    rank = {w(t): i for i, t in enumerate(order)}
    kids = list(parent)
    kids.sort(key=lambda e: rank.get(e.tag, len(order)))
    for k in kids:
        parent.remove(k)
    for k in kids:
        parent.append(k)


def set_rpr(rpr: etree._Element, *, font: str | None = FONT, size: int | None = None,
            bold: bool | None = None, italic: bool | None = None,
            color: str | None = None, caps: bool | None = None) -> None:
    if font is not None:
        replace(rpr, el("rFonts", {"ascii": font, "hAnsi": font, "cs": font,
                                   "eastAsia": font}))
    if bold is not None:
        remove(rpr, "b", "bCs")
        off = {} if bold else {"val": "0"}
        rpr.append(el("b", off))
        rpr.append(el("bCs", off))
    if italic is not None:
        remove(rpr, "i", "iCs")
        off = {} if italic else {"val": "0"}
        rpr.append(el("i", off))
        rpr.append(el("iCs", off))
    if caps is not None:
        remove(rpr, "caps")
        if caps:
            rpr.append(el("caps"))
    if color is not None:
        replace(rpr, el("color", {"val": color}))
    if size is not None:
        replace(rpr, el("sz", {"val": str(size)}))
        replace(rpr, el("szCs", {"val": str(size)}))
    sort_children(rpr, RPR_ORDER)


def set_ppr(ppr: etree._Element, *, before: int | None = None, after: int | None = None,
            line: int | None = None, jc: str | None = None,
            keep_next: bool | None = None, keep_lines: bool | None = None,
            widow: bool | None = None) -> None:
    if before is not None or after is not None or line is not None:
        sp = ppr.find(w("spacing"))
        if sp is None:
            sp = el("spacing")
            ppr.append(sp)
        if before is not None:
            sp.set(w("before"), str(before))
        if after is not None:
            sp.set(w("after"), str(after))
        if line is not None:
            sp.set(w("line"), str(line))
            sp.set(w("lineRule"), "auto")
    if jc is not None:
        replace(ppr, el("jc", {"val": jc}))
    for flag, tag in ((keep_next, "keepNext"), (keep_lines, "keepLines"),
                      (widow, "widowControl")):
        if flag is not None:
            remove(ppr, tag)
            if flag:
                ppr.append(el(tag))
    sort_children(ppr, PPR_ORDER)


# --------------------------------------------------------------------------
# styles.xml


def get_style(root: etree._Element, style_id: str) -> etree._Element | None:
    return root.find(f"w:style[@w:styleId='{style_id}']", NS)


def ensure_style(root: etree._Element, style_type: str, style_id: str, name: str,
                 based_on: str | None = None, custom: bool = True) -> etree._Element:
    st = get_style(root, style_id)
    if st is None:
        st = el("style", {"type": style_type, "styleId": style_id})
        if custom:
            st.set(w("customStyle"), "1")
        st.append(el("name", {"val": name}))
        if based_on:
            st.append(el("basedOn", {"val": based_on}))
        st.append(el("qFormat"))
        root.append(st)
    return st


def style_ppr(st: etree._Element) -> etree._Element:
    return child(st, "pPr", before=("rPr", "tblPr", "trPr", "tcPr", "tblStylePr"))


def style_rpr(st: etree._Element) -> etree._Element:
    return child(st, "rPr", before=("tblPr", "trPr", "tcPr", "tblStylePr"))


def strip_theme_look(st: etree._Element) -> None:
    """Drop the theme colour/tint and theme font refs that pandoc's styles carry."""
    rpr = st.find(w("rPr"))
    if rpr is None:
        return
    remove(rpr, "color", "rFonts")


def border(tag: str, size: int = 4, color: str = RULE_COLOR) -> etree._Element:
    return el(tag, {"val": "single", "sz": str(size), "space": "0", "color": color})


def restyle(styles_xml: bytes) -> bytes:
    root = etree.fromstring(styles_xml)

    # Document defaults: serif 11 pt, US English.
    defaults = root.find("w:docDefaults", NS)
    rpr = defaults.find("w:rPrDefault/w:rPr", NS)
    set_rpr(rpr, size=BODY_HALF_POINTS)
    replace(rpr, el("lang", {"val": "en-US", "eastAsia": "en-US", "bidi": "ar-SA"}))
    sort_children(rpr, RPR_ORDER)
    ppr = defaults.find("w:pPrDefault/w:pPr", NS)
    set_ppr(ppr, before=0, after=120, line=264)

    # Normal is justified too: pandoc writes the paragraphs of loose list
    # items ("(a) ...") with no style, i.e. Normal. Styles that must not be
    # justified (title block, headings, table text, code, footer) say so.
    normal = get_style(root, "Normal")
    set_rpr(style_rpr(normal), color=TEXT_COLOR)
    set_ppr(style_ppr(normal), widow=True, jc="both")
    sort_children(normal, STYLE_ORDER)
    for sid in ("SourceCode", "DefinitionTerm", "TableCaption", "ImageCaption",
                "Figure", "CaptionedFigure"):
        st = get_style(root, sid)
        if st is not None:
            set_ppr(style_ppr(st), jc="left")
            sort_children(st, STYLE_ORDER)

    # Body text: justified, 6 pt after.
    body = get_style(root, "BodyText")
    set_ppr(style_ppr(body), before=0, after=120, jc="both")
    sort_children(body, STYLE_ORDER)

    # Compact: table cells and tight lists; left-aligned, little spacing.
    compact = get_style(root, "Compact")
    set_ppr(style_ppr(compact), before=20, after=20, line=240, jc="left")
    sort_children(compact, STYLE_ORDER)

    # Title block.
    for sid, size, after, italic in (("Title", 34, 120, False),
                                     ("Subtitle", 26, 240, False),
                                     ("Author", 22, 60, False),
                                     ("Date", 22, 240, False)):
        st = get_style(root, sid)
        strip_theme_look(st)
        p = style_ppr(st)
        remove(p, "numPr", "contextualSpacing")
        set_ppr(p, before=0, after=after, line=240, jc="center", keep_next=True)
        set_rpr(style_rpr(st), size=size, bold=(sid in ("Title", "Subtitle")),
                italic=italic, color=TEXT_COLOR)
        rp = st.find(w("rPr"))
        remove(rp, "spacing")
        sort_children(st, STYLE_ORDER)
    for sid in ("TitleChar", "SubtitleChar"):
        st = get_style(root, sid)
        if st is not None:
            strip_theme_look(st)
            set_rpr(style_rpr(st), size=34 if sid == "TitleChar" else 26, bold=True,
                    color=TEXT_COLOR)
            remove(st.find(w("rPr")), "spacing")

    # Headings: bold serif, near-black. Heading 1 = "10. Security Patching",
    # Heading 2 = "10.2 Critical Security Patches" (with --shift-heading-level-by=-1).
    heading_looks = {
        1: dict(size=28, bold=True, italic=False, before=360, after=120),
        2: dict(size=23, bold=True, italic=False, before=240, after=80),
        3: dict(size=22, bold=True, italic=True, before=180, after=60),
        4: dict(size=22, bold=False, italic=True, before=120, after=40),
        5: dict(size=22, bold=False, italic=True, before=120, after=40),
        6: dict(size=22, bold=False, italic=True, before=120, after=40),
    }
    for level in range(1, 10):
        look = heading_looks.get(level, heading_looks[6])
        for sid in (f"Heading{level}", f"Heading{level}Char"):
            st = get_style(root, sid)
            if st is None:
                continue
            strip_theme_look(st)
            set_rpr(style_rpr(st), size=look["size"], bold=look["bold"],
                    italic=look["italic"], color=HEADING_COLOR)
            if not sid.endswith("Char"):
                set_ppr(style_ppr(st), before=look["before"], after=look["after"],
                        line=240, jc="left", keep_next=True, keep_lines=True)
                next_el = st.find(w("next"))
                if next_el is not None:
                    next_el.set(w("val"), "BodyText")
            sort_children(st, STYLE_ORDER)

    # Block quotes and footnotes.
    block = get_style(root, "BlockText")
    if block is not None:
        set_ppr(style_ppr(block), before=60, after=120, jc="both")
        sort_children(block, STYLE_ORDER)
    fn = get_style(root, "FootnoteText")
    if fn is not None:
        set_rpr(style_rpr(fn), size=18)
        set_ppr(style_ppr(fn), before=0, after=40, line=240)
        sort_children(fn, STYLE_ORDER)

    # Captions: small italic, left.
    cap = get_style(root, "Caption")
    if cap is not None:
        set_rpr(style_rpr(cap), size=20, italic=True)
        sort_children(cap, STYLE_ORDER)

    # Hyperlinks: dark blue, underlined stays as pandoc has it.
    link = get_style(root, "Hyperlink")
    if link is not None:
        rp = style_rpr(link)
        replace(rp, el("color", {"val": "1F3864"}))
        sort_children(rp, RPR_ORDER)

    # Footer paragraph style.
    footer = ensure_style(root, "paragraph", "Footer", "footer", based_on="Normal",
                          custom=False)
    fp = style_ppr(footer)
    replace(fp, el("tabs", None,
                   el("tab", {"val": "center", "pos": str((PAGE_W - 2 * MARGIN) // 2)}),
                   el("tab", {"val": "right", "pos": str(PAGE_W - 2 * MARGIN)})))
    set_ppr(fp, before=0, after=0, line=240, jc="center")
    set_rpr(style_rpr(footer), size=18, color="404040")
    sort_children(footer, STYLE_ORDER)

    # pandoc's "Table" style: thin borders everywhere, shaded bold header row.
    table = get_style(root, "Table")
    tblpr = table.find(w("tblPr"))
    replace(tblpr, el("tblBorders", None,
                      border("top"), border("left"), border("bottom"),
                      border("right"), border("insideH"), border("insideV")))
    replace(tblpr, el("tblCellMar", None,
                      el("top", {"w": "29", "type": "dxa"}),
                      el("left", {"w": "108", "type": "dxa"}),
                      el("bottom", {"w": "29", "type": "dxa"}),
                      el("right", {"w": "108", "type": "dxa"})))
    # CT_TblPr order: tblStyle..., tblInd, tblBorders, shd, tblLayout, tblCellMar
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
             "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
    sort_children(tblpr, order)
    # Paragraphs in tables: no justification, tight spacing; 10 pt text.
    table_ppr = style_ppr(table)
    set_ppr(table_ppr, before=0, after=0, line=240, jc="left")
    set_rpr(style_rpr(table), font=None, size=20)
    for old in table.findall(w("tblStylePr")):
        table.remove(old)
    first = el("tblStylePr", {"type": "firstRow"},
               el("rPr", None, el("b"), el("bCs")),
               el("tblPr"),
               el("trPr", None, el("tblHeader")),
               el("tcPr", None,
                  el("tcBorders", None, border("bottom", size=8, color="404040")),
                  el("shd", {"val": "clear", "color": "auto", "fill": HEADER_FILL}),
                  el("vAlign", {"val": "bottom"})))
    table.append(first)
    sort_children(table, STYLE_ORDER)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------
# theme: serif everywhere, so nothing that asks for a theme font falls back to
# Aptos / Calibri.


def restyle_theme(theme_xml: bytes) -> bytes:
    root = etree.fromstring(theme_xml)
    for latin in root.iterfind(".//a:fontScheme/*/a:latin", NS):
        latin.set("typeface", FONT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------
# footer part, section properties, package plumbing

FOOTER_REL_ID = "rIdMc2Footer1"
FOOTER_PART = "word/footer1.xml"
FOOTER_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
FOOTER_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def field_runs(instr: str, shown: str) -> list[etree._Element]:
    """A complex field (begin / instrText / separate / result / end)."""
    def run(*kids):
        return el("r", None, *kids)

    instr_el = el("instrText", None)
    instr_el.text = f" {instr} "
    instr_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    shown_el = el("t", None)
    shown_el.text = shown
    return [
        run(el("fldChar", {"fldCharType": "begin"})),
        run(instr_el),
        run(el("fldChar", {"fldCharType": "separate"})),
        run(el("rPr", None, el("noProof")), shown_el),
        run(el("fldChar", {"fldCharType": "end"})),
    ]


def text_run(text: str) -> etree._Element:
    t = el("t", None)
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return el("r", None, t)


def footer_xml() -> bytes:
    ftr = etree.Element(w("ftr"), nsmap={"w": W_NS, "r": R_NS})
    p = el("p", None, el("pPr", None, el("pStyle", {"val": "Footer"}), el("jc", {"val": "center"})))
    p.append(text_run("Page "))
    for r in field_runs("PAGE \\* Arabic", "1"):
        p.append(r)
    p.append(text_run(" of "))
    for r in field_runs("NUMPAGES \\* Arabic", "1"):
        p.append(r)
    ftr.append(p)
    return etree.tostring(ftr, xml_declaration=True, encoding="UTF-8", standalone=True)


def section_properties() -> etree._Element:
    sect = el("sectPr")
    ref = el("footerReference", {"type": "default"})
    ref.set(f"{{{R_NS}}}id", FOOTER_REL_ID)
    sect.append(ref)
    sect.append(el("footnotePr", None, el("numRestart", {"val": "eachSect"})))
    sect.append(el("pgSz", {"w": str(PAGE_W), "h": str(PAGE_H)}))
    sect.append(el("pgMar", {"top": str(MARGIN), "right": str(MARGIN),
                             "bottom": str(MARGIN), "left": str(MARGIN),
                             "header": str(HEADER_FOOTER_DIST),
                             "footer": str(HEADER_FOOTER_DIST), "gutter": "0"}))
    sect.append(el("cols", {"space": "720"}))
    return sect


def restyle_document(doc_xml: bytes) -> bytes:
    root = etree.fromstring(doc_xml)
    body = root.find("w:body", NS)
    for old in body.findall(w("sectPr")):
        body.remove(old)
    body.append(section_properties())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_footer_rel(rels_xml: bytes) -> bytes:
    root = etree.fromstring(rels_xml)
    for rel in root.findall("pr:Relationship", NS):
        if rel.get("Type") == FOOTER_REL_TYPE:
            root.remove(rel)
    rel = etree.SubElement(root, f"{{{PR_NS}}}Relationship")
    rel.set("Id", FOOTER_REL_ID)
    rel.set("Type", FOOTER_REL_TYPE)
    rel.set("Target", "footer1.xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_footer_content_type(ct_xml: bytes) -> bytes:
    root = etree.fromstring(ct_xml)
    part = "/" + FOOTER_PART
    for o in root.findall("ct:Override", NS):
        if o.get("PartName") == part:
            root.remove(o)
    o = etree.SubElement(root, f"{{{CT_NS}}}Override")
    o.set("PartName", part)
    o.set("ContentType", FOOTER_CT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def restyle_settings(settings_xml: bytes) -> bytes:
    """Don't stretch the last line before a manual line break in justified text
    ("Reference: X\\" + "Effective date: Y" would otherwise be spread across
    the line). Word and LibreOffice both honour this compatibility flag."""
    root = etree.fromstring(settings_xml)
    compat = root.find(w("compat"))
    if compat is None:
        compat = el("compat")
        # CT_Settings order: compat comes after the characterSpacingControl /
        # savePreviewPicture group and before rsids.
        anchor = root.find(w("rsids"))
        if anchor is None:
            anchor = root.find(w("themeFontLang"))
        if anchor is not None:
            anchor.addprevious(compat)
        else:
            root.append(compat)
    remove(compat, "doNotExpandShiftReturn")
    compat.insert(0, el("doNotExpandShiftReturn"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


CORE_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>mc2 reference document</dc:title><dc:creator>mc2</dc:creator><cp:keywords></cp:keywords><dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>"""


def build(source: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(source)) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}

    parts["word/styles.xml"] = restyle(parts["word/styles.xml"])
    parts["word/theme/theme1.xml"] = restyle_theme(parts["word/theme/theme1.xml"])
    parts["word/settings.xml"] = restyle_settings(parts["word/settings.xml"])
    parts["word/document.xml"] = restyle_document(parts["word/document.xml"])
    parts["word/_rels/document.xml.rels"] = add_footer_rel(parts["word/_rels/document.xml.rels"])
    parts["[Content_Types].xml"] = add_footer_content_type(parts["[Content_Types].xml"])
    parts[FOOTER_PART] = footer_xml()
    parts["docProps/core.xml"] = CORE_XML

    # Fixed member order: content types and package rels first, then sorted.
    first = ["[Content_Types].xml", "_rels/.rels"]
    order = first + sorted(n for n in parts if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            zout.writestr(info, parts[name], compresslevel=9)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--pandoc", help="pandoc binary (default: $PANDOC, pypandoc's, PATH)")
    args = ap.parse_args(argv)
    pandoc = args.pandoc or find_pandoc()
    data = build(default_reference(pandoc))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
