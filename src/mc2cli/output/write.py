"""Publish a build's files atomically: all of them appear, or the folder stays as it was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mc2cli.errors import OutputError


def publish(out_dir: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write every file beside its final name, then rename them all into place.

    Should a rename fail part-way, the files already replaced are put back, so the folder
    holds either the whole new build or the whole old one.
    """
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in sorted(files.items()):
            if "/" in name or "\\" in name or name.startswith("."):
                raise OutputError(f"refusing to write '{name}' outside {out_dir}")
            staged.append((_stage(out_dir, name, data), out_dir / name))
        _swap_in(staged)
    except OSError as exc:
        _cleanup(staged, out_dir if created else None)
        raise OutputError(f"{out_dir}: cannot write output: {exc.strerror}") from None
    except BaseException:
        _cleanup(staged, out_dir if created else None)
        raise
    return {name: out_dir / name for name in sorted(files)}


def _stage(out_dir: Path, name: str, data: bytes) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.fchmod(fd, 0o644)  # mkstemp makes 0600; outputs are ordinary files
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(tmp_name)


def _swap_in(staged: list[tuple[Path, Path]]) -> None:
    """Rename each staged file over its final name, keeping the old one until all are in."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, final in staged:
            backup = None
            if final.exists():
                backup = final.with_name(f".{final.name}.{os.getpid()}.old")
                os.replace(final, backup)
            done.append((final, backup))
            os.replace(tmp, final)
    except OSError:
        for final, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, final)
                elif final.exists():
                    final.unlink()
        raise
    for _final, backup in done:
        if backup is not None:
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()


def _cleanup(staged: list[tuple[Path, Path]], created: Path | None) -> None:
    for tmp, _final in staged:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    if created is not None:
        with contextlib.suppress(OSError):
            created.rmdir()  # only if empty: a folder mc2 made and left nothing in
