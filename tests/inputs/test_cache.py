"""The compiled-library cache: hits, misses on any change, and every way it can fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from mc2cli.assembly import lint, render
from mc2cli.inputs import cache, layers
from mc2cli.inputs.layers import load_library
from mc2cli.pipeline import check

HOUSE = {"house/01-patching.yaml": """\
    principle: patching
    clauses:
      - id: patching.timeline
        notes: The house's own note.
    """}


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty private cache folder of this test's own, and no library held in memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.DIR_ENV, str(folder))
    monkeypatch.setattr(layers, "_CACHE", {})
    monkeypatch.setattr(lint, "_LINT_CACHE", {})
    monkeypatch.setattr(lint, "_ERRORS", {})
    return folder


class Counter:
    """Wraps merge and _lint to count the real work done."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.merges = self.lints = 0
        merge, run_lint = layers.merge, lint._lint

        def counted_merge(*args: object) -> object:
            self.merges += 1
            return merge(*args)  # type: ignore[arg-type]

        def counted_lint(*args: object) -> object:
            self.lints += 1
            return run_lint(*args)  # type: ignore[arg-type]
        monkeypatch.setattr(layers, "merge", counted_merge)
        monkeypatch.setattr(lint, "_lint", counted_lint)


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new process would start with: nothing in memory."""
    monkeypatch.setattr(layers, "_CACHE", {})
    monkeypatch.setattr(lint, "_LINT_CACHE", {})
    monkeypatch.setattr(lint, "_ERRORS", {})
    render.forget()


def test_a_check_on_an_unchanged_library_reads_it_and_its_lint_from_disk(
        tiny: Path, fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = Counter(monkeypatch)
    first = check(tiny / "deal.yaml")
    assert (work.merges, work.lints) == (1, 1)
    assert sorted(p.name.split("-")[0] for p in fresh.iterdir()) == ["errors", "library", "lint",
                                                                     "texts"]
    _forget(monkeypatch)
    second = check(tiny / "deal.yaml")
    assert (work.merges, work.lints) == (1, 1)  # no merge, no lint work
    assert second.problems == first.problems
    assert second.contract is not None and first.contract is not None
    assert [c.text for c in second.contract.clauses] == [c.text for c in first.contract.clauses]


@pytest.mark.parametrize("changed", ["lib/01-patching.yaml", "lib/framework.yaml",
                                     "house/01-patching.yaml"])
def test_a_change_to_any_layers_file_is_a_miss(tiny: Path, fresh: Path, changed: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tiny, HOUSE)
    folders = [tiny / "house", tiny / "lib"]
    work = Counter(monkeypatch)
    lint.lint_library(load_library(folders))
    _forget(monkeypatch)
    lint.lint_library(load_library(folders))
    assert (work.merges, work.lints) == (1, 1)
    path = tiny / changed
    path.write_text(path.read_text() + "# changed\n")
    _forget(monkeypatch)
    lint.lint_library(load_library(folders))
    assert (work.merges, work.lints) == (2, 2)


def test_a_file_removed_from_a_layer_is_a_miss(tiny: Path, fresh: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    work = Counter(monkeypatch)
    load_library([tiny / "lib"])
    (tiny / "lib" / "definitions.yaml").unlink()
    _forget(monkeypatch)
    assert load_library([tiny / "lib"]).definitions == {}
    assert work.merges == 2


def test_a_corrupt_entry_is_ignored_and_rebuilt(tiny: Path, fresh: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    work = Counter(monkeypatch)
    expected = lint.lint_library(load_library([tiny / "lib"]))
    for entry in fresh.iterdir():
        entry.write_bytes(entry.read_bytes()[:40])  # truncated, as by a full disk
    _forget(monkeypatch)
    assert lint.lint_library(load_library([tiny / "lib"])) == expected
    assert (work.merges, work.lints) == (2, 2)
    _forget(monkeypatch)  # rebuilt entries are sound again
    assert lint.lint_library(load_library([tiny / "lib"])) == expected
    assert (work.merges, work.lints) == (2, 2)


def test_an_entry_under_another_name_is_not_used(fresh: Path) -> None:
    assert cache.store("library-a", "A")
    (fresh / "library-a.pickle").rename(fresh / "library-b.pickle")
    assert cache.load("library-b") is None
    assert cache.load("library-a") is None


def test_an_unwritable_cache_folder_leaves_mc2_working(tiny: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.DIR_ENV, str(blocker / "cache"))
    _forget(monkeypatch)
    assert not cache.store("x", 1)
    assert check(tiny / "deal.yaml").contract is not None


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0,
                    reason="root writes into read-only folders")
def test_a_read_only_cache_folder_leaves_mc2_working(tiny: Path, fresh: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fresh.mkdir(mode=0o500)
    try:
        assert not cache.store("x", 1)
        assert check(tiny / "deal.yaml").contract is not None
        assert list(fresh.iterdir()) == []
    finally:
        fresh.chmod(0o700)


def test_a_failing_write_leaves_no_file_and_mc2_working(tiny: Path, fresh: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(13, "Read-only file system")
    monkeypatch.setattr(os, "replace", refuse)
    assert check(tiny / "deal.yaml").contract is not None
    assert list(fresh.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_open_to_others_is_not_used(fresh: Path) -> None:
    fresh.mkdir(mode=0o700)
    fresh.chmod(0o755)
    assert not cache.store("x", 1)
    assert list(fresh.iterdir()) == []
    fresh.chmod(0o700)
    assert cache.store("x", 1)
    (fresh / "x.pickle").chmod(0o666)  # an entry others could have written
    assert cache.load("x") is None


def test_a_new_folder_is_private(fresh: Path) -> None:
    assert cache.store("x", [1, 2])
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert cache.load("x") == [1, 2]


def test_mc2_no_cache_turns_it_off(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.OFF_ENV, "1")
    assert not cache.store("x", 1)
    assert not fresh.exists()


def test_the_user_cache_folder_by_platform(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.delenv(cache.DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    assert cache.cache_dir() == tmp_path / "mc2"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache.cache_dir() == Path.home() / ".cache" / "mc2"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache.cache_dir() == Path.home() / "Library" / "Caches" / "mc2"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "mc2" / "Cache"


def test_old_entries_are_pruned(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for i in range(6):
        assert cache.store(f"e{i}", i)
        os.utime(fresh / f"e{i}.pickle", ns=(i * 10**9, i * 10**9))
    assert sorted(p.name for p in fresh.iterdir()) == ["e3.pickle", "e4.pickle", "e5.pickle"]


_WRITER = """
import sys
from mc2cli.inputs import cache
value = {"payload": [sys.argv[1]] * 200_000}
for _ in range(15):
    assert cache.store("shared", value)
    got = cache.load("shared")
    assert got is not None and len(got["payload"]) == 200_000, "a torn entry was read"
