"""signals.yaml: valid, and every id it names exists in the built-in library."""

from __future__ import annotations

from pathlib import Path

import pytest

from mc2cli.errors import InputError
from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.reading.signals import load_signals


def test_signal_ids_exist() -> None:
    lib = load_library([builtin_library_dir()])
    signals = load_signals()
    assert set(signals.principles) == {p.id for p in lib.principles}
    assert set(signals.clauses) <= set(lib.clauses)


def test_unknown_field_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "signals.yaml"
    path.write_text("none: [x]\nprinciples:\n  a: {descriptions: [d], colour: red}\n")
    with pytest.raises(InputError) as info:
        load_signals(path)
    assert "3:" in info.value.problems[0].format()
