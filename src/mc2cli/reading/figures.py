"""Figures in their text (durations, frequencies, counts, percentages) placed against the
matched clause's parameters: the three positions' defaults and the library's bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mc2cli.inputs.models import Parameter
from mc2cli.inputs.values import ValueProblem, coerce

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
          "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30,
          "forty-five": 45, "forty-eight": 48, "sixty": 60, "seventy-two": 72, "ninety": 90,
          "a hundred twenty": 120, "one hundred twenty": 120, "one hundred eighty": 180}
_NUM = r"(\d{1,4}(?:,\d{3})?(?:\.\d+)?|" + "|".join(
    sorted((re.escape(w) for w in _WORDS), key=len, reverse=True)) + ")"
_DURATION = re.compile(
    _NUM + r"(?:\s*\((\d{1,4})\))?[\s-]+(calendar\s+|business\s+|working\s+)?"
    r"(hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(%|percent\b)", re.IGNORECASE)
_FREQUENCY = {"hourly": ("hours", 1), "daily": ("days", 1), "weekly": ("days", 7),
              "monthly": ("months", 1), "quarterly": ("months", 3), "annually": ("months", 12),
              "annual": ("months", 12), "yearly": ("months", 12), "biannually": ("months", 6),
              "semi-annually": ("months", 6), "semiannually": ("months", 6)}
_FREQ = re.compile(r"\b(" + "|".join(_FREQUENCY) + r")\b|\b(once|twice)\s+(?:a|per|each)\s+"
                   r"(year|month|quarter)\b", re.IGNORECASE)
_COUNT = re.compile(r"\b(\d{1,4})\s+(?:\w+\s+){0,2}?(times|tests|copies|accounts|"
                    r"users|devices|sessions|incidents|reports)\b", re.IGNORECASE)
# One unit in days: how a figure is put into a parameter's unit.
_IN_DAYS = {"hours": 1 / 24, "days": 1.0, "business_days": 1.0, "weeks": 7.0, "months": 30.0,
            "years": 365.0}
_COMPATIBLE = {"days": {"hours", "days", "weeks", "months", "years"},
               "business_days": {"hours", "business_days"},
               "hours": {"hours", "days", "business_days"},
               "months": {"days", "weeks", "months", "years"}, "years": {"months", "years"}}
POSITION_TITLES = {"hdo": "the HDO-leaning position", "middle": "the Middle",
                   "mdm": "the MDM-leaning position"}


@dataclass(frozen=True)
class Figure:
    text: str
    value: float
    unit: str
    parameter: str | None = None
    nearest: str | None = None       # the position whose default is closest
    note: str | None = None          # "90 days: beyond the MDM-leaning position (60); Middle 30"
    in_bounds: bool | None = None
    parameter_value: float | None = None  # the figure in the parameter's unit


def _number(word: str, digits: str | None) -> float:
    if digits:
        return float(digits)
    w = word.lower().replace(",", "")
    return float(_WORDS[w]) if w in _WORDS else float(w)


def extract(text: str) -> list[Figure]:
    found: list[tuple[int, Figure]] = []
    for m in _DURATION.finditer(text):
        unit = m.group(4).lower().rstrip("s") + "s"
        if m.group(3) and m.group(3).strip().lower() in ("business", "working") and unit == "days":
            unit = "business_days"
        found.append((m.start(), Figure(m.group(0).strip(), _number(m.group(1), m.group(2)),
                                        unit)))
    for m in _PERCENT.finditer(text):
        found.append((m.start(), Figure(m.group(0), float(m.group(1)), "percent")))
    for m in _FREQ.finditer(text):
        value: float
        if m.group(1):
            unit, count = _FREQUENCY[m.group(1).lower()]
            value = float(count)
        else:
            per = {"year": 12, "month": 1, "quarter": 3}[m.group(3).lower()]
            unit, value = "months", per / (2 if m.group(2).lower() == "twice" else 1)
        found.append((m.start(), Figure(m.group(0), float(value), unit)))
    for m in _COUNT.finditer(text):
        found.append((m.start(), Figure(m.group(0), float(m.group(1)), "count")))
    found.sort(key=lambda x: x[0])
    return [f for _pos, f in found]


def param_unit(param: Parameter) -> str | None:
    if param.type in ("days", "business_days", "months", "years"):
        return param.type
    if param.type == "integer" and param.unit and param.unit.strip().lower() in ("hours", "hour"):
        return "hours"
    if param.type == "integer":
        return "count"
    return None


def convert(figure: Figure, unit: str) -> float | None:
    if unit == "count":
        return figure.value if figure.unit == "count" else None
    if figure.unit not in _COMPATIBLE.get(unit, set()):
        return None
    base = figure.value * _IN_DAYS[figure.unit]
    target = 1 / 24 if unit == "hours" else _IN_DAYS[unit]
    return round(base / target, 2)


def _defaults(p: Parameter) -> dict[str, float] | None:
    """The three positions' defaults as numbers, or None for a non-numeric parameter."""
    try:
        values = {k: coerce(p, v) for k, v in p.default.items()}
    except ValueProblem:
        return None
    if set(values) != {"hdo", "middle", "mdm"} or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
        return None
    return {k: float(v) for k, v in values.items()}


