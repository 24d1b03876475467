"""Browsing a library: the clause table and one clause shown in full, with its layers.

With a deal (`--deal`), the deal's own library layers are used and its extra clauses are
listed and shown beside the library's.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from mc2cli.assembly.render import SAMPLE_CONTEXT, RenderError, render_text
from mc2cli.errors import InputError, NotFound
from mc2cli.inputs.layers import load_library
from mc2cli.inputs.library import CLAUSE_PARTS, GENERAL, PARAMETER_PARTS, LibClause, Library
from mc2cli.inputs.models import POSITIONS, Deal, ExtraClause, Parameter, Position, SameAs
from mc2cli.inputs.values import Param, ValueProblem, bounds_text, coerce, plain
from mc2cli.paths import builtin_library_dir
from mc2cli.suggest import did_you_mean

HEADERS = ("principle", "clause", "title", "obligor", "required")


def load_layers(layers: list[Path] | None) -> Library:
    """The library of these layers (the built-in one when none are given)."""
    return load_library(layers or [builtin_library_dir()])


def library_and_deal(layers: list[Path] | None, deal: Path | None) -> tuple[Library,
                                                                           Deal | None]:
    """The active library: `layers`, else the deal's `library:`, else the built-in one."""
    if deal is None:
        return load_layers(layers), None
    from mc2cli.pipeline import library_for, load_deal
    model, _doc = load_deal(deal)
    return library_for(model, deal, layers), model


