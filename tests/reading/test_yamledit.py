"""The deal file edited in place: comments and layout kept, flow mappings rewritten."""

from __future__ import annotations

import yaml

from mc2cli.reading.yamledit import append_item, set_value

DEAL = """\
# Lakeside, round 1.
mc2: 1
parameters:   # deal-wide
  patch_days: 20   # hospital policy
clauses:
  a.b: {position: hdo, reason: Policy.}
  c.d:
    position: mdm
    reason: Old.
# the end
"""


def test_values_are_set_in_place_and_comments_stay() -> None:
    text = set_value(DEAL, ("parameters", "patch_days"), {"value": 30, "reason": "R: x"}, "d")
    text = set_value(text, ("clauses", "c.d", "reason"), "New.", "d")
    text = set_value(text, ("clauses", "e.f", "omit"), True, "d")
    text = set_value(text, ("clauses", "a.b", "parameters", "x_days"), 5, "d")
    for comment in ("# Lakeside, round 1.", "parameters:   # deal-wide", "# the end"):
        assert comment in text
    data = yaml.safe_load(text)
    assert data["parameters"] == {"patch_days": {"value": 30, "reason": "R: x"}}
    assert data["clauses"]["c.d"] == {"position": "mdm", "reason": "New."}
    assert data["clauses"]["e.f"] == {"omit": True}
    assert data["clauses"]["a.b"] == {"position": "hdo", "reason": "Policy.",
                                      "parameters": {"x_days": 5}}
    assert text.index("e.f") < text.index("# the end")


def test_missing_sections_and_list_items_are_added() -> None:
    text = append_item("mc2: 1\n", ("extra_clauses",), {"id": "deal.x", "text": "A\nB"}, "d")
    text = append_item(text, ("extra_clauses",), {"id": "deal.y", "text": "C"}, "d")
    assert yaml.safe_load(text)["extra_clauses"] == [{"id": "deal.x", "text": "A\nB"},
                                                     {"id": "deal.y", "text": "C"}]
    text = set_value(text, ("clauses", "a.b", "position"), "hdo", "d")
    assert yaml.safe_load(text)["clauses"] == {"a.b": {"position": "hdo"}}


def test_inserted_text_is_printed_as_written_never_run() -> None:
    from mc2cli.assembly.render import analyze, render_text
    from mc2cli.inputs.markdown import unsafe
    from mc2cli.reading.plain import md_paragraphs
    from mc2cli.reading.propose import _literal
    hostile = "Pay {{ 7*7 }} {% if x %}now{% endif %} {#c#} <b>bold</b> [x](y) {.on onclick=z} $5 *a*"
    text = _literal(hostile)
    assert analyze(text).problems == [] and unsafe(text, jinja=True) == []
    assert md_paragraphs(render_text(text, {}, lambda c: c)) == [hostile]
