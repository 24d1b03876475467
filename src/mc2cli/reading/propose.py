"""The proposed deal: the old deal with each change the other side made, written as the deal
file expresses it, each with a reason naming the round, the author and the date.

- `parameter`: the value, deal-wide when the other side changed it the same way in every
  clause that prints it and the deal does not set it on a principle or clause; otherwise on
  each clause they changed;
- `position`: the clause's position;
- `omitted`: `omit: true` on the clause;
- `inserted`: an extra clause of the principle it sits in, after the clause before it;
- `text` and `comment`: not expressible as a choice, so left out and listed for counsel.

The deal file is edited in place (yamledit) so its comments and layout stay; if an edit
cannot be made that way, the file is regenerated from its data and the caller says so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mc2cli.inputs.markdown import escape
from mc2cli.inputs.values import plain
from mc2cli.reading.changes import TAKEN, Change
from mc2cli.reading.ingest import Ingested, Inserted
from mc2cli.reading.plain import fold
from mc2cli.reading.printed import jsonable
from mc2cli.reading.yamledit import EditFailed, append_item, set_value


@dataclass
class Proposal:
    text: str
    regenerated: bool
    taken: list[Change] = field(default_factory=list)
    left_out: list[Change] = field(default_factory=list)


def reason(round_name: str, change: Change, what: str) -> str:
    who = change.author or "the other side"
    when = (change.date or "")[:10] or "no date"
    how = "tracked change" if change.tracked else "untracked edit"
    text = f"{round_name}: {what} ({how} by {who}, {when})."
    return " ".join(text.split())[:400]


def propose(result: Ingested, deal_text: str, round_name: str, old_dir: Path | None = None,
            new_dir: Path | None = None) -> Proposal:
    """The proposed deal's text. A library folder named relative to the deal is renamed
    relative to `new_dir` when the proposal is written elsewhere."""
    edits: list[tuple[str, tuple[str | int, ...], Any]] = []
    if old_dir is not None and new_dir is not None and old_dir != new_dir:
        edits.extend(_moved_library(result, old_dir, new_dir))
    taken: list[Change] = []
    left: list[Change] = []
    deal = result.contract.deal
    lib = result.contract.library
    params = [c for c in result.changes if c.kind == "parameter"]
    wide = _deal_wide(result, params)
    for change in result.changes:
        if change.kind not in TAKEN:
            left.append(change)
            continue
        taken.append(change)
        cid = change.clause
        if change.kind == "omitted" and cid:
            edits.append(("set", ("clauses", cid, "omit"), True))
            edits.append(("set", ("clauses", cid, "reason"),
                          reason(round_name, change, f"clause {change.number} deleted")))
        elif change.kind == "position" and cid:
            edits.append(("set", ("clauses", cid, "position"), change.new))
            edits.append(("set", ("clauses", cid, "reason"),
                          reason(round_name, change, f"clause {change.number} rewritten to "
                                                     f"the {change.new} position's text")))
        elif change.kind == "parameter" and cid and change.parameter:
            pid = change.parameter
            shown = plain(lib.parameters[pid][0], change.new)
            why = reason(round_name, change, f"{pid} changed to {shown} in clause "
                                             f"{change.number}")
            entry = {"value": jsonable(change.new), "reason": why}
            path: tuple[str | int, ...] = ("parameters", pid) if pid in wide \
                else ("clauses", cid, "parameters", pid)
            edits.append(("set", path, entry))
    for n, ins in enumerate(result.inserted, start=1):
        item = extra_clause(ins, n, result, round_name, {c.id for c in result.contract.clauses},
                            deal.parties.hdo.short_name or "Customer",
                            deal.parties.mdm.short_name or "Supplier")
        edits.append(("append", ("extra_clauses",), item))
    return _apply(deal_text, edits, result, taken, left)


def _moved_library(result: Ingested, old_dir: Path, new_dir: Path
                   ) -> list[tuple[str, tuple[str | int, ...], Any]]:
    library = result.contract.deal.library
    names = [library] if isinstance(library, str) else list(library)
    moved = [name if name == "builtin" or Path(name).is_absolute()
             else Path(os.path.relpath(old_dir / name, new_dir)).as_posix() for name in names]
    if moved == names:
        return []
    return [("set", ("library",), moved[0] if isinstance(library, str) else moved)]


def _deal_wide(result: Ingested, params: list[Change]) -> set[str]:
    """Parameters changed to one value in every clause that prints them, and set by the deal
    (if at all) only deal-wide."""
    deal = result.contract.deal
    out = set()
    for pid in {c.parameter for c in params if c.parameter}:
        users = {c.id for c in result.contract.clauses if pid in c.params}
        changed = {c.clause for c in params if c.parameter == pid}
        values = {repr(c.new) for c in params if c.parameter == pid}
        narrower = any(pid in ch.parameters for ch in [*deal.principles.values(),
                                                       *deal.clauses.values()])
        if changed == users and len(values) == 1 and not narrower:
            out.add(pid)
    return out


def extra_clause(ins: Inserted, n: int, result: Ingested, round_name: str, taken_ids: set[str],
                 hdo: str, mdm: str) -> dict[str, Any]:
    paras = [p.text for p in ins.paragraphs]
    title = paras[0] if len(paras) > 1 and (ins.paragraphs[0].heading is not None or
                                            re.match(r"^\d{1,3}\.\d{1,3}\s", paras[0])) \
        else ""
    body = paras[1:] if title else paras
    title = re.sub(r"^\d{1,3}\.\d{1,3}\s+", "", title).strip() or _title(body[0])
    ids = taken_ids | {e.id for e in result.contract.deal.extra_clauses}
    cid = f"deal.inserted-{n}"
    while cid in ids:
        n += 1
        cid = f"deal.inserted-{n}"
    first = fold(body[0]) if body else ""
    obligor = "mdm" if first.startswith(mdm) else "hdo" if first.startswith(hdo) else "both"
    item: dict[str, Any] = {"id": cid, "principle": ins.principle}
    if ins.after:
        item["after"] = ins.after
    item.update({"title": title[:120], "obligor": obligor,
                 "text": "\n\n".join(_literal(p) for p in body),
                 "reason": reason(round_name, ins.change, "paragraph inserted")})
    return item


def _title(text: str) -> str:
    words = fold(text).split()
    short = " ".join(words[:6]).rstrip(",;:.")
    return (short + " ...") if len(words) > 6 else short


def _literal(text: str) -> str:
    """Returned text as clause text that prints it as written: Markdown escaped, and braces
    kept out of the template language."""
    # escape() writes every brace as "\{"; that pair is printed by a Jinja string, so the
    # source holds no brace that could open a Jinja tag or pandoc attributes.
    return escape(text).replace("\\{", '{{ "\\x5c\\x7b" }}')


def _apply(text: str, edits: list[tuple[str, tuple[str | int, ...], Any]], result: Ingested,
           taken: list[Change], left: list[Change]) -> Proposal:
    shown = str(result.deal_path)
    data = yaml.safe_load(text) if text.strip() else {}
    expected = _expected(data if isinstance(data, dict) else {}, edits)
    new = text if text.endswith("\n") else text + "\n"
    try:
        for op, path, value in edits:
            new = set_value(new, path, value, shown) if op == "set" \
                else append_item(new, path, value, shown)
        if _normal(yaml.safe_load(new)) != _normal(expected):
            raise EditFailed("the edited text does not read back as intended")
    except EditFailed:
        header = "# Regenerated by mc2 ingest: the original layout could not be kept.\n"
        new = header + yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=100)
        return Proposal(new, True, taken, left)
    return Proposal(new, False, taken, left)


def _expected(data: dict[str, Any], edits: list[tuple[str, tuple[str | int, ...], Any]]
              ) -> dict[str, Any]:
    import copy
    out = copy.deepcopy(data)
    for op, path, value in edits:
        node: Any = out
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if op == "set":
            node[path[-1]] = value
        else:
            if not isinstance(node.get(path[-1]), list):
                node[path[-1]] = []
            node[path[-1]].append(value)
    return out


def _normal(value: Any) -> Any:
    """Compare as text: the deal reader keeps scalars as written."""
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
