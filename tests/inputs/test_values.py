"""Figures and dates as the contract writes them, in the style of the governing law."""

from __future__ import annotations

import datetime as dt

import pytest

from mc2cli.inputs.models import Parameter
from mc2cli.inputs.values import (
    figure,
    long_date,
    money_unit,
    number_words,
    plain,
    render,
    style_for,
)


def _param(kind: str, **extra: object) -> Parameter:
    return Parameter.model_validate({"id": "p", "type": kind, "description": "d",
                                     "default": {"hdo": 1, "middle": 1, "mdm": 1}, **extra})


@pytest.mark.parametrize(("law", "style"), [
    ("the State of New York", "us"), ("the Commonwealth of Pennsylvania", "us"),
    ("the laws of the State of Washington", "us"), ("the District of Columbia", "us"),
    ("the federal law of the United States", "us"), ("the U.S.A.", "us"),
    ("the laws of England and Wales", "international"), ("Germany", "international"),
    ("New South Wales", "international"), ("the Bailiwick of Jersey", "international"),
    ("Ireland", "international"),
])
def test_the_style_follows_the_governing_law(law: str, style: str) -> None:
    assert style_for(law) == style


@pytest.mark.parametrize(("n", "us", "international"), [
    (30, "thirty (30)", "thirty (30)"),
    (365, "three hundred sixty-five (365)", "three hundred and sixty-five (365)"),
    (1005, "one thousand five (1,005)", "one thousand and five (1,005)"),
    (2555, "two thousand five hundred fifty-five (2,555)",
     "two thousand five hundred and fifty-five (2,555)"),
    (5_000_000, "five million (5,000,000)", "five million (5,000,000)"),
])
def test_every_count_is_words_and_figure(n: int, us: str, international: str) -> None:
    assert figure(n, "us") == us
    assert figure(n, "international") == international


def test_numbers_in_words_reach_the_largest_value_a_deal_may_give() -> None:
    assert number_words(999_999_999, "us").startswith("nine hundred ninety-nine million")
    assert number_words(1_000_000_000) == "1000000000"


def test_dates_in_either_style() -> None:
    day = dt.date(2027, 1, 1)
    assert long_date(day, "us") == "January 1, 2027"
    assert long_date(day, "international") == "1 January 2027"
    assert render(_param("date"), day, style="us") == "January 1, 2027"


def test_money_is_a_figure_with_its_currency() -> None:
    cap = _param("integer", unit="million US dollars")
    assert money_unit(cap) == ("US dollars", 1_000_000)
    assert money_unit(_param("integer", unit="hours")) is None
    assert render(cap, 5, style="us") == "US\\$5,000,000"  # escaped for Markdown
    assert render(cap, 5, style="international") == "USD 5,000,000"
    assert plain(cap, 5, "us") == "US$5,000,000"
    assert plain(_param("integer", unit="thousand euros"), 250, "international") == \
        "EUR 250,000"


def test_a_long_period_reads_like_a_short_one() -> None:
    days = _param("days")
    assert render(days, 2555, style="us") == "two thousand five hundred fifty-five (2,555) days"
    assert render(days, 1, style="us") == "one (1) day"
    assert plain(days, 2555) == "2,555 days"
