"""Jinja, built once: a sandbox with StrictUndefined, and a small language for clause text.

Clause texts may come from another organization's library, so beyond the sandbox they are
held to a whitelist of syntax: expressions, `if`, a few filters and `ref()`. No loops, macros,
assignments or arithmetic means no output bombs, no recursion and no runaway loops
(robustness.md), and lets mc2 read off statically which parameters and references a text uses.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import CodeType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mc2cli.inputs import cache
from mc2cli.inputs.markdown import unsafe
from mc2cli.inputs.models import visible
from mc2cli.inputs.values import Param

CONTEXT_NAMES = frozenset(
    {"hdo", "mdm", "this_agreement", "master_agreement", "governing_law", "effective_date",
     "cloud_only"})
# What the context names stand for when a library text is rendered without a deal
# (lint, `library show`).
SAMPLE_CONTEXT: dict[str, Any] = {
    "hdo": "Customer", "mdm": "Supplier", "this_agreement": "this Addendum",
    "master_agreement": "Master Agreement", "governing_law": "the State of X",
    "effective_date": "January 1, 2027", "cloud_only": False}
TEXT_FILTERS = {"or_list", "and_list", "upper", "lower", "capitalize"}
MAX_OUTPUT = 2_000_000

_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const,
            nodes.Getattr, nodes.Filter, nodes.Call, nodes.If, nodes.Compare, nodes.Operand,
            nodes.And, nodes.Or, nodes.Not, nodes.CondExpr)


class RenderError(Exception):
    def __init__(self, message: str, line: int = 1, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.hint = hint


def _or_list(value: Any) -> str:
    return value.joined("or") if isinstance(value, Param) else str(value)


def _and_list(value: Any) -> str:
    return value.joined("and") if isinstance(value, Param) else str(value)


def _sentence(value: Any) -> str:
    text = str(value)
    return text[:1].upper() + text[1:]


def _finalize(value: Any) -> Any:
    return str(value) if isinstance(value, Param) else value


def _make_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
        finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters["or_list"] = _or_list
    env.filters["and_list"] = _and_list
    env.filters["capitalize"] = _sentence  # Jinja's lowercases the rest: "This addendum"
    return env


ENV = _make_env()


@dataclass
class TextInfo:
    """What a clause text uses, read off its syntax tree."""

    names: set[str] = field(default_factory=set)
    refs: list[tuple[str, int]] = field(default_factory=list)
    problems: list[RenderError] = field(default_factory=list)

    @property
    def parameters(self) -> set[str]:
        return self.names - CONTEXT_NAMES


# What rendering learned of each text: its analysis, and the marshaled code of every text
# compiled in this process (a text is compiled once per process, however many times the
# template LRU below lets it go).
_INFO: dict[str, TextInfo] = {}
_RECORDED: dict[str, bytes] = {}
# What earlier runs learned, from the compiled-library cache (lint.py names the entry): a
# record file read one text at a time, so a library of 10,000 clauses keeps the analysis and
# code of all its texts on disk and a check reads only those it renders.
_STORE: dict[str, cache.Records] = {}


# What Jinja (and the Python it compiles to) survives, measured: 50 nested {% if %} compile
# and 120 do not; 50 nested parentheses compile, 90 exhaust the recursion limit; an
# expression of 100 operators compiles, 250 do not. The limits keep well inside those.
MAX_BLOCK_DEPTH = 10
MAX_BRACKET_DEPTH = 20
MAX_TAG_CHARS = 200
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_OPENS = re.compile(r"\{%-?\s*(if|for|macro|call|filter|with|block|raw|set\s+\w+\s*%)")
_CLOSES = re.compile(r"\{%-?\s*end\w*")


def limits(text: str) -> list[RenderError]:
    """Jinja nesting and expression size over the limits, each located once."""
    problems: list[RenderError] = []
    depth = 0
    reported = False
    for m in _TAG.finditer(text):
        tag = m.group(0)
        line = text.count("\n", 0, m.start()) + 1
        if len(tag) > MAX_TAG_CHARS:
            problems.append(RenderError(f"a Jinja tag of {len(tag)} characters (the limit is "
                                        f"{MAX_TAG_CHARS})", line,
                                        "split the expression, or write the text out"))
            continue
        inner = 0
        deepest = 0
        for ch in tag[2:-2]:
            inner += 1 if ch in "([{" else -1 if ch in ")]}" else 0
            deepest = max(deepest, inner)
        if deepest > MAX_BRACKET_DEPTH:
            problems.append(RenderError(f"brackets nested {deepest} deep (the limit is "
                                        f"{MAX_BRACKET_DEPTH})", line, "simplify the expression"))
        if _OPENS.match(tag):
            depth += 1
            if depth > MAX_BLOCK_DEPTH and not reported:
                reported = True
                problems.append(RenderError(f"{{% %}} blocks nested more than "
                                            f"{MAX_BLOCK_DEPTH} deep", line,
                                            "use {% elif %}, or fewer nested conditions"))
        elif _CLOSES.match(tag):
            depth -= 1
    return problems


def analyze(text: str) -> TextInfo:
    """Parse a clause text and check it keeps to the clause-text language (cached per text)."""
    info = _INFO.get(text)
    if info is None:
        stored = _stored(text)
        info = stored[0] if stored is not None else _analyze(text)
        _INFO[text] = info
    return info


def _analyze(text: str) -> TextInfo:
    info = TextInfo()
    info.problems.extend(limits(text))
    if info.problems:
        return info
    try:
        tree = ENV.parse(text)
    except TemplateSyntaxError as exc:
        info.problems.append(RenderError(f"template syntax error: {exc.message}",
                                         exc.lineno or 1,
                                         "check the {{ }} and {% %} pairs"))
        return info
    except (RecursionError, MemoryError, SyntaxError):
        info.problems.append(RenderError("template too deeply nested to read", 1,
                                         f"keep {{% %}} blocks within {MAX_BLOCK_DEPTH} and "
                                         f"brackets within {MAX_BRACKET_DEPTH} levels"))
        return info
    called = {id(call.node) for call in tree.find_all(nodes.Call)}
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", 1) or 1
        if not isinstance(node, _ALLOWED):
            what = type(node).__name__.lower()
            info.problems.append(RenderError(
                f"'{what}' is not allowed in clause text", line,
                "clause texts use {{ name }}, {{ ref('id') }}, filters or_list/and_list, "
                "and {% if %}...{% else %}...{% endif %}"))
        elif isinstance(node, nodes.Name):
            if node.name != "ref":
                info.names.add(node.name)
            elif id(node) not in called:
                info.problems.append(RenderError("'ref' is used without a clause id", line,
                                                 "write {{ ref('clause.id') }}"))
        elif isinstance(node, nodes.Getattr) and node.attr != "value":
            info.problems.append(RenderError(f"'.{node.attr}' is not allowed in clause text",
                                             line, "only '.value' reads a parameter's raw value"))
        elif isinstance(node, nodes.Filter) and node.name not in TEXT_FILTERS:
            info.problems.append(RenderError(f"filter '{node.name}' is not allowed", line,
                                             "allowed: " + ", ".join(sorted(TEXT_FILTERS))))
        elif isinstance(node, nodes.Call):
            if not (isinstance(node.node, nodes.Name) and node.node.name == "ref"
                    and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                    and isinstance(node.args[0].value, str) and not node.kwargs):
                info.problems.append(RenderError("only ref('clause.id') may be called", line))
            else:
                info.refs.append((node.args[0].value, line))
    if not info.problems and text not in _RECORDED:
        # Compiled from the tree just read (what ENV.compile(text) would parse again): a
        # sound text is almost always rendered next; a failure is left to render_text.
        with contextlib.suppress(Exception):
            _RECORDED[text] = marshal.dumps(ENV.compile(tree))
    return info


@lru_cache(maxsize=2048)  # a text missed here is unmarshaled again, never compiled again
def _compiled(text: str) -> Template:
    """Each distinct text is compiled once per process: lint, assembly and notes share it."""
    return Template.from_code(ENV, _code(text), ENV.make_globals(None), None)


def _code(text: str) -> CodeType:
    known = _RECORDED.get(text)
    if known is not None:
        return marshal.loads(known)  # type: ignore[no-any-return]
    stored = _stored(text)
    if stored is not None and stored[1] is not None:
        return marshal.loads(stored[1])  # type: ignore[no-any-return]
    code = ENV.compile(text)
    _RECORDED[text] = marshal.dumps(code)
    return code


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _stored(text: str) -> tuple[TextInfo, bytes | None] | None:
    """A sound text's analysis and marshaled code, as an earlier run recorded them."""
    if not _STORE:
        return None
    key = _digest(text)
    data = next((d for d in (r.get(key) for r in _STORE.values()) if d is not None), None)
    if data is None:
        return None
    try:
        names, refs, code = marshal.loads(data)
        info = TextInfo(set(names), [(str(t), int(line)) for t, line in refs])
    except (ValueError, TypeError, EOFError):
        return None
    return info, code if isinstance(code, bytes) else None


