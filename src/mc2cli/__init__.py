"""mc2: assemble medical-device cybersecurity contracts from the MC2 principles.

The public surface is below; the command line (`mc2`) is a thin layer over it.
Names are imported on first use, so `mc2 --help` and shell completion stay quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Kept in step with pyproject.toml by tests/test_packaging.py; a constant, because reading the
# installed metadata costs more than the rest of `mc2 --version`.
__version__ = "0.1.0"

_PUBLIC = {
    "check": "pipeline", "build": "pipeline", "load_deal": "pipeline",
    "CheckResult": "pipeline", "BuildResult": "pipeline", "render_outputs": "pipeline",
    "Contract": "assembly.contract", "load_library": "inputs.layers", "Library": "inputs.library",
    "Mc2Error": "errors", "InputError": "errors", "OutputError": "errors",
    "UsageError": "errors", "Problem": "errors",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module 'mc2cli' has no attribute {name!r}")
