"""Load a clause library folder (or several, layered) into validated models."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem
from .models import (
    Clause,
    ClauseFile,
    Definition,
    DefinitionsFile,
    Framework,
    Parameter,
    ParametersFile,
    Principle,
)
from .paths import builtin_library_dir
from .suggest import did_you_mean
from .validate import validate
from .yamlload import Document, PathKey, load_path

GENERAL = "general"
_CLAUSE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")


@dataclass
class Located:
    """Where a library item was written: for located messages."""

    doc: Document
    key: PathKey
    layer: str

    def problem(self, message: str, hint: str = "", *, sub: PathKey = (),
                line_offset: int = 0, severity: str = "error", rule: str = "lint") -> Problem:
        return self.doc.problem((*self.key, *sub), message, hint, severity=severity,
                                rule=rule, line_offset=line_offset)


@dataclass
class LibClause:
    clause: Clause
    section: str
    where: Located
    origin: dict[str, str] = field(default_factory=dict)


@dataclass
class Library:
    framework: Framework
    framework_where: Located
    clauses: dict[str, LibClause]
    parameters: dict[str, tuple[Parameter, Located]]
    definitions: dict[str, tuple[Definition, Located]]
    layers: list[str]
    content_hash: str

    @property
    def principles(self) -> list[Principle]:
        return sorted(self.framework.principles, key=lambda p: p.number)

    def principle(self, pid: str) -> Principle | None:
        return next((p for p in self.framework.principles if p.id == pid), None)

    def section_clauses(self, section: str) -> list[LibClause]:
        return [c for c in self.clauses.values() if c.section == section]

    @property
    def edition(self) -> str:
        return f"{self.framework.framework} {self.framework.edition}"


def resolve_layers(spec: str | list[str], base: Path) -> list[Path]:
    """Folders for a deal's `library:` value; 'builtin' is the built-in library."""
    items = [spec] if isinstance(spec, str) else list(spec)
    out: list[Path] = []
    for item in items:
        if item == "builtin":
            out.append(builtin_library_dir())
        else:
            out.append((base / item).resolve())
    if not any(p == builtin_library_dir() for p in out) and isinstance(spec, list):
        pass
    return out


_CACHE: dict[tuple[Path, ...], Library] = {}


def load_library(layers: list[Path]) -> Library:
    """Load and merge library layers; the first layer wins, later ones fill gaps."""
    key = tuple(layers)
    if key in _CACHE:
        return _CACHE[key]
    problems: list[Problem] = []
    loaded = [_load_layer(p, problems) for p in layers]
    if problems or any(item is None for item in loaded):
        raise InputError(problems)
    layers_ok = [item for item in loaded if item is not None]
    lib = _merge(layers_ok, problems)
    if problems:
        raise InputError(problems)
    _CACHE[key] = lib
    return lib


