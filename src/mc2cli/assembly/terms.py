"""Defined terms: which ones the assembled text uses, rendered for the Definitions section."""

from __future__ import annotations

import re
from typing import Any

from mc2cli.assembly.contract import AssembledClause
from mc2cli.assembly.render import RenderError, analyze, render_text
from mc2cli.errors import Problem
from mc2cli.inputs.library import Library


def term_used(term: str, plural: str | None, text: str) -> bool:
    """Whether `text` uses the term (or its plural) as a whole word, capitalized as defined."""
    return _whole_word(term, text) or (plural is not None and _whole_word(plural, text))


_WORD = re.compile(r"[\w-]")


def _whole_word(form: str, text: str) -> bool:
    r"""`form` in `text` with no word character or hyphen either side: what the pattern
    (?<![\w-])FORM(?![\w-]) finds, found with str.find (a pattern that opens with a
    look-behind is tried at every position of a contract-sized text)."""
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        if not (start and _WORD.match(text, start - 1)) and not _WORD.match(text, end):
            return True
        start = text.find(form, start + 1)
    return False


def definitions(lib: Library, clauses: list[AssembledClause], context: dict[str, Any],
                problems: list[Problem]) -> list[tuple[str, str]]:
    """Exactly the terms the clauses use, and the terms their definitions use, A to Z."""
    rendered: dict[str, str] = {}
    for term, (definition, where) in lib.definitions.items():
        syntax = analyze(definition.text).problems
        for p in syntax:
            problems.append(where.problem(f"definition of '{term}': {p}", p.hint,
                                          sub=("text",), line_offset=p.line))
        if syntax:
            continue
        try:
            rendered[term] = render_text(definition.text, context, lambda c: c).strip()
        except RenderError as exc:
            problems.append(where.problem(f"definition of '{term}': {exc}", sub=("text",)))
    body = "\n".join(c.text for c in clauses)
    used = {t for t in rendered if term_used(t, lib.definitions[t][0].plural, body)}
    pending = list(used)
    while pending:
        t = pending.pop()
        for other in rendered:
            if other not in used and other != t and term_used(
                    other, lib.definitions[other][0].plural, rendered[t]):
                used.add(other)
                pending.append(other)
    return [(t, rendered[t]) for t in sorted(used, key=str.lower)]
