"""Library lint: every rule of product.md section 2, each problem located in its file."""

from __future__ import annotations

import re
from typing import Any

from mc2cli.assembly.constraints import lint_constraints
from mc2cli.assembly.obligors import disagreement, obligors
from mc2cli.assembly.render import (
    SAMPLE_CONTEXT,
    RenderError,
    analyze,
    render_text,
    save_texts,
    use_texts,
)
from mc2cli.errors import Problem
from mc2cli.inputs import cache
from mc2cli.inputs.library import GENERAL, Library
from mc2cli.inputs.markdown import unsafe
from mc2cli.inputs.models import POSITIONS, Position, SameAs
from mc2cli.inputs.values import Param, ValueProblem, bounds_fit, coerce, in_bounds
from mc2cli.suggest import did_you_mean

_LINT_CACHE: dict[int, list[Problem]] = {}
_ERRORS: dict[int, list[Problem]] = {}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def lint_library(lib: Library) -> list[Problem]:
    """Every problem in a (merged) library, each naming its layer when there are several.

    Cached per library object, and on disk with the library (inputs/cache.py): a check on an
    unchanged library does no lint work.
    """
    key = id(lib)
    if key not in _LINT_CACHE:
        stored = cache.load(f"lint-{lib.cache_key}") if lib.cache_key else None
        if isinstance(stored, list):
            _LINT_CACHE[key] = stored
            use_texts(f"texts-{lib.cache_key}")  # the texts' analysis and compiled code
        else:
            found = lib.name_layers(_lint(lib))
            _LINT_CACHE[key] = sorted(found, key=lambda p: (p.path, p.line, p.col, p.message))
            _ERRORS[key] = [p for p in _LINT_CACHE[key] if p.severity == "error"]
            if lib.cache_key:
                save_texts(f"texts-{lib.cache_key}", _texts(lib))
                cache.store(f"errors-{lib.cache_key}", _ERRORS[key])
                cache.store(f"lint-{lib.cache_key}", _LINT_CACHE[key])
    return _LINT_CACHE[key]


def library_errors(lib: Library) -> list[Problem]:
    """The library's lint errors (what stops a deal being assembled), without reading its
    warnings: a library of 10,000 clauses can have 80,000 of them, which a check never shows."""
    key = id(lib)
    if key not in _ERRORS:
        stored = cache.load(f"errors-{lib.cache_key}") if lib.cache_key else None
        if isinstance(stored, list):
            _ERRORS[key] = stored
            use_texts(f"texts-{lib.cache_key}")
        else:
            _ERRORS[key] = [p for p in lint_library(lib) if p.severity == "error"]
    return _ERRORS[key]


def _texts(lib: Library) -> list[str]:
    """Every text of the library that a contract can render."""
    out = [v for lc in lib.clauses.values() for v in lc.clause.positions.values()
           if isinstance(v, str)]
    return out + [d.text for d, _where in lib.definitions.values()]


