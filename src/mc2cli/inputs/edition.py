"""A library's edition, read off its framework.yaml without loading the library.

`mc2 --version` prints the built-in library's edition; validating the whole library for two
words cost more than the rest of the command. The two top-level keys are read from their own
lines; anything less plain (a block scalar, an alias, a flow mapping) falls back to YAML.
"""

from __future__ import annotations

import re
from pathlib import Path

_KEY = re.compile(r"^(framework|edition):[ \t]*(.*?)[ \t]*$")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/+-]*")
_QUOTED = re.compile(r"\"([A-Za-z0-9 ._/+-]*)\"|'([A-Za-z0-9 ._/+-]*)'")


def _scalar(raw: str) -> str | None:
    """A plain or simply quoted one-line value, with its comment dropped; None otherwise."""
    value = re.sub(r"[ \t]+#.*$", "", raw)
    if _PLAIN.fullmatch(value):
        return value
    m = _QUOTED.fullmatch(value)
    return (m.group(1) if m.group(1) is not None else m.group(2)) if m else None


def edition(folder: Path) -> str:
    """'MC2 2025': the framework and edition that `folder`'s framework.yaml names."""
    try:
        text = (folder / "framework.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "unreadable"
    found: dict[str, str | None] = {}
    for line in text.splitlines():
        m = _KEY.match(line)
        if m and m.group(1) not in found:
            found[m.group(1)] = _scalar(m.group(2))
    if all(found.get(k) for k in ("framework", "edition")):
        return f"{found['framework']} {found['edition']}"
    return _edition_by_yaml(text)


def _edition_by_yaml(text: str) -> str:
    import yaml
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "unreadable"
    if not isinstance(data, dict) or not data.get("framework") or not data.get("edition"):
        return "unreadable"
    return f"{data['framework']} {data['edition']}"
