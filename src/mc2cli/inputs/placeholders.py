"""Placeholder values in a deal: what `mc2 init` wrote for the user to replace.

`mc2 init` writes a default for every answer the user did not give and ends its line with a
`# edit: ...` comment (`mc2 analyze -o` writes a bare `# edit`). The comment is the signal:
any value on a line that ends in such a comment is reported (a value the user changed but
left marked is still reported; deleting the marker says the value is final). Comments are
read by the YAML loader (`Document.comments`: comments that end a line of YAML, never text
inside a quoted or block scalar), and each is tied to the outermost field that starts on its
line.

Two starter values can never be right in a signed contract, so they are reported even
without the marker: the address and the signatory's name `mc2 init` writes by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mc2cli.errors import Problem

if TYPE_CHECKING:  # `mc2 init --help` imports the starter values above without YAML
    from mc2cli.inputs.yamlload import Document, PathKey

MARKER = "edit:"
RULE = "placeholder"
STARTER_ADDRESS = "Principal office address"
STARTER_SIGNATORY = ("Authorized Signatory", "Authorized Officer")
HINT = ("replace it with the deal's own value and delete the '# edit:' comment; "
        "--strict refuses a deal with placeholders")


def placeholder_problems(doc: Document) -> list[Problem]:
    """A warning for each value marked `# edit:` and each known starter value left."""
    problems: list[Problem] = []
    marked: set[PathKey] = set()
    on_line = _fields_by_line(doc, {line for line, (_col, text) in doc.comments.items()
                                    if _is_marker(text)})
    for line, (col, text) in sorted(doc.comments.items()):
        if not _is_marker(text):
            continue
        marker = "# " + text
        key = on_line.get(line)
        if key is None:  # a marker after a line that only continues a value
            problems.append(Problem(doc.path, line, col, f"the value before '{marker}' is a "
                                    "placeholder", hint=HINT,
                                    severity="warning", rule=RULE))
            continue
        marked.add(key)
        value = _shown(_value(doc.data, key))
        problems.append(doc.problem(key, f"{value} is a placeholder, marked '{marker}'",
                                    HINT, severity="warning", rule=RULE))
    for key, known in _known(doc.data):
        if not any(key[:len(m)] == m for m in marked):
            problems.append(doc.problem(key, f"{known!r} is the placeholder `mc2 init` writes",
                                        HINT, severity="warning", rule=RULE))
    return problems


def _is_marker(comment: str) -> bool:
    """`# edit: what to write` (mc2 init), or a bare `# edit` (mc2 analyze -o)."""
    lowered = comment.lower()
    return lowered.startswith(MARKER) or lowered == MARKER[:-1]


def _fields_by_line(doc: Document, lines: set[int]) -> dict[int, PathKey]:
    """For each line asked for, the located field that starts leftmost on it (the outermost
    one: `signatory` rather than `signatory.name`)."""
    best: dict[int, tuple[int, int, PathKey]] = {}
    if not lines:
        return {}
    for key, (line, col) in doc.locs.items():
        if line in lines and key:
            rank = (col, len(key), key)
            if line not in best or rank[:2] < best[line][:2]:
                best[line] = rank
    return {line: rank[2] for line, rank in best.items()}


def _value(data: Any, key: PathKey) -> Any:
    for part in key:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        text = ", ".join(str(v) for v in value.values() if isinstance(v, str | int | float))
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value if isinstance(v, str | int | float))
    else:
        text = "" if value is None else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text) if text else "value"


def _known(data: Any) -> list[tuple[PathKey, str]]:
    """Starter addresses and signatory names left in the parties, marker or not."""
    found: list[tuple[PathKey, str]] = []
    parties = data.get("parties") if isinstance(data, dict) else None
    if not isinstance(parties, dict):
        return found
    for role, party in parties.items():
        if not isinstance(party, dict):
            continue
        if party.get("address") == STARTER_ADDRESS:
            found.append((("parties", role, "address"), STARTER_ADDRESS))
        signatory = party.get("signatory")
        if isinstance(signatory, dict) and signatory.get("name") == STARTER_SIGNATORY[0]:
            found.append((("parties", role, "signatory", "name"), STARTER_SIGNATORY[0]))
    return found