"""


def test_two_processes_writing_at_once(fresh: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, name], stderr=subprocess.PIPE,
                              text=True, env={**os.environ, cache.DIR_ENV: str(fresh)})
             for name in ("one", "two")]
    for proc in procs:
        _out, errors = proc.communicate(timeout=300)
        assert proc.returncode == 0, errors
    final = cache.load("shared")
    assert final is not None and set(final["payload"]) in ({"one"}, {"two"})
    assert [p.name for p in fresh.iterdir()] == ["shared.pickle"]  # no temporary file left


def test_a_cached_librarys_texts_are_neither_parsed_nor_compiled_again(
        tiny: Path, fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = check(tiny / "deal.yaml")
    _forget(monkeypatch)
    render.forget()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached text was parsed or compiled again")
    monkeypatch.setattr(render.ENV, "parse", refuse)
    monkeypatch.setattr(render.ENV, "compile", refuse)
    second = check(tiny / "deal.yaml")
    assert second.contract is not None and first.contract is not None
    assert [c.text for c in second.contract.clauses] == [c.text for c in first.contract.clauses]


def test_a_record_file_reads_each_record_alone_and_refuses_a_damaged_one(fresh: Path) -> None:
    records = {b"a": b"first", b"b": b"second" * 100, b"c": b""}
    assert cache.store_records("texts-x", records.items())
    got = cache.load_records("texts-x")
    assert got is not None and len(got) == 3
    assert {k: got.get(k) for k in records} == records
    assert got.get(b"missing") is None
    path = fresh / "texts-x.records"
    data = bytearray(path.read_bytes())
    data[8 + len(b"first")] ^= 0xFF  # one flipped byte in the second record
    path.write_bytes(bytes(data))
    damaged = cache.load_records("texts-x")
    assert damaged is not None
    assert damaged.get(b"a") == b"first" and damaged.get(b"b") is None
    path.write_bytes(bytes(data[:12]))  # a truncated index: ignored and removed
    assert cache.load_records("texts-x") is None
    assert not path.exists()


def test_the_cache_records_every_sound_text_with_its_code(
        tiny: Path, fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However many texts a library has (there was a bound of 4,096), a cached check finds
    every one of them compiled: it compiles nothing."""
    lib = load_library([tiny / "lib"])
    lint.lint_library(lib)
    stored = cache.load_records(f"texts-{lib.cache_key}")
    assert stored is not None
    texts = set(lint._texts(lib))
    assert len(stored) == len(texts) > 0
    for text in texts:
        got = render._stored(text)
        assert got is not None and got[1] is not None


def test_a_text_is_compiled_once_per_process_however_small_the_template_cache(
        fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render.forget()
    compiles = []
    compile_ = render.ENV.compile

    def counted(source: str) -> object:
        compiles.append(source)
        return compile_(source)
    monkeypatch.setattr(render.ENV, "compile", counted)
    text = "The {{ hdo }} patches within {{ days }} days."
    for _ in range(3):
        assert render.render_text(text, {"hdo": "Customer", "days": 30}, str) == \
            "The Customer patches within 30 days."
        render._compiled.cache_clear()  # as when 10,000 texts pass through it
    assert compiles == [text]


def test_a_cached_check_reads_the_librarys_errors_not_all_its_warnings(
        tiny: Path, fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library of 10,000 clauses had 80,000 lint warnings, which a check never shows: it
    reads the library's errors from an entry of their own."""
    work = Counter(monkeypatch)
    first = check(tiny / "deal.yaml")
    for entry in fresh.glob("lint-*"):
        entry.unlink()
    _forget(monkeypatch)
    second = check(tiny / "deal.yaml")
    assert (work.merges, work.lints) == (1, 1)
    assert second.problems == first.problems
    assert not list(fresh.glob("lint-*"))
