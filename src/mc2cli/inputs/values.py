"""Typed parameter values: coerce what the user wrote, check bounds, format for the contract."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mc2cli.inputs.markdown import escape
from mc2cli.inputs.models import Parameter, visible
from mc2cli.suggest import did_you_mean

NUMERIC = {"days": ("day", "days"), "business_days": ("business day", "business days"),
           "months": ("month", "months"), "years": ("year", "years"), "integer": ("", "")}
MAX_LIST = 50

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """English words for 0-999 ('forty-five'); digits beyond."""
    if n < 0 or n > 999:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def long_date(value: dt.date) -> str:
    """'1 January 2027', the same in every locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and only that (no timestamps, week dates or 20270101)."""
    text = text.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"{text!r} is not written YYYY-MM-DD")
    return dt.date.fromisoformat(text)


class ValueProblem(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def coerce(param: Parameter, raw: Any) -> Any:
    """The typed value of `raw` for `param`, or ValueProblem saying what is wrong."""
    kind = param.type
    if kind in NUMERIC:
        if isinstance(raw, bool) or raw is None:
            raise ValueProblem(f"must be a whole number of {kind.replace('_', ' ')}")
        text = str(raw).strip()
        if re.fullmatch(r"-[0-9]+", text):
            raise ValueProblem(f"must be zero or more; got {text}")
        if re.fullmatch(r"[0-9]{10,}", text):
            raise ValueProblem(f"{text} is too large; the limit is 999999999")
        if not re.fullmatch(r"[0-9]{1,9}", text):
            raise ValueProblem(f"must be a whole number; got {text!r}",
                               "write digits only, e.g. 30")
        return int(text)
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower() if raw is not None else ""
        if text in ("true", "false"):
            return text == "true"
        raise ValueProblem(f"must be true or false; got {raw!r}", "write true or false")
    if kind == "date":
        try:
            return raw if isinstance(raw, dt.date) else iso_date(str(raw))
        except ValueError:
            raise ValueProblem(f"must be a date written YYYY-MM-DD; got {raw!r}",
                               "check that the day exists") from None
    if kind == "choice":
        text = "" if raw is None else str(raw).strip()
        choices = param.choices or {}
        if text not in choices:
            raise ValueProblem(f"{text!r} is not one of its choices",
                               did_you_mean(text, choices) or "choices: " + ", ".join(choices))
        return text
    if kind == "list":
        if not isinstance(raw, list):
            raise ValueProblem("must be a list, e.g. [a, b]")
        if len(raw) > MAX_LIST:
            raise ValueProblem(f"has {len(raw)} items; the limit is {MAX_LIST}")
        if not raw:
            raise ValueProblem("must name at least one item")
        items = []
        for item in raw:
            if not isinstance(item, str) or not item.strip() or "\n" in item:
                raise ValueProblem("items must be single-line text")
            if param.choices and item not in param.choices:
                raise ValueProblem(f"{item!r} is not one of its choices",
                                   did_you_mean(item, param.choices)
                                   or "choices: " + ", ".join(param.choices))
            if item.strip() in items:
                raise ValueProblem(f"{item!r} is listed twice")
            items.append(item.strip())
        return items
    # text
    if not isinstance(raw, str) or not raw.strip():
        raise ValueProblem("must be a single line of text")
    if len(raw) > 400:
        raise ValueProblem("must be a single line of at most 400 characters")
    try:
        visible(raw.strip(), multiline=False)
    except ValueError as exc:
        raise ValueProblem(str(exc)) from None
    return raw.strip()


def in_bounds(param: Parameter, value: Any) -> bool:
    b = param.bounds
    if b is None or param.type not in (*NUMERIC, "date"):
        return True
    if not bounds_fit(param):
        return True  # lint reports bounds of the wrong type
    if b.min is not None and value < b.min:
        return False
    return not (b.max is not None and value > b.max)


def bounds_fit(param: Parameter) -> bool:
    """Bounds are numbers for counts and dates for dates."""
    b = param.bounds
    if b is None:
        return True
    want = dt.date if param.type == "date" else int
    return all(v is None or (isinstance(v, want) and not isinstance(v, bool))
               for v in (b.min, b.max))


def bounds_text(param: Parameter) -> str:
    b = param.bounds
    if b is None or (b.min is None and b.max is None):
        return ""
    lo = "" if b.min is None else str(b.min)
    hi = "" if b.max is None else str(b.max)
    return f"{lo}-{hi}" if lo and hi else (f">= {lo}" if lo else f"<= {hi}")


def unit(param: Parameter) -> str:
    if param.unit:
        return param.unit
    return NUMERIC.get(param.type, ("", ""))[1]


def label(param: Parameter, item: str) -> str:
    return (param.choices or {}).get(item, item)


def _join(items: list[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def render(param: Parameter, value: Any, *, conjunction: str = "and") -> str:
    """The value as contract text (Markdown-escaped where it came from a user)."""
    kind = param.type
    if kind in NUMERIC:
        one, many = NUMERIC[kind]
        if kind == "integer":
            many = param.unit or ""
            one = many
        noun = one if value == 1 else many
        words = f"{number_words(value)} ({value})" if 0 <= value <= 999 else f"{value:,}"
        return f"{words} {noun}".strip()
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "date":
        return long_date(value)
    if kind == "choice":
        return escape(label(param, value))
    if kind == "list":
        return _join([escape(label(param, v)) for v in value], conjunction)
    return escape(str(value))


def plain(param: Parameter, value: Any) -> str:
    """The value for tables and reports: short, unescaped."""
    kind = param.type
    if kind in NUMERIC:
        noun = unit(param)
        if value == 1 and kind != "integer":
            noun = NUMERIC[kind][0]
        return f"{value:,} {noun}".strip()
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "date":
        return value.isoformat()  # type: ignore[no-any-return]
    if kind == "choice":
        return label(param, value)
    if kind == "list":
        return ", ".join(label(param, v) for v in value)
    return str(value)


class Param:
    """A parameter as clause text sees it: prints formatted, compares through `.value`."""

    __slots__ = ("_param", "value")

    def __init__(self, param: Parameter, value: Any) -> None:
        self._param = param
        self.value = value

    def __str__(self) -> str:
        return render(self._param, self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def joined(self, conjunction: str) -> str:
        return render(self._param, self.value, conjunction=conjunction)
