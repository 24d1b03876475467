"""Markdown compared block by block, and word by word inside changed blocks.

A contract's canonical Markdown is cut into blocks: paragraphs, headings and list items
(text separated by blank lines) and table rows (one block per row). Blocks are aligned with
difflib; a block replaced by a similar one of the same kind is compared token by token.

Tokens are words, code spans, spaces, hard line breaks and *marks*: the Markdown that gives
a block its structure (line prefixes such as `### ` or `- `, emphasis delimiters, table
pipes). Marks are kept apart from words so that a renderer can wrap changed words without
ever cutting through a structure (redline.py relies on this).

A table's header row and the `|---|` line under it form one block ("head"), so that nothing
can ever come between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Literal, NamedTuple

Op = Literal["equal", "delete", "insert"]
TokenKind = Literal["word", "code", "space", "break", "prefix", "delim", "pipe"]
MARKS = frozenset({"prefix", "delim", "pipe"})
BlockStatus = Literal["equal", "changed", "inserted", "deleted"]

_TOKEN = re.compile(
    r"(?P<prefix>(?<![^\n])(?:[ \t]*\#{1,6}(?:[ \t]+|$)"
    r"|[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)])(?:[ \t]+|(?=\n)|$)[ \t]*)+|[ \t]+))"
    r"|(?P<break>\\\n)"
    r"|(?P<delim>\*+|_+|~+|\^+)"
    r"|(?P<pipe>\|)"
    r"|(?P<space>[^\S\n]*\n|[^\S\n]+)"
    r"|(?P<code>(?P<ticks>`+)[^`](?:.*?[^`])?(?P=ticks)(?!`))"
    r"|(?P<word>(?:[^\s\\*_~^`|]+|\\[!-/:-@\[-`{-~]|\\(?!\n))+|`+)",
    re.S)
_KINDS: dict[str, TokenKind] = {k: k for k in ("word", "code", "space", "break", "prefix",
                                                "delim", "pipe")}
_HEADING = re.compile(r"^(#{1,6})[ \t]")
_ITEM = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
TABLE = frozenset({"head", "row"})
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
# How similar (difflib ratio) a changed block must be to its old self to be shown word by
# word rather than as one block deleted and another inserted.
SIMILAR = 0.5


class Token(NamedTuple):  # a tuple: a contract has some 50,000 of them, made fast
    kind: TokenKind
    text: str

    @property
    def mark(self) -> bool:
        """Structure rather than text: a line prefix, an emphasis delimiter or a table pipe."""
        return self.kind in MARKS

    @property
    def key(self) -> str:
        """What difflib compares: any run of white space equals any other."""
        return " " if self.kind == "space" else self.text


def tokenize(text: str) -> list[Token]:
    """Split one block's Markdown into words, spaces and marks; joined, they give it back."""
    return [Token(_KINDS[m.lastgroup or "word"], m.group(0)) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Block:
    kind: str  # "para", "item", "h1".."h6", "head" (a table's first two lines) or "row"
    text: str

    @cached_property
    def tokens(self) -> list[Token]:
        return tokenize(self.text)

    @cached_property
    def row(self) -> list[Token]:
        """A head's header row; any other block's tokens."""
        return tokenize(self.text.partition("\n")[0]) if self.kind == "head" else self.tokens

    @cached_property
    def rule(self) -> list[Token]:
        """A head's `|---|` line, with the line break before it; nothing for other blocks."""
        return tokenize("\n" + self.text.partition("\n")[2]) if self.kind == "head" else []


def _kind(chunk: str) -> str:
    heading = _HEADING.match(chunk)
    if heading:
        return f"h{len(heading.group(1))}"
    return "item" if _ITEM.match(chunk) else "para"


def blocks(markdown: str) -> list[Block]:
    """The blocks of a Markdown document, in order; each table row is a block of its own."""
    out: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n+", markdown.strip("\n")):
        if not chunk.strip():
            continue
        lines = chunk.split("\n")
        if len(lines) > 1 and all(line.lstrip().startswith("|") for line in lines):
            out.append(Block("head", "\n".join(lines[:2])))
            out.extend(Block("row", line) for line in lines[2:])
        else:
            out.append(Block(_kind(chunk), chunk))
    return out


@dataclass(frozen=True)
class Segment:
    op: Op
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)