def _lint(lib: Library) -> list[Problem]:
    out: list[Problem] = []
    for principle in lib.framework.principles:
        if not lib.section_clauses(principle.id):
            out.append(lib.principle_where[principle.id].problem(
                f"principle '{principle.id}' has no clauses",
                f"add clauses/{principle.number:02d}-{principle.id}.yaml", sub=("id",),
                rule="principle-empty"))

    # Parameter defaults: typed, within bounds.
    defaults: dict[str, dict[str, Any]] = {}
    for pid, (param, where) in lib.parameters.items():
        defaults[pid] = {}
        if not bounds_fit(param):
            out.append(where.problem(
                f"bounds of a '{param.type}' parameter must be "
                + ("dates (YYYY-MM-DD)" if param.type == "date" else "whole numbers"),
                sub=("bounds",), rule="parameter-bounds"))
        for pos in POSITIONS:
            try:
                value = coerce(param, param.default[pos])
            except ValueProblem as exc:
                out.append(where.problem(f"default for '{pos}' {exc}", exc.hint,
                                         sub=("default", pos), rule="parameter-default"))
                continue
            defaults[pid][pos] = value
            if not in_bounds(param, value):
                out.append(where.problem(f"default for '{pos}' ({value}) lies outside its bounds",
                                         "widen the bounds or change the default",
                                         sub=("default", pos), rule="parameter-bounds"))

    used_params: set[str] = set()
    texts: list[str] = []
    lower_terms = _term_patterns(lib)
    for cid, lc in lib.clauses.items():
        clause, where = lc.clause, lc.where
        for pos in POSITIONS:
            if pos not in clause.positions:
                out.append(where.problem(f"clause '{cid}' has no '{pos}' position",
                                         "add it, or write 'same-as: middle'",
                                         sub=("positions",), rule="positions"))
        for pos, value in clause.positions.items():
            if isinstance(value, SameAs):
                target = clause.positions.get(value.same_as)
                if value.same_as == pos or isinstance(target, SameAs) or target is None:
                    out.append(where.problem(f"'{pos}' says same-as '{value.same_as}', which "
                                             "is not a text", "point same-as at a written text",
                                             sub=("positions", pos), rule="positions"))
                continue
            sub = ("positions", pos)
            info = analyze(value)
            for p in info.problems:
                out.append(where.problem(str(p), p.hint, sub=sub, line_offset=p.line,
                                         rule="template"))
            for line, what, hint in unsafe(value, jinja=True):
                out.append(where.problem(f"text contains {what}", hint, sub=sub,
                                         line_offset=line, rule="unsafe"))
            for target, line in info.refs:
                if target not in lib.clauses:
                    out.append(where.problem(f"ref('{target}'): no such clause",
                                             did_you_mean(target, lib.clauses), sub=sub,
                                             line_offset=line, rule="reference"))
            for name in sorted(info.parameters):
                used_params.add(name)
                if name not in lib.parameters:
                    out.append(where.problem(f"'{name}' is not a declared parameter",
                                             did_you_mean(name, lib.parameters)
                                             or "declare it in parameters.yaml", sub=sub,
                                             rule="parameter-undeclared"))
                elif name not in clause.parameters:
                    out.append(where.problem(f"'{pos}' uses '{name}', which the clause does not "
                                             f"list under 'parameters'",
                                             sub=("parameters",), rule="parameter-unlisted"))
            texts.append(value)
            out.extend(_capitalization(value, lower_terms, where, sub))
            if not info.problems and info.parameters <= set(lib.parameters):
                out.extend(_render_check(lib, cid, pos, value, defaults, where))
        out.extend(_obligor_check(lib, cid, defaults, where))
        listed_used = set()
        for pos in POSITIONS:
            listed_used |= analyze(clause.text(pos)).parameters
        for name in clause.parameters:
            if name not in listed_used:
                out.append(where.problem(f"lists parameter '{name}' but no text uses it",
                                         sub=("parameters",), rule="parameter-unused"))
        if not clause.references and lc.section != GENERAL:
            out.append(where.problem(f"clause '{cid}' cites no references",
                                     "name the standards or law it rests on",
                                     sub=("id",), rule="references", severity="warning"))
        for line, what, hint in unsafe(clause.notes):  # notes.md carries them verbatim
            out.append(where.problem(f"notes of '{cid}' contain {what}", hint,
                                     sub=("notes",), line_offset=line, rule="unsafe"))
        if not clause.notes.strip():
            out.append(where.problem(f"clause '{cid}' has no negotiator notes",
                                     sub=("notes",), rule="notes", severity="warning"))

    for pid, (_param, where) in lib.parameters.items():
        if pid not in used_params:
            out.append(where.problem(f"parameter '{pid}' is declared but no clause uses it",
                                     "remove it or use it", sub=("id",), rule="parameter-unused"))

    out.extend(lint_constraints(lib))
    corpus = "\n".join(texts)
    def_texts = {t: d.text for t, (d, _w) in lib.definitions.items()}
    for term, (definition, where) in lib.definitions.items():
        others = "\n".join(v for k, v in def_texts.items() if k != term)
        if not _uses(term, definition.plural, corpus + "\n" + others):
            out.append(where.problem(f"defined term '{term}' is not used by any clause",
                                     "remove the definition or use the term", sub=("term",),
                                     rule="definition-unused"))
        out.extend(_capitalization(definition.text, lower_terms, where, ("text",)))
        out.extend(_definition_text(term, definition.text, where))
    return out


def _uses(term: str, plural: str | None, text: str) -> bool:
    from mc2cli.assembly.terms import term_used
    return term_used(term, plural, text)


_TermPattern = tuple[str, re.Pattern[str], set[str], tuple[str, ...] | None]


