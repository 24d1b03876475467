"""The YAML hazards of robustness.md, one regression test each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mc2cli.errors import InputError
from mc2cli.inputs.yamlload import MAX_BYTES, load_bytes, load_path, load_text


def _error(text: str) -> str:
    with pytest.raises(InputError) as info:
        load_text(text, "x.yaml")
    return str(info.value)


def test_scalars_are_kept_as_written() -> None:
    doc = load_text("a: NO\nb: 1.10\nc: '1:20'\nd: 017\ne: on\nf: 2024-02-30\n", "x.yaml")
    assert doc.data == {"a": "NO", "b": "1.10", "c": "1:20", "d": "017", "e": "on",
                        "f": "2024-02-30"}


def test_keys_like_on_stay_strings() -> None:
    assert load_text("on: 1\n", "x.yaml").data == {"on": "1"}


def test_locations_are_one_based() -> None:
    doc = load_text("a:\n  b: [x, y]\n", "x.yaml")
    assert doc.loc(("a", "b")) == (2, 3)
    assert doc.loc(("a", "b", 1)) == (2, 10)


def test_deep_nesting_is_refused_without_crashing() -> None:
    assert "x.yaml:1:" in _error("[" * 50_000)


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    assert "expands to more than" in _error("\n".join(lines) + "\n")


def test_duplicate_keys_are_reported_and_loading_goes_on() -> None:
    doc = load_text("a: 1\nb: 2\na: 3\n", "x.yaml")
    assert doc.data == {"a": "1", "b": "2"}
    assert [(p.line, p.col) for p in doc.problems] == [(3, 1)]
    assert "duplicate key 'a' (first at line 1)" in doc.problems[0].message


def test_invalid_utf8_is_located() -> None:
    with pytest.raises(InputError) as info:
        load_bytes(b"a: 1\nb: \xff\n", "x.yaml")
    assert "x.yaml:2:4: error: invalid UTF-8 byte 0xff" in str(info.value)


def test_nul_byte() -> None:
    with pytest.raises(InputError, match="NUL byte"):
        load_bytes(b"a: 1\0\n", "x.yaml")


def test_tabs_get_a_hint() -> None:
    assert "indent with spaces, not tabs" in _error("a:\n\tb: 1\n")


def test_second_document() -> None:
    assert "x.yaml:2:1: error: a second YAML document" in _error("a: 1\n---\nb: 2\n")


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    with pytest.raises(InputError, match="file is empty"):
        load_bytes(text.encode(), "x.yaml")


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    with pytest.raises(InputError, match="larger than the limit"):
        load_path(big)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_path(tmp_path / "nope.yaml")


def test_syntax_error_is_located() -> None:
    assert "x.yaml:2:1: error: invalid YAML" in _error("a: [1\n")


def test_block_text_start_line_is_recorded() -> None:
    doc = load_text("a: 1\nt: |\n  one\n  two\n", "x.yaml")
    assert doc.text_starts[("t",)] == 3


def test_an_endless_file_costs_only_the_limit(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        load_path(link)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (6 * 2**20))
    with pytest.raises(InputError, match="larger than the limit"):
        load_path(big)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "deal.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_path(fifo)


def test_a_compacted_document_locates_as_before() -> None:
    raw = b"clauses:\n  - id: a\n    text: |\n      one\n      two\n  - id: b\n"
    whole = load_bytes(raw, "x.yaml")
    doc = load_bytes(raw, "x.yaml")
    doc.compact()
    assert doc.data is None and doc.locs == {} and len(doc.raw) < 100
    for key in [("clauses", 1, "id"), ("clauses", 0, "text"), ("clauses", 0, "missing"), ()]:
        assert doc.loc(key) == whole.loc(key)
    assert doc.problem(("clauses", 0, "text"), "m", line_offset=2) == \
        whole.problem(("clauses", 0, "text"), "m", line_offset=2)