@dataclass
class BlockDiff:
    status: BlockStatus
    old: Block | None
    new: Block | None
    segments: list[Segment] = field(default_factory=list)


def word_diff(old: list[Token], new: list[Token]) -> list[Segment]:
    """Segments that turn `old` into `new`: kept (new side's text), deleted, inserted."""
    matcher = SequenceMatcher(None, [t.key for t in old], [t.key for t in new], autojunk=False)
    pieces: list[tuple[str, list[Token], list[Token]]] = [
        (tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    out: list[Segment] = []
    for tag, gone, came in _absorb_spaces(pieces):
        if tag == "equal":
            out.append(Segment("equal", tuple(came)))
            continue
        if gone:
            out.append(Segment("delete", tuple(gone)))
        if came:
            out.append(Segment("insert", tuple(came)))
    return out


def _absorb_spaces(pieces: list[tuple[str, list[Token], list[Token]]]
                   ) -> list[tuple[str, list[Token], list[Token]]]:
    """Fold a kept space between two changes into one change: `[-a b-]{+c d+}` reads better
    than `[-a-]{+c+} [-b-]{+d+}`."""
    out: list[tuple[str, list[Token], list[Token]]] = []
    for i, (tag, gone, came) in enumerate(pieces):
        lone_space = (tag == "equal" and i + 1 < len(pieces) and pieces[i + 1][0] != "equal"
                      and all(t.kind == "space" for t in came))
        if out and out[-1][0] == "change" and (tag != "equal" or lone_space):
            _, prev_gone, prev_came = out.pop()
            out.append(("change", prev_gone + gone, prev_came + came))
        else:
            out.append(("equal" if tag == "equal" else "change", gone, came))
    return out


def _whole(status: BlockStatus, block: Block) -> BlockDiff:
    op: Op = "insert" if status == "inserted" else "delete"
    old, new = (None, block) if status == "inserted" else (block, None)
    return BlockDiff(status, old, new, [Segment(op, tuple(block.tokens))])


def _words(block: Block) -> list[str]:
    return [t.text for t in block.tokens if t.kind in ("word", "code")]


def _similarity(a: Block, b: Block) -> float:
    """How alike two blocks' words are (0-1). Blocks of different kinds are not alike; two
    titles, or two table heads with as many cells, always are: the title and a table's head
    are never deleted whole, for a document has one title and a table one head."""
    if a.kind != b.kind:
        return 0.0
    if a.kind == "h1" or (a.kind == "head" and len(_cells(a.row)) == len(_cells(b.row))):
        return 1.0
    matcher = SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _cells(tokens: list[Token]) -> list[list[Token]]:
    """A table row's tokens cut at its pipes: [before the first pipe, cell 1, ..., after]."""
    cells: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "pipe":
            cells.append([])
        else:
            cells[-1].append(token)
    return cells


def _changed(old: Block, new: Block) -> BlockDiff:
    """Word by word; a table row cell by cell, so that no word moves to another cell; a
    head's `|---|` line is always the new one."""
    if new.kind not in TABLE:
        return BlockDiff("changed", old, new, word_diff(old.tokens, new.tokens))
    before, after = _cells(old.row), _cells(new.row)
    if len(before) != len(after):
        segments = word_diff(old.row, new.row)
    else:
        segments = []
        for i, (o, n) in enumerate(zip(before, after, strict=True)):
            if i:
                segments.append(Segment("equal", (Token("pipe", "|"),)))
            segments.extend(word_diff(o, n))
    if new.kind == "head":
        segments.append(Segment("equal", tuple(new.rule)))
    return BlockDiff("changed", old, new, _merged(segments))


def _merged(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].op == seg.op:
            out[-1] = Segment(seg.op, out[-1].tokens + seg.tokens)
        else:
            out.append(seg)
    return out


def _pair(old: list[Block], new: list[Block]) -> Iterator[BlockDiff]:
    """A replaced run of blocks: each new block takes the most similar old one still ahead."""
    cursor = 0
    for block in new:
        scores = [(_similarity(o, block), k) for k, o in enumerate(old) if k >= cursor]
        best, at = max(scores, default=(0.0, -1), key=lambda s: (s[0], -s[1]))
        if best < SIMILAR:
            yield _whole("inserted", block)
            continue
        yield from (_whole("deleted", o) for o in old[cursor:at])
        yield _changed(old[at], block)
        cursor = at + 1
    yield from (_whole("deleted", o) for o in old[cursor:])


def diff_blocks(old: list[Block], new: list[Block]) -> list[BlockDiff]:
    """Every block of both sides in reading order, each with its status."""
    # Aligned with their numbers blanked, so that a renumbered row or heading pairs with its
    # old self (and shows as changed) rather than as one block deleted and another inserted.
    matcher = SequenceMatcher(None, [_NUMBER.sub("#", b.text) for b in old],
                              [_NUMBER.sub("#", b.text) for b in new], autojunk=False)
    out: list[BlockDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(BlockDiff("equal", o, n, [Segment("equal", tuple(n.tokens))])
                       if o.text == n.text else _changed(o, n)
                       for o, n in zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            out.extend(_pair(old[i1:i2], new[j1:j2]))
    return out


# --- renumbering ----------------------------------------------------------------------------


def only_renumbered(old: str, new: str, *, heading: bool = False) -> bool:
    """True when two texts differ only in section numbers: numbers such as 14.2 (or, in a
    heading, any number). A count or a value that changed (60 days -> 30 days) is not a
    renumbering."""
    if old == new or _NUMBER.sub("#", old) != _NUMBER.sub("#", new):
        return False
    return heading or all("." in a and "." in b for a, b in number_pairs(old, new))


def number_pairs(old: str, new: str) -> list[tuple[str, str]]:
    """The numbers that differ between two texts equal but for their numbers, old to new."""
    return [(a, b) for a, b in zip(_NUMBER.findall(old), _NUMBER.findall(new), strict=True)
            if a != b]


def _parts(number: str) -> tuple[int, ...]:
    return tuple(int(n) for n in number.split("."))


def _follows(a: str, b: str) -> bool:
    """`b` is the number after `a` at the same level: 14.1 -> 14.2, 3 -> 4."""
    pa, pb = _parts(a), _parts(b)
    return len(pa) == len(pb) and pa[:-1] == pb[:-1] and pb[-1] == pa[-1] + 1


def renumbering(pairs: list[tuple[str, str]]) -> str:
    """Old -> new numbers in runs: `14.1-14.5 -> 15.1-15.5, 7.3 -> 8.3`, in the old order. A
    section renumbered with all its clauses (14 -> 15 and 14.x -> 15.x) is said once: `14 -> 15`.
    """
    unique = set(pairs)
    sections = {old: new for old, new in unique if "." not in old and "." not in new}
    kept = [(old, new) for old, new in unique
            if not (old.partition(".")[0] in sections and "." in old
                    and new == f"{sections[old.partition('.')[0]]}.{old.partition('.')[2]}")]
    runs: list[list[tuple[str, str]]] = []
    for old, new in sorted(kept, key=lambda p: (_parts(p[0]), _parts(p[1]))):
        if runs and _follows(runs[-1][-1][0], old) and _follows(runs[-1][-1][1], new):
            runs[-1].append((old, new))
        else:
            runs.append([(old, new)])
    return ", ".join(f"{run[0][0]} -> {run[0][1]}" if len(run) == 1 else
                     f"{run[0][0]}-{run[-1][0]} -> {run[0][1]}-{run[-1][1]}" for run in runs)
