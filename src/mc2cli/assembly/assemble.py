"""Deal + library -> an assembled contract: positions chosen, parameters resolved, numbered."""

from __future__ import annotations

import hashlib
from typing import Any

from mc2cli.assembly import terms
from mc2cli.assembly.contract import AssembledClause, Contract, Deviation, ParamUse, Section
from mc2cli.assembly.render import CONTEXT_NAMES, RenderError, analyze, render_text
from mc2cli.errors import Problem
from mc2cli.inputs.library import GENERAL, LibClause, Library
from mc2cli.inputs.markdown import escape, unsafe
from mc2cli.inputs.models import Choice, Clause, Deal, ExtraClause, Position
from mc2cli.inputs.values import Param, ValueProblem, coerce, in_bounds, long_date
from mc2cli.inputs.yamlload import Document, PathKey
from mc2cli.suggest import did_you_mean, known


def _split_value(raw: Any) -> tuple[Any, str | None, bool]:
    """A parameter entry is a value, or {value: ..., reason: ...}."""
    if isinstance(raw, dict):
        if set(raw) <= {"value", "reason"} and "value" in raw:
            reason = raw.get("reason")
            return raw["value"], (str(reason).strip() if reason else None), True
        return raw, None, False
    return raw, None, True


class _Assembler:
    def __init__(self, deal: Deal, doc: Document, library: Library) -> None:
        self.deal = deal
        self.doc = doc
        self.lib = library
        self.problems: list[Problem] = []
        self.deviations: list[Deviation] = []
        principles = library.principles
        self.principle_ids = [p.id for p in principles]

    # --- locations -------------------------------------------------------------------------
    def err(self, key: PathKey, message: str, hint: str = "", rule: str = "deal",
            severity: str = "error", line_offset: int = 0) -> None:
        self.problems.append(self.doc.problem(key, message, hint, severity=severity, rule=rule,
                                              line_offset=line_offset))

    def where(self, key: PathKey) -> tuple[str, int, int]:
        line, col = self.doc.loc(key)
        return (self.doc.path, line, col)

    # --- ids -------------------------------------------------------------------------------
    def check_ids(self) -> None:
        for pid in self.deal.principles:
            if pid not in self.principle_ids:
                self.err(("principles", pid), f"unknown principle '{pid}'",
                         did_you_mean(pid, self.principle_ids)
                         or known("principles", self.principle_ids))
        for cid in self.deal.clauses:
            if cid not in self.lib.clauses:
                self.err(("clauses", cid), f"unknown clause '{cid}'",
                         did_you_mean(cid, self.lib.clauses) or
                         "run 'mc2 library list' for the clause ids")
        seen: set[str] = set()
        for i, extra in enumerate(self.deal.extra_clauses):
            if extra.id in self.lib.clauses or extra.id in seen:
                self.err(("extra_clauses", i, "id"), f"clause id '{extra.id}' is already taken",
                         "give the extra clause an id of its own, e.g. 'deal.<name>'")
            seen.add(extra.id)
            if extra.principle not in self.principle_ids:
                self.err(("extra_clauses", i, "principle"),
                         f"unknown principle '{extra.principle}'",
                         did_you_mean(extra.principle, self.principle_ids)
                         or known("principles", self.principle_ids))

    # --- parameters ------------------------------------------------------------------------
    def parse_params(self, raw: dict[str, Any], key: PathKey) -> dict[str, tuple[Any, str | None]]:
        out: dict[str, tuple[Any, str | None]] = {}
        for pid, entry in raw.items():
            k = (*key, pid)
            if pid not in self.lib.parameters:
                self.err(k, f"unknown parameter '{pid}'",
                         did_you_mean(pid, self.lib.parameters)
                         or "run 'mc2 library show <clause-id>' for a clause's parameters")
                continue
            value, reason, ok = _split_value(entry)
            if not ok:
                self.err(k, "must be a value, or a mapping with 'value' and 'reason'",
                         did_you_mean(next(iter(entry), ""), ["value", "reason"])
                         if isinstance(entry, dict) else "")
                continue
            param = self.lib.parameters[pid][0]
            try:
                typed = coerce(param, value)
            except ValueProblem as exc:
                self.err(k, str(exc), exc.hint)
                continue
            out[pid] = (typed, reason)
        return out

    def default(self, pid: str, position: Position) -> Any:
        param = self.lib.parameters[pid][0]
        return coerce(param, param.default[position])

    # --- the whole assembly ----------------------------------------------------------------
    def run(self) -> Contract | None:
        deal = self.deal
        self.check_ids()
        self.check_parties()
        deal_params = self.parse_params(deal.parameters, ("parameters",))
        principle_params = {pid: self.parse_params(ch.parameters, ("principles", pid,
                                                                     "parameters"))
                            for pid, ch in deal.principles.items()}
        clause_params = {cid: self.parse_params(ch.parameters, ("clauses", cid, "parameters"))
                         for cid, ch in deal.clauses.items()}
        if deal.position != "middle":
            self.deviate("position", "deal", f"every clause at '{deal.position}'",
                         deal.reason, True, ("position",), "middle", deal.position)

        context = self.context()
        omitted_principles: dict[str, str | None] = {}
        omitted_clauses: dict[str, str | None] = {}
        plan: list[tuple[str, list[tuple[Clause | ExtraClause, LibClause | None, int]]]] = []
        used_params: set[str] = set()
        for principle in self.lib.principles:
            pchoice = deal.principles.get(principle.id)
            if pchoice and pchoice.omit:
                omitted_principles[principle.id] = pchoice.reason
                self.deviate("omit-principle", principle.id, "principle omitted",
                             pchoice.reason, True, ("principles", principle.id, "omit"))
                for lc in self.lib.section_clauses(principle.id):
                    omitted_clauses[lc.clause.id] = pchoice.reason
                continue
            plan.append((principle.id, self.section_plan(principle.id, omitted_clauses)))
        general_plan = self.section_plan(GENERAL, omitted_clauses)
        for i, extra in enumerate(deal.extra_clauses):
            if extra.principle in omitted_principles:
                self.err(("extra_clauses", i, "principle"),
                         f"principle '{extra.principle}' is omitted in this deal",
                         "drop 'omit' on the principle or place the clause elsewhere")

        # Numbering first, so ref() can resolve any clause.
        numbers: dict[str, str] = {}
        section_no = 1  # 1 is Definitions
        numbered: list[tuple[int, str, list[tuple[Clause | ExtraClause, LibClause | None, int]]]]
        numbered = []
        for sid, items in [*plan, (GENERAL, general_plan)]:
            if not items:
                continue
            section_no += 1
            for j, (c, _lc, _i) in enumerate(items, start=1):
                numbers[c.id] = f"{section_no}.{j}"
            numbered.append((section_no, sid, items))

        def ref(cid: str) -> str:
            return f"Section {numbers[cid]}" if cid in numbers else f"[{cid}]"

        sections: list[Section] = []
        general: Section | None = None
        for no, sid, items in numbered:
            out: list[AssembledClause] = []
            for c, lib_clause, index in items:
                built = self.build_clause(c, lib_clause, index, sid, numbers, ref, context,
                                          deal_params, principle_params, clause_params, used_params,
                                          omitted_clauses)
                if built is not None:
                    out.append(built)
            if sid == GENERAL:
                general = Section(no, GENERAL, "General Terms", None, out)
            else:
                found = self.lib.principle(sid)
                assert found is not None
                sections.append(Section(no, sid, found.title, found, out))

        for pid in deal.parameters:
            if pid in self.lib.parameters and pid not in used_params:
                self.err(("parameters", pid),
                         f"parameter '{pid}' is not used by any clause in this deal",
                         "its clauses may be omitted; remove the value", severity="warning")
        for pid_, choice in deal.principles.items():
            used_here = {u for s in sections if s.id == pid_ for c in s.clauses for u in c.params}
            for name in choice.parameters:
                if name in self.lib.parameters and name not in used_here \
                        and not choice.omit:
                    self.err(("principles", pid_, "parameters", name),
                             f"no clause of '{pid_}' in this deal uses parameter '{name}'",
                             "set it deal-wide under 'parameters:', or on the clause that "
                             "uses it")
        self.param_deviations(sections, general)
        if any(p.severity == "error" for p in self.problems):
            return None
        definitions = terms.definitions(self.lib, [c for s in sections for c in s.clauses]
                                        + (general.clauses if general else []), context,
                                        self.problems)
        return Contract(deal, self.lib, sections, general, definitions, omitted_principles,
                        omitted_clauses, self.deviations, context)

    def section_plan(self, sid: str, omitted: dict[str, str | None]
                     ) -> list[tuple[Clause | ExtraClause, LibClause | None, int]]:
        items: list[tuple[Clause | ExtraClause, LibClause | None, int]] = []
        pchoice = self.deal.principles.get(sid)
        for lc in self.lib.section_clauses(sid):
            cchoice = self.deal.clauses.get(lc.clause.id)
            if cchoice and cchoice.omit:
                omitted[lc.clause.id] = cchoice.reason
                self.deviate("omit-clause", lc.clause.id,
                             "required clause omitted" if lc.clause.required else "clause omitted",
                             cchoice.reason or (pchoice.reason if pchoice else None),
                             lc.clause.required, ("clauses", lc.clause.id, "omit"))
                continue
            items.append((lc.clause, lc, -1))
        for i, extra in enumerate(self.deal.extra_clauses):
            if extra.principle != sid:
                continue
            pos = len(items)
            if extra.after:
                ids = [c.id for c, _, _ in items]
                if extra.after in ids:
                    pos = ids.index(extra.after) + 1
                else:
                    self.err(("extra_clauses", i, "after"),
                             f"'{extra.after}' is not a clause of '{sid}' in this deal",
                             did_you_mean(extra.after, ids))
            items.insert(pos, (extra, None, i))
            self.deviate("extra-clause", extra.id, f"extra clause '{extra.title}'",
                         extra.reason, True, ("extra_clauses", i))
        return items

    def position_of(self, clause_id: str, section: str) -> tuple[Position, str | None, PathKey]:
        deal = self.deal
        position: Position = deal.position
        reason = deal.reason
        key: PathKey = ("position",)
        pchoice = deal.principles.get(section)
        if pchoice and pchoice.position:
            position, reason, key = pchoice.position, pchoice.reason, ("principles", section)
        cchoice = deal.clauses.get(clause_id)
        if cchoice and cchoice.position:
            position, key = cchoice.position, ("clauses", clause_id)
            reason = cchoice.reason or reason
        elif cchoice and cchoice.reason:
            reason = cchoice.reason
        return position, reason, key

    def build_clause(self, c: Clause | ExtraClause, lc: LibClause | None, index: int, sid: str,
                     numbers: dict[str, str], ref: Any, context: dict[str, Any],
                     deal_params: dict[str, tuple[Any, str | None]],
                     principle_params: dict[str, dict[str, tuple[Any, str | None]]],
                     clause_params: dict[str, dict[str, tuple[Any, str | None]]],
                     used_params: set[str], omitted: dict[str, str | None]
                     ) -> AssembledClause | None:
        if isinstance(c, ExtraClause):
            position: Position = self.deal.position
            reason = c.reason
            raw_text = c.text
            text_key: PathKey = ("extra_clauses", index, "text")
            own = self.parse_params(c.parameters, ("extra_clauses", index, "parameters"))
            listed = None
        else:
            position, reason, key = self.position_of(c.id, sid)
            if position != "middle" and key != ("position",):
                self.deviate("position", c.id, f"position '{position}'", reason, True, key,
                             "middle", position)
            raw_text = c.text(position)
            text_key = ()
            own = {}
            listed = set(c.parameters)
        info = analyze(raw_text)
        found_unsafe = unsafe(raw_text) if lc is None else []
        if info.problems or found_unsafe:
            for p in info.problems:
                self.err(text_key, p.args[0], p.hint, line_offset=p.line)
            for line, what, hint in found_unsafe:
                self.err(text_key, f"text contains {what}", hint, line_offset=line,
                         rule="unsafe")
            return None
        for target, line in info.refs:
            if target in omitted:
                tsec = self.lib.clauses[target].section if target in self.lib.clauses else sid
                key = ("clauses", target) if target in self.deal.clauses else ("principles", tsec)
                self.err(key, f"'{target}' is omitted, but clause '{c.id}' refers to it",
                         f"keep '{target}', or also omit '{c.id}'")
            elif target not in numbers:
                self.err(text_key if lc is None else ("clauses",),
                         f"clause '{c.id}' refers to unknown clause '{target}'",
                         did_you_mean(target, numbers), line_offset=line if lc is None else 0)
        params: dict[str, ParamUse] = {}
        values: dict[str, Any] = dict(context)
        pchoice = principle_params.get(sid, {})
        cchoice = clause_params.get(c.id, {})
        for pid in sorted(info.parameters):
            if pid not in self.lib.parameters:
                if lc is None:
                    self.err(text_key, f"unknown name '{pid}'",
                             did_you_mean(pid, [*self.lib.parameters, *CONTEXT_NAMES]))
                continue
            param = self.lib.parameters[pid][0]
            middle = self.default(pid, "middle")
            value, set_by, why = self.default(pid, position), "library", None
            for source, table in (("deal", deal_params), ("principle", pchoice),
                                  ("clause", cchoice), ("clause", own)):
                if pid in table:
                    value, why = table[pid]
                    set_by = source
            used_params.add(pid)
            params[pid] = ParamUse(pid, value, middle, set_by, in_bounds(param, value),
                                   why or self.reason_at(set_by, sid, c))
            values[pid] = Param(param, value)
        for pid in cchoice:
            if listed is not None and pid not in listed:
                self.err(("clauses", c.id, "parameters", pid),
                         f"clause '{c.id}' does not use parameter '{pid}'",
                         "it uses: " + (", ".join(sorted(listed)) or "no parameters"))
        if lc is None and not self.extra_params_used(index, c.id, own, info.parameters):
            return None
        try:
            text = render_text(raw_text, values, ref).strip()
        except RenderError as exc:
            if lc is not None:
                self.problems.append(lc.where.problem(f"clause '{c.id}': {exc}", exc.hint,
                                                      sub=("positions", position)))
            else:
                self.err(text_key, str(exc), exc.hint)
            return None
        positions = {}
        if lc is not None:
            positions = {p: lc.clause.text(p) for p in ("hdo", "middle", "mdm")}
        return AssembledClause(
            id=c.id, title=c.title, section=sid, number=numbers[c.id], obligor=c.obligor,
            position=position, required=bool(getattr(c, "required", False)), text=text,
            params=params, references=list(c.references),
            notes=c.notes if isinstance(c, Clause) else "", extra=lc is None, reason=reason,
            sha256=hashlib.sha256(text.encode()).hexdigest(), positions=positions)

    def extra_params_used(self, index: int, cid: str, own: dict[str, Any],
                          used: set[str]) -> bool:
        """An extra clause's own values are for library parameters its text uses."""
        known = sorted(used & set(self.lib.parameters))
        for pid in own:
            if pid not in used:
                self.err(("extra_clauses", index, "parameters", pid),
                         f"extra clause '{cid}' does not use parameter '{pid}'",
                         "its text uses: " + (", ".join(known) or "no parameters"))
        # Unknown names were reported above; rendering would only report them again.
        return used <= set(self.lib.parameters) | CONTEXT_NAMES

    def reason_at(self, level: str, sid: str, c: Clause | ExtraClause) -> str | None:
        """The reason the deal gives at the level that set a value (never another level's)."""
        if level == "clause":
            if isinstance(c, ExtraClause):
                return c.reason
            choice = self.deal.clauses.get(c.id)
            return choice.reason if choice else None
        if level == "principle":
            pchoice = self.deal.principles.get(sid)
            return pchoice.reason if pchoice else None
        return self.deal.reason if level == "deal" else None

    def check_parties(self) -> None:
        """Short names are defined terms: distinct, and not a term the library defines."""
        parties = self.deal.parties
        hdo = parties.hdo.short_name or "Customer"
        mdm = parties.mdm.short_name or "Supplier"
        if hdo.lower() == mdm.lower():
            self.err(("parties", "mdm", "short_name") if parties.mdm.short_name
                     else ("parties", "hdo", "short_name"),
                     f"both parties would be called '{mdm}'",
                     "give each party its own short_name")
        for role, name in (("hdo", hdo), ("mdm", mdm)):
            clash = next((t for t in self.lib.definitions if t.lower() == name.lower()), None)
            if clash:
                self.err(("parties", role, "short_name") if getattr(parties, role).short_name
                         else ("parties", role), f"short name '{name}' is already the defined "
                         f"term '{clash}'", "choose another short_name")

    def deviate(self, kind: str, target: str, detail: str, reason: str | None,
                needs_reason: bool, key: PathKey, middle: str = "", value: str = "") -> None:
        self.deviations.append(Deviation(kind, target, detail, reason, needs_reason,
                                         self.where(key), middle, value))

    def param_deviations(self, sections: list[Section], general: Section | None) -> None:
        from mc2cli.inputs.values import plain
        seen: set[tuple[str, str]] = set()
        for section in [*sections, *([general] if general else [])]:
            for c in section.clauses:
                for use in c.params.values():
                    if use.set_by == "library":
                        continue
                    param = self.lib.parameters[use.id][0]
                    shown = plain(param, use.value)
                    if (use.id, shown) in seen:
                        continue
                    seen.add((use.id, shown))
                    key = self.param_key(use.id, c.id, section.id)
                    if not use.in_bounds:
                        self.deviate("out-of-bounds", use.id,
                                     f"{shown} is outside the library's bounds",
                                     use.reason, True, key, plain(param, use.middle), shown)
                    elif use.value != use.middle:
                        self.deviate("parameter", use.id, f"{shown} instead of "
                                     f"{plain(param, use.middle)}", use.reason, False, key,
                                     plain(param, use.middle), shown)

    def param_key(self, pid: str, cid: str, sid: str) -> PathKey:
        if pid in self.deal.clauses.get(cid, _NO_CHOICE).parameters:
            return ("clauses", cid, "parameters", pid)
        if pid in self.deal.principles.get(sid, _NO_CHOICE).parameters:
            return ("principles", sid, "parameters", pid)
        if pid in self.deal.parameters:
            return ("parameters", pid)
        for i, extra in enumerate(self.deal.extra_clauses):
            if extra.id == cid:
                return ("extra_clauses", i, "parameters", pid)
        return ()

    def context(self) -> dict[str, Any]:
        deal = self.deal
        hdo = deal.parties.hdo.short_name or "Customer"
        mdm = deal.parties.mdm.short_name or "Supplier"
        return {
            "hdo": escape(hdo), "mdm": escape(mdm),
            "this_agreement": "this Addendum" if deal.master_agreement else "this Agreement",
            # The recital names the master agreement in full and defines "Master Agreement".
            "master_agreement": "Master Agreement" if deal.master_agreement else "",
            "governing_law": escape(deal.governing_law),
            "effective_date": long_date(deal.effective_date),
        }

_NO_CHOICE = Choice()


def assemble(deal: Deal, doc: Document, library: Library) -> tuple[Contract | None,
                                                                     list[Problem]]:
    """Assemble; returns the contract (None on errors) and every problem found."""
    a = _Assembler(deal, doc, library)
    contract = a.run()
    for dev in a.deviations:
        if dev.needs_reason and not dev.reason:
            path, line, col = dev.where
            a.problems.append(Problem(path, line, col, f"{dev.detail} without a reason",
                                      field=dev.target, severity="warning", rule="reason",
                                      hint="add 'reason:' saying why the deal departs from "
                                           "the Middle"))
    return contract, a.problems
