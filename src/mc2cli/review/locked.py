"""`check --locked`: how a deal's contract differs from its lock file, one problem per cause.

A lock records clauses, so one change of the deal (a principle put back, a position moved)
shows in many of them: the principle's clauses, their titles, its section heading, and every
clause elsewhere whose text cites a section that is now numbered differently. Each such
change is traced back to what caused it, and reported once, there:

- a choice of the deal (a principle or clause included, omitted or moved, a parameter, an
  extra clause): rule `lock-outdated`, located at the deal's line for that choice (or its
  nearest enclosing key when the line was removed);
- a text of the library that changed under an unchanged choice: rule `lock-drift`, located
  in the library file that holds the text;
- a text that changed through the deal's names or values: rule `lock-outdated`, at the deal.

Texts that changed only through renumbered sections are listed with the cause that moved the
sections. The detail of each problem is a word-level diff, one line per clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from mc2cli.assembly.contract import Contract
from mc2cli.errors import InputError, Problem
from mc2cli.inputs.markdown import unescape as printed
from mc2cli.inputs.yamlload import Document, PathKey, load_path
from mc2cli.output.lock import SUFFIX, Lock, LockedClause, from_contract, lock_path, read_lock, same
from mc2cli.pipeline import display
from mc2cli.review.textdiff import (
    Segment,
    number_pairs,
    only_renumbered,
    renumbering,
    tokenize,
    word_diff,
)

CONTEXT_WORDS = 6


@dataclass(frozen=True)
class Change:
    """One cause of a difference from the lock: a located problem and its word-level diff."""

    problem: Problem
    diff: str


@dataclass
class _Cause:
    rule: str
    where: Problem  # the location (path, line, col, field); message is filled in at the end
    what: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    renumbered: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    values: bool = False  # texts changed through the deal's names or values


def locked_changes(deal_path: Path, contract: Contract) -> list[Change]:
    """How the contract differs from the deal's lock file; a missing or bad lock is a change."""
    path = lock_path(deal_path)
    if not path.exists():
        return [Change(Problem(display(deal_path), 1, 1, f"no lock file ({path.name})",
                               hint=f"run 'mc2 lock {display(deal_path)}' and commit it",
                               rule="lock-file"), "")]
    try:
        old = read_lock(path, display(path))
        doc = load_path(deal_path, display(deal_path))
    except InputError as exc:
        return [Change(p, "") for p in exc.problems]
    return explain(old, from_contract(contract), contract, doc)


def explain(old: Lock, new: Lock, contract: Contract, doc: Document) -> list[Change]:
    """One Change per cause, in the order of the files and lines they point at."""
    return _Explainer(old, new, contract, doc).run()


