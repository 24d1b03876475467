"""Typed parameter values: coerce what the user wrote, check bounds, format for the contract."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

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

# --- style by governing law ----------------------------------------------------------------
# One rule for every figure the contract prints, in one of two house styles chosen from the
# deal's governing law (docs/deal-file.md, "Dates and figures"):
# - a count (days, hours, months, years, units) in words with the figure in parentheses,
#   whatever its size: "thirty (30) days", "two thousand five hundred fifty-five (2,555) days";
#   US style writes no "and" inside a number ("three hundred sixty-five"), the other style
#   does ("three hundred and sixty-five");
# - money as a figure with its currency: US style "US$5,000,000", the other "USD 5,000,000";
# - dates: US style "January 1, 2027", the other "1 January 2027".
# Tables and reports print the figure alone ("30 days"), and money and dates as above.
Style = Literal["us", "international"]
US: Style = "us"
INTERNATIONAL: Style = "international"
_US_PLACES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|District of Columbia|Puerto Rico|United States|U\\.S\\.A?\\.?|"
    "USA")
_US = re.compile(rf"(?<![\w.])(?:{_US_PLACES})(?![\w])", re.IGNORECASE)


def style_for(governing_law: str) -> Style:
    """US style when the governing law names a US state, the District of Columbia, Puerto
    Rico or the United States; the international (British and European) style otherwise."""
    return US if _US.search(governing_law) else INTERNATIONAL


def _below_thousand(n: int, style: Style) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    joiner = " and " if style == INTERNATIONAL else " "
    return f"{_ONES[hundreds]} hundred" + (joiner + _below_thousand(rest, style) if rest else "")


def number_words(n: int, style: Style = INTERNATIONAL) -> str:
    """English words for 0 to 999,999,999 ('forty-five', 'two thousand five hundred and
    fifty-five'; without 'and' in US style); digits beyond."""
    if n < 0 or n > 999_999_999:
        return str(n)
    if n < 1000:
        return _below_thousand(n, style)
    parts: list[str] = []
    for scale, name in ((1_000_000, "million"), (1000, "thousand")):
        count, n = divmod(n, scale)
        if count:
            parts.append(f"{_below_thousand(count, style)} {name}")
    if n:  # British usage: "one thousand and five", but "one thousand two hundred"
        last = _below_thousand(n, style)
        parts.append(f"and {last}" if style == INTERNATIONAL and n < 100 else last)
    return " ".join(parts)


def figure(n: int, style: Style = INTERNATIONAL) -> str:
    """A count as the contract text writes it: 'thirty (30)', 'two thousand ... (2,555)'."""
    return f"{number_words(n, style)} ({n:,})" if 0 <= n <= 999_999_999 else f"{n:,}"


_MONEY = re.compile(r"(?:(thousand|million|billion) )?(US dollars|euros|pounds sterling)")
_CURRENCY = {"US dollars": ("US$", "USD"), "euros": ("€", "EUR"), "pounds sterling": ("£", "GBP")}
_SCALE = {None: 1, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}


def money_unit(param: Parameter) -> tuple[str, int] | None:
    """(currency, multiplier) for an integer parameter whose unit is an amount of money:
    `US dollars`, `euros` or `pounds sterling`, optionally in thousands, millions or
    billions (`unit: million US dollars`); None for any other parameter."""
    if param.type != "integer" or not param.unit:
        return None
    m = _MONEY.fullmatch(param.unit.strip())
    return (m.group(2), _SCALE[m.group(1)]) if m else None


def money(amount: int, currency: str, style: Style = US) -> str:
    """'US$5,000,000' in US style, 'USD 5,000,000' in the international style."""
    symbol, code = _CURRENCY[currency]
    return f"{symbol}{amount:,}" if style == US else f"{code} {amount:,}"


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def long_date(value: dt.date, style: Style = INTERNATIONAL) -> str:
    """'January 1, 2027' (US style) or '1 January 2027', the same in every locale."""
    if style == US:
        return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
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


def render(param: Parameter, value: Any, *, conjunction: str = "and",
           style: Style = US) -> str:
    """The value as contract text (Markdown-escaped where it came from a user)."""
    kind = param.type
    if kind in NUMERIC:
        cash = money_unit(param)
        if cash:
            return escape(money(value * cash[1], cash[0], style))
        one, many = NUMERIC[kind]
        if kind == "integer":
            many = param.unit or ""
            one = many
        noun = one if value == 1 else many
        return f"{figure(value, style)} {noun}".strip()
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "date":
        return long_date(value, style)
    if kind == "choice":
        return escape(label(param, value))
    if kind == "list":
        return _join([escape(label(param, v)) for v in value], conjunction)
    return escape(str(value))


def plain(param: Parameter, value: Any, style: Style = US) -> str:
    """The value for tables and reports: short, unescaped."""
    kind = param.type
    cash = money_unit(param)
    if cash:
        return money(value * cash[1], cash[0], style)
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
    """A parameter as clause text sees it: prints formatted in the deal's style, compares
    through `.value`."""

    __slots__ = ("_param", "style", "value")

    def __init__(self, param: Parameter, value: Any, style: Style = US) -> None:
        self._param = param
        self.value = value
        self.style = style

    def __str__(self) -> str:
        return render(self._param, self.value, style=self.style)

    def __bool__(self) -> bool:
        return bool(self.value)

    def joined(self, conjunction: str) -> str:
        return render(self._param, self.value, conjunction=conjunction, style=self.style)
