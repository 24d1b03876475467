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


# Nesting the converters survive, measured with the pinned pandoc and typst: typst stops at 17
# nested block quotes, 32 nested lists and 65 nested emphases ("maximum show rule depth"),
# and pandoc's DOCX writer takes over 20 s on 600 nested emphases. The limits keep well
# inside, since a clause's nesting adds to the contract's own.
MAX_CONTAINER_DEPTH = 8
MAX_EMPHASIS_DEPTH = 8
_CONTAINER = re.compile(r"[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$)")
_DELIMITER_RUN = re.compile(r"\\.|([*_~^])\1*", re.S)


def _container_depth(line: str) -> int:
    """Block quotes and list items a line opens or sits in: its markers, and its indent."""
    depth = 0
    pos = 0
    while m := _CONTAINER.match(line, pos):
        depth += 1
        pos = m.end()
    indent = len(line) - len(line.lstrip(" \t"))
    return depth + line[:indent].expandtabs(4).count(" ") // 2


def _emphasis_depth(paragraph: str) -> int:
    """How deep emphasis-like delimiters (* _ ~ ^) could nest: a run that opens (followed by a
    non-space) and does not close (preceded by a non-space) goes one level deeper."""
    depth = deepest = 0
    for m in _DELIMITER_RUN.finditer(paragraph):
        if m.group(1) is None:
            continue
        before = paragraph[m.start() - 1] if m.start() else " "
        after = paragraph[m.end()] if m.end() < len(paragraph) else " "
        closes = not before.isspace() and depth > 0
        if closes:
            depth -= 1
        elif not after.isspace():
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _nesting(text: str) -> list[tuple[int, str, str]]:
    found = []
    start = 1
    paragraph: list[str] = []
    lines = text.split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        if number <= len(lines) and _container_depth(line) > MAX_CONTAINER_DEPTH:
            found.append((number, f"lists or block quotes nested more than "
                          f"{MAX_CONTAINER_DEPTH} deep", "flatten the structure"))
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line)
            continue
        if paragraph and _emphasis_depth("\n".join(paragraph)) > MAX_EMPHASIS_DEPTH:
            found.append((start, f"emphasis (* _ ~ ^) nested more than {MAX_EMPHASIS_DEPTH} "
                          "deep", "close each emphasis before opening another"))
        paragraph = []
    return found


# Whatever any rule above needs in order to fire: a character the inline rules, the brace
# rule or a table look for; a line that begins (after blanks) with a block or list marker;
# a deep indent. Emphasis deeper than MAX_EMPHASIS_DEPTH needs more delimiters than that.
# Text with none of these (most rendered clause text) cannot break a rule: `unsafe` returns
# at once instead of trying every pattern on every line.
_MAYBE = re.compile(r"[\[\]<>${}|]|^[ \t]*[#=\-`~:*_+0-9]|^[ \t]{4,}", re.M)
_DELIMITERS = "*_~^"


def _plain(text: str) -> bool:
    return (_MAYBE.search(text) is None
            and sum(text.count(c) for c in _DELIMITERS) <= MAX_EMPHASIS_DEPTH)


def unsafe(text: str, *, jinja: bool = False) -> list[tuple[int, str, str]]:
    """(line, what, hint) for each construct clause text may not use. `jinja`: the text is
    a Jinja source (its tags are allowed); else it is Markdown as printed."""
    if _plain(text):
        return []
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
    return found + _nesting(text)
