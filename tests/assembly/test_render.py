"""Clause text keeps to a small language; the sandbox escapes of robustness.md are refused."""

from __future__ import annotations

import re

import pytest

from mc2cli.assembly.render import RenderError, analyze, render_text


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


def test_a_bare_ref_is_refused() -> None:
    assert any("'ref' is used without a clause id" in str(p)
               for p in analyze("see {{ ref }}.").problems)


@pytest.mark.parametrize(("text", "what"), [
    ("{{ '\\x21\\x5bx\\x5d\\x28/etc/passwd\\x29' }}", "an image"),
    ("{{ '\\x3cscript>' }}", "raw HTML"),
    ("{{ '\\u202e' }}", "invisible character U+202E"),
    ("{{ '\\x1b' }}[31m", "invisible character U+001B"),
    ("{{ '\\x7c' }} a | b |", "a table"),
])
def test_rendered_text_is_checked_not_only_its_source(text: str, what: str) -> None:
    assert analyze(text).problems == []  # the source alone looks harmless
    with pytest.raises(RenderError, match=re.escape(what)):
        render_text(text, {}, lambda c: c)


def test_escaped_deal_values_are_not_mistaken_for_markup() -> None:
    from mc2cli.inputs.markdown import escape
    assert render_text("{{ name }}", {"name": escape("[x](y) <b> $5 ![i](j)")},
                       lambda c: c)