def catalog(layers: list[Path] | None, principle: str | None,
            deal: Path | None = None) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Headers and rows of the clause table; a `layer` column when clauses come from several
    layers or from the deal."""
    lib, model = library_and_deal(layers, deal)
    sections = [p.id for p in lib.principles] + [GENERAL]
    if principle is not None and principle not in sections:
        raise NotFound(f"--principle: unknown principle '{principle}'; "
                       + (did_you_mean(principle, sections)
                          or "run 'mc2 library list' for the principles"))
    rows: list[tuple[str, ...]] = [(lc.section, cid, lc.clause.title, lc.clause.obligor,
             "yes" if lc.clause.required else "", clause_layers(lib, lc))
            for cid, lc in lib.clauses.items()]
    for extra in model.extra_clauses if model else []:
        _insert_extra(rows, extra, str(deal))
    rows = [r for r in rows if principle in (None, r[0])]
    if len(lib.layers) > 1 or (model and model.extra_clauses):
        return (*HEADERS, "layer"), rows
    return HEADERS, [r[:-1] for r in rows]


def clause_layers(lib: Library, lc: LibClause) -> str:
    """Every layer that wrote a part of the clause (its texts, notes, title...), in the
    library's order, first layer first: `house + builtin` for a built-in clause whose
    Middle a house layer rewrote."""
    wrote = {lc.where.layer, *lc.origin.values()}
    rank = {name: i for i, name in enumerate(lib.layers)}
    return " + ".join(sorted(wrote, key=lambda name: (rank.get(name, len(rank)), name)))


def _insert_extra(rows: list[tuple[str, ...]], extra: ExtraClause, deal: str) -> None:
    ids = [r[1] for r in rows]
    in_section = [i for i, r in enumerate(rows) if r[0] == extra.principle]
    at = ids.index(extra.after) + 1 if extra.after in ids else (
        in_section[-1] + 1 if in_section else len(rows))
    rows.insert(at, (extra.principle, extra.id, extra.title, extra.obligor, "extra", deal))


def clause_ids(layers: list[Path] | None, deal: Path | None = None) -> list[tuple[str, str]]:
    """(id, title) of every clause: the library's, then the deal's extra clauses."""
    lib, model = library_and_deal(layers, deal)
    found = [(cid, lc.clause.title) for cid, lc in lib.clauses.items()]
    return found + [(e.id, e.title) for e in (model.extra_clauses if model else [])]


def principle_ids(layers: list[Path] | None,
                  deal: Path | None = None) -> list[tuple[str, str]]:
    """(id, title) of every principle, in framework order, and 'general'."""
    lib, _model = library_and_deal(layers, deal)
    return [(p.id, p.title) for p in lib.principles] + [(GENERAL, "General Terms")]


def show_clause(layers: list[Path] | None, clause_id: str, deal: Path | None = None) -> str:
    """One clause in all three positions (or an extra clause of the deal) as plain text."""
    lib, model = library_and_deal(layers, deal)
    extras = {e.id: e for e in model.extra_clauses} if model else {}
    if clause_id in extras and deal is not None:
        return _show_extra(deal, extras[clause_id], layers)
    if clause_id not in lib.clauses:
        raise NotFound(f"unknown clause '{clause_id}'; "
                       + (did_you_mean(clause_id, [*lib.clauses, *extras])
                          or "run 'mc2 library list' for the clause ids"))
    lc = lib.clauses[clause_id]
    c = lc.clause
    many = len(lib.layers) > 1
    lines = [f"{c.id}: {c.title}",
             f"principle: {lc.section}   obligor: {c.obligor}   required: "
             f"{'yes' if c.required else 'no'}   layer: {lc.where.layer}"]
    lines.extend(_other_parts(lc) if many else [])
    lines.append("")
    for pos in POSITIONS:
        raw = c.positions.get(pos)
        tag = f" (same as {raw.same_as})" if isinstance(raw, SameAs) else ""
        lines.append(f"--- {pos}: {lib.framework.positions[pos].title}{tag}"
                     + _layer_tag(many, lc.origin.get(f"positions.{pos}", "")))
        lines.append(_render_position(lib, lc, pos))
        lines.append("")
    lines.extend(_parameter_lines(lib, c.parameters, many))
    if c.references:
        lines.extend(["references: " + "; ".join(c.references), ""])
    if c.notes.strip():
        lines.append("notes" + _layer_tag(many, lc.origin.get("notes", "")) + ":")
        lines.extend("  " + ln for ln in c.notes.strip().splitlines())
    return "\n".join(lines).rstrip() + "\n"


def _layer_tag(many: bool, layer: str) -> str:
    return f" [layer {layer}]" if many and layer else ""


def _other_parts(lc: LibClause) -> list[str]:
    """Which of a clause's header parts a house layer rewrote (texts and notes say so
    on their own lines)."""
    base = lc.where.layer
    changed: dict[str, list[str]] = {}
    for part in CLAUSE_PARTS:
        layer = lc.origin.get(part, base)
        if layer != base and not part.startswith("positions.") and part != "notes":
            changed.setdefault(layer, []).append(part)
    return [f"from layer {layer}: {', '.join(parts)}" for layer, parts in changed.items()]


def _render_position(lib: Library, lc: LibClause, pos: Position) -> str:
    c = lc.clause
    context: dict[str, Any] = dict(SAMPLE_CONTEXT)
    for pid in c.parameters:
        if pid in lib.parameters:
            param = lib.parameters[pid][0]
            with contextlib.suppress(ValueProblem):
                context[pid] = Param(param, lib.default(pid, pos))
    numbers = library_numbers(lib)
    try:
        return render_text(c.text(pos), context,
                           lambda ref: f"Section {numbers.get(ref, ref)}").strip()
    except RenderError as exc:
        return f"(does not render: {exc})"


def library_numbers(lib: Library) -> dict[str, str]:
    """The number each clause gets in a contract that includes the whole library."""
    numbers: dict[str, str] = {}
    sections = [p.id for p in lib.principles] + [GENERAL]
    for section_no, sid in enumerate(sections, start=2):  # 1 is Definitions
        for j, lc in enumerate(lib.section_clauses(sid), start=1):
            numbers[lc.clause.id] = f"{section_no}.{j}"
    return numbers


def _defaults(param: Parameter) -> dict[str, str]:
    shown: dict[str, str] = {}
    for pos in POSITIONS:
        try:
            shown[pos] = plain(param, coerce(param, param.default[pos]))
        except ValueProblem:
            shown[pos] = "?"
    return shown


def _parameter_lines(lib: Library, pids: list[str], many: bool) -> list[str]:
    if not pids:
        return []
    lines = ["parameters:"]
    for pid in pids:
        if pid not in lib.parameters:
            lines.append(f"  {pid}: (not declared)")
            continue
        param, where = lib.parameters[pid]
        origin = where.origin(PARAMETER_PARTS)
        values = [f"{pos} {value}" + ("" if origin[f"default.{pos}"] == where.layer
                                      else _layer_tag(many, origin[f"default.{pos}"]))
                  for pos, value in _defaults(param).items()]
        bounds = bounds_text(param)
        if bounds:
            moved = sorted({origin["bounds.min"], origin["bounds.max"]} - {where.layer})
            values.append(f"bounds {bounds}" + _layer_tag(many, ", ".join(moved)))
        kind = f"{param.type}, layer {where.layer}" if many else param.type
        lines.append(f"  {pid} ({kind}): " + "; ".join(values))
        lines.append(f"    {param.description.strip()}")
    return [*lines, ""]


def _show_extra(deal: Path, extra: ExtraClause, layers: list[Path] | None) -> str:
    """An extra clause as the deal assembles it: number, text and parameter values."""
    from mc2cli.pipeline import check
    result = check(deal, library=layers)
    if result.contract is None:
        raise InputError(result.problems)
    built = next(c for c in result.contract.clauses if c.id == extra.id)
    lib = result.contract.library
    lines = [f"{extra.id}: {extra.title}",
             f"principle: {extra.principle}   obligor: {extra.obligor}   "
             f"extra clause of {deal}   number: {built.number}"]
    if extra.reason:
        lines.append(f"reason: {extra.reason}")
    lines.extend(["", f"--- text at the deal's position ({built.position})", built.text, ""])
    if built.params:
        lines.append("parameters:")
        for pid, use in sorted(built.params.items()):
            param = lib.parameters[pid][0]
            library = "; ".join(f"{pos} {v}" for pos, v in _defaults(param).items())
            lines.append(f"  {pid} ({param.type}): {plain(param, use.value)}, set by the "
                         f"{use.set_by}; library: {library}")
        lines.append("")
    if extra.references:
        lines.append("references: " + "; ".join(extra.references))
    return "\n".join(lines).rstrip() + "\n"


def position_changes(lib: Library, lc: LibClause) -> list[str]:
    """What moving a clause between positions changes, one short phrase per line.

    The wording (which positions share a text), then each parameter with its per-position
    defaults written as a deal writes them: `patch_days: hdo 20 / middle 30 / mdm 60 days`.
    """
    lines = [_wording(lc)]
    for pid in lc.clause.parameters:
        if pid in lib.parameters:
            lines.append(parameter_phrase(lib.parameters[pid][0]))
    return lines


def _wording(lc: LibClause) -> str:
    groups: dict[str, list[str]] = {}
    for pos in POSITIONS:
        groups.setdefault(lc.clause.text(pos), []).append(pos)
    if len(groups) == 1:
        return "the same text in every position"
    if len(groups) == len(POSITIONS):
        return "a different text in each position"
    pair = next(g for g in groups.values() if len(g) == 2)
    single = next(g for g in groups.values() if len(g) == 1)
    return f"{single[0]} has its own text; {pair[0]} and {pair[1]} share one"


def deal_value(param: Parameter, raw: Any) -> str:
    """A parameter value as a deal file writes it (choice keys, not labels)."""
    try:
        value = coerce(param, raw)
    except ValueProblem:
        return "?"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def parameter_phrase(param: Parameter) -> str:
    """`id: hdo A / middle B / mdm C unit`, or `id: A unit in every position`."""
    from mc2cli.inputs.values import NUMERIC, unit
    values = {pos: deal_value(param, param.default[pos]) for pos in POSITIONS}
    suffix = f" {unit(param)}" if param.type in NUMERIC and unit(param) else ""
    if len(set(values.values())) == 1:
        return f"{param.id}: {values['middle']}{suffix} in every position"
    return f"{param.id}: " + " / ".join(f"{pos} {v}" for pos, v in values.items()) + suffix
