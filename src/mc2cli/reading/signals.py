"""The matching signals (signals.yaml beside this module): loaded with the project's safe YAML
loader and validated by pydantic, every problem located."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mc2cli.errors import InputError
from mc2cli.inputs.models import Line
from mc2cli.inputs.yamlload import load_path

SIGNALS = Path(__file__).with_name("signals.yaml")


class PrincipleSignals(BaseModel):
    model_config = ConfigDict(extra="forbid")
    descriptions: list[Line] = Field(min_length=1)
    terms: list[Line] = []


class Signals(BaseModel):
    model_config = ConfigDict(extra="forbid")
    principles: dict[str, PrincipleSignals] = {}
    clauses: dict[str, list[Line]] = {}
    none: list[Line] = Field(min_length=1)


@cache
def load_signals(path: Path = SIGNALS) -> Signals:
    doc = load_path(path, path.name)
    try:
        return Signals.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError([doc.problem(tuple(e["loc"]), e["msg"], rule="analyze")
                          for e in exc.errors()]) from None
