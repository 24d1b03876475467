"""--rev reads someone else's commits: a crafted tree cannot write outside the snapshot, and
reading a revision runs nothing the repository configures (fsmonitor, hooks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mc2cli.cli.main import app

runner = CliRunner()
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    proc = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd,
                          env={**os.environ, **ENV}, input=data, capture_output=True,
                          check=True, timeout=60)
    return proc.stdout


def _entry(mode: bytes, name: bytes, oid: str) -> bytes:
    return mode + b" " + name + b"\0" + bytes.fromhex(oid)


def commit_crafted_library(repo: Path, evil: bytes) -> None:
    """Commit a tree whose `lib` folder holds, beside the real files, an entry named `evil`
    (git's porcelain cannot make one; the plumbing writes any bytes)."""
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "honest")
    lib = []
    for line in git(repo, "ls-tree", "HEAD", "lib/").decode().splitlines():
        meta, _, path = line.partition("\t")
        mode, _kind, oid = meta.split()
        lib.append((path.removeprefix("lib/").encode(), mode.encode(), oid))
    payload = git(repo, "hash-object", "-w", "--stdin", data=b"owned: true\n").decode().strip()
    lib.append((evil, b"100644", payload))
    lib.sort()
    tree = git(repo, "hash-object", "-w", "-t", "tree", "--literally", "--stdin",
               data=b"".join(_entry(m, n, o) for n, m, o in lib)).decode().strip()
    root = []
    for line in git(repo, "ls-tree", "HEAD").decode().splitlines():
        meta, _, path = line.partition("\t")
        mode, _kind, oid = meta.split()
        root.append((path.encode(), mode.encode(), tree if path == "lib" else oid))
    top = git(repo, "hash-object", "-w", "-t", "tree", "--literally", "--stdin",
              data=b"".join(_entry(m, n, o) for n, m, o in sorted(root))).decode().strip()
    commit = git(repo, "commit-tree", top, "-p", "HEAD", "-m", "crafted").decode().strip()
    git(repo, "update-ref", "refs/heads/crafted", commit)


@pytest.mark.parametrize("evil", [b"../../evil.yaml", b"../../../evil.yaml", b"../evil.yaml",
                                  b"sub/../../../evil.yaml", b"/tmp/evil.yaml",
                                  b"..\\..\\evil.yaml", b"evil\n.yaml"])
def test_a_crafted_tree_entry_writes_nothing_outside_the_snapshot(
        tiny: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch, evil: bytes) -> None:
    scratch = tmp_path_factory.mktemp("scratch") / "a" / "b"
    scratch.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # snapshots go here
    commit_crafted_library(tiny, evil)
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "crafted"])
    assert result.exit_code == 1, result.output
    assert "crafted:lib:1:1: error: the tree at 'crafted' holds an entry named" in result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    top = scratch.parents[1]
    assert not [p for p in top.rglob("*")
                if p.is_file() and b"owned" in p.read_bytes()], "a file was written"
    assert not [p for p in tiny.rglob("*evil*")]
    assert not list(scratch.iterdir()), "the snapshot folder was left behind"


def test_an_honest_revision_still_compares(tiny: Path) -> None:
    commit_crafted_library(tiny, b"zz-extra.txt")  # not a .yaml file: never copied
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "crafted"])
    assert result.exit_code == 0, result.output


def test_reading_a_revision_runs_no_fsmonitor_or_hook(tiny: Path) -> None:
    (tiny / ".gitignore").write_text("lib/\n", encoding="utf-8")  # so git ls-files runs too
    git(tiny, "init", "-q")
    git(tiny, "add", "-A")
    git(tiny, "commit", "-q", "-m", "first")
    canary = tiny.parent / "fsmonitor-ran"
    hooks = tiny / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch '{canary}-{hook}'\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
    git(tiny, "config", "core.fsmonitor", f"touch '{canary}'; false")
    git(tiny, "config", "diff.external", f"touch '{canary}-diff'")
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 0, result.output
    assert not list(tiny.parent.glob("fsmonitor-ran*")), "git ran a command the repo configured"
