"""Their paper against the library: each segment's principle, clause and figures; coverage per
principle; required clauses missing. Renders as text, Markdown and sorted, stable JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mc2cli.inputs.library import Library
from mc2cli.inputs.models import Parameter
from mc2cli.reading.classify import NONE, Match, Matcher, Tuning
from mc2cli.reading.documents import read_document
from mc2cli.reading.embedding import Encoder
from mc2cli.reading.figures import Figure, extract, place
from mc2cli.reading.segments import Segment, segment
from mc2cli.reading.signals import load_signals

COVERED, WEAK, MISSING = "covered", "weak", "missing"
FORMAT = 1


@dataclass(frozen=True)
class Item:
    segment: Segment
    match: Match
    figures: list[Figure]


@dataclass(frozen=True)
class Coverage:
    status: str
    segments: list[int]


@dataclass
class Analysis:
    source: str
    method: str
    library: str
    items: list[Item]
    coverage: dict[str, Coverage] = field(default_factory=dict)
    missing_required: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)


def analyze_segments(segments: list[Segment], lib: Library, encoder: Encoder | None,
                     source: str = "", tuning: Tuning | None = None,
                     matcher: Matcher | None = None) -> Analysis:
    """`matcher` (built for this library) may be passed to analyse many documents at once."""
    matcher = matcher or Matcher(lib, load_signals(), encoder, tuning)
    matches = matcher.classify(segments)
    items = []
    for s, m in zip(segments, matches, strict=True):
        figures = [_placed(f, m, lib) for f in extract(s.text)] if m.principle != NONE else []
        items.append(Item(s, m, figures))
    analysis = Analysis(source, "lexical+model" if encoder else "lexical", lib.edition, items,
                        titles={p.id: p.title for p in lib.principles})
    analysis.coverage = coverage(items, [p.id for p in lib.principles])
    analysis.missing_required = missing_required(items, lib)
    return analysis


def _params(lib: Library, cid: str) -> list[Parameter]:
    return [lib.parameters[p][0] for p in lib.clauses[cid].clause.parameters
            if p in lib.parameters]


def _placed(figure: Figure, m: Match, lib: Library) -> Figure:
    """Against the matched clause's parameters; failing that, its principle's other clauses."""
    if m.clause and m.clause in lib.clauses:
        placed = place(figure, _params(lib, m.clause))
        if placed.parameter:
            return placed
    others = [p for lc in lib.section_clauses(m.principle) if lc.clause.id != m.clause
              for p in _params(lib, lc.clause.id)]
    return place(figure, others)


def analyze_file(path: Path, lib: Library, encoder: Encoder | None,
                 display: str | None = None) -> Analysis:
    segments = segment(read_document(path, display))
    return analyze_segments(segments, lib, encoder, display or str(path))


def coverage(items: list[Item], principles: list[str]) -> dict[str, Coverage]:
    """covered: a high-confidence segment, or two of medium confidence; weak: only lower
    confidence; missing: none. A low-confidence match never makes a principle covered."""
    result = {}
    for pid in principles:
        mine = [it for it in items if it.match.principle == pid]
        high = sum(1 for it in mine if it.match.confidence == "high")
        medium = sum(1 for it in mine if it.match.confidence == "medium")
        status = COVERED if high or medium >= 2 else WEAK if mine else MISSING
        result[pid] = Coverage(status, [it.segment.index for it in mine])
    return result


def missing_required(items: list[Item], lib: Library) -> list[str]:
    """Required clauses of the principles that no segment of at least medium confidence
    matches."""
    matched = {it.match.clause for it in items if it.match.confidence in ("high", "medium")}
    principles = {p.id for p in lib.principles}
    return sorted(cid for cid, lc in lib.clauses.items()
                  if lc.clause.required and lc.section in principles and cid not in matched)


# --- rendering -------------------------------------------------------------------------------

def to_data(a: Analysis) -> dict[str, object]:
    return {
        "format": FORMAT,
        "source": a.source,
        "method": a.method,
        "library": a.library,
        "segments": [{
            "index": it.segment.index,
            "number": it.segment.number,
            "heading": it.segment.heading,
            "text": it.segment.text,
            "principle": it.match.principle,
            "clause": it.match.clause,
            "score": it.match.score,
            "confidence": it.match.confidence,
            "candidates": [{"principle": c.principle, "clause": c.clause, "score": c.score}
                           for c in it.match.candidates],
            "figures": [{"text": f.text, "value": f.value, "unit": f.unit,
                         "parameter": f.parameter,
                         "parameter_value": f.parameter_value, "nearest": f.nearest, "note": f.note,
                         "in_bounds": f.in_bounds} for f in it.figures],
        } for it in a.items],
        "coverage": {pid: {"status": c.status, "segments": c.segments}
                     for pid, c in a.coverage.items()},
        "missing_required": a.missing_required,
    }


def to_json(a: Analysis) -> str:
    return json.dumps(to_data(a), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _where(s: Segment) -> str:
    parts = [f"#{s.index}"]
    if s.number:
        parts.append(f"section {s.number}")
    if s.heading:
        parts.append(f"'{s.heading}'")
    return " ".join(parts)


def _excerpt(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def to_text(a: Analysis) -> str:
    lines = [f"{a.source}: {len(a.items)} segments, {a.library}, method: {a.method}", "",
             "Coverage of the principles:"]
    for pid, c in a.coverage.items():
        segs = ", ".join(f"#{i}" for i in c.segments) or "-"
        lines.append(f"  {c.status:<8} {a.titles.get(pid, pid)} ({pid}): {segs}")
    lines += ["", "Required clauses missing:"]
    lines += [f"  {cid}" for cid in a.missing_required] or ["  none"]
    lines += ["", "Segments:"]
    for it in a.items:
        m = it.match
        target = f"{m.principle} / {m.clause}" if m.clause else m.principle
        lines.append(f"  {_where(it.segment)}: {target} ({m.score:.2f}, {m.confidence})")
        lines.append(f"      {_excerpt(it.segment.text)}")
        if len(m.candidates) > 1:
            lines.append("      also: " + ", ".join(f"{c.principle} {c.score:.2f}"
                                                   for c in m.candidates[1:]))
        lines += [f"      figure: {f.note or f.text}" for f in it.figures]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>|#!~":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def to_markdown(a: Analysis) -> str:
    lines = [f"# Analysis of {_md(a.source)}", "",
             f"{len(a.items)} segments against the {_md(a.library)} library; method: "
             f"{a.method}.", "", "## Coverage", "", "| Principle | Status | Segments |",
             "| --- | --- | --- |"]
    for pid, c in a.coverage.items():
        lines.append(f"| {_md(a.titles.get(pid, pid))} | {c.status} | "
                     f"{', '.join(str(i) for i in c.segments) or '-'} |")
    lines += ["", "## Required clauses missing", ""]
    lines += [f"- `{cid}`" for cid in a.missing_required] or ["None."]
    lines += ["", "## Segments", "", "| # | Their section | Principle | Clause | Score | "
              "Confidence | Figures |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for it in a.items:
        s, m = it.segment, it.match
        section = _md(" ".join(x for x in (s.number or "", s.heading or "") if x)) or "-"
        figures = "; ".join(_md(f.note or f.text) for f in it.figures) or "-"
        lines.append(f"| {s.index} | {section} | {m.principle} | {m.clause or '-'} | "
                     f"{m.score:.2f} | {m.confidence} | {figures} |")
    return "\n".join(lines) + "\n"
