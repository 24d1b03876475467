"""Problems as machines read them: one JSON object, GitHub workflow annotations, or SARIF 2.1.0.

Each function returns a string; the command line prints it. A problem may carry a detail
(the diff of a drifted clause), which every format shows after the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mc2cli import __version__
from mc2cli.errors import Problem

FORMAT = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# Every rule a Problem can carry, with a short description: stable ids for code scanning.
RULES: dict[str, str] = {
    "batch": "Two deals built together would write to the same output folder.",
    "definition-case": "A defined term is used in the wrong case.",
    "definition-unused": "A library definition is used by no clause.",
    "deal": "The deal's choices do not fit the library.",
    "duplicate-id": "Two library entries share an id.",
    "input": "A value in the file does not fit its field.",
    "library": "A clause library folder or file is malformed.",
    "lint": "The clause library breaks a rule of the library format.",
    "lock-drift": "The library's text of a locked clause, title or term changed since the "
                  "lock file.",
    "lock-file": "The lock file is missing, unreadable or edited by hand.",
    "lock-outdated": "A choice or value of the deal changed the contract since its lock file.",
    "max-deviations": "The deal departs from the Middle more often than allowed.",
    "notes": "A clause has no negotiator's notes.",
    "obligor": "A clause's declared obligor disagrees with the duties its texts set.",
    "parameter-bounds": "A parameter default lies outside its bounds.",
    "parameter-default": "A parameter lacks a default for a position.",
    "parameter-undeclared": "A clause text uses an undeclared parameter.",
    "parameter-unlisted": "A clause text uses a parameter its clause does not list.",
    "parameter-unused": "A declared parameter is used by no clause text.",
    "placeholder": "A deal value is still the placeholder `mc2 init` wrote (marked `# edit:`).",
    "positions": "A clause does not give a text for each position.",
    "principle-empty": "A principle has no clauses.",
    "reason": "A deviation from the Middle gives no reason.",
    "reference": "A clause refers to a clause that does not exist.",
    "constraint": "Two figures or two positions break a rule the library declares between them.",
    "constraint-mix": "Mixing two clauses' positions breaks a constraint with their defaults.",
    "references": "A clause names no standard or regulation it rests on.",
    "render": "A text fails to render.",
    "require": "A principle or required clause is omitted against --require.",
    "stale-output": "A built file differs from what the deal now produces.",
    "template": "A clause text is not a valid template.",
    "unsafe": "A text holds content mc2 refuses: images, links, raw HTML, headings.",
    "yaml": "The file is not valid YAML, or breaks mc2's YAML limits.",
}


@dataclass
class DealDiagnostics:
    """The outcome of checking one deal: its problems and any detail shown with them."""

    deal: str
    problems: list[Problem]
    details: dict[Problem, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def describe(rule: str) -> str:
    """The short description of a rule."""
    return RULES.get(rule, f"mc2 check: {rule}.")


def _full_message(p: Problem, detail: str) -> str:
    text = f"{p.field}: {p.message}" if p.field else p.message
    if p.hint:
        text += f"\nhint: {p.hint}"
    if detail:
        text += f"\n{detail}"
    return text


def _unique(runs: Iterable[DealDiagnostics]) -> list[tuple[Problem, str]]:
    """Each problem once, even when several deals share the library that has it."""
    seen: dict[tuple[Problem, str], None] = {}
    for run in runs:
        for p in run.problems:
            seen.setdefault((p, run.details.get(p, "")), None)
    return sorted(seen, key=lambda item: (item[0].path, item[0].line, item[0].col,
                                          item[0].message))


# --- JSON ---------------------------------------------------------------------------------

def to_json(runs: list[DealDiagnostics]) -> str:
    """One object for the run: per-deal status and every problem, sorted keys."""
    deals = [{"deal": r.deal, "status": "ok" if r.ok else "failed",
              "errors": sum(p.severity == "error" for p in r.problems),
              "warnings": sum(p.severity == "warning" for p in r.problems)} for r in runs]
    problems = [{"deal": r.deal, "path": p.path, "line": p.line, "col": p.col,
                 "severity": p.severity, "field": p.field, "message": p.message,
                 "hint": p.hint, "rule": p.rule, "detail": r.details.get(p, "")}
                for r in runs for p in r.problems]
    data = {"format": FORMAT, "mc2_version": __version__,
            "status": "ok" if all(r.ok for r in runs) else "failed",
            "deals": deals, "problems": problems}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- GitHub workflow commands -------------------------------------------------------------

_OTHER_CONTROLS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF percent-encoded; other control characters
    (an ESC from a file name, say) percent-encoded too, so no terminal acts on them."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _OTHER_CONTROLS.sub(lambda m: f"%{ord(m.group()):02X}", text)


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, plus ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


# GitHub shows at most 10 error and 10 warning annotations of a step; more are dropped.
GITHUB_LIMIT = 10


def to_github(runs: list[DealDiagnostics]) -> str:
    """`::error file=..,line=..,col=..,title=..::message` lines, one per problem, at most
    GITHUB_LIMIT of each severity, then one notice that counts the problems left out."""
    lines = []
    shown = {"error": 0, "warning": 0}
    left = {"error": 0, "warning": 0}
    for p, detail in _unique(runs):
        if shown[p.severity] >= GITHUB_LIMIT:
            left[p.severity] += 1
            continue
        shown[p.severity] += 1
        props = []
        if p.path:
            props += [f"file={escape_property(p.path)}", f"line={max(p.line, 1)}",
                      f"col={max(p.col, 1)}"]
        props.append(f"title={escape_property(_title(p))}")
        lines.append(f"::{p.severity} {','.join(props)}::{escape_data(_full_message(p, detail))}")
    if any(left.values()):
        counts = " and ".join(f"{n} more {kind}{'s' if n > 1 else ''}"
                              for kind, n in left.items() if n)
        lines.append(f"::notice title={escape_property('mc2: more problems')}::"
                     + escape_data(f"{counts} not shown as annotations (GitHub shows "
                                   f"{GITHUB_LIMIT} of each); the step's log lists them all"))
    return "".join(line + "\n" for line in lines)


def _title(p: Problem) -> str:
    return f"mc2 {p.rule}: {p.field}" if p.field else f"mc2 {p.rule}"


# --- SARIF 2.1.0 --------------------------------------------------------------------------

def to_sarif(runs: list[DealDiagnostics]) -> str:
    """A SARIF 2.1.0 log with one run: mc2's rules and a result per problem."""
    found = _unique(runs)
    rule_ids = sorted({*RULES, *(p.rule for p, _ in found)})
    index = {rule: i for i, rule in enumerate(rule_ids)}
    driver = {"name": "mc2", "version": __version__, "semanticVersion": __version__,
              "rules": [_rule(rule) for rule in rule_ids]}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
                     "results": [_result(p, detail, index[p.rule]) for p, detail in found]}]}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _rule(rule: str) -> dict[str, Any]:
    return {"id": rule, "name": "".join(w.capitalize() for w in rule.split("-")),
            "shortDescription": {"text": describe(rule)}}


def _result(p: Problem, detail: str, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": p.rule, "ruleIndex": rule_index, "level": p.severity,
                              "message": {"text": _full_message(p, detail)}}
    if p.path:
        region = {"startLine": max(p.line, 1), "startColumn": max(p.col, 1)}
        result["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(p.path),
                                                     "region": region}}]
    return result


def artifact_location(path: str) -> dict[str, str]:
    """A file path as a SARIF artifactLocation: a relative URI, or a file: URI if absolute."""
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(path).as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


FORMATTERS = {"json": to_json, "github": to_github, "sarif": to_sarif}
