from __future__ import annotations

import os
from pathlib import Path

import pytest

from mc2cli.errors import OutputError
from mc2cli.write import publish


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
