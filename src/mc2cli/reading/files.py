"""Reading another party's file: never more than a limit, every failure a located error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mc2cli.errors import InputError


def read_bounded(path: Path, shown: str, limit: int,
                 fail: Callable[[str, str], InputError]) -> bytes:
    """Up to `limit` + 1 bytes of the file (so the caller can tell it is too large);
    `fail(shown, message)` for a missing file, a folder or a read error."""
    try:
        with path.open("rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise fail(shown, "file not found") from None
    except IsADirectoryError:
        raise fail(shown, "is a folder, not a file") from None
    except OSError as exc:
        raise fail(shown, f"cannot read file: {exc.strerror}") from None
