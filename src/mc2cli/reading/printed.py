"""Printed parameter values read back: "sixty (60) days" -> 60, "1 March 2027" (or
"March 1, 2027") -> a date, "US$5,000,000" -> 5 for a parameter in millions of US dollars.

The inverse of `inputs.values.render` for what the other side may have typed: the words and
the figure ("sixty (60) days"), the figure alone ("60 days") or the words alone ("sixty
days", with or without the British "and"); an amount of money with its currency symbol or
code; a yes or no; a date written in either style mc2 prints (or YYYY-MM-DD); a choice by its label
or its id; a list joined with commas and "and"/"or". None when the text is not a value of
the parameter's type, so the change is reported as a text edit instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mc2cli.inputs.models import Parameter
from mc2cli.inputs.values import (
    _CURRENCY,
    _MONTHS,
    INTERNATIONAL,
    NUMERIC,
    US,
    Style,
    money_unit,
    number_words,
    render,
)
from mc2cli.reading.plain import fold

_WORDS = {number_words(n, style): n for n in range(1000) for style in (US, INTERNATIONAL)}
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unrender(param: Parameter, printed: str) -> Any | None:
    """The typed value that `printed` stands for, or None."""
    text = fold(_UNESCAPE.sub(r"\1", printed)).strip()
    kind = param.type
    if kind in NUMERIC:
        return _number(param, text)
    if kind == "boolean":
        return {"yes": True, "no": False}.get(text.lower())
    if kind == "date":
        return _date(text)
    if kind == "choice":
        return _choice(param, text)
    if kind == "list":
        items = [i for i in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text) if i]
        out = [_choice(param, i) if param.choices else i for i in items]
        return out if out and all(isinstance(i, str) for i in out) else None
    return text or None


def _number(param: Parameter, text: str) -> int | None:
    cash = money_unit(param)
    if cash:
        return _money(text, cash)
    one, many = NUMERIC[param.type]
    if param.type == "integer":
        one = many = param.unit or ""
    for noun in sorted({one, many} - {""}, key=len, reverse=True):
        if text.lower().endswith(" " + noun.lower()):
            text = text[: -len(noun) - 1].strip()
            break
    figure = re.fullmatch(r"(?:([a-z][a-z -]*?)\s*)?\((\d{1,3}(?:,\d{3})*|\d+)\)", text, re.I)
    if figure:
        return int(figure.group(2).replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,9}", text):
        return int(text.replace(",", ""))
    return _WORDS.get(" ".join(text.lower().split()))


def _money(text: str, cash: tuple[str, int]) -> int | None:
    """'US$5,000,000', 'USD 5,000,000' or '5,000,000' -> 5 for a unit of a million."""
    symbol, code = _CURRENCY[cash[0]]
    m = re.fullmatch(rf"(?:{re.escape(symbol)}\s?|{code}\s?)?(\d{{1,3}}(?:,\d{{3}})*|\d+)", text)
    if not m:
        return None
    amount = int(m.group(1).replace(",", ""))
    return amount // cash[1] if amount % cash[1] == 0 else None


def _date(text: str) -> dt.date | None:
    m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]+),? (\d{4})", text)
    us = re.fullmatch(r"([A-Za-z]+) (\d{1,2}),? (\d{4})", text)
    if us:
        m = us
        day, month = us.group(2), us.group(1)
    elif m:
        day, month = m.group(1), m.group(2)
    try:
        if m and month.capitalize() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS.index(month.capitalize()) + 1, int(day))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


def _choice(param: Parameter, text: str) -> str | None:
    choices = param.choices or {}
    for cid, label in choices.items():
        if fold(label).lower() == text.lower() or cid == text:
            return cid
    return None


def printed(param: Parameter, value: Any, style: Style = US) -> str:
    """The value as the contract prints it, in plain folded words."""
    return fold(_UNESCAPE.sub(r"\1", render(param, value, style=style)))


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
