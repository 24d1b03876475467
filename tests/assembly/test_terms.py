from __future__ import annotations

import random
import re

from mc2cli.assembly.terms import term_used


def test_a_term_counts_only_as_a_whole_word_capitalized_as_defined() -> None:
    assert term_used("Product", "Products", "the Products listed")
    assert term_used("Product", None, "(Product)")
    assert not term_used("Product", None, "the Productive use")
    assert not term_used("Product", None, "a Sub-Product here")
    assert not term_used("Product", None, "the product")
    assert not term_used("Product", None, "Product_id")
    assert term_used("Product", None, "Product_id and Product")  # a later occurrence counts
    assert not term_used("Patch", None, "Pätch and éPatch")  # any word character


def test_whole_word_search_agrees_with_the_pattern_it_replaced() -> None:
    rng = random.Random(16)
    alphabet = ["Term", "Term", "Terms", "a", "-", "_", " ", ".", "é", "\n", "9", "("]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for term, plural in (("Term", None), ("Term", "Terms"), ("a-Term", None)):
            forms = [term, *([plural] if plural else [])]
            expected = any(re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)
                           for f in forms)
            assert term_used(term, plural, text) == expected, (term, text)
