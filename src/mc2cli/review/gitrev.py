"""A deal and its library as committed at a git revision, copied into a temporary folder.

git runs as a subprocess, never through a shell, under a timeout, read-only, and without the
variables that would point it at another repository (a hook sets GIT_DIR, for one). The deal
file is taken from the revision; so is every library folder of the deal that lies inside the
same repository and that git tracks. The built-in library, folders outside the repository
and folders git does not track are used as they are now. Only what the library loader reads
is copied: the `*.yaml` files directly in each library folder.

A fetched branch is someone else's data: every tree entry's path is checked before anything
is written (a plain name directly in the library folder, nothing that climbs out, no
backslash or control character, the target resolved inside the snapshot folder), files are
created exclusively and never through a symlink, and git runs with the repository's hooks,
fsmonitor command, external diff and textconv turned off so that reading a revision runs
nothing the repository configures.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mc2cli.errors import InputError, Mc2Error, Problem, UsageError
from mc2cli.inputs.layers import resolve_layers
from mc2cli.inputs.yamlload import MAX_BYTES
from mc2cli.paths import builtin_library_dir
from mc2cli.pipeline import load_deal

GIT_TIMEOUT = 60.0
_REPOSITORY_VARIABLES = frozenset({
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX"})
_FILE_MODES = ("100644", "100755")
# Settings that would make a read-only git command run a program the repository names.
_SAFE_CONFIG = ("-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null",
                "-c", "diff.external=", "-c", "core.pager=cat", "-c", "core.untrackedCache=false",
                "-c", "protocol.allow=never")
_UNSAFE_NAME = re.compile(r"[\\\x00-\x1f\x7f]")


class GitError(Mc2Error):
    """git failed, timed out or could not start (exit 3, like any helper program)."""

    exit_code = 3


@dataclass
class Snapshot:
    """The deal at a revision: its copy, its label (`REV:path`) and the layers to load it with."""

    deal: Path
    label: str
    library: list[Path] | None
    folder: Path
    rev: str

    def relabel(self, problems: list[Problem]) -> list[Problem]:
        """Problems found in the temporary copies, located as `REV:path` instead."""
        out = []
        for p in problems:
            where = Path(p.path) if os.path.isabs(p.path) else Path.cwd() / p.path
            try:
                inside = where.resolve().relative_to(self.folder).as_posix()
            except ValueError:
                out.append(p)
                continue
            out.append(dataclasses.replace(p, path=f"{self.rev}:{inside}"))
        return out


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str
    oid: str
    size: int
    path: str


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env.pop("GIT_EXTERNAL_DIFF", None)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_NO_REPLACE_OBJECTS": "1"})
    return env


def _git(cwd: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise UsageError("--rev needs git, and there is no git on PATH")
    try:
        return subprocess.run([git, *_SAFE_CONFIG, *args], cwd=cwd, input=data, capture_output=True,
                              timeout=GIT_TIMEOUT, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out after {GIT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise GitError(f"git could not start: {exc.strerror}") from None


def _checked(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    proc = _git(cwd, *args, data=data)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {lines[-1] if lines else 'no message'}")
    return proc.stdout


def repo_root(folder: Path) -> Path:
    """The top folder of the git repository holding `folder`; UsageError if there is none."""
    proc = _git(folder, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise UsageError(f"{folder}: not inside a git repository, so --rev has nothing to "
                         "compare with; name two deal files instead")
    return Path(os.fsdecode(proc.stdout.strip())).resolve()


def resolve_commit(root: Path, rev: str) -> str:
    """The commit id that `rev` names; UsageError if it names none."""
    if not rev.strip() or rev.startswith("-"):
        raise UsageError(f"'{rev}' is not a git revision")
    proc = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if proc.returncode != 0:
        raise _unknown_revision(root, rev)
    return proc.stdout.decode("ascii").strip()


_HISTORY_COUNTED = 1000


def _unknown_revision(root: Path, rev: str) -> UsageError:
    """Why `rev` names no commit, with what there is to compare with; the hint names only
    revisions that exist (never `rev` itself, nor a guess like HEAD~1)."""
    proc = _git(root, "rev-list", "--count", f"--max-count={_HISTORY_COUNTED}", "HEAD", "--")
    count = proc.stdout.decode("ascii", "replace").strip()
    if proc.returncode != 0 or not count.isdigit():
        return UsageError(f"unknown revision '{rev}' in {root}: the repository has no commits "
                          "yet, so there is nothing to compare with; commit the deal first")
    n = int(count)
    history = (f"{_HISTORY_COUNTED} or more commits" if n >= _HISTORY_COUNTED
               else f"{n} commit{'s' if n != 1 else ''}")
    head = ", such as HEAD (the last commit)" if rev.strip() != "HEAD" else ""
    return UsageError(f"unknown revision '{rev}' in {root} (HEAD has {history}); give a "
                      f"commit, branch or tag that exists{head}; 'git log --oneline' lists "
                      "the commits")


def _ls_tree(root: Path, commit: str, path: str) -> list[_Entry]:
    out = []
    raw = _checked(root, "ls-tree", "-l", "-z", "--full-tree", commit,
                   *(["--", path] if path else []))
    for item in raw.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, oid, size = meta.decode("ascii").split()
        out.append(_Entry(mode, kind, oid, int(size) if size.isdigit() else 0,
                          os.fsdecode(name)))
    return out


def _blobs(root: Path, oids: list[str]) -> list[bytes]:
    """The contents of each blob, with one `git cat-file --batch`."""
    data = _checked(root, "cat-file", "--batch", data="".join(f"{o}\n" for o in oids).encode())
    out: list[bytes] = []
    pos = 0
    for oid in oids:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if len(header) != 3:
            raise GitError(f"git cat-file could not read object {oid}")
        start = end + 1
        out.append(data[start:start + int(header[2])])
        pos = start + int(header[2]) + 1
    return out


def _too_big(label: str) -> InputError:
    return InputError([Problem(label, 1, 1, f"file is larger than {MAX_BYTES // 2**20} MB",
                               rule="size")])


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _checked_target(snap: Snapshot, folder: str, entry: _Entry) -> Path:
    """Where a library file of the revision goes in the snapshot; InputError if its tree
    entry is not a plain file name directly inside `folder` (a crafted tree can hold
    `../../x.yaml`, an absolute path, a backslash or a control character)."""
    prefix = f"{folder}/" if folder != "." else ""
    name = entry.path[len(prefix):] if entry.path.startswith(prefix) else ""
    target = snap.folder / entry.path
    safe = (name not in ("", ".", "..") and "/" not in name and not _UNSAFE_NAME.search(name)
            and not PurePosixPath(entry.path).is_absolute()
            and ".." not in PurePosixPath(entry.path).parts
            and target.resolve().parent == (snap.folder / folder).resolve()
            and target.resolve().is_relative_to(snap.folder))
    if not safe:
        raise InputError([Problem(f"{snap.rev}:{folder}", 1, 1,
                                  f"the tree at '{snap.rev}' holds an entry named "
                                  f"{entry.path!r}, which is not a plain file name inside "
                                  f"{folder}; nothing was written",
                                  hint="a crafted commit can try to write outside the "
                                  "snapshot folder; inspect it with 'git ls-tree'",
                                  rule="git-tree")])
    return target


def _deal_at(root: Path, commit: str, rel: str, rev: str) -> bytes:
    found = [e for e in _ls_tree(root, commit, rel) if e.path == rel]
    if not found:
        raise UsageError(f"{rel} does not exist at revision '{rev}'")
    if found[0].kind != "blob":
        raise UsageError(f"{rel} is not a file at revision '{rev}'")
    if found[0].size > MAX_BYTES:
        raise _too_big(f"{rev}:{rel}")
    return _blobs(root, [found[0].oid])[0]


def _tracked(root: Path, rel: str) -> bool:
    return bool(_checked(root, "ls-files", "-z", "--", rel))


def _layer_at(root: Path, commit: str, layer: Path, snap: Snapshot) -> Path:
    """The library folder as committed, if it lies in the repository; else the folder itself
    (so too a folder that git does not track: it has no history to go back to)."""
    real = layer.resolve()
    if real == builtin_library_dir() or not real.is_relative_to(root):
        return layer
    rel = real.relative_to(root).as_posix()
    entries = [e for e in _ls_tree(root, commit, f"{rel}/" if rel != "." else "")
               if e.kind == "blob" and e.mode in _FILE_MODES and e.path.endswith(".yaml")]
    if not entries and not _tracked(root, rel):
        return layer
    target = snap.folder / rel
    targets = [_checked_target(snap, rel, entry) for entry in entries]
    for entry in entries:
        if entry.size > MAX_BYTES:
            raise _too_big(f"{snap.rev}:{entry.path}")
    for path, data in zip(targets, _blobs(root, [e.oid for e in entries]), strict=True):
        if not path.exists():  # already written: the deal itself, or a layer named twice
            _write(path, data)
    return target


def _deal_layers(snap: Snapshot, deal: Path) -> list[Path]:
    """The old deal's `library:` folders, resolved from where the deal lives now."""
    try:
        old, _doc = load_deal(snap.deal)
    except InputError as exc:
        raise InputError(snap.relabel(exc.problems)) from None
    return resolve_layers(old.library, deal.resolve().parent)


@contextmanager
def snapshot(deal: Path, rev: str, library: list[Path] | None = None) -> Iterator[Snapshot]:
    """Copy the deal, and its library folders inside the repository, as committed at `rev`.

    `library` overrides the deal's `library:` as -L does; its folders inside the repository
    are taken at `rev` too. The copies are deleted on leaving the block.
    """
    root = repo_root(deal.resolve().parent)
    commit = resolve_commit(root, rev)
    real = deal.resolve()
    if not real.is_relative_to(root):
        raise UsageError(f"{deal} lies outside its git repository {root}")
    rel = real.relative_to(root).as_posix()
    with tempfile.TemporaryDirectory(prefix="mc2-rev-") as tmp:
        folder = Path(tmp).resolve()
        snap = Snapshot(folder / rel, f"{rev}:{rel}", None, folder, rev)
        _write(snap.deal, _deal_at(root, commit, rel, rev))
        layers = library or _deal_layers(snap, deal)
        snap.library = [_layer_at(root, commit, layer, snap) for layer in layers]
        yield snap