class _Explainer:
    def __init__(self, old: Lock, new: Lock, contract: Contract, doc: Document) -> None:
        self.old, self.new, self.contract, self.doc = old, new, contract, doc
        self.lib = contract.library
        self.lock_name = Path(old.path).name or "the lock file"
        self.causes: dict[tuple[str, ...], _Cause] = {}
        self.owner: dict[str, tuple[str, ...]] = {}  # clause id -> the cause that added it
        self.structural: list[tuple[str, ...]] = []
        self.hint = (f"review the change; 'mc2 lock {old.path.removesuffix(SUFFIX)}' "
                     "accepts it")
        if old.edition != new.edition:
            self.hint = f"the library is now {new.edition}, locked at {old.edition}; {self.hint}"

    # --- where ---------------------------------------------------------------------------
    def _deal(self, key: PathKey) -> Problem:
        return self.doc.problem(key, "", rule="lock-outdated")

    def _section(self, cid: str) -> str:
        if cid in self.lib.clauses:
            return self.lib.clauses[cid].section
        extra = next((x for x in self.contract.deal.extra_clauses if x.id == cid), None)
        return extra.principle if extra else ""

    def _extra_key(self, cid: str) -> PathKey:
        ids = [x.id for x in self.contract.deal.extra_clauses]
        return ("extra_clauses", ids.index(cid)) if cid in ids else ("extra_clauses",)

    def cause(self, key: tuple[str, ...], rule: str, where: Problem) -> _Cause:
        if key not in self.causes:
            self.causes[key] = _Cause(rule, where)
        return self.causes[key]

    # --- clauses added or removed --------------------------------------------------------
    def _structure(self, added: set[str], removed: set[str]) -> None:
        extras = {x.id for x in self.contract.deal.extra_clauses}
        for sid in [p.id for p in self.lib.principles]:
            members = {c for c, lc in self.lib.clauses.items() if lc.section == sid}
            for gone, ids in ((False, added), (True, removed)):
                if members and members <= ids:
                    state = ("omitted, in " if gone else "in the contract again, omitted in ")
                    c = self.cause(("principle", sid), "lock-outdated",
                                   self._deal(("principles", sid)))
                    c.what.append(f"principle '{sid}' is {state}{self.lock_name}: "
                                  f"{len(members)} clauses {'removed' if gone else 'added'}")
                    for cid in sorted(members):
                        self.owner[cid] = ("principle", sid)
                        title = (self.old if gone else self.new).printed.get(f"title {cid}", "")
                        c.detail.append(f"{'-' if gone else '+'} {cid}: {title}")
                    self.structural.append(("principle", sid))
        for cid in sorted((added | removed) - set(self.owner)):
            gone = cid in removed
            if cid in extras or (gone and cid not in self.lib.clauses):
                key: PathKey = self._extra_key(cid)
                label = "extra clause"
            else:
                key, label = ("clauses", cid), "clause"
            state = f"in {self.lock_name}, but no longer in the contract" if gone \
                else f"in the contract, but not in {self.lock_name}"
            c = self.cause(("clause", cid), "lock-outdated", self._deal(key))
            c.what.append(f"{label} '{cid}' is {state}")
            text = (self.old if gone else self.new).clauses[cid].text
            c.detail.append(f"{cid}: {'[-' if gone else '{+'}{_flat(printed(text))}"
                            f"{'-]' if gone else '+}'}")
            self.owner[cid] = ("clause", cid)
            self.structural.append(("clause", cid))

    # --- clauses in both -----------------------------------------------------------------
    def _position_key(self, cid: str) -> tuple[tuple[str, ...], PathKey]:
        deal = self.contract.deal
        sid = self._section(cid)
        if cid in deal.clauses and deal.clauses[cid].position is not None:
            return ("clause", cid), ("clauses", cid, "position")
        if sid in deal.principles and deal.principles[sid].position is not None:
            return ("principle", sid), ("principles", sid, "position")
        return ("principle", sid), ("principles", sid)

    def _param_key(self, cid: str, pid: str) -> PathKey:
        use = next((c.params.get(pid) for c in self.contract.clauses if c.id == cid), None)
        set_by = use.set_by if use else "deal"
        if set_by == "clause":
            return ("clauses", cid, "parameters", pid)
        if set_by == "principle":
            return ("principles", self._section(cid), "parameters", pid)
        return ("parameters", pid)

    def _both(self, cid: str, before: LockedClause, after: LockedClause) -> None:
        diff = _word_line(cid, before.text, after.text)
        moved = before.position != after.position
        c: _Cause | None = None
        if moved:
            key, where = self._position_key(cid)
            c = self.cause(("position", *key), "lock-outdated", self._deal(where))
            c.what.append(f"{cid}: position is '{after.position}', locked '{before.position}'")
        for pid in sorted({*before.parameters, *after.parameters}):
            was, now = before.parameters.get(pid), after.parameters.get(pid)
            if was == now:
                continue
            text = f"{pid} is {_show(now)}, locked {_show(was)}"
            if moved and c is not None:
                c.what.append(f"{cid}: {text}")
                continue
            pkey = self._param_key(cid, pid)
            c = self.cause(("parameter", pid, _show(was), _show(now)), "lock-outdated",
                           self._deal(pkey))
            c.what.append(f"parameter {text}")
        if c is not None:
            if diff:
                c.detail.append(diff)
            return
        if before.source != after.source:
            if after.extra:
                c = self.cause(("clause", cid), "lock-outdated", self._deal(self._extra_key(cid)))
                c.what.append(f"extra clause '{cid}': the deal's text changed")
            else:
                at = self.lib.clauses[cid].where.problem(
                    "", sub=("positions", after.position), rule="lock-drift")
                c = self.cause(("library", cid), "lock-drift", replace(at, field=cid))
                c.what.append(f"the library's text for position '{after.position}' "
                              f"changed since {self.lock_name}")
            if diff:
                c.detail.append(diff)
            return
        if only_renumbered(printed(before.text), printed(after.text)):
            self.renumbered.append((cid, number_pairs(printed(before.text),
                                                      printed(after.text))))
            return
        c = self._values()
        c.what.append(cid)
        self.value_edits |= _edits(before.text, after.text)
        if diff:
            c.detail.append(diff)

    def _values(self) -> _Cause:
        c = self.cause(("values",), "lock-outdated", self._deal(("parties",)))
        c.values = True
        return c

    # --- headings and definitions ---------------------------------------------------------
    def _printed(self, key: str, was: str | None, now: str | None) -> None:
        kind, _, name = key.partition(" ")
        if was is None or now is None:
            owner = self.owner.get(name) if kind == "title" else \
                ("principle", name) if kind == "section" and ("principle", name) in self.causes \
                else None
            if owner is None and kind == "term" and self.structural:
                owner = self.structural[0]
            if owner is not None:
                c = self.causes[owner]
                if kind == "term":
                    c.detail.append(f"{'-' if now is None else '+'} definition of {name}")
                return
        if was is not None and now is not None and self.value_edits \
                and _edits(was, now) <= self.value_edits:
            c = self._values()  # a term that prints a name the deal changed
            c.detail.append(_word_line(key, was, now))
            return
        where = replace(self._library_where(kind, name), field=key)
        what = ("no longer printed" if now is None else "newly printed" if was is None
                else "changed")
        c = self.cause(("printed", key), "lock-drift", where)
        c.what.append(f"the {kind} {name} printed in the contract {what} since {self.lock_name}")
        line = _word_line(key, was or "", now or "")
        if line:
            c.detail.append(line)

    def _library_where(self, kind: str, name: str) -> Problem:
        if kind == "title" and name in self.lib.clauses:
            return self.lib.clauses[name].where.problem("", sub=("title",), rule="lock-drift")
        if kind == "section" and name in self.lib.principle_where:
            return self.lib.principle_where[name].problem("", rule="lock-drift")
        if kind == "term" and name in self.lib.definitions:
            return self.lib.definitions[name][1].problem("", rule="lock-drift")
        line, col = self.old.where.get(f"{kind} {name}", self.old.clauses_at)
        return Problem(self.old.path, line, col, "", rule="lock-drift")

    # --- all -----------------------------------------------------------------------------
    def run(self) -> list[Change]:
        old, new = self.old, self.new
        self.renumbered: list[tuple[str, list[tuple[str, str]]]] = []
        self.value_edits: set[tuple[str, str]] = set()
        self._structure(set(new.clauses) - set(old.clauses), set(old.clauses) - set(new.clauses))
        for cid in sorted(set(old.clauses) & set(new.clauses)):
            before, after = old.clauses[cid], new.clauses[cid]
            if not same(before, after):
                self._both(cid, before, after)
        for key in sorted({*old.printed, *new.printed}):
            if old.printed.get(key) != new.printed.get(key):
                self._printed(key, old.printed.get(key), new.printed.get(key))
        if self.renumbered:
            if self.structural:
                self.causes[self.structural[0]].renumbered = self.renumbered
            else:
                c = self._values()
                c.renumbered = self.renumbered
        return sorted((self._change(c) for c in self.causes.values()),
                      key=lambda ch: (ch.problem.path, ch.problem.line, ch.problem.col,
                                      ch.problem.message))

    def _change(self, c: _Cause) -> Change:
        if c.what and c.values:
            message = (f"the text of {len(c.what)} clause(s) changed through the deal's names "
                       f"or values they print: {', '.join(c.what)}")
        elif c.what:
            message = "; ".join(c.what)
        else:
            message = "section numbers changed"
        detail = list(c.detail)
        if c.renumbered:
            ids = [cid for cid, _ in c.renumbered]
            message += f"; {len(ids)} other clause(s) cite renumbered sections"
            detail.append(f"renumbered: {renumbering([p for _, ps in c.renumbered for p in ps])}"
                          f" (in {', '.join(ids)})")
        problem = Problem(c.where.path, c.where.line, c.where.col, message,
                          field=c.where.field, hint=self.hint, rule=c.rule)
        return Change(problem, "\n".join(detail))