@dataclass
class _Layer:
    name: str
    framework: tuple[Framework, Located] | None
    clause_files: list[tuple[ClauseFile, Document, str]]
    parameters: list[tuple[Parameter, Located]]
    definitions: list[tuple[Definition, Located]]
    digest: str


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_layer(folder: Path, problems: list[Problem]) -> _Layer | None:
    shown = _display(folder)
    name = "builtin" if folder == builtin_library_dir() else shown
    if not folder.is_dir():
        problems.append(Problem(shown, 1, 1, "clause library folder not found",
                                hint="'library:' takes 'builtin' or a folder relative to the deal"))
        return None
    digest = hashlib.sha256()
    files = sorted(p for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file())
    layer = _Layer(name, None, [], [], [], "")
    for path in files:
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            problems.append(Problem(_display(path), 1, 1, "symlink leads outside the library",
                                    rule="library"))
            continue
        try:
            doc = load_path(path, _display(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(doc.problems)
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _read_file(path.name, doc, layer, problems)
    layer.digest = digest.hexdigest()
    return layer


def _read_file(filename: str, doc: Document, layer: _Layer, problems: list[Problem]) -> None:
    if filename == "framework.yaml":
        fw = validate(Framework, doc, problems)
        if fw is not None:
            layer.framework = (fw, Located(doc, (), layer.name))
    elif filename == "parameters.yaml":
        pf = validate(ParametersFile, doc, problems)
        if pf is not None:
            layer.parameters.extend(
                (p, Located(doc, ("parameters", i), layer.name))
                for i, p in enumerate(pf.parameters))
    elif filename == "definitions.yaml":
        df = validate(DefinitionsFile, doc, problems)
        if df is not None:
            layer.definitions.extend(
                (d, Located(doc, ("definitions", i), layer.name))
                for i, d in enumerate(df.definitions))
    elif filename == "general.yaml" or _CLAUSE_FILE.match(filename):
        cf = validate(ClauseFile, doc, problems)
        if cf is None:
            return
        m = _CLAUSE_FILE.match(filename)
        if m and cf.principle != m.group(2):
            problems.append(doc.problem(("principle",),
                                        f"'{cf.principle}' does not match the file name",
                                        f"the file name says '{m.group(2)}'"))
            return
        if filename == "general.yaml" and cf.section != GENERAL:
            problems.append(doc.problem((), "general.yaml must say 'section: general'"))
            return
        layer.clause_files.append((cf, doc, filename))
    else:
        problems.append(doc.problem((), f"unexpected file '{filename}' in a clause library",
                                    "clause files are named NN-<principle-id>.yaml",
                                    rule="library"))


def _merge(layers: list[_Layer], problems: list[Problem]) -> Library:
    fw_pair = next((lay.framework for lay in layers if lay.framework is not None), None)
    if fw_pair is None:
        first = layers[0].name if layers else "library"
        problems.append(Problem(f"{first}/framework.yaml", 1, 1,
                                "no framework.yaml in any library layer", rule="library"))
        raise InputError(problems)
    framework, fw_where = fw_pair
    principle_ids = [p.id for p in sorted(framework.principles, key=lambda p: p.number)]
    for i, p in enumerate(framework.principles):
        if p.pillar not in framework.pillars:
            problems.append(fw_where.problem(f"unknown pillar '{p.pillar}'",
                                             did_you_mean(p.pillar, framework.pillars),
                                             sub=("principles", i, "pillar")))
    seen_ids: dict[str, str] = {}
    for i, p in enumerate(framework.principles):
        if p.id in seen_ids:
            problems.append(fw_where.problem(f"principle '{p.id}' appears twice",
                                             sub=("principles", i, "id")))
        seen_ids[p.id] = p.id

    clauses: dict[str, LibClause] = {}
    parameters: dict[str, tuple[Parameter, Located]] = {}
    definitions: dict[str, tuple[Definition, Located]] = {}
    for layer in layers:
        layer_ids: set[str] = set()
        for cf, doc, _filename in layer.clause_files:
            section = cf.principle or GENERAL
            if section != GENERAL and section not in principle_ids:
                problems.append(doc.problem(("principle",), f"unknown principle '{section}'",
                                            did_you_mean(section, principle_ids)))
                continue
            for i, clause in enumerate(cf.clauses):
                where = Located(doc, ("clauses", i), layer.name)
                if clause.id in layer_ids:
                    prior = clauses[clause.id].where
                    problems.append(where.problem(
                        f"clause id '{clause.id}' is used twice",
                        f"first at {prior.doc.path}:{prior.doc.loc(prior.key)[0]}",
                        sub=("id",), rule="duplicate-id"))
                    continue
                layer_ids.add(clause.id)
                if clause.id in clauses:
                    continue  # an earlier layer overrides it
                clauses[clause.id] = LibClause(clause, section, where,
                                               {"text": layer.name, "notes": layer.name})
        for param, where in layer.parameters:
            if param.id in parameters:
                if parameters[param.id][1].layer == layer.name:
                    problems.append(where.problem(f"parameter '{param.id}' is declared twice",
                                                  sub=("id",), rule="duplicate-id"))
                continue
            parameters[param.id] = (param, where)
        for definition, where in layer.definitions:
            if definition.term in definitions:
                if definitions[definition.term][1].layer == layer.name:
                    problems.append(where.problem(f"term '{definition.term}' is defined twice",
                                                  sub=("term",), rule="duplicate-id"))
                continue
            definitions[definition.term] = (definition, where)

    order = {pid: i for i, pid in enumerate([*principle_ids, GENERAL])}
    ordered = dict(sorted(clauses.items(), key=lambda kv: order.get(kv[1].section, 999)))
    digest = hashlib.sha256("".join(lay.digest for lay in layers).encode()).hexdigest()
    return Library(framework, fw_where, ordered, parameters, definitions,
                   [lay.name for lay in layers], digest)
