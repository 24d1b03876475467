"""Where a bug's traceback goes: a log file, never the user's terminal."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback

from mc2cli import __version__


def crash_log() -> str:
    """Write the current traceback to a temporary log file; return its path."""
    fd, log = tempfile.mkstemp(prefix="mc2-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"mc2 {__version__}\nargv: {sys.argv!r}\n\n{traceback.format_exc()}")
    return log


def interrupted(exc: BaseException) -> bool:
    """Whether `exc` arose while unwinding from Ctrl-C or SIGTERM (CPython can turn an
    interrupt landing inside a lock or thread start into a RuntimeError): not a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
