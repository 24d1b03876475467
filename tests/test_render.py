"""Clause text keeps to a small language; the sandbox escapes of robustness.md are refused."""

from __future__ import annotations

import pytest

from mc2cli.render import RenderError, analyze, render_text


@pytest.mark.parametrize("text", [
    "{{ ''.__class__ }}",
    "{{ ''|attr('format') }}",
    "{{ '{:>1000000000}'.format(1) }}",
    "{{ 'x' * 100000000 }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% set x = 1 %}",
    "{% include 'x' %}",
    "{{ lipsum() }}",
    "{{ ref(name) }}",
])
def test_dangerous_syntax_is_refused_before_rendering(text: str) -> None:
    assert analyze(text).problems, text


def test_allowed_syntax_and_what_it_uses() -> None:
    info = analyze("{{ mdm }} shall act within {{ patch_days }}{% if flag %}, "
                   "see {{ ref('a.b') }}{% endif %}; {{ formats | or_list }}"
                   "{% if patch_days.value > 10 %}.{% endif %}")
    assert info.problems == []
    assert info.parameters == {"patch_days", "flag", "formats"}
    assert info.refs == [("a.b", 1)]


def test_syntax_error_has_a_line() -> None:
    info = analyze("one\ntwo {{ oops\n")
    assert info.problems and info.problems[0].line == 2


def test_undefined_names_fail_loudly() -> None:
    with pytest.raises(RenderError, match="undefined"):
        render_text("{{ missing }}", {}, lambda c: c)
