"""Deal + library -> an assembled contract: positions chosen, parameters resolved, numbered.

The steps each have a module: positions.py (which clauses, at which position, in what order),
numbering.py, parameters.py (values by level), deviations.py (problems and departures from the
Middle). This module runs them and renders each clause's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from mc2cli.assembly import terms
from mc2cli.assembly.constraints import check_deal
from mc2cli.assembly.contract import AssembledClause, Contract, Section
from mc2cli.assembly.deviations import Ledger, param_deviations
from mc2cli.assembly.ids import unknown_ids
from mc2cli.assembly.numbering import number, reference
from mc2cli.assembly.parameters import DealParameters
from mc2cli.assembly.positions import PlanItem, plan, position_of
from mc2cli.assembly.render import CONTEXT_NAMES, RenderError, analyze, render_text
from mc2cli.errors import Problem
from mc2cli.inputs.library import GENERAL, LibClause, Library
from mc2cli.inputs.markdown import escape, unsafe
from mc2cli.inputs.models import Clause, Deal, ExtraClause, Position
from mc2cli.inputs.values import long_date, style_for
from mc2cli.inputs.yamlload import Document, PathKey
from mc2cli.suggest import did_you_mean


def assemble(deal: Deal, doc: Document, library: Library) -> tuple[Contract | None,
                                                                     list[Problem]]:
    """Assemble; returns the contract (None on errors) and every problem found."""
    a = _Assembler(deal, doc, library)
    contract = a.run()
    return contract, [*a.ledger.problems, *a.ledger.missing_reasons()]


def deal_context(deal: Deal) -> dict[str, Any]:
    """The names every clause text may use besides parameters."""
    hdo = deal.parties.hdo.short_name or "Customer"
    mdm = deal.parties.mdm.short_name or "Supplier"
    return {
        "hdo": escape(hdo), "mdm": escape(mdm),
        "this_agreement": "this Addendum" if deal.master_agreement else "this Agreement",
        # The recital names the master agreement in full and defines "Master Agreement".
        "master_agreement": "Master Agreement" if deal.master_agreement else "",
        "governing_law": escape(deal.governing_law),
        "effective_date": long_date(deal.effective_date, style_for(deal.governing_law)),
        # Every product is a service the manufacturer runs: texts word their duties for it.
        "cloud_only": all(p.kind == "cloud" for p in deal.products),
    }


class _Assembler:
    def __init__(self, deal: Deal, doc: Document, library: Library) -> None:
        self.deal = deal
        self.lib = library
        self.ledger = Ledger(doc)
        self.principle_ids = [p.id for p in library.principles]
        self.context = deal_context(deal)

    def run(self) -> Contract | None:
        deal, ledger = self.deal, self.ledger
        self.check_ids()
        self.check_parties()
        self.params = DealParameters(deal, self.lib, ledger)
        if deal.position != "middle":
            ledger.deviate("position", "deal", f"every clause at '{deal.position}'",
                           deal.reason, True, ("position",), "middle", deal.position)
        chosen = plan(deal, self.lib, ledger)
        self.omitted = chosen.omitted_clauses
        self.numbers, numbered = number(chosen.sections)
        self.ref = reference(self.numbers)

        sections: list[Section] = []
        general: Section | None = None
        for no, sid, items in numbered:
            built = [b for item in items if (b := self.build_clause(item, sid)) is not None]
            if sid == GENERAL:
                general = Section(no, GENERAL, "General Terms", None, built)
            else:
                found = self.lib.principle(sid)
                assert found is not None
                sections.append(Section(no, sid, found.title, found, built))
        every = [*sections, *([general] if general else [])]
        self.params.warn_unused(sections)
        param_deviations(ledger, self.lib, every, self.params.keys)
        check_deal(ledger, self.lib, deal, [c for s in every for c in s.clauses],
                   self.params.keys)
        if ledger.failed:
            return None
        definitions = terms.definitions(self.lib, [c for s in every for c in s.clauses],
                                        self.context, ledger.problems)
        return Contract(deal, self.lib, sections, general, definitions,
                        chosen.omitted_principles, chosen.omitted_clauses, ledger.deviations,
                        self.context)

    # --- ids -------------------------------------------------------------------------------
    def check_ids(self) -> None:
        err = self.ledger.err
        # On the file's own data: an entry the schema refused still has its id checked.
        self.ledger.problems.extend(unknown_ids(self.ledger.doc, self.lib, parameters=False))
        seen: set[str] = set()
        for i, extra in enumerate(self.deal.extra_clauses):
            if extra.id in self.lib.clauses or extra.id in seen:
                err(("extra_clauses", i, "id"), f"clause id '{extra.id}' is already taken",
                    "give the extra clause an id of its own, e.g. 'deal.<name>'")
            seen.add(extra.id)

    def check_parties(self) -> None:
        """Short names are defined terms: distinct, and not a term the library defines."""
        parties = self.deal.parties
        hdo = parties.hdo.short_name or "Customer"
        mdm = parties.mdm.short_name or "Supplier"
        if hdo.lower() == mdm.lower():
            self.ledger.err(("parties", "mdm", "short_name") if parties.mdm.short_name
                            else ("parties", "hdo", "short_name"),
                            f"both parties would be called '{mdm}'",
                            "give each party its own short_name")
        for role, name in (("hdo", hdo), ("mdm", mdm)):
            clash = next((t for t in self.lib.definitions if t.lower() == name.lower()), None)
            if clash:
                self.ledger.err(("parties", role, "short_name")
                                if getattr(parties, role).short_name else ("parties", role),
                                f"short name '{name}' is already the defined term '{clash}'",
                                "choose another short_name")

    # --- one clause ------------------------------------------------------------------------
    def build_clause(self, item: PlanItem, sid: str) -> AssembledClause | None:
        c, lc, index = item
        err = self.ledger.err
        if isinstance(c, ExtraClause):
            position: Position = self.deal.position
            reason = c.reason
            raw_text = c.text
            text_key: PathKey = ("extra_clauses", index, "text")
            own_key: PathKey = ("extra_clauses", index, "parameters")
            own = self.params.parse(c.parameters, own_key)
            listed = None
        else:
            position, reason, key = position_of(self.deal, c.id, sid)
            if position != "middle" and key != ("position",):
                self.ledger.deviate("position", c.id, f"position '{position}'", reason, True,
                                    key, "middle", position)
            raw_text = c.text(position)
            text_key, own_key, own = (), (), {}
            listed = set(c.parameters)
        info = analyze(raw_text)
        found_unsafe = unsafe(raw_text, jinja=True) if lc is None else []
        if info.problems or found_unsafe:
            for p in info.problems:
                err(text_key, p.args[0], p.hint, line_offset=p.line)
            for line, what, hint in found_unsafe:
                err(text_key, f"text contains {what}", hint, line_offset=line, rule="unsafe")
            return None
        self.check_refs(c, lc, sid, info.refs, text_key)
        if lc is None:
            for pid in sorted(info.parameters - set(self.lib.parameters)):
                err(text_key, f"unknown name '{pid}'",
                    did_you_mean(pid, [*self.lib.parameters, *CONTEXT_NAMES]))
        uses, values = self.params.resolve(c, sid, position, info.parameters, own, own_key)
        for pid in self.params.clause.get(c.id, {}):
            if listed is not None and pid not in listed:
                err(("clauses", c.id, "parameters", pid),
                    f"clause '{c.id}' does not use parameter '{pid}'",
                    "it uses: " + (", ".join(sorted(listed)) or "no parameters"))
        if lc is None and not self.extra_params_used(index, c.id, own, info.parameters):
            return None
        text = self.render(c, lc, position, raw_text, {**self.context, **values}, text_key)
        if text is None:
            return None
        positions = {p: lc.clause.text(p) for p in ("hdo", "middle", "mdm")} if lc else {}
        return AssembledClause(
            id=c.id, title=c.title, section=sid, number=self.numbers[c.id], obligor=c.obligor,
            position=position, required=bool(getattr(c, "required", False)), text=text,
            params=uses, references=list(c.references),
            notes=c.notes if isinstance(c, Clause) else "", extra=lc is None, reason=reason,
            sha256=hashlib.sha256(text.encode()).hexdigest(), positions=positions)

    def check_refs(self, c: Clause | ExtraClause, lc: LibClause | None, sid: str,
                   refs: list[tuple[str, int]], text_key: PathKey) -> None:
        for target, line in refs:
            if target in self.omitted:
                tsec = self.lib.clauses[target].section if target in self.lib.clauses else sid
                key = ("clauses", target) if target in self.deal.clauses else ("principles", tsec)
                self.ledger.err(key, f"'{target}' is omitted, but clause '{c.id}' refers to it",
                                f"keep '{target}', or also omit '{c.id}'")
            elif target not in self.numbers:
                self.ledger.err(text_key if lc is None else ("clauses",),
                                f"clause '{c.id}' refers to unknown clause '{target}'",
                                did_you_mean(target, self.numbers),
                                line_offset=line if lc is None else 0)

    def render(self, c: Clause | ExtraClause, lc: LibClause | None, position: Position,
               raw_text: str, values: dict[str, Any], text_key: PathKey) -> str | None:
        ref: Callable[[str], str] = self.ref
        try:
            return render_text(raw_text, values, ref).strip()
        except RenderError as exc:
            if lc is not None:
                self.ledger.problems.append(lc.where.problem(f"clause '{c.id}': {exc}", exc.hint,
                                                             sub=("positions", position)))
            else:
                self.ledger.err(text_key, str(exc), exc.hint)
            return None

    def extra_params_used(self, index: int, cid: str, own: dict[str, Any],
                          used: set[str]) -> bool:
        """An extra clause's own values are for library parameters its text uses."""
        names = sorted(used & set(self.lib.parameters))
        for pid in own:
            if pid not in used:
                self.ledger.err(("extra_clauses", index, "parameters", pid),
                                f"extra clause '{cid}' does not use parameter '{pid}'",
                                "its text uses: " + (", ".join(names) or "no parameters"))
        # Unknown names were reported above; rendering would only report them again.
        return used <= set(self.lib.parameters) | CONTEXT_NAMES
