"""The public core: check and build deals. Never prints, never exits."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mc2cli import __version__
from mc2cli.assembly.assemble import assemble
from mc2cli.assembly.contract import Contract
from mc2cli.assembly.lint import library_errors
from mc2cli.errors import InputError, Problem, UsageError
from mc2cli.inputs.layers import load_library, resolve_layers
from mc2cli.inputs.library import Library
from mc2cli.inputs.models import Deal
from mc2cli.inputs.placeholders import placeholder_problems
from mc2cli.inputs.validate import validate_lenient
from mc2cli.inputs.yamlload import Document, load_path
from mc2cli.paths import builtin_library_dir
from mc2cli.suggest import did_you_mean

if TYPE_CHECKING:  # the output stages load when a command writes (check writes nothing)
    from mc2cli.output.lock import Lock
    from mc2cli.output.structure import PageOptions


@dataclass
class CheckResult:
    deal_path: Path
    contract: Contract | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class BuildResult:
    deal_path: Path
    out_dir: Path
    files: dict[str, Path]
    warnings: list[Problem]


def display(path: Path) -> str:
    if str(path) == "-":
        return "<stdin>"
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_deal(path: Path) -> tuple[Deal, Document]:
    """Read and validate a deal file; InputError lists every problem in it."""
    deal, doc, problems = _read_deal(path)
    if deal is None or problems:
        raise InputError(problems)
    return deal, doc


def _read_deal(path: Path) -> tuple[Deal | None, Document, list[Problem]]:
    doc = load_path(path, display(path))
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "a deal file is a mapping of keys to values",
                                      "start from 'mc2 init' or the README example")])
    problems: list[Problem] = list(doc.problems)
    deal = validate_lenient(Deal, doc, problems)
    return deal, doc, problems


def library_for(deal: Deal, deal_path: Path, override: list[Path] | None = None,
                doc: Document | None = None) -> Library:
    """The deal's library; a `library:` folder that does not exist is located in the deal."""
    if override:
        return load_library(override)
    layers = resolve_layers(deal.library, deal_path.resolve().parent)
    if doc is not None:
        missing = _missing_layers(deal, doc, layers)
        if missing:
            raise InputError(missing)
    return load_library(layers)


def _missing_layers(deal: Deal, doc: Document, layers: list[Path]) -> list[Problem]:
    names = [deal.library] if isinstance(deal.library, str) else list(deal.library)
    problems = []
    for i, (name, path) in enumerate(zip(names, layers, strict=True)):
        if path.is_dir() and (path == builtin_library_dir()
                              or any(f.suffix == ".yaml" for f in path.iterdir())):
            continue
        key: tuple[str | int, ...] = ("library",) if isinstance(deal.library, str) \
            else ("library", i)
        nearby = [p.name for p in path.parent.iterdir() if p.is_dir()] \
            if path.parent.is_dir() else []
        if path.is_dir():
            problems.append(doc.problem(key, f"clause library folder '{name}' holds no library "
                                        "files (*.yaml)", "name the folder that holds "
                                        "framework.yaml or the clause files", rule="library"))
            continue
        problems.append(doc.problem(key, f"clause library folder '{name}' not found",
                                    did_you_mean(path.name, [*nearby, "builtin"])
                                    or "'library:' takes 'builtin' or a folder relative "
                                       "to the deal", rule="library"))
    return problems


def gate(contract: Contract, require: str | None, max_deviations: int | None) -> list[Problem]:
    """CI gates: omitted principles or required clauses, and a ceiling on deviations."""
    out: list[Problem] = []
    for dev in contract.deviations:
        path, line, col = dev.where
        omitted_principle = dev.kind == "omit-principle"
        required_clause = dev.kind == "omit-clause" and dev.needs_reason
        if require == "all" and omitted_principle:
            out.append(Problem(path, line, col, f"principle '{dev.target}' is omitted",
                               field=f"principles.{dev.target}", rule="require",
                               hint="--require all accepts no omitted principle"))
        elif require in ("all", "required") and (omitted_principle or required_clause) \
                and not dev.reason:
            out.append(Problem(path, line, col, f"{dev.detail} without a reason",
                               field=dev.target, rule="require",
                               hint=f"--require {require}: say why in 'reason:'"))
    if max_deviations is not None and len(contract.deviations) > max_deviations:
        out.append(Problem(contract_path(contract), 1, 1,
                           f"{len(contract.deviations)} deviations from the Middle; "
                           f"--max-deviations allows {max_deviations}", rule="max-deviations",
                           hint="run 'mc2 report' to list them"))
    return out


