"""Test helper: a built contract edited as the other side would edit it.

Plain edits go through python-docx. Tracked edits are written as Word writes them: deleted
runs inside <w:del> with <w:delText>, inserted runs inside <w:ins>, each with w:author and
w:date, and a paragraph deleted or inserted whole carries the change on its paragraph mark
(<w:pPr><w:rPr><w:del/></w:rPr></w:pPr>). Comments are written as Word writes them:
word/comments.xml, a commentRangeStart/commentRangeEnd pair around the anchored text with a
commentReference run after it, the part's relationship and its content type.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.output.structure import bookmark_name
from mc2cli.reading.plain import key, md_paragraphs

AUTHOR = "Jordan Lee"
DATE = "2027-02-03T10:00:00Z"
COMMENT = "Please confirm this also covers the cloud components."
INSERTED = "{mdm} shall give {hdo} a written summary of each penetration test of a Product."


@dataclass
class Plan:
    """The clauses to edit and what to do to each."""

    parameter: tuple[str, str, int, int]     # clause, parameter, old, new
    position: tuple[str, str, str, list[str]]  # clause, old position, new position, new body
    omitted: str
    inserted_after: str
    free: str
    comment: str


def plan(contract: Contract, variants: dict[str, dict[str, AssembledClause]]) -> Plan:
    """Six different clauses, each fit for its edit."""
    from mc2cli.inputs.values import NUMERIC, render
    lib = contract.library
    used: set[str] = set()
    referenced = {m for c in contract.clauses for t in c.positions.values()
                  for m in re.findall(r"ref\('([^']+)'\)", t)}
    principal = [c for c in contract.clauses if c.section != "general" and not c.extra]

    def pick(ok: Any) -> AssembledClause:
        for c in principal:
            if c.id not in used and ok(c):
                used.add(c.id)
                return c
        raise AssertionError("no clause fits")

    def numeric(c: AssembledClause) -> str | None:
        for pid, use in sorted(c.params.items()):
            param = lib.parameters[pid][0]
            if param.type in NUMERIC and 1 <= use.value <= 400 and \
                    c.text.count(render(param, use.value)) == 1:
                return pid
        return None

    p = pick(lambda c: numeric(c) is not None)
    pid = numeric(p)
    assert pid is not None
    old = p.params[pid].value

    def other(c: AssembledClause) -> str | None:
        for pos in ("hdo", "mdm", "middle"):
            if pos != c.position and c.positions.get(pos) != c.positions.get(c.position) \
                    and c.id in variants[pos]:
                return pos
        return None

    s = pick(lambda c: other(c) is not None)
    new_pos = other(s)
    assert new_pos is not None
    body = md_paragraphs(variants[new_pos][s.id].text)
    o = pick(lambda c: c.id not in referenced)
    w = pick(lambda c: True)
    v = pick(lambda c: " shall " in c.text)
    u = pick(lambda c: True)
    return Plan((p.id, pid, old, old * 2), (s.id, s.position, new_pos, body), o.id, w.id,
                v.id, u.id)


class Returned:
    """A built contract.docx opened for editing."""

    def __init__(self, data: bytes, contract: Contract) -> None:
        self.doc = docx.Document(io.BytesIO(data))
        self.contract = contract
        self.comment_xml: list[str] = []

    def clause(self, cid: str) -> list[Paragraph]:
        """The clause's heading and body paragraphs, found by its heading text."""
        c = next(c for c in self.contract.clauses if c.id == cid)
        paras = self.doc.paragraphs
        heads = {key(f"{c.number} {c.title}"), key(c.title)}  # Word numbering: title alone
        start = next(i for i, p in enumerate(paras) if key(p.text) in heads)
        out = [paras[start]]
        for p in paras[start + 1:]:
            if p.style is not None and p.style.name and p.style.name.startswith("Heading"):
                break
            out.append(p)
        return out

    # --- plain edits -----------------------------------------------------------------------
    def replace(self, para: Paragraph, old: str, new: str, *, tracked: bool) -> None:
        text = para.text
        assert old in text, (old, text)
        before, after = text.split(old, 1)
        for run in list(para.runs):
            run._r.getparent().remove(run._r)
        if not tracked:
            para.add_run(before + new + after)
            return
        para.add_run(before)
        para._p.append(_tracked("del", old))
        para._p.append(_tracked("ins", new))
        para.add_run(after)

    def delete(self, para: Paragraph, *, tracked: bool) -> None:
        if not tracked:
            para._p.getparent().remove(para._p)
            return
        text = para.text
        for child in list(para._p):
            if child.tag != qn("w:pPr"):
                para._p.remove(child)
        _mark(para, "del")
        para._p.append(_tracked("del", text))

    def insert_after(self, para: Paragraph, text: str, *, tracked: bool) -> Paragraph:
        new = OxmlElement("w:p")
        para._p.addnext(new)
        added = Paragraph(new, para._parent)
        if not tracked:
            added.add_run(text)
            return added
        _mark(added, "ins")
        new.append(_tracked("ins", text))
        return added

    def comment(self, para: Paragraph, text: str) -> None:
        cid = str(len(self.comment_xml))
        start = OxmlElement("w:commentRangeStart")
        start.set(qn("w:id"), cid)
        end = OxmlElement("w:commentRangeEnd")
        end.set(qn("w:id"), cid)
        ppr = para._p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            para._p.insert(0, start)
        para._p.append(end)
        ref_run = OxmlElement("w:r")
        ref = OxmlElement("w:commentReference")
        ref.set(qn("w:id"), cid)
        ref_run.append(ref)
        para._p.append(ref_run)
        self.comment_xml.append(
            f'<w:comment w:id="{cid}" w:author="{AUTHOR}" w:date="{DATE}" w:initials="JL">'
            f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:comment>')

    def save(self, *, tracked: bool) -> bytes:
        if not tracked:
            self.doc.core_properties.last_modified_by = AUTHOR
            self.doc.core_properties.modified = dt.datetime(2027, 2, 3, 10, 0)
        buf = io.BytesIO()
        self.doc.save(buf)
        return _with_comments(buf.getvalue(), self.comment_xml)


def _tracked(kind: str, text: str) -> Any:
    wrapper = OxmlElement(f"w:{kind}")
    wrapper.set(qn("w:id"), str(abs(hash((kind, text))) % 100000))
    wrapper.set(qn("w:author"), AUTHOR)
    wrapper.set(qn("w:date"), DATE)
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText" if kind == "del" else "w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    run.append(t)
    wrapper.append(run)
    return wrapper


def _mark(para: Paragraph, kind: str) -> None:
    ppr = para._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    mark = OxmlElement(f"w:{kind}")
    mark.set(qn("w:id"), "9" + str(len(ppr)))
    mark.set(qn("w:author"), AUTHOR)
    mark.set(qn("w:date"), DATE)
    rpr.append(mark)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


def _with_comments(data: bytes, comments: list[str]) -> bytes:
    """The package with word/comments.xml holding `comments`, related from the document and
    declared in [Content_Types].xml, as Word writes it."""
    if not comments:
        return data
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: src.read(name) for name in src.namelist()}
    parts["word/comments.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w="{_W}">'
        + "".join(comments) + "</w:comments>").encode()
    types = parts["[Content_Types].xml"].decode()
    if "/word/comments.xml" not in types:
        types = types.replace("</Types>", f'<Override PartName="/word/comments.xml" '
                                          f'ContentType="{_COMMENTS_TYPE}"/></Types>')
    parts["[Content_Types].xml"] = types.encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    if 'Target="comments.xml"' not in rels:
        rels = rels.replace("</Relationships>", f'<Relationship Id="rIdComments1" '
                                                f'Type="{_COMMENTS_REL}" '
                                                f'Target="comments.xml"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, body in parts.items():
            out.writestr(name, body)
    return buf.getvalue()


def edit(data: bytes, contract: Contract, p: Plan, *, tracked: bool) -> bytes:
    """The six edits of `p` applied to a built contract.docx."""
    r = Returned(data, contract)
    hdo = contract.deal.parties.hdo.short_name or "Customer"
    mdm = contract.deal.parties.mdm.short_name or "Supplier"
    lib = contract.library
    from mc2cli.inputs.values import render
    cid, pid, old, new = p.parameter
    param = lib.parameters[pid][0]
    old_text, new_text = render(param, old), render(param, new)
    para = next(x for x in r.clause(cid)[1:] if old_text in x.text)
    r.replace(para, old_text, new_text, tracked=tracked)
    sid, _old_pos, _new_pos, body = p.position
    paras = r.clause(sid)
    last = paras[-1]
    for text in reversed(body):
        r.insert_after(last, text, tracked=tracked)
    for x in paras[1:]:
        r.delete(x, tracked=tracked)
    for x in r.clause(p.omitted):
        r.delete(x, tracked=tracked)
    r.insert_after(r.clause(p.inserted_after)[-1], INSERTED.format(mdm=mdm, hdo=hdo),
                   tracked=tracked)
    para = next(x for x in r.clause(p.free)[1:] if " shall " in x.text)
    r.replace(para, " shall ", " shall promptly ", tracked=tracked)
    r.comment(r.clause(p.comment)[1], COMMENT)
    return r.save(tracked=tracked)


def bookmarks(data: bytes) -> set[str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return set(re.findall(r'w:name="([^"]+)"', xml))


__all__ = ["AUTHOR", "COMMENT", "DATE", "INSERTED", "Path", "Plan", "bookmark_name", "edit",
           "plan"]
