"""Figures in their text, placed against a parameter's positions and bounds."""

from __future__ import annotations

from mc2cli.inputs.models import Parameter
from mc2cli.reading.figures import extract, place

PATCH = Parameter.model_validate({"id": "patch_days", "type": "days", "description": "x",
                                  "default": {"hdo": 20, "middle": 30, "mdm": 60},
                                  "bounds": {"min": 14, "max": 120}})
HOURS = Parameter.model_validate({"id": "notice_hours", "type": "integer", "unit": "hours",
                                  "description": "x", "default": {"hdo": 24, "middle": 72,
                                                                  "mdm": 96}})


def test_extracts_durations_frequencies_counts_and_percentages() -> None:
    figures = extract("within ninety (90) days, five business days, 72 hours, annually, "
                      "twice a year, 2 penetration tests and 99.9% uptime")
    assert [(f.value, f.unit) for f in figures] == [
        (90, "days"), (5, "business_days"), (72, "hours"), (12, "months"), (6, "months"),
        (2, "count"), (99.9, "percent")]


def test_placement_against_positions() -> None:
    (ninety,) = extract("within 90 days")
    placed = place(ninety, [PATCH])
    assert placed.parameter == "patch_days" and placed.nearest == "mdm"
    assert placed.note == "90 days: beyond the MDM-leaning position (60); Middle 30"
    assert placed.in_bounds is True
    (thirty,) = extract("thirty (30) days")
    assert place(thirty, [PATCH]).note == "30 days: at the Middle (30)"
    (year,) = extract("within 1 year")
    far = place(year, [PATCH])
    assert far.in_bounds is False and "outside the library's bounds (14-120)" in (far.note or "")


def test_units_convert_and_unrelated_figures_stay_unplaced() -> None:
    (three_days,) = extract("within three days")
    placed = place(three_days, [HOURS])
    assert placed.parameter_value == 72 and placed.nearest == "middle"
    (percent,) = extract("99% of the time")
    assert place(percent, [PATCH, HOURS]).parameter is None