def contract_path(contract: Contract) -> str:
    return contract.deviations[0].where[0] if contract.deviations else ""


def check(deal_path: Path, *, strict: bool = False, library: list[Path] | None = None,
          require: str | None = None, max_deviations: int | None = None) -> CheckResult:
    """Validate a deal against its library and assemble it in memory."""
    deal: Deal | None = None
    problems: list[Problem] = []
    try:
        deal, doc, problems = _read_deal(deal_path)
        problems.extend(placeholder_problems(doc))  # `# edit:` values left from `mc2 init`
        if deal is None:  # still check the ids it names, so every problem shows in one run
            return CheckResult(deal_path, None, sorted({*problems,
                                                        *_ids_without_model(doc, deal_path,
                                                                            library)}))
        lib = library_for(deal, deal_path, library, doc)
    except InputError as exc:
        return CheckResult(deal_path, None, [*problems, *exc.problems] if deal else exc.problems)
    broken = library_errors(lib)
    if broken:  # a broken library cannot be assembled safely; report it alone
        return CheckResult(deal_path, None, sorted({*problems, *broken}))
    contract, found = assemble(deal, doc, lib)
    problems.extend(found)
    if contract is not None:
        problems.extend(gate(contract, require, max_deviations))
    if strict:
        problems = [_strict(p) for p in problems]
    if any(p.severity == "error" for p in problems):
        contract = None
    problems = sorted(set(problems), key=lambda p: (p.path, p.line, p.col, p.message))
    return CheckResult(deal_path, contract, problems)


def _ids_without_model(doc: Document, deal_path: Path,
                       override: list[Path] | None) -> list[Problem]:
    """Unknown principle, clause and parameter ids of a deal that did not pass its schema,
    checked against the library it names (nothing when that cannot be loaded)."""
    from mc2cli.assembly.ids import unknown_ids
    from mc2cli.errors import Mc2Error
    raw = doc.data.get("library", "builtin") if isinstance(doc.data, dict) else "builtin"
    if not (isinstance(raw, str) or (isinstance(raw, list) and raw
                                     and all(isinstance(x, str) for x in raw))):
        raw = "builtin"
    try:
        layers = override or resolve_layers(raw, deal_path.resolve().parent)
        lib = load_library(layers)
    except (Mc2Error, OSError):
        return []
    if library_errors(lib):
        return []
    return unknown_ids(doc, lib, parameters=True)


def _strict(p: Problem) -> Problem:
    if p.severity == "warning":
        return Problem(p.path, p.line, p.col, p.message, p.field, p.hint, "error", p.rule)
    return p


def default_out_dir(deal_path: Path) -> Path:
    """out/<name>: the deal file's stem, or its folder's name for a deal.yaml."""
    name = deal_path.stem
    if name == "deal":
        name = deal_path.resolve().parent.name
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        raise UsageError(f"{deal_path}: cannot name an output folder after this file; "
                         "give one with -o")
    return Path("out") / name


def manifest(contract: Contract, files: dict[str, bytes], deal_path: Path) -> bytes:
    lib = contract.library
    data: dict[str, Any] = {
        "mc2_version": __version__,
        # Layers as the deal names them, so the manifest does not depend on the working folder.
        "library": {"edition": lib.edition, "layers": _layer_names(contract, deal_path),
                    "content_sha256": lib.content_hash},
        "clauses": [
            {"id": c.id, "number": c.number, "position": c.position,
             "obligor": c.obligor, "extra": c.extra, "text_sha256": c.sha256,
             "parameters": {k: _jsonable(u.value) for k, u in sorted(c.params.items())}}
            for c in contract.clauses],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _layer_names(contract: Contract, deal_path: Path) -> list[str]:
    """The layers that built it, relative to the deal: the same on every machine."""
    base = deal_path.resolve().parent
    return ["builtin" if folder == builtin_library_dir()
            else Path(os.path.relpath(folder, base)).as_posix()
            for folder in contract.library.folders]


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def render_outputs(contract: Contract, formats: list[str], deal_path: Path,
                   page: PageOptions | None = None, *, notes: bool = False) -> dict[str, bytes]:
    """Every requested file's bytes, in memory; nothing written. `notes.md` is always there;
    `notes`: the notes as DOCX too (notes.docx)."""
    from concurrent.futures import ThreadPoolExecutor

    from mc2cli.output.convert import FORMATS, convert
    from mc2cli.output.document import to_markdown
    from mc2cli.output.notes import to_markdown as notes_markdown
    from mc2cli.output.structure import layout_for, structure_json
    markdown = to_markdown(contract)
    wanted = [fmt for fmt in FORMATS if fmt in formats and fmt != "md"]
    jobs = len(wanted) + notes
    files: dict[str, bytes] = {}
    # The converters are separate processes: start them first and side by side, then do
    # the rest of mc2's work (the notes, the manifest) while they run.
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, os.cpu_count() or 1))) as pool:
        futures = {}
        if wanted:
            structure = structure_json(contract)
            layout = layout_for(contract, page)
            futures = {f"contract.{fmt}": pool.submit(convert, markdown, fmt,
                                                      structure=structure, layout=layout)
                       for fmt in wanted}
        notes_text = notes_markdown(contract)
        if notes:
            futures["notes.docx"] = pool.submit(convert, notes_text, "docx")
        if "md" in formats:
            files["contract.md"] = markdown.encode()
        files.update({name: future.result() for name, future in futures.items()})
    files["notes.md"] = notes_text.encode()
    files["manifest.json"] = manifest(contract, files, deal_path)
    return files