def _term_patterns(lib: Library) -> list[_TermPattern]:
    out = []
    for term, (definition, _where) in lib.definitions.items():
        forms = {term, *([definition.plural] if definition.plural else [])}
        alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        lowered = tuple(f.lower() for f in forms) if all(f.isascii() for f in forms) else None
        out.append((term, re.compile(rf"(?<![\w-])({alts})(?![\w-])", re.I), forms, lowered))
    return out


def _capitalization(text: str, patterns: list[_TermPattern], where: Any,
                    sub: tuple[str, ...]) -> list[Problem]:
    out = []
    # Jinja blocks hold ids and names, not prose: blank them out, keeping line numbers.
    text = _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    # In ASCII text an ASCII form matches, ignoring case, only where its lower case is found
    # in the text's: most terms are absent from most texts, and the pattern (a look-behind
    # first) would be tried at every character.
    low = text.lower() if text.isascii() else None
    for term, pattern, forms, lowered in patterns:
        if low is not None and lowered is not None and not any(f in low for f in lowered):
            continue
        for m in pattern.finditer(text):
            if m.group(1) not in forms:
                line = text.count("\n", 0, m.start()) + 1
                out.append(where.problem(
                    f"'{m.group(1)}' is the defined term '{term}' in other capitalization",
                    f"write '{term}', or rephrase if the defined meaning is not intended",
                    sub=sub, line_offset=line, rule="definition-case"))
    return out


def _render_check(lib: Library, cid: str, pos: Position, text: str,
                  defaults: dict[str, dict[str, Any]], where: Any) -> list[Problem]:
    """Render a text with the defaults of every position that uses it."""
    out: list[Problem] = []
    clause = lib.clauses[cid].clause
    users = [p for p in POSITIONS if clause.text(p) == text] or [pos]
    kinds = (False, True) if "cloud_only" in text else (False,)  # both wordings render
    for user in users:
        context: dict[str, Any] = dict(SAMPLE_CONTEXT)
        for pid, per in defaults.items():
            if user in per:
                context[pid] = Param(lib.parameters[pid][0], per[user])
        try:
            for cloud_only in kinds:
                render_text(text, {**context, "cloud_only": cloud_only},
                            lambda c: "Section 9.9")
        except RenderError as exc:
            out.append(where.problem(f"'{pos}' does not render with the '{user}' defaults: "
                                     f"{exc}", exc.hint, sub=("positions", pos),
                                     rule="render"))
            break
    return out


def _obligor_check(lib: Library, cid: str, defaults: dict[str, dict[str, Any]],
                   where: Any) -> list[Problem]:
    """The declared obligor against the duties each position's text sets ("Supplier shall",
    "Customer agrees to", ...). Texts that do not render are reported elsewhere."""
    clause = lib.clauses[cid].clause
    found: dict[str, frozenset[str]] = {}
    for pos in POSITIONS:
        if pos not in clause.positions or isinstance(clause.positions[pos], SameAs):
            continue
        context: dict[str, Any] = dict(SAMPLE_CONTEXT)
        for pid, per in defaults.items():
            if pos in per:
                context[pid] = Param(lib.parameters[pid][0], per[pos])
        try:
            text = render_text(clause.text(pos), context, lambda c: "Section 9.9")
        except (RenderError, KeyError, TypeError):
            return []
        found[pos] = obligors(text, SAMPLE_CONTEXT["hdo"], SAMPLE_CONTEXT["mdm"])
    why = disagreement(clause.obligor, found)
    if why is None:
        return []
    return [where.problem(f"clause '{cid}': {why}",
                          "set 'obligor' to the party (or 'both') the texts bind, or "
                          "rephrase the text", sub=("obligor",), rule="obligor")]


def _definition_text(term: str, text: str, where: Any) -> list[Problem]:
    """A definition is held to the clause-text language and must render safely."""
    info = analyze(text)
    out = [where.problem(f"definition of '{term}': {p}", p.hint, sub=("text",),
                         line_offset=p.line, rule="template") for p in info.problems]
    if not info.problems:
        try:
            for cloud_only in (False, True):  # both wordings of a `cloud_only` test render
                render_text(text, {**SAMPLE_CONTEXT, "cloud_only": cloud_only},
                            lambda c: "Section 9.9")
        except RenderError as exc:
            out.append(where.problem(f"definition of '{term}': {exc}", exc.hint,
                                     sub=("text",), rule="render"))
    return out
