"""Defined terms: which ones the assembled text uses, rendered for the Definitions section."""

from __future__ import annotations

import functools
import re
from typing import Any

from mc2cli.assembly.contract import AssembledClause
from mc2cli.assembly.render import RenderError, analyze, render_text
from mc2cli.errors import Problem
from mc2cli.inputs.library import Library


def term_used(term: str, plural: str | None, text: str) -> bool:
    """Whether `text` uses the term (or its plural) as a whole word, capitalized as defined."""
    forms = [term, *([plural] if plural else [])]
    # A substring search first: most terms are absent from most texts.
    return any(f in text and _whole_word(f).search(text) for f in forms)


@functools.cache
def _whole_word(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])")


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