def build(deal_path: Path, *, out_dir: Path | None = None, formats: list[str] | None = None,
          strict: bool = False, library: list[Path] | None = None,
          page: PageOptions | None = None, notes: bool = False) -> BuildResult:
    """Check, assemble and write every format; all files appear or none do. `notes`: also
    the notes as DOCX (notes.md is always written)."""
    from mc2cli.output.convert import FORMATS
    from mc2cli.output.write import publish
    result = check(deal_path, strict=strict, library=library)
    if result.contract is None:
        raise InputError(result.problems)
    files = render_outputs(result.contract, formats or list(FORMATS), deal_path, page,
                           notes=notes)
    target = out_dir or default_out_dir(deal_path)
    written = publish(target, files)
    return BuildResult(deal_path, target, written,
                       [p for p in result.problems if p.severity == "warning"])


# --- lock files and committed outputs (lock.py, stale.py) ----------------------------------

@dataclass
class LockResult:
    """A deal's lock, resolved in memory: where it goes, what it holds, its file's bytes."""

    deal_path: Path
    path: Path
    lock: Lock
    data: bytes
    warnings: list[Problem]
    contract: Contract


def resolve_lock(deal_path: Path, *, library: list[Path] | None = None) -> LockResult:
    """A deal's lock file, built in memory; InputError when the deal has errors."""
    from mc2cli.output.lock import dumps, from_contract, lock_path
    result = check(deal_path, library=library)
    if result.contract is None:
        raise InputError(result.problems)
    current = from_contract(result.contract)
    return LockResult(deal_path, lock_path(deal_path), current,
                      dumps(current, deal_path.name), result.problems, result.contract)


def write_lock(deal_path: Path, *, library: list[Path] | None = None) -> Path | None:
    """Write the deal's lock file if it has none (an existing one is kept); its path if written."""
    from mc2cli.output.lock import lock_path, write
    if lock_path(deal_path).exists():
        return None
    resolved = resolve_lock(deal_path, library=library)
    return resolved.path if write(resolved.path, resolved.data, overwrite=False) else None


@dataclass
class StaleResult:
    """The output folder compared with a build in memory: each stale file is a problem."""

    deal_path: Path
    out_dir: Path
    files: list[str]
    stale: list[Problem]
    warnings: list[Problem]


def stale_outputs(deal_path: Path, *, out_dir: Path | None = None,
                  formats: list[str] | None = None, strict: bool = False,
                  library: list[Path] | None = None,
                  page: PageOptions | None = None, notes: bool = False) -> StaleResult:
    """Rebuild in memory and compare with the output folder's files; writes nothing."""
    from mc2cli.output.convert import FORMATS
    from mc2cli.output.stale import stale_files
    result = check(deal_path, strict=strict, library=library)
    if result.contract is None:
        raise InputError(result.problems)
    files = render_outputs(result.contract, formats or list(FORMATS), deal_path, page,
                           notes=notes)
    target = out_dir or default_out_dir(deal_path)
    stale = stale_files(target, files, display(target), display(deal_path))
    return StaleResult(deal_path, target, sorted(files), stale,
                       [p for p in result.problems if p.severity == "warning"])
