"""The exception root and the located problems every stage reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file."""

    path: str
    line: int
    col: int
    message: str
    field: str = ""
    hint: str = ""
    severity: Severity = "error"
    rule: str = "input"

    def format(self) -> str:
        where = f"{_shown(self.path)}:{self.line}:{self.col}"
        what = f"{_shown(self.field)}: {_shown(self.message)}" if self.field \
            else _shown(self.message)
        text = f"{where}: {self.severity}: {what}"
        if self.hint:
            text += f"\n    hint: {_shown(self.hint)}"
        return text


# A key or value from a hostile file must not start a new line in our output (a forged
# '::error' workflow command, say) or move the terminal's cursor.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _shown(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(value: object) -> str:
    """A path or value for a one-line message: line breaks and other control characters
    written as \\uXXXX, so a file name cannot start a forged line (`::error ...`)."""
    return _shown(str(value))


class Mc2Error(Exception):
    """Root of every error mc2 reports to a user. `exit_code` is product.md section 7."""

    exit_code = 4


class InputError(Mc2Error):
    """The inputs have problems (exit 1). Carries every problem found."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_problem_key)
        super().__init__("\n".join(p.format() for p in self.problems))


class NotFound(Mc2Error):
    """An id named on the command line is not in the library (exit 1, as an input problem)."""

    exit_code = 1


class OutputError(Mc2Error):
    """An output could not be produced: converter failure, timeout, unwritable folder (exit 3)."""

    exit_code = 3


class UsageError(Mc2Error):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


def _problem_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line, p.col, p.message)


@dataclass
class Problems:
    """A collector: stages add problems and raise once, with all of them."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        if problem not in self.items:
            self.items.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        for p in problems:
            self.add(p)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.items)
