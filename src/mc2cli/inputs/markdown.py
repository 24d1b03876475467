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


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(text: str) -> str:
    """Text as the contract prints it: each backslash escape gives its character."""
    return _ESCAPED.sub(r"\1", text)


# Inline constructs: patterns that cannot run across lines. (?<!\\): a character escaped by
# a backslash, as mc2 escapes deal values, is text.
_INLINE = [
    (re.compile(r"(?<!\\)!(?<!\\)\["), "an image", "clause texts may not embed images"),
    (re.compile(r"(?<!\\)\]\("), "a link", "write the reference out in words"),
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


# pandoc's attribute syntax: `{...}` after a word, code, link or span, or on a line of its own
# before a block, sets an element's id, classes and attributes (in HTML, event handlers such
# as onclick). The reader has it turned off and the sanitizer clears attributes; texts are
# refused too, so an author learns at check time. A brace escaped with a backslash is text;
# in a Jinja source, `{{`, `{%` and `{#` open Jinja tags and are allowed.
_BRACE_TOKEN = re.compile(r"\\.|\{[{%#]?|\}[}]?")
_BRACE_HINT = ("pandoc reads '{...}' after a word, code or link, or on a line of its own, as "
               "attributes (HTML ids, classes and event handlers); write the brace as '\\{', "
               "or leave it out")


def _bare_brace(line: str, jinja: bool) -> bool:
    for m in _BRACE_TOKEN.finditer(line):
        token = m.group(0)
        if token == "{" or (not jinja and token[0] == "{"):
            return True
    return False


def unsafe(text: str, *, jinja: bool = False) -> list[tuple[int, str, str]]:
    """(line, what, hint) for each construct clause text may not use. `jinja`: the text is
    a Jinja source (its tags are allowed); else it is Markdown as printed."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for pattern, what, hint in _INLINE:
            if pattern.search(line):
                found.append((number, what, hint))
        if _bare_brace(line, jinja):
            found.append((number, "attribute syntax '{...}'", _BRACE_HINT))
        for pattern, what, hint in _LINE:
            if pattern.match(line):
                found.append((number, what, hint))
                break
    return found