def _show(value: str | list[str] | None) -> str:
    if value is None:
        return "unset"
    return ", ".join(value) if isinstance(value, list) else value


def _flat(text: str) -> str:
    return " ".join(text.split())


def word_segments(old: str, new: str) -> list[Segment]:
    """A word-level diff of two texts as the contract prints them."""
    return word_diff(tokenize(_flat(printed(old))), tokenize(_flat(printed(new))))


def _edits(old: str, new: str) -> set[tuple[str, str]]:
    """Each replacement in the word diff, as (deleted words, inserted words)."""
    segments = word_segments(old, new)
    out: set[tuple[str, str]] = set()
    for i, seg in enumerate(segments):
        if seg.op == "delete":
            after = segments[i + 1] if i + 1 < len(segments) else None
            out.add((_bare(seg.text), _bare(after.text) if after and after.op == "insert"
                     else ""))
        elif seg.op == "insert" and (i == 0 or segments[i - 1].op != "delete"):
            out.add(("", _bare(seg.text)))
    return out


def _bare(words: str) -> str:
    return words.strip(" .,;:")


def _word_line(label: str, old: str, new: str) -> str:
    """`label: ...context [-old-]{+new+} context...`, or '' when the printed words are equal."""
    segments = word_segments(old, new)
    if all(s.op == "equal" for s in segments):
        return ""
    parts: list[str] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg.op == "delete":
            parts.append(f"[-{seg.text}-]")
        elif seg.op == "insert":
            parts.append(f"{{+{seg.text}+}}")
        else:
            parts.append(_context(seg.text, keep_start=i > 0, keep_end=i < last))
    return f"{label}: {''.join(parts)}"


def _context(text: str, *, keep_start: bool, keep_end: bool) -> str:
    """Kept text around a change, cut to a few words on each side."""
    words = text.split(" ")
    n = CONTEXT_WORDS
    if keep_start and keep_end:
        return text if len(words) <= 2 * n + 1 else \
            " ".join(words[:n]) + " ... " + " ".join(words[-n:])
    if keep_start:
        return text if len(words) <= n else " ".join(words[:n]) + " ..."
    if keep_end:
        return text if len(words) <= n else "... " + " ".join(words[-n:])
    return text
