"""Setting keys in a deal file by editing its text, so the user's comments and layout stay.

Each edit finds the key (or its nearest existing parent) by the locations the loader
records, and replaces or inserts only the lines of that entry, indented as its neighbours
are. A parent written in flow style (`{a: 1}`) is rewritten as a block. After every edit the
text is parsed again, and the result is compared with what was meant; if the two differ
(a layout this editor does not follow), the caller regenerates the file instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mc2cli.errors import InputError
from mc2cli.inputs.yamlload import Document, PathKey, load_text

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()-]*[A-Za-z0-9.)]|[A-Za-z0-9]")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class EditFailed(Exception):
    """The text could not be edited in place."""


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and ": " not in text \
            and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def block(key: str | None, value: Any, indent: int) -> list[str]:
    """`key: value` (or a list item when key is None) as block lines at `indent`."""
    pad = " " * indent
    head = f"{pad}{key}:" if key is not None else f"{pad}-"
    if isinstance(value, dict):
        if not value:
            return [f"{head} {{}}"]
        lines = [head] if key is not None else []
        for i, (k, v) in enumerate(value.items()):
            sub = block(str(k), v, indent + 2)
            if key is None and i == 0:
                sub[0] = f"{pad}- " + sub[0].lstrip()
            lines.extend(sub)
        return lines
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [f"{head} [" + ", ".join(scalar(v) for v in value) + "]"]
        lines = [head]
        for v in value:
            lines.extend(block(None, v, indent + 2))
        return lines
    if isinstance(value, str) and "\n" in value:
        body = [f"{pad}  {line}" if line else "" for line in value.split("\n")]
        return [f"{head} |-", *body]
    return [f"{head} {scalar(value)}"]


def _get(data: Any, path: PathKey) -> tuple[bool, Any]:
    for part in path:
        in_map = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if in_map or in_list:
            data = data[part]
        else:
            return False, None
    return True, data


def _span(lines: list[str], line: int, indent: int) -> int:
    """The index after the last line of the entry whose key is on `line` (0-based)."""
    end = line + 1
    last = line + 1
    while end < len(lines):
        text = lines[end]
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            if len(text) - len(text.lstrip()) <= indent:
                break
            last = end + 1
        end += 1
    return last


def _at_line_start(lines: list[str], line: int, col: int) -> bool:
    text = lines[line]
    head = text[:col]
    return not head.strip() or re.fullmatch(r"\s*(-\s+)+", head) is not None


def set_value(text: str, path: PathKey, value: Any, display: str) -> str:
    """`text` with the value at `path` (string keys) set to `value`."""
    doc = _load(text, display)
    lines = text.split("\n")
    exists, _old = _get(doc.data, path)
    depth = len(path) if exists else next(i for i in range(len(path), -1, -1)
                                          if _get(doc.data, path[:i])[0])
    if exists:
        return _replace_up(doc, lines, path, value)
    if depth == 0:
        nested: Any = value
        for part in reversed(path[1:]):
            nested = {part: nested}
        body = "\n".join(lines).rstrip("\n")
        return body + "\n" + "\n".join(block(str(path[0]), nested, 0)) + "\n"
    parent = path[:depth]
    _ok, parent_value = _get(doc.data, parent)
    rest = path[depth:]
    nested = value
    for part in reversed(rest[1:]):
        nested = {part: nested}
    if isinstance(parent_value, dict) and parent_value and _is_block(doc, lines, parent):
        first = next(iter(parent_value))
        line, col = doc.loc((*parent, first))
        if not _at_line_start(lines, line - 1, col - 1):
            raise EditFailed(parent)
        pline, pcol = doc.loc(parent)
        end = _span(lines, pline - 1, _indent_of(lines, pline - 1, pcol))
        new = block(str(rest[0]), nested, col - 1)
        return "\n".join([*lines[:end], *new, *lines[end:]])
    merged = dict(parent_value) if isinstance(parent_value, dict) else {}
    merged[rest[0]] = nested
    return _replace_up(doc, lines, parent, merged)


def append_item(text: str, path: PathKey, item: dict[str, Any], display: str) -> str:
    """`text` with `item` appended to the list at `path` (created when missing)."""
    doc = _load(text, display)
    lines = text.split("\n")
    exists, current = _get(doc.data, path)
    if not exists or not isinstance(current, list) or not current:
        return set_value(text, path, [*(current if isinstance(current, list) else []), item],
                         display) if exists else set_value(text, path, [item], display)
    line, col = doc.loc((*path, 0))
    if not _at_line_start(lines, line - 1, col - 1):
        return _replace(doc, lines, path, [*current, item])
    dash = lines[line - 1].index("-")
    pline, pcol = doc.loc(path)
    end = _span(lines, pline - 1, _indent_of(lines, pline - 1, pcol))
    return "\n".join([*lines[:end], *block(None, item, dash), *lines[end:]])


def _indent_of(lines: list[str], line: int, col: int) -> int:
    text = lines[line]
    if _at_line_start(lines, line, col - 1):
        return col - 1 if not text[:col - 1].strip() else len(text) - len(text.lstrip())
    return len(text) - len(text.lstrip())


def _is_block(doc: Document, lines: list[str], path: PathKey) -> bool:
    line, col = doc.loc(path)
    after = lines[line - 1][col - 1:].split(":", 1)
    rest = after[1].split("#", 1)[0].strip() if len(after) > 1 else ""
    return rest == ""


def _replace(doc: Document, lines: list[str], path: PathKey, value: Any) -> str:
    line, col = doc.loc(path)
    if not path or not _at_line_start(lines, line - 1, col - 1):
        raise EditFailed(path)
    text = lines[line - 1]
    indent = col - 1
    end = _span(lines, line - 1, _indent_of(lines, line - 1, col))
    comment = _trailing_comment(text) if end == line else ""
    new = block(str(path[-1]), value, indent)
    new[0] = text[:indent] + new[0][indent:] + comment
    return "\n".join([*lines[:line - 1], *new, *lines[end:]])


def _replace_up(doc: Document, lines: list[str], path: PathKey, value: Any) -> str:
    """Replace the entry at `path`, or, where it sits inside a flow collection, the nearest
    ancestor that starts its own line."""
    try:
        return _replace(doc, lines, path, value)
    except EditFailed:
        if len(path) <= 1:
            raise
    _ok, parent = _get(doc.data, path[:-1])
    if isinstance(parent, dict):
        merged: Any = {**parent, path[-1]: value}
    elif isinstance(parent, list) and isinstance(path[-1], int):
        merged = [*parent[:path[-1]], value, *parent[path[-1] + 1:]]
    else:
        raise EditFailed(path)
    return _replace_up(doc, lines, path[:-1], merged)


def _trailing_comment(text: str) -> str:
    m = re.search(r"\s+#[^\"']*$", text)
    return m.group(0) if m else ""


def _load(text: str, display: str) -> Document:
    try:
        return load_text(text, display)
    except InputError as exc:
        raise EditFailed(str(exc)) from None
