"""What a deal resolves to, as text for `git diff` (git's textconv driver, `mc2 lock --textconv`).

Meant for people reading a diff, not for machines: each clause in id order with its position,
the reason given for it, its parameter values with their reasons, and its text as the contract
prints it; omitted principles and clauses with their reasons. No hashes, and no section
numbers outside the texts, so that a change to a reason alone is a changed line, and a
changed clause is its own lines only.
"""

from __future__ import annotations

from mc2cli.assembly.contract import NO_REASON, AssembledClause, Contract
from mc2cli.inputs.markdown import unescape
from mc2cli.inputs.values import plain


def textconv(contract: Contract, deal_name: str) -> str:
    """The text git compares for one deal."""
    name = "".join(ch if ch.isprintable() else "?" for ch in deal_name)
    lines = [f"# mc2: what {name} resolves to, for git diff (the lock file is 'mc2 lock')",
             f"library: {contract.library.edition}"]
    if contract.omitted_principles:
        lines.append("omitted principles:")
        lines += [f"  {pid}: {_reason(why)}" for pid, why in sorted(
            contract.omitted_principles.items())]
    own = {cid: why for cid, why in contract.omitted_clauses.items()
           if cid not in contract.library.clauses
           or contract.library.clauses[cid].section not in contract.omitted_principles}
    if own:
        lines.append("omitted clauses:")
        lines += [f"  {cid}: {_reason(why)}" for cid, why in sorted(own.items())]
    lines.append("clauses:")
    for clause in sorted(contract.clauses, key=lambda c: c.id):
        lines += _clause(contract, clause)
    return "\n".join(lines) + "\n"


def _reason(why: str | None) -> str:
    return f"reason: {why}" if why else f"reason: {NO_REASON}"


def _clause(contract: Contract, c: AssembledClause) -> list[str]:
    head = f"  {c.id}: {c.position}" + (" (extra clause)" if c.extra else "")
    out = [head]
    if c.position != "middle" or c.extra:
        out.append(f"    {_reason(c.reason)}")
    for pid, use in sorted(c.params.items()):
        param = contract.library.parameters[pid][0]
        value = plain(param, use.value)
        line = f"    {pid}: {value}"
        if use.set_by != "library":
            line += f" (set by the {use.set_by}; {_reason(use.reason)})"
        out.append(line)
    out += [f"    | {line}" if line else "    |" for line in unescape(c.text).splitlines()]
    return out
