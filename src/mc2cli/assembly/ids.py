"""The library ids a deal names: principles, clauses and parameters that must exist.

Checked on the deal's raw data, so that a mistyped id is reported in the same run as any
other problem of the file, even when the file does not pass its schema.
"""

from __future__ import annotations

from typing import Any

from mc2cli.errors import Problem
from mc2cli.inputs.library import Library
from mc2cli.inputs.yamlload import Document, PathKey
from mc2cli.suggest import did_you_mean, known


def unknown_ids(doc: Document, lib: Library, *, parameters: bool) -> list[Problem]:
    """A located error for each principle or clause id the library does not have (and, with
    `parameters`, each unknown parameter id at any level)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    principles = [p.id for p in lib.principles]
    out: list[Problem] = []

    def unknown_principle(key: PathKey, pid: str) -> None:
        out.append(doc.problem(key, f"unknown principle '{pid}'",
                               did_you_mean(pid, principles) or known("principles", principles),
                               rule="deal"))

    def unknown_parameters(raw: Any, key: PathKey) -> None:
        if not parameters or not isinstance(raw, dict):
            return
        for pid in raw:
            if isinstance(pid, str) and pid not in lib.parameters:
                out.append(doc.problem(
                    (*key, pid), f"unknown parameter '{pid}'",
                    did_you_mean(pid, lib.parameters)
                    or "run 'mc2 library show <clause-id>' for a clause's parameters",
                    rule="deal"))

    unknown_parameters(data.get("parameters"), ("parameters",))
    for level, ids in (("principles", principles), ("clauses", list(lib.clauses))):
        table = data.get(level)
        if not isinstance(table, dict):
            continue
        for item, choice in table.items():
            if not isinstance(item, str):
                continue
            if item not in ids:
                if level == "principles":
                    unknown_principle((level, item), item)
                else:
                    out.append(doc.problem((level, item), f"unknown clause '{item}'",
                                           did_you_mean(item, ids) or
                                           "run 'mc2 library list' for the clause ids",
                                           rule="deal"))
            if isinstance(choice, dict):
                unknown_parameters(choice.get("parameters"), (level, item, "parameters"))
    extras = data.get("extra_clauses")
    for i, extra in enumerate(extras if isinstance(extras, list) else []):
        pid = extra.get("principle") if isinstance(extra, dict) else None
        if isinstance(pid, str) and pid not in principles:
            unknown_principle(("extra_clauses", i, "principle"), pid)
    return out
