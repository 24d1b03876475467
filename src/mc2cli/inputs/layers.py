"""Merging library layers, listed first-wins (`library: [./house, builtin]`).

The layers are merged from the last one, the base, upwards. In each layer an entry whose id a
later layer already declares is an override: `id` plus any subset of fields, validated as a
partial model and merged field by field (the mappings `positions`, `default`, `bounds` and
`choices` key by key). An entry with a new id is a new item and must be complete. Each merged
item's Located records which layer wrote each of its parts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mc2cli.errors import InputError, Problem
from mc2cli.inputs import cache, models
from mc2cli.inputs.library import (
    BUILTIN,
    CLAUSE_PARTS,
    GENERAL,
    LibClause,
    Library,
    Located,
    name_layers,
    typed_defaults,
)
from mc2cli.inputs.models import (
    Clause,
    ClauseFile,
    ClauseOverride,
    Definition,
    DefinitionOverride,
    DefinitionsFile,
    Framework,
    FrameworkHead,
    FrameworkOverride,
    Parameter,
    ParameterOverride,
    ParametersFile,
    Principle,
    PrincipleOverride,
)
from mc2cli.inputs.validate import validate
from mc2cli.inputs.yamlload import Document, PathKey, compact, load_bytes, read_limited
from mc2cli.paths import builtin_library_dir
from mc2cli.suggest import did_you_mean

_CLAUSE_FILE = re.compile(r"^([0-9]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")
_LIBRARY_FILES = ("framework.yaml", "parameters.yaml", "definitions.yaml", "general.yaml")
# Mappings that a house layer changes key by key; every other field is replaced whole.
_KEYWISE = frozenset({"positions", "default", "bounds", "choices"})
_TWICE = {"clause": "clause id '{}' is used twice",
          "parameter": "parameter '{}' is declared twice", "constraint": "constraint '{}' repeats",
          "term": "term '{}' is defined twice", "principle": "principle '{}' appears twice"}


@dataclass
class RawLayer:
    """A layer's folder and the bytes of its files, read once (for the cache key)."""

    name: str
    folder: Path
    shown: str
    files: list[tuple[str, Path, bytes]]
    digest: str
    docs: dict[str, Document] = field(default_factory=dict)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_layer(folder: Path, before: list[Path], problems: list[Problem]) -> RawLayer | None:
    """A layer's files, or None with the problem (missing, listed twice, a symlink out)."""
    shown = _display(folder)
    name = BUILTIN if folder == builtin_library_dir() else shown
    if folder in before:
        problems.append(Problem(shown, 1, 1, f"library layer '{name}' is listed twice",
                                hint="list each library folder once", rule="library"))
        return None
    if not folder.is_dir():
        siblings = [p.name for p in folder.parent.iterdir() if p.is_dir()] \
            if folder.parent.is_dir() else []
        problems.append(Problem(shown, 1, 1, "clause library folder not found",
                                hint=did_you_mean(folder.name, [*siblings, BUILTIN])
                                or "'library:' takes 'builtin' or a folder relative to the deal",
                                rule="library"))
        return None
    digest = hashlib.sha256()
    files: list[tuple[str, Path, bytes]] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file()):
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            problems.append(Problem(_display(path), 1, 1, "symlink leads outside the library",
                                    rule="library"))
            continue
        try:
            data = read_limited(path, _display(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(_display(path), 1, 1, f"cannot read file: {exc.strerror}",
                                    rule="library"))
            continue
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        files.append((path.name, path, data))
    return RawLayer(name, folder, shown, files, digest.hexdigest())


@dataclass
class _Entry:
    """One merged item: its raw data as the layers wrote it, and where each part came from."""

    data: dict[str, Any]
    where: Located
    section: str = ""

    def overlay(self, raw: dict[str, Any], where: Located) -> None:
        """Apply a house layer's partial entry: mappings in _KEYWISE key by key."""
        for key, value in raw.items():
            old = self.data.get(key)
            if key in _KEYWISE and isinstance(value, dict) and isinstance(old, dict):
                self.data[key] = {**old, **value}
                for sub in value:
                    self.where.overrides[f"{key}.{sub}"] = where
                continue
            self.data[key] = value
            for name in [n for n in self.where.overrides if n.startswith(f"{key}.")]:
                del self.where.overrides[name]
            self.where.overrides[key] = where


class _Merge:
    """Merge parsed layers, the base (last) first; collects every problem."""

    def __init__(self, layers: list[RawLayer], problems: list[Problem]) -> None:
        self.layers = list(reversed(layers))
        self.top_first = layers
        self.problems = problems
        self.framework: _Entry | None = None
        self.principles: dict[str, _Entry] = {}
        self.clauses: dict[str, _Entry] = {}
        self.parameters: dict[str, _Entry] = {}
        self.definitions: dict[str, _Entry] = {}
        self.constraints: dict[str, _Entry] = {}
        self.seen: dict[tuple[str, str], dict[str, Located]] = {}
        self.framework_failed = False

    def run(self) -> Library | None:
        for layer in self.layers:
            self.parse(layer)
        for layer in self.layers:
            if "framework.yaml" in layer.docs:
                self.add_framework(layer, layer.docs["framework.yaml"])
        if self.framework is None:
            if self.framework_failed:
                return None
            first = self.top_first[0].shown
            self.problems.append(Problem(f"{first}/framework.yaml", 1, 1,
                                         "no framework.yaml in any library layer",
                                         hint="list the library you build on (e.g. builtin) "
                                              "after this layer", rule="library"))
            return None
        for layer in self.layers:
            for filename, doc in layer.docs.items():
                if filename == "parameters.yaml":
                    self.add_list(layer, doc, ParametersFile, "parameters", "id", Parameter,
                                  ParameterOverride, self.parameters, "parameter")
                    rules = doc.data.get("constraints") if isinstance(doc.data, dict) else None
                    for i in range(len(rules) if isinstance(rules, list) else 0):
                        self.entry(layer, doc, ("constraints", i), "id", models.Constraint,
                                   models.ConstraintOverride, self.constraints, "constraint")
                elif filename == "definitions.yaml":
                    self.add_list(layer, doc, DefinitionsFile, "definitions", "term",
                                  Definition, DefinitionOverride, self.definitions, "term")
                elif filename == "general.yaml" or _CLAUSE_FILE.match(filename):
                    self.add_clause_file(layer, doc, filename)
        return self.library()

    # --- reading ---------------------------------------------------------------------------
    def parse(self, layer: RawLayer) -> None:
        for filename, path, data in layer.files:
            try:
                doc = load_bytes(data, _display(path))
            except InputError as exc:
                self.problems.extend(exc.problems)
                continue
            self.problems.extend(doc.problems)
            known = filename in _LIBRARY_FILES or _CLAUSE_FILE.match(filename)
            if not known:
                self.problems.append(doc.problem(
                    (), f"unexpected file '{filename}' in a clause library",
                    did_you_mean(filename, _LIBRARY_FILES)
                    or "clause files are named NN-<principle-id>.yaml", rule="library"))
                continue
            layer.docs[filename] = doc

    # --- entries ---------------------------------------------------------------------------
    def entry(self, layer: RawLayer, doc: Document, key: PathKey, id_field: str,
              full: type[BaseModel], partial: type[BaseModel], table: dict[str, _Entry],
              kind: str) -> tuple[str, _Entry] | None:
        """Read one entry of a list: an override of `table[id]`, or a new, complete item."""
        raw = _node(doc, key)
        ident = raw.get(id_field) if isinstance(raw, dict) else None
        where = Located(doc, key, layer.name)
        seen = self.seen.setdefault((layer.name, kind), {})
        if isinstance(ident, str) and ident in seen:
            first = seen[ident]
            self.problems.append(where.problem(
                _TWICE[kind].format(ident), f"first at {first.doc.path}:"
                f"{first.doc.loc(first.key)[0]}", sub=(id_field,), rule="duplicate-id"))
            return None
        if isinstance(ident, str):
            seen[ident] = where
        if isinstance(raw, dict) and isinstance(ident, str) and ident in table:
            if self.no_nulls(doc, key, raw) and validate(partial, doc, self.problems,
                                                         key) is not None:
                table[ident].overlay({k: v for k, v in raw.items() if k != id_field}, where)
                return ident, table[ident]
            return None
        before = len(self.problems)
        if validate(full, doc, self.problems, key) is None:
            if isinstance(ident, str):
                self.explain_new(before, ident, kind, table)
            return None
        assert isinstance(raw, dict) and isinstance(ident, str)
        table[ident] = _Entry(dict(raw), where)
        return ident, table[ident]

    def no_nulls(self, doc: Document, key: PathKey, raw: dict[str, Any]) -> bool:
        empty = [k for k, v in raw.items() if v is None]
        for name in empty:
            self.problems.append(doc.problem((*key, name), "is empty",
                                             "give a value, or leave the key out to keep "
                                             "what the later layer says"))
        return not empty

    def explain_new(self, before: int, ident: str, kind: str, table: dict[str, _Entry]) -> None:
        """Missing fields on a new entry: say why it counts as new, and what was meant."""
        near = did_you_mean(ident, table)
        self.hint_missing(before, f"'{ident}' is not in any later layer, so it is a new {kind} "
                          "and needs every field; " + (near or "to override one, list the "
                                                       "library that declares it after this "
                                                       "layer"))

    def hint_missing(self, before: int, hint: str) -> None:
        """Put `hint` on the first 'is required' problem found since `before`."""
        for i in range(before, len(self.problems)):
            p = self.problems[i]
            if p.message == "is required" and not p.hint:
                self.problems[i] = dataclasses.replace(p, hint=hint)
                return

    def add_list(self, layer: RawLayer, doc: Document, file_model: type[BaseModel],
                 list_key: str, id_field: str, full: type[BaseModel], partial: type[BaseModel],
                 table: dict[str, _Entry], kind: str) -> None:
        if validate(file_model, doc, self.problems) is None:
            return
        for i in range(len(doc.data.get(list_key) or [])):
            self.entry(layer, doc, (list_key, i), id_field, full, partial, table, kind)

    # --- the framework ---------------------------------------------------------------------
    def add_framework(self, layer: RawLayer, doc: Document) -> None:
        where = Located(doc, (), layer.name)
        if self.framework is None:
            before = len(self.problems)
            if validate(FrameworkHead, doc, self.problems) is None:
                self.framework_failed = True
                self.hint_missing(before, f"'{layer.name}' is the last layer with a "
                                  "framework.yaml, so it must be complete; to change another "
                                  "library's, list that library after this one")
                return
            data = {k: v for k, v in doc.data.items() if k != "principles"}
            self.framework = _Entry(data, where)
        elif validate(FrameworkOverride, doc, self.problems) is not None:
            self.overlay_framework(doc.data, where)
        else:
            return
        for i in range(len(doc.data.get("principles") or [])):
            self.entry(layer, doc, ("principles", i), "id", Principle, PrincipleOverride,
                       self.principles, "principle")

    def overlay_framework(self, raw: dict[str, Any], where: Located) -> None:
        assert self.framework is not None
        base = self.framework
        for name in ("framework", "edition"):
            if raw.get(name) is not None:
                base.data[name] = raw[name]
                base.where.overrides[name] = where
        for group in ("positions", "pillars"):
            for key, value in (raw.get(group) or {}).items():
                merged = dict(base.data[group].get(key) or {})
                merged.update(value or {})
                base.data[group] = {**base.data[group], key: merged}
                base.where.overrides[f"{group}.{key}"] = where

    # --- clause files ----------------------------------------------------------------------
    def add_clause_file(self, layer: RawLayer, doc: Document, filename: str) -> None:
        cf = validate(ClauseFile, doc, self.problems)
        if cf is None:
            return
        m = _CLAUSE_FILE.match(filename)
        if m and cf.principle != m.group(2):
            self.problems.append(doc.problem(("principle",),
                                             f"'{cf.principle}' does not match the file name",
                                             f"the file name says '{m.group(2)}'"))
            return
        if filename == "general.yaml" and cf.section != GENERAL:
            self.problems.append(doc.problem((), "general.yaml must say 'section: general'"))
            return
        section = cf.principle or GENERAL
        if section != GENERAL and section not in self.principles:
            self.problems.append(doc.problem(("principle",), f"unknown principle '{section}'",
                                             did_you_mean(section, self.principles)))
            return
        for i in range(len(cf.clauses)):
            found = self.entry(layer, doc, ("clauses", i), "id", Clause, ClauseOverride,
                               self.clauses, "clause")
            if found is None:
                continue
            cid, entry = found
            if not entry.section:  # a new clause (an override finds its section set)
                entry.section = section
            elif entry.section != section:
                self.problems.append(doc.problem(
                    ("clauses", i, "id"), f"clause '{cid}' belongs to principle "
                    f"'{entry.section}'", f"override it in the layer's file for "
                    f"'{entry.section}'; a house layer cannot move a clause to another "
                    "principle", rule="library"))

    # --- the merged library ----------------------------------------------------------------
    def final(self, cls: type[Any], entry: _Entry) -> Any:
        """Validate a merged entry with the full model (cross-field rules after layering)."""
        try:
            return cls.model_validate(entry.data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                self.problems.append(entry.where.problem(
                    f"after merging the layers: {loc + ': ' if loc else ''}"
                    f"{str(err['msg']).removeprefix('Value error, ')}", rule="library"))
            return None

    def library(self) -> Library | None:
        assert self.framework is not None
        fw_data = {**self.framework.data,
                   "principles": [e.data for e in self.principles.values()]}
        framework = self.final(Framework, _Entry(fw_data, self.framework.where))
        if framework is None:
            return None
        self.check_principles(framework)
        clauses: dict[str, LibClause] = {}
        for cid, entry in self.clauses.items():
            clause = self.final(Clause, entry)
            if clause is not None:
                clauses[cid] = LibClause(clause, entry.section, entry.where,
                                         entry.where.origin(CLAUSE_PARTS))
        parameters = {pid: (p, e.where) for pid, e in self.parameters.items()
                      if (p := self.final(Parameter, e)) is not None}
        definitions = {t: (d, e.where) for t, e in self.definitions.items()
                       if (d := self.final(Definition, e)) is not None}
        constraints = {k: (r, e.where) for k, e in self.constraints.items()
                       if (r := self.final(models.Constraint, e)) is not None}
        order = {p.id: p.number for p in framework.principles}
        ordered = dict(sorted(clauses.items(), key=lambda kv: order.get(kv[1].section, 999)))
        top = self.top_first
        digest = hashlib.sha256("".join(lay.digest for lay in top).encode()).hexdigest()
        return Library(framework, self.framework.where, ordered, parameters, definitions,
                       [lay.name for lay in top], digest,
                       {pid: e.where for pid, e in self.principles.items()},
                       {lay.name: lay.shown for lay in top}, [lay.folder for lay in top],
                       typed_defaults(parameters), constraints=constraints)

    def check_principles(self, framework: Framework) -> None:
        rank = {lay.name: i for i, lay in enumerate(self.top_first)}
        numbers: dict[int, str] = {}
        for p in framework.principles:
            where = self.principles[p.id].where
            if p.pillar not in framework.pillars:
                self.problems.append(where.problem(f"unknown pillar '{p.pillar}'",
                                                   did_you_mean(p.pillar, framework.pillars),
                                                   sub=("pillar",)))
            if p.number not in numbers:
                numbers[p.number] = p.id
                continue
            # Report the clash where the number was written last: the upper layer's entry.
            other = self.principles[numbers[p.number]].where
            mine, theirs = where.part(("number",)), other.part(("number",))
            at, twin = (other, p.id) if rank[theirs.layer] < rank[mine.layer] else (
                where, numbers[p.number])
            self.problems.append(at.problem(
                f"principle number {p.number} is taken by '{twin}' too",
                "give every principle a number of its own", sub=("number",)))


def merge(layers: list[RawLayer], problems: list[Problem]) -> Library | None:
    """The merged library of `layers` (first wins), or None; problems go to `problems`."""
    return _Merge(layers, problems).run()


def _node(doc: Document, key: PathKey) -> Any:
    data: Any = doc.data
    for part in key:
        data = data[part]
    return data


def resolve_layers(spec: str | list[str], base: Path) -> list[Path]:
    """Folders for a deal's `library:` value; 'builtin' is the built-in library."""
    return [builtin_library_dir() if item == BUILTIN else (base / item).resolve()
            for item in ([spec] if isinstance(spec, str) else spec)]


_CACHE: dict[tuple[tuple[Path, str], ...], Library] = {}


def load_library(layers: list[Path]) -> Library:
    """Load and merge library layers; the first layer wins, later ones fill what it leaves."""
    if not layers:
        raise InputError([Problem("library", 1, 1, "no library layers given",
                                  hint="name at least one folder, or builtin", rule="library")])
    problems: list[Problem] = []
    raw = [read_layer(p, layers[:i], problems) for i, p in enumerate(layers)]
    found = [item for item in raw if item is not None]
    if problems or len(found) != len(raw) or not found:
        raise InputError(problems)
    key = tuple((lay.folder, lay.digest) for lay in found)
    if key not in _CACHE:
        stored = cache.key("library", *(f"{lay.folder}\0{lay.shown}\0{lay.digest}"
                                        for lay in found))
        lib = cache.load(stored)
        if not isinstance(lib, Library):
            lib = merge(found, problems)
            problems = name_layers(problems, {lay.name: lay.shown for lay in found})
            if lib is None or problems:
                raise InputError(problems)
            compact(d for lay in found for d in lay.docs.values())  # for located messages
            lib.cache_key = stored
            cache.store(stored, lib)
        _CACHE[key] = lib
    return _CACHE[key]