def _fmt(value: float) -> str:
    return f"{value:g}"


def place(figure: Figure, params: list[Parameter]) -> Figure:
    """The figure set against the clause parameter it most likely sets, if any."""
    options = []
    for p in params:
        unit = param_unit(p)
        value = convert(figure, unit) if unit else None
        defaults = _defaults(p)
        if value is None or defaults is None:
            continue
        # A parameter in the figure's own unit first ("96 hours" sets an hours parameter
        # rather than a days one); then the one whose Middle is nearest.
        converted = unit != figure.unit
        options.append((converted + abs(_log_ratio(value, defaults["middle"])), p.id, p,
                        value))
    if not options:
        return figure
    _dist, _pid, p, value = min(options, key=lambda o: (o[0], o[1]))
    defaults = _defaults(p) or {}
    nearest = min(defaults, key=lambda k: (abs(_log_ratio(value, defaults[k])), k != "middle"))
    low = p.bounds.min if p.bounds else None
    high = p.bounds.max if p.bounds else None
    inside = (not isinstance(low, int) or value >= low) and (not isinstance(high, int)
                                                             or value <= high)
    unit_name = (param_unit(p) or "").replace("_", " ")
    note = f"{_fmt(value)} {unit_name}: {_where(value, defaults)}"
    if not inside:
        note += f"; outside the library's bounds ({low}-{high})"
    return Figure(figure.text, figure.value, figure.unit, p.id, nearest, note, inside, value)


def _where(value: float, d: dict[str, float]) -> str:
    mid = d["middle"]
    if value == mid:
        return f"at the Middle ({_fmt(mid)})"
    for side in ("hdo", "mdm"):
        if value == d[side]:
            return f"at {POSITION_TITLES[side]} ({_fmt(value)}); Middle {_fmt(mid)}"
    leaning = next((s for s in ("hdo", "mdm") if (d[s] - mid) * (value - mid) > 0), None)
    if leaning is None:  # both positions equal the Middle, or lean the other way
        return f"{'above' if value > mid else 'below'} the Middle ({_fmt(mid)})"
    side = leaning
    if abs(value - mid) > abs(d[side] - mid):
        return f"beyond {POSITION_TITLES[side]} ({_fmt(d[side])}); Middle {_fmt(mid)}"
    return f"between the Middle ({_fmt(mid)}) and {POSITION_TITLES[side]} ({_fmt(d[side])})"


def _log_ratio(a: float, b: float) -> float:
    import math
    return math.log(max(a, 1e-6) / max(b, 1e-6))
