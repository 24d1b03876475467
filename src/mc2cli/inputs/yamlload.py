"""Safe YAML: one document, scalars kept as written, every node located.

The document is built from the parser's event stream rather than PyYAML's
composer, so deep nesting and alias bombs are refused by counting instead of
recursing (see robustness.md), duplicate keys are refused, and no scalar is
turned into a boolean, number or date behind the user's back: plain scalars
stay strings, and pydantic coerces each one for the field it lands in.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mc2cli.errors import InputError, Problem

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

Loc = tuple[int, int]
PathKey = tuple[str | int, ...]

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment,unused-ignore]
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader

_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class Document:
    """A loaded YAML document and where each of its nodes stands."""

    path: str
    data: Any
    locs: dict[PathKey, Loc] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    text_starts: dict[PathKey, int] = field(default_factory=dict)
    # Comments that end a line holding YAML (not comment-only lines): line -> (column of
    # the '#', the comment's text after '#'). PyYAML drops comments; `# edit:` markers
    # (placeholders.py) are read from here.
    comments: dict[int, tuple[int, str]] = field(default_factory=dict)
    # The file's bytes (when loaded from bytes); after compact(), compressed.
    raw: bytes = b""
    compacted: bool = False

    def compact(self) -> None:
        """Keep only the file's bytes, compressed, and read the positions off them again when
        a message must be located. A library keeps its documents for located messages, and
        most runs locate none: the positions and parsed data of 10,000 clauses were ~100 MB,
        their compressed bytes a few."""
        if self.raw and not self.compacted:
            self.raw, self.compacted = zlib.compress(self.raw, 1), True
            self.data, self.comments, self.locs, self.text_starts = None, {}, {}, {}

    def _expand(self) -> None:
        if self.compacted and not self.locs:
            again = load_bytes(zlib.decompress(self.raw), self.path)
            self.locs, self.text_starts = again.locs, again.text_starts

    def loc(self, key: PathKey) -> Loc:
        """The location of a node, or of its nearest located ancestor."""
        self._expand()
        k = tuple(key)
        while k:
            if k in self.locs:
                return self.locs[k]
            k = k[:-1]
        return self.locs.get((), (1, 1))

    def problem(self, key: PathKey, message: str, hint: str = "", *,
                severity: str = "error", rule: str = "input", line_offset: int = 0) -> Problem:
        line, col = self.loc(key)  # (positions of a compacted document read again first)
        if line_offset:  # a 1-based line inside a text: its first line is text_starts
            line, col = self.text_starts.get(tuple(key), line) + line_offset - 1, 1
        return Problem(self.path, line, col, message, field=dotted(key), hint=hint,
                       severity=severity, rule=rule)  # type: ignore[arg-type]


def compact(docs: Iterable[Document]) -> None:
    """Compact documents kept for located messages (Document.compact)."""
    for doc in docs:
        doc.compact()


def dotted(key: PathKey) -> str:
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _fail(path: str, line: int, col: int, message: str, hint: str = "") -> InputError:
    return InputError([Problem(path, line, col, message, hint=hint, rule="yaml")])


def _decode(raw: bytes, path: str) -> str:
    if len(raw) > MAX_BYTES:
        raise _fail(path, 1, 1, f"file is {len(raw)} bytes; the limit is {MAX_BYTES} bytes",
                    "split it, or check that this is the file you meant")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(path, line, col, f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
                    "save the file as UTF-8") from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise _fail(path, line, col, "NUL byte in file", "this looks like a binary file")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise _fail(path, 1, 1, "file is empty", "see the README for what the file holds")
    return text


_STDIN: dict[str, bytes] = {}


def set_stdin(data: bytes) -> None:
    """What the path '-' reads: standard input, read once by the command line."""
    _STDIN["-"] = data


def read_limited(path: Path, display: str | None = None) -> bytes:
    """A file's bytes, reading no more than the size limit allows (a 3 GB file, or a link
    to /dev/zero, costs 5 MB and a message, not the machine's memory). Only a regular file
    is read: a FIFO, socket or device is refused without waiting for a writer. The path '-'
    is standard input, when the command line has read it."""
    if str(path) == "-" and "-" in _STDIN:
        raw = _STDIN["-"]
    else:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                if stat.S_ISDIR(os.fstat(fd).st_mode):
                    raise IsADirectoryError
                raise _fail(display or str(path), 1, 1, "is not a regular file (a pipe, "
                            "socket or device); name the YAML file itself")
            raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _fail(display or str(path), 1, 1, f"file is larger than the limit of "
                    f"{MAX_BYTES} bytes", "split it, or check that this is the file you meant")
    return raw


def load_path(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML file; every failure is an InputError with a location."""
    shown = display or str(path)
    try:
        raw = read_limited(path, shown)
    except FileNotFoundError:
        raise _fail(shown, 1, 1, "file not found") from None
    except IsADirectoryError:
        raise _fail(shown, 1, 1, "is a folder, not a file") from None
    except OSError as exc:
        raise _fail(shown, 1, 1, f"cannot read file: {exc.strerror}") from None
    return load_text(_decode(raw, shown), shown)


