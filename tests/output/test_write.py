from __future__ import annotations

import os
from pathlib import Path

import pytest

from mc2cli.errors import OutputError
from mc2cli.output.write import publish


def test_publish_writes_all_files(tmp_path: Path) -> None:
    written = publish(tmp_path / "o", {"a.md": b"a", "b.md": b"b"})
    assert sorted(p.name for p in written.values()) == ["a.md", "b.md"]
    assert (tmp_path / "o" / "a.md").read_bytes() == b"a"
    assert oct((tmp_path / "o" / "a.md").stat().st_mode & 0o777) == "0o644"


def test_failed_publish_leaves_folder_as_it_was(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    publish(out, {"a.md": b"old", "b.md": b"old"})
    real = os.replace
    calls = []

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OutputError, match="No space left"):
        publish(out, {"a.md": b"new", "b.md": b"new"})
    monkeypatch.setattr(os, "replace", real)
    assert sorted(os.listdir(out)) == ["a.md", "b.md"]
    assert (out / "a.md").read_bytes() == b"old"


def test_names_outside_the_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="refusing"):
        publish(tmp_path, {"../x": b"x"})


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            publish(tmp_path / "o", {"a.md": b"a"})
    finally:
        tmp_path.chmod(0o700)


def test_a_rename_failing_part_way_puts_the_old_files_back(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    out = tmp_path / "o"
    publish(out, {"a.md": b"old-a", "b.md": b"old-b", "c.md": b"old-c"})
    real = os.replace
    calls = {"n": 0}

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # a.md is in; b.md's new file fails to move
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OutputError, match="Input/output error"):
        publish(out, {"a.md": b"new-a", "b.md": b"new-b", "c.md": b"new-c"})
    monkeypatch.setattr(os, "replace", real)
    assert sorted(os.listdir(out)) == ["a.md", "b.md", "c.md"]
    assert [(out / n).read_bytes() for n in ("a.md", "b.md", "c.md")] == [
        b"old-a", b"old-b", b"old-c"]


def test_a_folder_mc2_created_is_removed_when_nothing_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OutputError):
        publish(tmp_path / "new", {"a.md": b"a"})
    assert not (tmp_path / "new").exists()
