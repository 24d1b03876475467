from __future__ import annotations

from mc2cli.inputs.markdown import escape, unsafe


def test_escape_neutralises_markdown() -> None:
    assert escape("Acme *Inc* [x](y) <script>") == r"Acme \*Inc\* \[x\](y) \<script\>"
    assert escape("- dash") == "- dash"  # values are inline; a leading dash is plain text
    assert escape("Smith & Co #1") == r"Smith \& Co \#1"


def test_unsafe_constructs_are_found_with_their_line() -> None:
    text = "ok\n![x](/etc/passwd)\n<script>x</script>\n# Title\n---\n$x$\n"
    found = {what: line for line, what, _hint in unsafe(text)}
    assert found["an image"] == 2
    assert found["raw HTML"] == 3
    assert found["a heading"] == 4
    assert found["a heading underline or rule"] == 5
    assert found["a '$' (math)"] == 6


def test_plain_clause_text_is_safe() -> None:
    assert unsafe("Supplier shall (a) do this; and\n\n(b) do that.\n") == []


def test_setext_headings_and_tables_without_outer_pipes() -> None:
    found = {what: line for line, what, _hint in
             unsafe("99.1 Fake\n----\n\nCol A | Col B\n----- | -----\nx | y\n")}
    assert found == {"a heading underline or rule": 2, "a table": 5}


def test_escape_keeps_typography_literal() -> None:
    assert escape("O'Brien AF--3000 MSA...1") == "O\\'Brien AF-\\-3000 MSA.\\.\\.1"


def test_the_quick_test_never_passes_text_a_rule_would_refuse() -> None:
    """`unsafe` returns early for text its quick test calls plain; every rule must agree."""
    import random

    from mc2cli.inputs import markdown

    rng = random.Random(16)
    alphabet = list("abcdefgh  ,.") * 6 + list("1\t\n\n*_~^#=-`:|>+{}[]()<$!\\.")
    alphabet += ["9.", "  ", "    ", "\t\t\t\t\t"]
    samples = ["plain words only", "a **b** c", "*" * 9, "x*" * 9, "-- x", "\t\t\t\t\t- x"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
                for _ in range(20_000)]
    plain = 0
    for text in samples:
        if markdown._plain(text):
            plain += 1
            for jinja in (False, True):
                full = [*markdown._nesting(text)]
                for line in text.split("\n"):
                    assert not any(p.search(line) for p, _w, _h in markdown._INLINE), text
                    assert not markdown._bare_brace(line, jinja), text
                    assert not any(p.match(line) for p, _w, _h in markdown._LINE), text
                assert full == [], text
    assert plain > 1_000  # the quick test does let ordinary text through
