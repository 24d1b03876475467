"""Publish a build's files atomically: all of them appear, or the folder stays as it was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError


def publish(out_dir: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write every file beside its final name, then rename them all into place."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in sorted(files.items()):
            if "/" in name or "\\" in name or name.startswith("."):
                raise OutputError(f"refusing to write '{name}' outside {out_dir}")
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            staged.append((Path(tmp_name), out_dir / name))
            os.fchmod(fd, 0o644)  # mkstemp makes 0600; outputs are ordinary files
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        _cleanup(staged)
        raise OutputError(f"{out_dir}: cannot write output: {exc.strerror}") from None
    except BaseException:
        _cleanup(staged)
        raise
    return {name: out_dir / name for name in sorted(files)}


def _cleanup(staged: list[tuple[Path, Path]]) -> None:
    for tmp, _final in staged:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
