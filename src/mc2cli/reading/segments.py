"""Blocks -> segments: one per numbered clause or paragraph, with its own number and heading.

A heading is a Markdown/Word heading, a short line standing alone ("SECURITY PATCHING",
"5. Security Patching"), or the run-in title of a numbered clause ("5.2 Patch Timeline. The
Supplier shall ..."). Each segment keeps the number it was written with (or its heading's) and
the nearest heading above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mc2cli.reading.documents import Block

MIN_WORDS = 5
MAX_SEGMENT_CHARS = 4000

_NUMBER = re.compile(
    r"^(?:(?:section|article|clause|§)\s*)?"
    r"((?:\d{1,3}\.)+\d{1,3}\.?|\d{1,3}[.)]|\(?[a-z][.)]|\([a-z]\)|\(?[ivx]{1,5}[.)]|"
    r"[A-Z][.)]|[IVX]{1,5}[.)])\s+(?=\S)", re.IGNORECASE)
_RUN_IN = re.compile(r"^([A-Z][A-Za-z0-9 ,&/()'\u2019-]{2,70}?)[.:]\s+(?=[A-Z(])(.+)$")
_SENTENCE_END = re.compile(r"[.;:!?,]$")


@dataclass(frozen=True)
class Segment:
    index: int
    number: str | None
    heading: str | None
    text: str


def split_number(text: str) -> tuple[str | None, str]:
    """('5.2', rest) for '5.2 rest', ('b', rest) for '(b) rest'; (None, text) otherwise."""
    m = _NUMBER.match(text)
    if not m:
        return None, text
    number = m.group(1).strip("().").rstrip(".")
    return (number or None), text[m.end():]


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100 or _SENTENCE_END.search(text):
        return False
    capitals = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return text.isupper() or capitals >= max(1, int(0.6 * len(words)))


def _title(text: str) -> str:
    return text.title() if text.isupper() and len(text) > 3 else text


def _run_in(text: str) -> tuple[str | None, str]:
    m = _RUN_IN.match(text)
    if m and _looks_like_heading(m.group(1)) and len(m.group(1).split()) <= 8:
        return _title(m.group(1).strip()), m.group(2)
    return None, text


def segment(blocks: list[Block]) -> list[Segment]:
    segments: list[Segment] = []
    heading: str | None = None
    heading_number: str | None = None
    pending: list[tuple[str | None, str | None, str]] = []

    for block in blocks:
        number, rest = split_number(block.text)
        if block.level or (_looks_like_heading(rest) and len(rest.split()) < MIN_WORDS + 4):
            heading, heading_number = _title(rest.strip()) or heading, number
            continue
        own_heading, body = _run_in(rest)
        pending.append((number or heading_number, own_heading or heading, body))
    for number, head, body in pending:
        if len(body.split()) < MIN_WORDS and segments and segments[-1].heading == head:
            last = segments[-1]
            segments[-1] = Segment(last.index, last.number, last.heading,
                                   (last.text + " " + body)[:MAX_SEGMENT_CHARS])
            continue
        if len(body.split()) < MIN_WORDS:
            continue
        segments.append(Segment(len(segments) + 1, number, head, body[:MAX_SEGMENT_CHARS]))
    return segments
