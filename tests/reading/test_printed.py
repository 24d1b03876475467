"""Printed values read back to their types."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mc2cli.inputs.models import Parameter
from mc2cli.inputs.values import render
from mc2cli.reading.printed import unrender


def param(kind: str, **extra: Any) -> Parameter:
    return Parameter.model_validate({"id": "p", "type": kind, "description": "d",
                                     "default": {"hdo": 1, "middle": 1, "mdm": 1}, **extra})


@pytest.mark.parametrize(("kind", "printed", "value"), [
    ("days", "sixty (60) days", 60), ("days", "60 days", 60), ("days", "sixty days", 60),
    ("days", "one (1) day", 1), ("business_days", "two (2) business days", 2),
    ("months", "twenty-four (24) months", 24), ("days", "1,500 days", 1500),
    ("boolean", "yes", True), ("boolean", "no", False),
    ("date", "1 March 2027", dt.date(2027, 3, 1)), ("date", "2027-03-01", dt.date(2027, 3, 1)),
    ("date", "March 1, 2027", dt.date(2027, 3, 1)),
    ("days", "three hundred and sixty-five (365) days", 365),
    ("days", "three hundred sixty-five days", 365), ("days", "three hundred and sixty-five days", 365),
    ("days", "two thousand five hundred fifty-five (2,555) days", 2555),
    ("days", "soon", None), ("date", "31 February 2027", None),
])
def test_unrender(kind: str, printed: str, value: Any) -> None:
    assert unrender(param(kind), printed) == value


def test_every_printed_number_reads_back() -> None:
    p = param("days")
    for style in ("us", "international"):
        assert all(unrender(p, render(p, n, style=style)) == n for n in range(0, 1200, 7))


def test_money_reads_back_in_either_style() -> None:
    cap = param("integer", unit="million US dollars")
    assert render(cap, 5) == "US\\$5,000,000"
    assert render(cap, 5, style="international") == "USD 5,000,000"
    for printed in ("US$5,000,000", "USD 5,000,000", "5,000,000"):
        assert unrender(cap, printed) == 5
    assert unrender(cap, "US$5,500,000") is None  # not a whole number of millions


def test_choices_and_lists_read_back_by_label() -> None:
    choices = {"iec": "IEC 81001-5-1", "nist": "NIST SP 800-218"}
    assert unrender(param("choice", choices=choices), "NIST SP 800-218") == "nist"
    lst = param("list", choices=choices)
    assert unrender(lst, render(lst, ["iec", "nist"])) == ["iec", "nist"]
    assert unrender(lst, "IEC 81001-5-1 or NIST SP 800-218") == ["iec", "nist"]
