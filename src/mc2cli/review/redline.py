"""A redline: the new contract as a Word file in which every change is a tracked change.

The Markdown of the new contract is written with each change wrapped in a pandoc span,
`[words]{.insertion author="mc2" date="..."}` or `.deletion`, which pandoc's DOCX writer
turns into Word's `w:ins` and `w:del`. Spans hold words: the marks that give a block its
structure (line prefixes, table pipes, and in a changed block emphasis delimiters too) stay
outside them, so headings, lists, tables and emphasis stay valid Markdown. Inside a changed
block the marks are the new block's; a whole inserted or deleted block keeps its own, with
its emphasis inside the spans, where it is balanced. Straight double quotes in a changed
block are curled here, since pandoc cannot pair quotes across spans.

Two things pandoc's writer leaves out are then added to `word/document.xml`: a paragraph (or
table row) whose text is all deleted or all inserted has its paragraph mark (row) tracked
too, so that Accept all or Reject all removes it instead of leaving it empty; and every
tracked change gets an id of its own, above the bookmarks' ids, as Word expects.

Word's Track Changes is switched on (`w:trackRevisions`), so the other side's edits to the
redline are tracked too.

Every change is authored "mc2" and dated 2026-01-01T00:00:00Z, a fixed date, so the same
two contracts always give the same bytes.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Literal

from mc2cli.output.convert import convert
from mc2cli.output.docxpost import rewrite, track_revisions
from mc2cli.review.diff import ContractDiff, renumbered
from mc2cli.review.textdiff import TABLE, Block, BlockDiff, Token, word_diff

AUTHOR = "mc2"
DATE = "2026-01-01T00:00:00Z"
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]|\\|[\[\]`]")
_QUOTES = re.compile(r'\\.|"|[^"\\]+|\\', re.S)
_OPENS_QUOTE = frozenset(" \t\n([{/-\u2014\u201c")
Kind = Literal["insertion", "deletion"]
Keep = Literal["all", "none", "structure"]


def curled_quotes(tokens: list[Token]) -> dict[int, str]:
    """Text for each token (by id) holding a straight double quote, with that quote turned
    into an opening or closing curly one the way pandoc's smart quotes would turn it.

    Spans cut quoted phrases apart, and pandoc pairs quotes only within one span; so in a
    changed block every quote is decided here from the whole block instead."""
    out: dict[int, str] = {}
    before = " "
    for token in tokens:
        if token.kind in ("prefix", "pipe"):
            before = " "
        if token.mark:
            continue
        if token.kind == "word" and '"' in token.text:
            pieces = []
            for m in _QUOTES.finditer(token.text):
                piece = m.group(0)
                if piece == '"':
                    piece = "\u201c" if before in _OPENS_QUOTE else "\u201d"
                pieces.append(piece)
                before = piece[-1]
            out[id(token)] = "".join(pieces)
        elif token.text:
            before = token.text[-1]
    return out


class _Render:
    """Markdown for the tokens of one block, its quotes curled."""

    def __init__(self, quotes: dict[int, str]) -> None:
        self.quotes = quotes

    def raw(self, token: Token) -> str:
        return self.quotes.get(id(token), token.text)

    def inside(self, token: Token) -> str:
        """A token's Markdown inside a span: spaces flattened; brackets, stray backslashes and
        backticks escaped; escapes and code spans left as they are."""
        if token.kind in ("space", "prefix"):
            return " "
        if token.kind != "word":
            return token.text
        return _ESCAPE.sub(lambda m: m.group(0) if len(m.group(0)) == 2 else "\\" + m.group(0),
                           self.raw(token))

    def span(self, tokens: list[Token], kind: Kind) -> str:
        content = "".join(self.inside(t) for t in tokens)
        return f'[{content}]{{.{kind} author="{AUTHOR}" date="{DATE}"}}'

    def wrap(self, tokens: list[Token] | tuple[Token, ...], kind: Kind, keep: Keep
             ) -> Iterator[tuple[bool, str]]:
        """(is_mark, Markdown) pieces: runs of words in spans, with the marks between them.

        keep="all": every mark stays outside the spans (inserted words in a changed block,
        whose structure is the new one); "none": marks are dropped (deleted words in a
        changed block: the old structure is gone); "structure": line prefixes and pipes stay
        outside, emphasis goes inside, where it is balanced (a whole block)."""
        run: list[Token] = []
        for token in tokens:
            if token.mark and keep == "none":
                continue
            if token.mark and (keep == "all" or token.kind == "pipe"
                               or (token.kind == "prefix" and token.text.strip())):
                yield from self._flush(run, kind, keep, before_mark=True)
                yield True, self.raw(token)
            else:
                run.append(token)
        yield from self._flush(run, kind, keep, before_mark=False)

    def _flush(self, run: list[Token], kind: Kind, keep: Keep, *, before_mark: bool
               ) -> Iterator[tuple[bool, str]]:
        """A span of the run. A line break before a mark (a list item, say) stays outside;
        so do the spaces around a whole block's words (a table cell's padding, say)."""
        head: list[Token] = []
        tail: list[Token] = []
        if keep == "structure":
            while run and run[0].kind == "space":
                head.append(run.pop(0))
        while run and run[-1].kind == "space" and (
                keep == "structure" or (before_mark and "\n" in run[-1].text)):
            tail.insert(0, run.pop())
        if head:
            yield False, "".join(t.text for t in head)
        if run:
            yield False, self.span(run, kind)
        if tail:
            yield False, "".join(t.text for t in tail)
        run.clear()


class _Writer:
    """Builds a changed block. A deletion that would open a line waits for the line's first
    mark (`- `, `|`, ...), so that it never hides a list item or a table row."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending: list[str] = []

    def _at_line_start(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def put(self, is_mark: bool, text: str) -> None:
        if is_mark:
            self.parts.append(text)
            self._flush()
        else:
            self._flush()
            self.parts.append(text)

    def delete(self, text: str) -> None:
        (self.pending if self._at_line_start() else self.parts).append(text)

    def _flush(self) -> None:
        self.parts.extend(self.pending)
        self.pending.clear()

    def text(self) -> str:
        self._flush()
        return "".join(self.parts)


def _changed(diff: BlockDiff, render: _Render) -> str:
    writer = _Writer()
    for seg in diff.segments:
        if seg.op == "equal":
            for token in seg.tokens:
                writer.put(token.mark, render.raw(token))
        elif seg.op == "insert":
            for is_mark, text in render.wrap(seg.tokens, "insertion", "all"):
                writer.put(is_mark, text)
        else:
            for _is_mark, text in render.wrap(seg.tokens, "deletion", "none"):
                writer.delete(text)
    return writer.text()


def _whole(block: Block, kind: Kind, render: _Render) -> str:
    pieces = render.wrap(block.row, kind, "structure")
    return "".join(text for _is_mark, text in pieces) + "".join(t.text for t in block.rule)


# A list item's marker, "(a) ", "(iv) ", "1. " or "- ": Word numbers list items itself, so the
# marker is structure, never a tracked word (tracked, it would stop the item being one).
_MARKER = re.compile(r"[ \t]*(?:\((?:[a-z]{1,4}|\d{1,3})\)|\d{1,3}[.)]|[-+*])[ \t]+")


def _without_marker(diff: BlockDiff) -> tuple[str, BlockDiff] | None:
    """The item marker to print as it is, and the diff of the item's text after it."""
    old = _MARKER.match(diff.old.text) if diff.old is not None else None
    new = _MARKER.match(diff.new.text) if diff.new is not None else None
    if diff.status == "inserted" and new and diff.new is not None:
        return new.group(0), BlockDiff("inserted", None, Block("para", diff.new.text[new.end():]))
    if diff.status == "deleted" and old and diff.old is not None:
        return old.group(0), BlockDiff("deleted", Block("para", diff.old.text[old.end():]), None)
    if diff.status == "changed" and old and new and diff.old is not None \
            and diff.new is not None:
        before = Block("para", diff.old.text[old.end():])
        after = Block("para", diff.new.text[new.end():])
        return new.group(0), BlockDiff("changed", before, after,
                                       word_diff(before.tokens, after.tokens))
    return None


def block_markdown(diff: BlockDiff) -> str:
    """One block of the redline: as it is, wholly inserted or deleted, or changed word by word."""
    if diff.status == "equal" and diff.new is not None:
        return diff.new.text
    item = _without_marker(diff)
    if item is not None:
        marker, rest = item
        return marker + block_markdown(rest)
    quotes: dict[int, str] = {}
    for block in (diff.old, diff.new):
        if block is not None:
            quotes.update(curled_quotes(block.row))
    render = _Render(quotes)
    if diff.status == "inserted" and diff.new is not None:
        return _whole(diff.new, "insertion", render)
    if diff.status == "deleted" and diff.old is not None:
        return _whole(diff.old, "deletion", render)
    return _changed(diff, render)


def blocks_markdown(diffs: list[BlockDiff]) -> str:
    """Markdown for a run of block diffs: blank lines between blocks, none inside a table."""
    out: list[str] = []
    previous = ""
    for block in diffs:
        kind = (block.new or block.old or Block("para", "")).kind
        if out:
            out.append("\n" if kind == "row" and previous in TABLE else "\n\n")
        out.append(block_markdown(block))
        previous = kind
    return "".join(out) + "\n"


def redline_markdown(diff: ContractDiff) -> str:
    """The new contract's Markdown with every change from the old one marked as a span; a
    part that changed only in its numbers is not marked (the renumbering is one comment)."""
    return blocks_markdown([BlockDiff("equal", b.old, b.new) if renumbered(b) else b
                            for part in diff.parts for b in part.blocks])


# --- document.xml ----------------------------------------------------------------------------

_TABLE = re.compile(r"(<w:tbl>.*?</w:tbl>)", re.S)
_PARAGRAPH = re.compile(r"<w:p>(\s*<w:pPr>.*?</w:pPr>)?(.*?)</w:p>", re.S)
_ROW = re.compile(r"<w:tr>(<w:trPr>.*?</w:trPr>|<w:trPr ?/>)?(.*?)</w:tr>", re.S)
_RUN = re.compile(r"<w:r[ >]")
_CHANGE_ID = re.compile(r'(<w:(?:ins|del) w:id=")\d+(")')
_BOOKMARK_ID = re.compile(r'<w:bookmarkStart w:id="(\d+)"')


def _mark(tag: str) -> str:
    return f'<w:{tag} w:id="0" w:author="{AUTHOR}" w:date="{DATE}" />'


def _all_of(tag: str, content: str) -> bool:
    """True when every run of `content` lies inside a `w:ins` (or every one in a `w:del`)."""
    if f"<w:{tag} " not in content:
        return False
    rest = re.sub(rf"<w:{tag} [^>]*>.*?</w:{tag}>", "", content, flags=re.S)
    return not _RUN.search(rest)


def _whole_tag(content: str) -> str | None:
    return next((tag for tag in ("del", "ins") if _all_of(tag, content)), None)


def _paragraph(m: re.Match[str]) -> str:
    ppr, content = m.group(1) or "<w:pPr></w:pPr>", m.group(2)
    tag = _whole_tag(content)
    if tag is None:
        return m.group(0)
    if "<w:rPr>" in ppr:
        ppr = ppr.replace("<w:rPr>", "<w:rPr>" + _mark(tag), 1)
    else:
        ppr = ppr.replace("</w:pPr>", f"<w:rPr>{_mark(tag)}</w:rPr></w:pPr>")
    return f"<w:p>{ppr}{content}</w:p>"


def _row(m: re.Match[str]) -> str:
    trpr, content = m.group(1) or "", m.group(2)
    tag = _whole_tag(content)
    if tag is None:
        return m.group(0)
    if trpr.endswith("</w:trPr>"):
        trpr = trpr.replace("</w:trPr>", _mark(tag) + "</w:trPr>")
    else:
        trpr = f"<w:trPr>{_mark(tag)}</w:trPr>"
    return f"<w:tr>{trpr}{content}</w:tr>"


def _number_changes(xml: str) -> str:
    """Give every w:ins and w:del an id of its own, after the bookmarks' ids."""
    start = max((int(i) for i in _BOOKMARK_ID.findall(xml)), default=0) + 1
    counter = itertools.count(start)
    return _CHANGE_ID.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", xml)


def track_whole_paragraphs(xml: str) -> str:
    """document.xml with whole-paragraph and whole-row changes tracked, and unique ids."""
    pieces = _TABLE.split(xml)
    for i, piece in enumerate(pieces):
        pieces[i] = _ROW.sub(_row, piece) if i % 2 else _PARAGRAPH.sub(_paragraph, piece)
    return _number_changes("".join(pieces))


def _title(title: str) -> Callable[[str], str]:
    """The document property `title`: the new title, not both titles run together."""
    element = f"<dc:title>{html.escape(title, quote=False)}</dc:title>"
    return lambda xml: re.sub(r"<dc:title>.*?</dc:title>", lambda _m: element, xml, flags=re.S)


_ANY_ID = re.compile(r'w:id="(\d+)"')


def renumbering_comment(text: str) -> dict[str, Callable[[str], str]]:
    """A Word comment on the title holding `text`: the renumbering, said once."""
    if not text:
        return {}
    state: dict[str, int] = {}

    def document(xml: str) -> str:
        cid = max((int(i) for i in _ANY_ID.findall(xml)), default=0) + 1
        state["id"] = cid
        end = xml.index("</w:p>", xml.index("<w:body>"))
        return (xml[:end] + f'<w:r><w:commentReference w:id="{cid}" /></w:r>' + xml[end:])

    def comments(xml: str) -> str:
        body = html.escape(text, quote=False)
        comment = (f'<w:comment w:id="{state["id"]}" w:author="{AUTHOR}" w:date="{DATE}" '
                   f'w:initials="{AUTHOR}"><w:p><w:r><w:t xml:space="preserve">{body}</w:t>'
                   "</w:r></w:p></w:comment>")
        if xml.rstrip().endswith("/>") and "<w:comments" in xml and "</w:comments>" not in xml:
            xml = xml.rstrip()[:-2].rstrip() + "></w:comments>"
        return xml.replace("</w:comments>", comment + "</w:comments>", 1)

    return {"word/document.xml": document, "word/comments.xml": comments}


def redline_docx(diff: ContractDiff) -> bytes:
    """The redline's DOCX bytes; the same diff always gives the same bytes."""
    docx = convert(redline_markdown(diff), "docx", tracked=True)
    docx = rewrite(docx, {"word/document.xml": track_whole_paragraphs,
                          "docProps/core.xml": _title(diff.new.title),
                          "word/settings.xml": track_revisions})
    note = diff.renumbering and (f"Renumbered, not marked as changes: {diff.renumbering} "
                                 f"({len(diff.renumbered_parts)} parts).")
    return rewrite(docx, renumbering_comment(note)) if note else docx