def save_texts(name: str, texts: Iterable[str]) -> bool:
    """Record what this process learned of `texts` (sound ones) for later runs."""
    if cache.cache_dir() is None:
        return False

    def records() -> Iterator[tuple[bytes, bytes]]:
        for text in texts:
            info = analyze(text)
            if not info.problems:
                yield _digest(text), marshal.dumps(
                    (tuple(sorted(info.names)), tuple(info.refs), _RECORDED.get(text)))
    return cache.store_records(name, records())


def use_texts(name: str) -> None:
    """Read texts' analyses and code from the record file `name` when they are needed."""
    if name not in _STORE:
        records = cache.load_records(name)
        if records is not None:
            _STORE[name] = records


def forget() -> None:
    """Drop everything this process learned of texts (what a new process starts with)."""
    _INFO.clear()
    _RECORDED.clear()
    _STORE.clear()
    _compiled.cache_clear()


def render_text(text: str, context: Mapping[str, Any], ref: Callable[[str], str]) -> str:
    """Render an analyzed clause text; errors become RenderError with the text's line."""
    try:
        out = _compiled(text).render({**context, "ref": ref})
    except UndefinedError as exc:
        raise RenderError(f"undefined name: {exc.message}",
                          hint="declare the parameter in parameters.yaml and list it on the "
                               "clause") from None
    except (SecurityError, TemplateSyntaxError, TypeError, ValueError) as exc:
        raise RenderError(f"cannot render: {exc}") from None
    except (RecursionError, SyntaxError, MemoryError):
        raise RenderError("cannot render: recursion too deep") from None
    if len(out) > MAX_OUTPUT:
        raise RenderError(f"rendered text is longer than {MAX_OUTPUT} characters")
    # What the text became is checked too: a Jinja string such as '\x3cscript>' is safe
    # source and unsafe output.
    for line, what, hint in unsafe(out):
        raise RenderError(f"renders to text that contains {what}", line, hint)
    try:
        visible(out, multiline=True)
    except ValueError as exc:
        raise RenderError(f"renders to text that {exc}") from None
    return out


def render_template(source: str, context: Mapping[str, Any]) -> str:
    """Render the master template (mc2's own, trusted, still sandboxed)."""
    out = _master(source).render(context)
    if len(out) > 50 * MAX_OUTPUT:
        raise RenderError("contract is too long")
    return out


@lru_cache(maxsize=4)
def _master(source: str) -> Template:
    """The master template, compiled once per process (a batch builds many deals in each
    worker) and its code kept in the cache for the next process."""
    name = cache.key("template", source)
    stored = cache.load(name)
    code = marshal.loads(stored) if isinstance(stored, bytes) else ENV.compile(source)
    if not isinstance(stored, bytes):
        cache.store(name, marshal.dumps(code))
    return Template.from_code(ENV, code, ENV.make_globals(None), None)