def load_bytes(raw: bytes, display: str) -> Document:
    doc = load_text(_decode(raw, display), display)
    doc.raw = raw
    return doc


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.doc = Document(path, None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def count(self, n: int, mark: Any) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            line, col = _mark(mark)
            raise _fail(self.path, line, col,
                        f"document expands to more than {MAX_NODES} nodes",
                        "aliases (*name) may not multiply the document; write it out")


def _mark(mark: Any) -> Loc:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def load_text(text: str, path: str) -> Document:
    """Parse YAML text into plain dicts, lists and strings, with locations."""
    b = _Builder(path)
    spans: list[tuple[int, int]] = []  # quoted and block scalars: a '#' inside is text
    # Each frame: [container, key-path, pending-key, anchor, start-count, is_map, skip-value]
    stack: list[list[Any]] = []
    docs = 0
    root: Any = None
    try:
        ev: Any
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, yaml.DocumentStartEvent):
                docs += 1
                if docs > 1:
                    line, col = _mark(ev.start_mark)
                    raise _fail(path, line, col, "a second YAML document ('---') in one file",
                                "keep one document per file")
                continue
            if isinstance(ev, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                container, key, _pending, anchor, start, _is_map, _skip = stack.pop()
                if anchor:
                    b.anchors[anchor] = (container, b.nodes - start)
                root = _place(b, stack, container, ev, root)
                continue
            if isinstance(ev, yaml.AliasEvent):
                if stack and stack[-1][5] and stack[-1][2] is None:
                    line, col = _mark(ev.start_mark)
                    raise _fail(path, line, col, f"an alias (*{ev.anchor}) used as a key",
                                "keys must be written out")
                if ev.anchor not in b.anchors:
                    line, col = _mark(ev.start_mark)
                    raise _fail(path, line, col, f"unknown alias *{ev.anchor}")
                value, size = b.anchors[ev.anchor]
                b.count(size, ev.start_mark)
                root = _place(b, stack, value, ev, root)
                continue
            if isinstance(ev, yaml.ScalarEvent):
                b.count(1, ev.start_mark)
                if ev.style and ev.start_mark and ev.end_mark:
                    spans.append((ev.start_mark.index, ev.end_mark.index))
                value = ev.value
                if not ev.style and ev.implicit[0] and value in _NULLS:
                    value = None
                if ev.anchor:
                    b.anchors[ev.anchor] = (value, 1)
                if stack and stack[-1][5] and stack[-1][2] is None:
                    # A mapping key.
                    frame = stack[-1]
                    keytext = "" if value is None else str(value)
                    if keytext in frame[0]:
                        # Reported, and the later value dropped, so that every other
                        # problem in the file is still found in the same run.
                        line, col = _mark(ev.start_mark)
                        first = b.doc.locs.get((*frame[1], keytext), (0, 0))[0]
                        b.doc.problems.append(Problem(
                            path, line, col, f"duplicate key '{keytext}' (first at line {first})",
                            field=dotted((*frame[1], keytext)),
                            hint="each key may appear once; YAML would silently keep the last",
                            rule="yaml"))
                        frame[6] = True
                    frame[2] = keytext
                    b.doc.locs[(*frame[1], keytext)] = _mark(ev.start_mark)
                    continue
                root = _place(b, stack, value, ev, root)
                if ev.style in ("|", ">"):
                    key = _child_key(stack)
                    if key is not None:
                        b.doc.text_starts[key] = _mark(ev.start_mark)[0] + 1
                elif isinstance(value, str):
                    key = _child_key(stack)
                    if key is not None:
                        b.doc.text_starts[key] = _mark(ev.start_mark)[0]
                continue
            if isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                b.count(1, ev.start_mark)
                if len(stack) >= MAX_DEPTH:
                    line, col = _mark(ev.start_mark)
                    raise _fail(path, line, col, f"nested deeper than {MAX_DEPTH} levels",
                                "flatten the structure")
                is_map = isinstance(ev, yaml.MappingStartEvent)
                if stack and stack[-1][5] and stack[-1][2] is None:
                    line, col = _mark(ev.start_mark)
                    raise _fail(path, line, col, "a mapping or list used as a key",
                                "keys must be plain names")
                parent_key = _next_key(stack)
                b.doc.locs.setdefault(parent_key, _mark(ev.start_mark))
                stack.append([{} if is_map else [], parent_key, None, ev.anchor,
                              b.nodes, is_map, False])
    except yaml.MarkedYAMLError as exc:
        line, col = _mark(exc.problem_mark)
        message = exc.problem or "invalid YAML"
        hint = ""
        at = exc.problem_mark.index if exc.problem_mark is not None else -1
        if "\t" in message or "tab" in message or text[at:at + 1] == "\t":
            hint = "indent with spaces, not tabs"
        raise _fail(path, line, col, f"invalid YAML: {message}", hint) from None
    except yaml.YAMLError as exc:
        raise _fail(path, 1, 1, f"invalid YAML: {exc}") from None
    if root is None:
        raise _fail(path, 1, 1, "file is empty", "see the README for what the file holds")
    b.doc.data = root
    if "#" in text:
        b.doc.comments = trailing_comments(text, spans)
    return b.doc


_HASH = re.compile(r"(?:^|(?<=\s))#")


def trailing_comments(text: str, spans: list[tuple[int, int]]) -> dict[int, tuple[int, str]]:
    """Comments after YAML on the same line. A comment starts at a '#' that begins the line
    or follows white space, outside quoted and block scalars (`spans`, as character
    offsets); a line with nothing before its comment is a comment line and is left out."""
    found: dict[int, tuple[int, str]] = {}
    starts = sorted(spans)
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if "#" in line and not line.lstrip().startswith("#"):  # a comment line holds no value
            for m in _HASH.finditer(line):
                at = offset + m.start()
                i = bisect.bisect_right(starts, (at, float("inf"))) - 1
                if i >= 0 and starts[i][0] <= at < starts[i][1]:
                    continue  # inside a quoted or block scalar
                if line[:m.start()].strip():
                    found[number] = (m.start() + 1, line[m.end():].strip())
                break
        offset += len(line)
    return found


def _next_key(stack: list[list[Any]]) -> PathKey:
    if not stack:
        return ()
    frame = stack[-1]
    if frame[5]:
        return (*frame[1], frame[2])
    return (*frame[1], len(frame[0]))


def _child_key(stack: list[list[Any]]) -> PathKey | None:
    """Key path of the scalar just placed into the top frame."""
    if not stack:
        return ()
    frame = stack[-1]
    if frame[5]:
        return (*frame[1], next(reversed(frame[0])))
    return (*frame[1], len(frame[0]) - 1)


def _place(b: _Builder, stack: list[list[Any]], value: Any, ev: Any, root: Any) -> Any:
    """Put a finished node (scalar, alias or container) into its parent; return the root."""
    if not stack:
        b.doc.locs.setdefault((), _mark(ev.start_mark))
        return value
    frame = stack[-1]
    key = _next_key(stack)
    b.doc.locs.setdefault(key, _mark(ev.start_mark))
    if frame[5]:
        if not frame[6]:
            frame[0][frame[2]] = value
        frame[2], frame[6] = None, False
    else:
        frame[0].append(value)
    return root
