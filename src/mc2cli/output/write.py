"""Publish a build's files atomically: the folder ends with all of them, or as it was.

One build at a time per folder: `publish` takes an exclusive lock (flock) on the output folder
itself, so a second build into the same folder waits for the first and then replaces its
files: builds serialize, and the later one's files win. After LOCK_WAIT seconds it gives up
with an OutputError (exit 3) naming the folder. Windows has no flock: there builds do not
serialize.

Holding the lock, a publish:

1. recovers: a journal left by a build killed while swapping is rolled forward (its staged
   files were complete and on disk before the journal was written), and staging left by a
   build that died before writing its journal is removed;
2. writes every file into a staging folder `.mc2-stage-<pid>` inside the output folder and
   syncs it to disk;
3. hard-links each old file into the staging folder's `old/` (a way back that moves nothing);
4. writes the journal `.mc2-journal` naming the files: the commit point;
5. renames each staged file over its final name (os.replace: atomic per file);
6. removes the journal and the staging folder.

An error raised in the process (a full disk, a failing rename, SIGTERM or Ctrl-C turned into
an exception) before step 4 leaves the old set; during step 5 the old files are put back
from `old/` and the new ones that had no old one are removed. A kill (SIGKILL, power loss)
after step 4 leaves the journal, and the next publish into the folder, or `recover`,
completes the new set before anything else; a kill before it leaves the old set and a staging
folder that the next publish removes. A name in the folder that is not a regular file (a
folder, a link, a FIFO) is refused before anything is written. A folder mc2 created is
removed again when it would be left empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from mc2cli.errors import OutputError

JOURNAL = ".mc2-journal"
STAGE_PREFIX = ".mc2-stage-"
LOCK_WAIT = 300.0

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def publish(out_dir: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write every file into `out_dir` as one step (see the module's docstring)."""
    for name in files:
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            raise OutputError(f"refusing to write '{name}' outside {out_dir}")
    _refuse_non_files(out_dir, files)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    try:
        with _locked(out_dir):
            _refuse_non_files(out_dir, files)  # again: the folder may have changed meanwhile
            recover(out_dir)
            _publish_locked(out_dir, files)
    except OSError as exc:
        _remove_if_empty(out_dir if created else None)
        raise OutputError(f"{out_dir}: cannot write output: {exc.strerror}") from None
    except BaseException:
        _remove_if_empty(out_dir if created else None)
        raise
    return {name: out_dir / name for name in sorted(files)}


def recover(out_dir: Path) -> None:
    """Finish what a killed publish left in `out_dir`: roll its journal forward, remove its
    staging. Call with the folder's lock held (publish does)."""
    journal = out_dir / JOURNAL
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        record = None
    except (OSError, ValueError):
        record = {}  # unreadable: written only partly, so never committed
    if isinstance(record, dict) and isinstance(record.get("stage"), str) \
            and isinstance(record.get("files"), list):
        stage = out_dir / Path(record["stage"]).name
        for name in record["files"]:
            if isinstance(name, str) and "/" not in name and (stage / name).is_file():
                os.replace(stage / name, out_dir / name)
        _sync_dir(out_dir)
    if record is not None:
        journal.unlink()
    for leftover in out_dir.iterdir():
        if leftover.name.startswith(STAGE_PREFIX) and leftover.is_dir() \
                and not leftover.is_symlink():
            shutil.rmtree(leftover)


def _publish_locked(out_dir: Path, files: dict[str, bytes]) -> None:
    stage = out_dir / f"{STAGE_PREFIX}{os.getpid()}"
    committed = False
    try:
        stage.mkdir()
        (stage / "old").mkdir()
        for name, data in sorted(files.items()):
            _write_synced(stage / name, data)
        had_old = set()
        for name in sorted(files):
            if (out_dir / name).is_file():
                os.link(out_dir / name, stage / "old" / name)
                had_old.add(name)
        _write_synced(stage / JOURNAL, json.dumps(
            {"stage": stage.name, "files": sorted(files)}).encode("utf-8"))
        _sync_dir(stage)
        os.replace(stage / JOURNAL, out_dir / JOURNAL)
        committed = True
        try:
            _sync_dir(out_dir)
            for name in sorted(files):
                os.replace(stage / name, out_dir / name)
        except BaseException:
            _roll_back(out_dir, stage, sorted(files), had_old)
            raise
        with contextlib.suppress(OSError):  # the new set is in; syncing is a courtesy now
            _sync_dir(out_dir)
    finally:
        if committed:
            with contextlib.suppress(OSError):
                (out_dir / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)


def _roll_back(out_dir: Path, stage: Path, names: list[str], had_old: set[str]) -> None:
    """Put the old set back after a swap failed part-way, then drop the journal (which
    would otherwise roll the new set forward)."""
    for name in names:
        with contextlib.suppress(OSError):
            if name in had_old:
                os.replace(stage / "old" / name, out_dir / name)
            elif not (stage / name).exists():  # it was moved in: take it out again
                (out_dir / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (out_dir / JOURNAL).unlink(missing_ok=True)


def _refuse_non_files(out_dir: Path, files: dict[str, bytes]) -> None:
    for name in sorted(files):
        try:
            mode = os.lstat(out_dir / name).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(f"{out_dir / name}: cannot inspect it: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a symbolic link"
                    if stat.S_ISLNK(mode) else "not a regular file")
            raise OutputError(f"{out_dir / name} is {kind}; mc2 replaces only files it wrote, "
                              "so nothing was written: move it away or choose another "
                              "folder with -o")


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o644)  # whatever the umask: outputs are ordinary files


def _sync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """An exclusive lock on the folder for the publish; waits up to LOCK_WAIT seconds."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(f"{out_dir}: another mc2 build has been writing to "
                                      f"this folder for over {LOCK_WAIT:g} s; nothing was "
                                      "written") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remove_if_empty(created: Path | None) -> None:
    if created is not None:
        with contextlib.suppress(OSError):
            created.rmdir()  # only if empty: a folder mc2 made and left nothing in
