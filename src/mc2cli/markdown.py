"""Markdown safety: escape values from deals, refuse unsafe constructs in clause text."""

from __future__ import annotations

import re

# Characters that start inline or block syntax in commonmark_x; all are ASCII punctuation, so
# a backslash before each is a valid CommonMark escape and prints the character itself.
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~^$&])")


def escape(text: str) -> str:
    """Escape a deal value so Markdown prints it literally."""
    return _SPECIAL.sub(r"\\\1", text)


_UNSAFE = [
    # (?<!\\): a character escaped by a backslash (as mc2 escapes deal values) is text.
    (re.compile(r"(?<!\\)!(?<!\\)\["), "an image", "clause texts may not embed images"),
    (re.compile(r"(?<!\\)\]\("), "a link", "write the reference out in words"),
    (re.compile(r"(?<!\\)\]\{"), "a span with attributes", "write plain text"),
    (re.compile(r"(?<!\\)<\s*[A-Za-z/!?]"), "raw HTML", "clause texts may not contain HTML"),
    (re.compile(r"^\s{0,3}#", re.M), "a heading", "mc2 numbers headings itself"),
    (re.compile(r"^\s{0,3}(```|~~~|:::)", re.M), "a code fence or div", "write plain text"),
    (re.compile(r"^\s{0,3}(---|\*\*\*|___)\s*$", re.M), "a horizontal rule or metadata block",
     "write plain text"),
    (re.compile(r"^\s*\|.*\|\s*$", re.M), "a table", "clause texts may not contain tables"),
    (re.compile(r"(?<!\\)\$"), "a '$' (math)", "write 'USD' or 'dollars'"),
    (re.compile(r"(?<!\\)\[\^"), "a footnote", "write the note into the text"),
]


def unsafe(text: str) -> list[tuple[int, str, str]]:
    """(line, what, hint) for each construct clause text may not use."""
    found = []
    for pattern, what, hint in _UNSAFE:
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append((line, what, hint))
    return found
