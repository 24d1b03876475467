"""`mc2 analyze -o NEW_DEAL`: a starter deal that reproduces their paper as closely as the
library allows. Principles their paper lacks are omitted; a clause whose figures lean one way
takes that position, with the figures as its parameters where the library's bounds allow; each
choice gives a reason citing their section. The file passes `mc2 check` as written."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from mc2cli.errors import InputError, OutputError, Problem
from mc2cli.inputs.library import Library
from mc2cli.reading.analysis import MISSING, Analysis, Item
from mc2cli.reading.figures import Figure
from mc2cli.reading.segments import Segment


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_REF = re.compile(r"ref\(\s*['\"]([^'\"]+)['\"]\s*\)")


def omittable(lib: Library, missing: list[str]) -> list[str]:
    """The missing principles that can be omitted: none of their clauses is referred to by a
    clause that stays (in any position's text)."""
    refs = {cid: {m.group(1) for text in lc.clause.positions.values() if isinstance(text, str)
                  for m in _REF.finditer(text)} for cid, lc in lib.clauses.items()}
    omitted = set(missing)
    changed = True
    while changed:
        changed = False
        kept = [cid for cid, lc in lib.clauses.items() if lc.section not in omitted]
        needed = {lib.clauses[t].section for cid in kept for t in refs[cid] if t in lib.clauses}
        if omitted & needed:
            omitted -= needed
            changed = True
    return [pid for pid in missing if pid in omitted]


def _section(s: Segment) -> str:
    """How a reason names their section: 'section 5.2 (Patch Timeline)' or 'paragraph 12'."""
    heading = re.sub(r"[^\w ,.&/()'-]", "", s.heading or "")[:80].strip()
    if s.number:
        return f"section {s.number}" + (f" ({heading})" if heading else "")
    return f"paragraph {s.index}" + (f" under '{heading}'" if heading else "")


def _value(number: float) -> int:
    return round(number)


PLACEHOLDERS = ("effective_date", "governing_law", "hdo", "mdm", "address", "signatory_name",
                "signatory_title", "product")


def deal_text(a: Analysis, lib: Library, layers: list[str], placeholders: dict[str, str]) -> str:
    """The deal's YAML. `placeholders` gives the values the user must edit (the same ones
    `mc2 init` writes): the keys in PLACEHOLDERS."""
    ph = placeholders
    by_clause = _figures_by_clause(a.items, lib)
    lines = [
        f"# A starter deal written by `mc2 analyze` from {a.source}.",
        "# It follows their paper as closely as the library allows: their figures as parameters,",
        "# the position nearest to them, the principles they lack omitted. Move it toward the",
        "# Middle, then `mc2 build` it and answer their paper with the redline.",
        "mc2: 1",
        "title: Medical Device Cybersecurity Agreement",
        f"effective_date: {ph['effective_date']}   # edit",
        f"governing_law: {_q(ph['governing_law'])}   # edit",
        "parties:",
    ]
    for role in ("hdo", "mdm"):
        lines += [f"  {role}:", f"    name: {_q(ph[role])}   # edit",
                  f"    address: {_q(ph['address'])}   # edit",
                  f"    signatory: {{name: {_q(ph['signatory_name'])}, "
                  f"title: {_q(ph['signatory_title'])}}}   # edit"]
    library = "builtin" if layers in ([], ["builtin"]) else \
        "[" + ", ".join(_q(x) for x in layers) + "]"
    lines += [
        "products:",
        f"  - {{name: {_q(ph['product'])}, model: {_q(ph['product'])}}}   # edit",
        f"library: {library}",
        "position: middle",
        "principles:",
    ]
    omitted = omittable(lib, [pid for pid, c in a.coverage.items() if c.status == MISSING])
    for pid in omitted:
        title = a.titles.get(pid, pid)
        lines.append(f"  {pid}: {{omit: true, reason: "
                     f"{_q(f'Their paper has no section on {title}.')}}}")
    if not omitted:
        lines[-1] = "principles: {}"
    clause_lines: list[str] = []
    for cid in sorted(by_clause):
        if cid not in lib.clauses or lib.clauses[cid].section in omitted:
            continue
        clause_lines += _clause(cid, by_clause[cid])
    lines += ["clauses:", *clause_lines] if clause_lines else ["clauses: {}"]
    return "\n".join(lines) + "\n"


def _figures_by_clause(items: list[Item], lib: Library
                       ) -> dict[str, list[tuple[Segment, Figure]]]:
    """Each placed figure under the clause that uses its parameter: the matched clause when it
    does, else the first clause of the matched principle that does (a figure placed against the
    principle's other clauses must not land on a clause without that parameter)."""
    by_clause: dict[str, list[tuple[Segment, Figure]]] = defaultdict(list)
    for it in items:
        cid = it.match.clause
        if not cid or it.match.confidence == "low" or cid not in lib.clauses:
            continue
        for f in it.figures:
            if not f.parameter or not f.nearest:
                continue
            owner = cid if f.parameter in lib.clauses[cid].clause.parameters else next(
                (lc.clause.id for lc in lib.section_clauses(lib.clauses[cid].section)
                 if f.parameter in lc.clause.parameters), None)
            if owner is not None:
                by_clause[owner].append((it.segment, f))
    return by_clause


def _clause(cid: str, figures: list[tuple[Segment, Figure]]) -> list[str]:
    votes: Counter[str] = Counter()
    params: dict[str, int] = {}
    cited: list[str] = []
    outside: list[str] = []
    for segment, f in figures:
        if f.in_bounds and f.nearest:
            votes[f.nearest] += 1
            value = _value(f.parameter_value or f.value)
            if value >= 1:
                params.setdefault(f.parameter or "", value)
            cited.append(f"{_section(segment)} sets {f.text}")
        else:
            outside.append(f"{f.text} in their {_section(segment)} is outside the "
                           "library's bounds")
    if not votes:
        return []
    position = max(sorted(votes), key=lambda k: (votes[k], k == "middle"))
    reason = "Their " + "; ".join(dict.fromkeys(cited)) + "."
    body = [f"  {cid}:"]
    if position != "middle":
        body.append(f"    position: {position}")
    body.append(f"    reason: {_q(reason[:380])}")
    body.append("    parameters: {" + ", ".join(f"{k}: {v}" for k, v in sorted(params.items()))
                + "}")
    body += [f"    # {x}" for x in outside]
    return body



def write_deal(path: Path, text: str, *, force: bool = False) -> None:
    """Write the new deal atomically; an existing file is kept unless `force`."""
    if path.exists() and not force:
        raise InputError([Problem(str(path), 1, 1, "already exists; mc2 analyze does not "
                                  "overwrite it", hint="pass --force to replace it, or name "
                                  "another file", rule="analyze")])
    if not path.parent.is_dir():
        raise OutputError(f"{path.parent}: no such folder for the new deal")
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the new deal: {exc.strerror}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
