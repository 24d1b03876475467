"""The compiled-library cache: a merged, validated library and its lint result, kept on disk.

Reading, merging and validating the built-in library and linting it (rendering every text in
every position) cost most of a `mc2 check`; the result only changes when a layer's files or
mc2 itself change. (Beside the library, the lint entry keeps what rendering learned of each
text: its analysis and compiled code; the master template's code has an entry of its own.)
Entries are keyed by a hash of both: every layer's folder, the way it is
shown (messages name files relative to the working folder) and the content hash of its files;
mc2's version and a fingerprint of its own source files (an edited checkout never reads an
entry an older build wrote); and the Python and pydantic versions (pickles depend on them).

The folder is the user's cache folder (`$XDG_CACHE_HOME/mc2`, `~/Library/Caches/mc2`,
`%LOCALAPPDATA%\\mc2\\Cache`), or `MC2_CACHE_DIR`; `MC2_NO_CACHE=1` turns the cache off.
Entries are pickles, so the folder must be the user's own and closed to others (mc2 creates
it with mode 0700); a folder that is not, or cannot be made, is not used at all. A writer
writes a temporary file beside the entry and renames it over the entry: readers and other
writers see a whole entry or none. An entry that cannot be read or unpickled is ignored (and
removed) and rebuilt; any failure to write leaves mc2 working without the cache.

Record files (`store_records`) keep many small values, each read only when asked for: an
index (a pickle) and then the records, so that a library of 10,000 clauses need not hold the
compiled code of all its texts in memory to use the few it renders.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from mc2cli import __version__

DIR_ENV = "MC2_CACHE_DIR"
OFF_ENV = "MC2_NO_CACHE"
MAX_ENTRIES = 64  # beyond this the oldest entries are removed when one is written
_SUFFIX = ".pickle"
_RECORDS = ".records"


def cache_dir() -> Path | None:
    """The cache folder, or None when MC2_NO_CACHE is set."""
    if os.environ.get(OFF_ENV, "").strip() not in ("", "0"):
        return None
    given = os.environ.get(DIR_ENV, "").strip()
    if given:
        return Path(given)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "mc2" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "mc2"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else home / ".cache") / "mc2"


@cache
def _fingerprint() -> str:
    """mc2's version and its own source files (name, size, time); Python's, pydantic's and
    Jinja's (entries hold their objects and compiled code)."""
    import jinja2
    import pydantic

    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0{pydantic.VERSION}\0"
                            f"{jinja2.__version__}".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            st = path.stat()
            digest.update(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\0"
                          .encode())
    return digest.hexdigest()


def key(kind: str, *parts: str) -> str:
    """An entry's name: `kind`, then a hash of the parts and of mc2 itself."""
    digest = hashlib.sha256(_fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return f"{kind}-{digest.hexdigest()[:40]}"


def _private(st: os.stat_result) -> bool:
    """Owned by this user and closed to group and others (on Windows: the profile's ACLs)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def _folder(create: bool) -> Path | None:
    """The cache folder when it is private to this user (created so when `create`)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if create and not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return None
    return folder if stat.S_ISDIR(st.st_mode) and _private(st) else None


def _open(name: str, suffix: str) -> tuple[Path, Any] | None:
    """The entry's path and an open binary file, when the entry is there, regular and private."""
    folder = _folder(create=False)
    if folder is None:
        return None
    path = folder / f"{name}{suffix}"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    fh = os.fdopen(fd, "rb")
    try:
        st = os.fstat(fh.fileno())
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode) or not _private(st):
        fh.close()
        return None
    return path, fh


def load(name: str) -> Any | None:
    """The entry `name`, or None: no cache, no entry, or one that is not sound (removed)."""
    def whole(fh: Any) -> Any:
        with fh:
            return pickle.load(fh)
    return _read(name, _SUFFIX, whole)


def _read(name: str, suffix: str, read: Callable[[Any], tuple[str, Any]]) -> Any | None:
    """What `read` makes of the entry's open file, when the entry is sound: one that cannot
    be read, is corrupt or was stored under another name is removed (and rebuilt)."""
    opened = _open(name, suffix)
    if opened is None:
        return None
    path, fh = opened
    try:
        stored_name, value = read(fh)
        if stored_name != name:
            raise ValueError("entry under another name")
        return value
    except Exception:  # a truncated, corrupt or foreign entry: drop it and rebuild
        fh.close()
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def store(name: str, value: Any) -> bool:
    """Write the entry `name` (whole, by renaming a temporary file); False if it could not be."""
    return _write(name, _SUFFIX, lambda fh: pickle.dump((name, value), fh,
                                                        protocol=pickle.HIGHEST_PROTOCOL))


class Records:
    """An open record file: `get` reads one record, checked against its CRC, or gives None."""

    def __init__(self, fh: Any, base: int, index: dict[bytes, tuple[int, int, int]]) -> None:
        self._fh = fh
        self._base = base
        self.index = index

    def __len__(self) -> int:
        return len(self.index)

    def get(self, key: bytes) -> bytes | None:
        where = self.index.get(key)
        if where is None:
            return None
        offset, size, crc = where
        try:
            self._fh.seek(self._base + offset)
            data: bytes = self._fh.read(size)
        except (OSError, ValueError):
            return None
        return data if len(data) == size and zlib.crc32(data) == crc else None


def store_records(name: str, records: Iterable[tuple[bytes, bytes]]) -> bool:
    """Write a record file: where its index starts (8 bytes), each record as it comes, then
    the index (key -> offset, size, CRC). Records are written as they are made, so a large
    library's are never all in memory at once."""
    def write(fh: Any) -> None:
        index: dict[bytes, tuple[int, int, int]] = {}
        fh.write(bytes(8))
        offset = 0
        for k, data in records:
            if k not in index:
                index[k] = (offset, len(data), zlib.crc32(data))
                fh.write(data)
                offset += len(data)
        pickle.dump((name, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.seek(0)
        fh.write((8 + offset).to_bytes(8, "little"))
    return _write(name, _RECORDS, write)


def load_records(name: str) -> Records | None:
    """The record file `name` (kept open), or None: missing, not private, or not sound."""
    def index(fh: Any) -> tuple[str, Records]:
        fh.seek(int.from_bytes(fh.read(8), "little"))
        stored_name, found = pickle.load(fh)
        if not isinstance(found, dict):
            raise ValueError("not an index")
        return stored_name, Records(fh, 8, found)
    found: Records | None = _read(name, _RECORDS, index)
    return found


def _write(name: str, suffix: str, write: Any) -> bool:
    folder = _folder(create=True)
    if folder is None:
        return False
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, folder / f"{name}{suffix}")
    except Exception:  # read-only, full, or a value that does not pickle: run without
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    _prune(folder)
    return True


def _prune(folder: Path) -> None:
    """Keep the newest MAX_ENTRIES entries; drop what writers that died left behind."""
    with contextlib.suppress(OSError):
        entries = []
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                mtime = entry.stat().st_mtime_ns
                if entry.name.endswith((_SUFFIX, _RECORDS)):
                    entries.append((mtime, entry.path))
                elif entry.name.endswith(".tmp") and mtime < time.time_ns() - 3600 * 10**9:
                    os.unlink(entry.path)
        for _mtime, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):
                os.unlink(path)
