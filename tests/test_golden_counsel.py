"""Findings of counsel's read of the golden contracts, held by the goldens themselves.

Each test names the finding of the round-2 counsel review it keeps fixed; the goldens are
regenerated from the library, so a clause edit that brings a finding back fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/deal.yaml"))


def golden(name: str) -> str:
    return (ROOT / "examples" / name / "contract.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_hour_clock_starts_at_its_event_and_a_day_clock_the_next_day(name: str) -> None:
    text = golden(name)
    assert "a period stated in hours starts when the event that starts it occurs" in text
    assert "a period stated in days, business days, months or years starts on the day after" in text
    assert "a period starts on the day after" not in text
