"""Browsing a library: the clause table and one clause shown in full."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .library import Library, load_library
from .lint import _SAMPLE_CONTEXT
from .models import POSITIONS, SameAs
from .paths import builtin_library_dir
from .render import RenderError, render_text
from .suggest import did_you_mean
from .values import Param, ValueProblem, bounds_text, coerce, plain


def load_layers(layers: list[Path] | None) -> Library:
    return load_library(layers or [builtin_library_dir()])


def catalog_rows(layers: list[Path] | None, principle: str | None) -> list[tuple[str, ...]]:
    lib = load_layers(layers)
    sections = [p.id for p in lib.principles] + ["general"]
    if principle is not None and principle not in sections:
        raise InputError([Problem("--principle", 1, 1, f"unknown principle '{principle}'",
                                  hint=did_you_mean(principle, sections))])
    return [(lc.section, cid, lc.clause.title, lc.clause.obligor,
             "yes" if lc.clause.required else "")
            for cid, lc in lib.clauses.items() if principle in (None, lc.section)]


def show_clause(layers: list[Path] | None, clause_id: str) -> str:
    lib = load_layers(layers)
    if clause_id not in lib.clauses:
        raise InputError([Problem("ID", 1, 1, f"unknown clause '{clause_id}'",
                                  hint=did_you_mean(clause_id, lib.clauses)
                                  or "run 'mc2 library list' for the clause ids")])
    lc = lib.clauses[clause_id]
    c = lc.clause
    lines = [f"{c.id}: {c.title}",
             f"principle: {lc.section}   obligor: {c.obligor}   required: "
             f"{'yes' if c.required else 'no'}   layer: {lc.where.layer}", ""]
    for pos in POSITIONS:
        raw = c.positions.get(pos)
        tag = f" (same as {raw.same_as})" if isinstance(raw, SameAs) else ""
        lines.append(f"--- {pos}: {lib.framework.positions[pos].title}{tag}")
        context: dict[str, Any] = dict(_SAMPLE_CONTEXT)
        for pid in c.parameters:
            if pid in lib.parameters:
                param = lib.parameters[pid][0]
                with contextlib.suppress(ValueProblem):
                    context[pid] = Param(param, coerce(param, param.default[pos]))
        try:
            lines.append(render_text(c.text(pos), context,
                                     lambda ref: f"Section {ref}").strip())
        except RenderError as exc:
            lines.append(f"(does not render: {exc})")
        lines.append("")
    if c.parameters:
        lines.append("parameters:")
        for pid in c.parameters:
            if pid not in lib.parameters:
                lines.append(f"  {pid}: (not declared)")
                continue
            param = lib.parameters[pid][0]
            shown = []
            for pos in POSITIONS:
                try:
                    shown.append(f"{pos} {plain(param, coerce(param, param.default[pos]))}")
                except ValueProblem:
                    shown.append(f"{pos} ?")
            bounds = bounds_text(param)
            lines.append(f"  {pid} ({param.type}): " + "; ".join(shown)
                         + (f"; bounds {bounds}" if bounds else ""))
            lines.append(f"    {param.description.strip()}")
        lines.append("")
    if c.references:
        lines.append("references: " + "; ".join(c.references))
        lines.append("")
    if c.notes.strip():
        lines.append("notes:")
        lines.extend("  " + ln for ln in c.notes.strip().splitlines())
    return "\n".join(lines).rstrip() + "\n"
