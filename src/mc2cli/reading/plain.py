"""Markdown and Word text brought to one plain form, so the two can be compared.

A clause's Markdown becomes, per paragraph or list item, the words a reader sees in the
built Word file: structure marks (`- `, `**`, table pipes) dropped, backslash escapes
undone. `fold` then evens out what typography and editors change without changing meaning:
curly and straight quotes, the dashes, non-breaking and repeated spaces.
"""

from __future__ import annotations

import re

from mc2cli.review.textdiff import blocks, tokenize

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                       "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2032": "'",
                       "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-",
                       "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
                       "\u00ad": None, "\u200b": None, "\u2026": "..."})
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def fold(text: str) -> str:
    """The comparable form of a piece of text: quotes, dashes and spaces evened out."""
    text = text.translate(_FOLD)
    text = re.sub(r"-{2,}", "-", text)
    return " ".join(text.split())


_ENUMERATOR = re.compile(r"^(?:\((?:[a-z]|[ivxlc]+|\d{1,3})\)|(?:[a-z]|[ivxlc]+|\d{1,3})[.)])\s+",
                         re.I)


# A cross-reference is a REF field: Word and LibreOffice renumber it when a clause is deleted
# or inserted, so its number is not an edit of the text.
_SECTION_REF = re.compile(r"\b(sections?)\s+\d+(?:\.\d+)*", re.I)


def key(text: str) -> str:
    """`fold`, and without a leading list enumerator such as `(a) `: pandoc makes those list
    numbering, which a Word file shows but does not hold as text; cross-reference numbers
    are left out (fields that the editor renumbers)."""
    return _SECTION_REF.sub(r"\1 #", _ENUMERATOR.sub("", fold(text)))


def md_paragraphs(markdown: str) -> list[str]:
    """The paragraphs (and list items) a Markdown text prints as, in plain words."""
    out = []
    for block in blocks(markdown):
        words = "".join(" " if t.kind in ("space", "break") else
                        ("" if t.mark else t.text) for t in tokenize(block.text))
        words = _UNESCAPE.sub(r"\1", words)
        words = " ".join(words.split())
        if words:
            out.append(words)
    return out
