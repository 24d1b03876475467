"""The lock file: what a deal resolves to, so that a change of library text is noticed.

`deal.yaml.lock` sits beside its deal and records, sorted by clause id: each clause's
position, the sha256 of its resolved text and of the library's text it came from, its
parameter values, and the resolved text itself (so a drift can be shown as a diff), with
the library's edition and content hash. The same contract always gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field

from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.errors import InputError, OutputError, Problem
from mc2cli.inputs.models import ClauseId, Model, ParamId, Position
from mc2cli.inputs.validate import validate
from mc2cli.inputs.yamlload import Document, load_path

LOCK_FORMAT = 1
SUFFIX = ".lock"



def _hex_digest(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError(f"must be a sha256, 64 hex digits; got {value[:70]!r}")
    return value


Sha256 = Annotated[str, AfterValidator(_hex_digest)]
Value = str | list[str]


@dataclass(frozen=True)
class LockedClause:
    """One clause as the lock records it. Parameter values are kept as written in YAML."""

    id: str
    position: str
    sha256: str
    source: str
    parameters: dict[str, Value]
    text: str
    extra: bool = False


@dataclass(frozen=True)
class Lock:
    """A lock in memory; `where` locates each clause in the lock file it was read from."""

    edition: str
    content_sha256: str
    clauses: dict[str, LockedClause]
    # The rest of the printed contract that comes from the library: headings and the
    # Definitions section, keyed "section <id>", "title <clause id>" and "term <term>".
    printed: dict[str, str] = field(default_factory=dict)
    path: str = ""
    where: dict[str, tuple[int, int]] = field(default_factory=dict)
    clauses_at: tuple[int, int] = (1, 1)


def lock_path(deal_path: Path) -> Path:
    """`deal.yaml` -> `deal.yaml.lock`, beside the deal."""
    return deal_path.with_name(deal_path.name + SUFFIX)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- contract -> lock -> bytes -------------------------------------------------------------

def from_contract(contract: Contract) -> Lock:
    """The lock of an assembled contract."""
    lib = contract.library
    printed = {f"section {s.id}": s.title for s in contract.all_sections}
    printed |= {f"title {c.id}": c.title for c in contract.clauses}
    printed |= {f"term {term}": text for term, text in contract.definitions}
    return Lock(lib.edition, lib.content_hash, {c.id: _locked(c) for c in contract.clauses},
                printed)


def _locked(c: AssembledClause) -> LockedClause:
    source = c.text if c.extra else c.positions.get(c.position, c.text)
    params = {pid: plain_value(use.value) for pid, use in sorted(c.params.items())}
    return LockedClause(c.id, c.position, c.sha256, sha256(source), params, c.text, c.extra)


def plain_value(value: Any) -> Value:
    """A parameter value as the lock writes it and mc2's YAML loader reads it back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


class _Dumper(yaml.SafeDumper):
    """Writes every scalar as text, quoting only what YAML itself needs, or a null."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent lists under their key


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


class _Flow(dict[str, Any]):
    """A mapping written on one line."""


class _Literal(str):
    """Text written as a literal block, where YAML allows one."""

    __slots__ = ()


# YAML 1.1 line breaks that PyYAML writes raw outside double quotes, and then reads as breaks.
_BREAKS = frozenset("\x85\u2028\u2029")


def _flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = None
    if _BREAKS & set(data):
        style = '"'
    elif isinstance(data, _Literal) and "\n" in data:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Literal, _text)


def dumps(lock: Lock, deal_name: str) -> bytes:
    """The lock file's bytes: sorted, one line per clause, the same for the same lock."""
    ordered = sorted(lock.clauses.values(), key=lambda c: c.id)
    data = {
        "mc2_lock": str(LOCK_FORMAT),
        "library": {"content_sha256": lock.content_sha256, "edition": lock.edition},
        "clauses": [_Flow(id=c.id, position=c.position, sha256=c.sha256, source=c.source)
                    for c in ordered],
        "parameters": {c.id: _Flow(sorted(c.parameters.items())) for c in ordered
                       if c.parameters},
        "texts": {c.id: _Literal(c.text) for c in ordered},
        "printed": {key: _Literal(text) for key, text in sorted(lock.printed.items())},
    }
    name = "".join(ch if ch.isprintable() else "?" for ch in deal_name)
    header = (f"# mc2 lock file of {name}: the clauses it resolves to, with their texts.\n"
              "# Written by 'mc2 lock'; 'mc2 check --locked' fails when they change.\n")
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1_000_000)
    return (header + body).encode()


