"""Markdown safety: escape values from deals, refuse unsafe constructs in clause text."""

from __future__ import annotations

import re

# Characters that start inline or block syntax in commonmark_x; all are ASCII punctuation, so
# a backslash before each is a valid CommonMark escape and prints the character itself.
# Quotes, a hyphen after a hyphen and a dot after a dot are escaped too, so pandoc's `smart`
# typography leaves a model number like AF--3000 or a name like O'Brien as written.
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~^$&\"'])|(?<=-)(-)|(?<=\.)(\.)")


def escape(text: str) -> str:
    """Escape a deal value so every output format prints it literally."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


# Inline constructs: patterns that cannot run across lines. (?<!\\): a character escaped by
# a backslash, as mc2 escapes deal values, is text.
_INLINE = [
    (re.compile(r"(?<!\\)!(?<!\\)\["), "an image", "clause texts may not embed images"),
    (re.compile(r"(?<!\\)\]\("), "a link", "write the reference out in words"),
    (re.compile(r"(?<!\\)\]\{"), "a span with attributes", "write plain text"),
    (re.compile(r"(?<!\\)<[ \t]*[A-Za-z/!?]"), "raw HTML", "clause texts may not contain HTML"),
    (re.compile(r"(?<!\\)\$"), "a '$' (math)", "write 'USD' or 'dollars'"),
    (re.compile(r"(?<!\\)\[\^"), "a footnote", "write the note into the text"),
]
# Block constructs, matched one line at a time (linear in the text's length).
_LINE = [
    (re.compile(r"[ \t]{0,3}#"), "a heading", "mc2 numbers headings itself"),
    (re.compile(r"[ \t]{0,3}(=+|-{2,})[ \t]*$"), "a heading underline or rule",
     "mc2 numbers headings itself"),
    (re.compile(r"[ \t]{0,3}(```|~~~|:::)"), "a code fence or div", "write plain text"),
    (re.compile(r"[ \t]{0,3}(\*[ \t]*){3,}$|[ \t]{0,3}(_[ \t]*){3,}$"), "a horizontal rule",
     "write plain text"),
    (re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$"),
     "a table", "clause texts may not contain tables"),
    (re.compile(r"[ \t]*\|.*\|[ \t]*$"), "a table", "clause texts may not contain tables"),
]


def unsafe(text: str) -> list[tuple[int, str, str]]:
    """(line, what, hint) for each construct clause text may not use."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for pattern, what, hint in _INLINE:
            if pattern.search(line):
                found.append((number, what, hint))
        for pattern, what, hint in _LINE:
            if pattern.match(line):
                found.append((number, what, hint))
                break
    return found
