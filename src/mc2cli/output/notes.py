"""The negotiator's notes: guidance, chosen and unchosen positions, deviations. Never contract."""

from __future__ import annotations

from typing import Any

from mc2cli.assembly.constraints import statuses
from mc2cli.assembly.contract import NO_REASON, AssembledClause, Contract
from mc2cli.assembly.render import RenderError, render_text
from mc2cli.inputs.markdown import escape
from mc2cli.inputs.models import POSITIONS, SameAs
from mc2cli.inputs.values import Param, ValueProblem


def _alternative(contract: Contract, clause: AssembledClause, position: str,
                 numbers: dict[str, str]) -> str:
    lib_clause = contract.library.clauses[clause.id].clause
    raw = lib_clause.positions.get(position)  # type: ignore[call-overload]
    if isinstance(raw, SameAs):
        return f"_Same as the {raw.same_as} position._"
    context: dict[str, Any] = dict(contract.context)
    for pid in lib_clause.parameters:
        param = contract.library.parameters[pid][0]
        try:
            context[pid] = Param(param, contract.library.default(pid, position), contract.style)
        except ValueProblem:
            return "_(does not render with its defaults)_"
    try:
        return render_text(lib_clause.text(position),  # type: ignore[arg-type]
                           context, lambda c: f"Section {numbers.get(c, c)}").strip()
    except RenderError as exc:
        return f"_(does not render: {exc})_"


def _reason(reason: str | None) -> str:
    return escape((reason or NO_REASON).rstrip("."))


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


_SUMMARY_DEVIATIONS = 8
# Figures out of bounds or changed weigh most, then omissions, then positions.
_KIND_WEIGHT = {"out-of-bounds": 0, "parameter": 1, "omit-principle": 2, "omit-clause": 2,
                "extra-clause": 3, "position": 4}


def _priority(contract: Contract, target: str) -> int:
    lib_clause = contract.library.clauses.get(target)
    prio = lib_clause.clause.priority if lib_clause else None
    return prio if prio is not None else 10
_SUMMARY_CLAUSES = 8


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[:end + 1]


def negotiate_first(contract: Contract) -> list[str]:
    """"What to negotiate in this deal": deviations, then the clauses each side pushes on.

    One screen: at most eight deviations and eight clauses, by weight (the library's
    `priority`, 1 first).
    """
    titles = contract.library.framework.positions
    lines = ["## What to negotiate in this deal", "",
             "In order of weight. The per-clause detail follows.", ""]
    devs = sorted(contract.deviations, key=lambda d: (_KIND_WEIGHT.get(d.kind, 9),
                                                      _priority(contract, d.target)))
    lines.append(f"**1. Where this deal departs from the Middle** ({len(devs)}):" if devs
                 else "**1. Where this deal departs from the Middle:** nowhere.")
    lines.append("")
    for d in devs[:_SUMMARY_DEVIATIONS]:
        lines.append(f"- {escape(d.target)}: {escape(d.detail)}. Reason: {_reason(d.reason)}.")
    if len(devs) > _SUMMARY_DEVIATIONS:
        lines.append(f"- and {len(devs) - _SUMMARY_DEVIATIONS} more, listed under "
                     "Deviations from the Middle below.")
    if devs:
        lines.append("")
    weighted = sorted(((contract.library.clauses[c.id].clause.priority, c.number, c)
                       for c in contract.clauses if not c.extra
                       and contract.library.clauses[c.id].clause.priority is not None),
                      key=lambda t: (t[0], [int(n) for n in t[1].split(".")]))
    lines += ["**2. Clauses each side usually pushes on:**", ""]
    for _prio, number, c in weighted[:_SUMMARY_CLAUSES]:
        notes = _first_sentence(c.notes) if c.notes.strip() else ""
        lines.append(f"- {number} {escape(c.title)} ({titles[c.position].title}): "
                     f"{escape(notes)}".rstrip(": "))
    if not weighted:
        lines.append("- None marked in this library.")
    lines.append("")
    checked = [r for r in statuses(contract.library, contract.clauses) if r.status != "not used"]
    if checked:
        lines += ["**3. Figures checked against each other** (mc2 check fails a deal that "
                  "breaks one; each holds here):", ""]
        lines += [f"- {escape(r.says[:1].upper() + r.says[1:])} (`{r.rule}`)." for r in checked]
        lines.append("")
    return lines


def to_markdown(contract: Contract) -> str:
    """notes.md: labelled throughout as notes, so nothing in it reads as contract text."""
    deal = contract.deal
    numbers = {c.id: c.number for c in contract.clauses}
    titles = contract.library.framework.positions
    lines = [f"# Negotiator's notes: {escape(deal.title)}", "",
             "**These notes are not part of the contract.** They give, for every clause, the "
             "library's guidance for negotiators, the position chosen and the texts of the "
             "positions not chosen (with those positions' default figures).", ""]
    lines += negotiate_first(contract)
    lines += ["## Deviations from the Middle", ""]
    if not contract.deviations:
        lines += ["None: every clause is at the Middle.", ""]
    for d in contract.deviations:
        lines.append(f"- **{escape(d.target)}** ({d.kind}): {escape(d.detail)}. "
                     f"Reason: {_reason(d.reason)}.")
    lines.append("")
    for section in contract.all_sections:
        lines += [f"## Notes on section {section.number}: {escape(section.title)}", ""]
        for c in section.clauses:
            lines += [f"### Note on {c.number} {escape(c.title)} (`{c.id}`)", ""]
            if c.extra:
                lines += [f"Deal-specific clause. Reason: {_reason(c.reason)}.", ""]
                continue
            chosen = f"Chosen position: {escape(titles[c.position].title)} (`{c.position}`)"
            if c.position != "middle":
                chosen += f". Reason: {_reason(c.reason)}"
            lines += [chosen + ".", ""]
            if c.notes.strip():
                lines += ["Guidance:", "", *_quote(c.notes.strip()), ""]
            for pos in POSITIONS:
                if pos == c.position:
                    continue
                lines += [f"Not chosen, {escape(titles[pos].title)} (`{pos}`):", "",
                          *_quote(_alternative(contract, c, pos, numbers)), ""]
    omitted = sorted(contract.omitted_clauses.items())
    if omitted:
        lines += ["## Omitted clauses", ""]
        lines += [f"- `{cid}`: {_reason(reason)}" for cid, reason in omitted]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
