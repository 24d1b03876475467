"""Where the built-in library and templates live: inside the wheel, or in the checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def _data(name: str) -> Path:
    shipped = _HERE / "data" / name
    if shipped.is_dir():
        return shipped
    return _HERE.parent.parent / name  # an editable install or a source checkout


def builtin_library_dir() -> Path:
    return _data("clauses")


def templates_dir() -> Path:
    return _data("templates")