# --- bytes -> lock ------------------------------------------------------------------------

class _LibraryEntry(Model):
    content_sha256: Sha256
    edition: str


class _ClauseEntry(Model):
    id: ClauseId
    position: Position
    sha256: Sha256
    source: Sha256


def _lock_format(value: int) -> int:
    if value != LOCK_FORMAT:
        raise ValueError(f"lock format {value} is not supported; this mc2 reads format "
                         f"{LOCK_FORMAT}")
    return value


class _LockFile(Model):
    mc2_lock: Annotated[int, AfterValidator(_lock_format)]
    library: _LibraryEntry
    clauses: list[_ClauseEntry]
    parameters: dict[ClauseId, dict[ParamId, Value]] = Field(default_factory=dict)
    texts: dict[ClauseId, str]
    printed: dict[str, str] = Field(default_factory=dict)


def read_lock(path: Path, display: str) -> Lock:
    """Read a lock file; every problem in it is an InputError located in the file."""
    try:
        doc = load_path(path, display)
    except InputError as exc:
        raise InputError([_as_lock_problem(p) for p in exc.problems]) from None
    problems = list(doc.problems)
    model = validate(_LockFile, doc, problems)
    if model is not None:
        problems.extend(_consistency(model, doc))
    if model is None or problems:
        raise InputError([_as_lock_problem(p) for p in problems])
    return _to_lock(model, doc)


def _as_lock_problem(p: Problem) -> Problem:
    rewrite = f"mc2 writes the lock file: rewrite it with 'mc2 lock {p.path.removesuffix(SUFFIX)}'"
    return dataclasses.replace(p, rule="lock-file", hint=p.hint or rewrite)


def _consistency(model: _LockFile, doc: Document) -> list[Problem]:
    """What the schema cannot say: ids once each, a text per clause, hashes that match."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, entry in enumerate(model.clauses):
        if entry.id in seen:
            problems.append(doc.problem(("clauses", i, "id"),
                                        f"clause '{entry.id}' is listed twice"))
        seen.add(entry.id)
        text = model.texts.get(entry.id)
        if text is None:
            problems.append(doc.problem(("clauses", i), f"clause '{entry.id}' has no text under "
                                                        "'texts'"))
        elif sha256(text) != entry.sha256:
            problems.append(doc.problem(("texts", entry.id), f"the text of '{entry.id}' does not "
                                        "match its sha256: the lock was edited by hand"))
    for section in ("texts", "parameters"):
        for cid in getattr(model, section):
            if cid not in seen:
                problems.append(doc.problem((section, cid), f"'{cid}' is not under 'clauses'"))
    return problems


def _to_lock(model: _LockFile, doc: Document) -> Lock:
    clauses: dict[str, LockedClause] = {}
    where: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(model.clauses):
        clauses[entry.id] = LockedClause(entry.id, entry.position, entry.sha256, entry.source,
                                         model.parameters.get(entry.id, {}),
                                         model.texts[entry.id])
        where[entry.id] = doc.loc(("clauses", i))
    printed_where = {key: doc.loc(("printed", key)) for key in model.printed}
    return Lock(model.library.edition, model.library.content_sha256, clauses,
                dict(model.printed), doc.path, {**printed_where, **where},
                doc.loc(("clauses",)))


def same(a: LockedClause, b: LockedClause) -> bool:
    """The same choice and the same text: nothing to report."""
    return (a.position, a.sha256, a.source, a.parameters) == \
        (b.position, b.sha256, b.source, b.parameters)


# --- writing --------------------------------------------------------------------------------

def write(path: Path, data: bytes, *, overwrite: bool) -> bool:
    """Write a lock atomically; without `overwrite`, an existing lock is kept. True if written."""
    if not overwrite and path.exists():
        return False
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; a lock is an ordinary, committed file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the lock file: {exc.strerror}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # gone already when the rename succeeded
    return True
