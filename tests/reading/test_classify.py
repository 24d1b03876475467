"""Classification plumbing with a small fake encoder: fusion, context votes, `none`, bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.reading.classify import NONE, Matcher, Tuning
from mc2cli.reading.segments import Segment
from mc2cli.reading.signals import load_signals

WORDS = ["patch", "breach", "incident", "sbom", "remote", "audit", "invoice", "warranty",
         "penetration", "vulnerab", "subcontract", "encrypt", "end of life", "operating system"]


class FakeEncoder:
    """Bag of a few words: enough to tell the plumbing apart, and fast."""

    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        rows = np.array([[t.lower().count(w) for w in WORDS] + [0.2] for t in texts],
                        dtype=np.float32)
        result: NDArray[np.float32] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return result


def _seg(text: str, heading: str | None = None, index: int = 1) -> Segment:
    return Segment(index, None, heading, text)


LIB = load_library([builtin_library_dir()])


def test_library_is_encoded_once_per_matcher() -> None:
    fake = FakeEncoder()
    matcher = Matcher(LIB, load_signals(), fake)
    assert fake.calls == 1
    matcher.classify([_seg("Vendor shall deliver each security patch within 30 days.")])
    assert fake.calls == 2  # the segments (no headings to encode)


def test_fused_scores_pick_principle_clause_and_candidates() -> None:
    matcher = Matcher(LIB, load_signals(), FakeEncoder())
    (m,) = matcher.classify([_seg("Vendor shall make validated security patches for the "
                                  "operating system available within 30 days of release.")])
    assert m.principle == "security-patching"
    assert m.clause is not None and m.clause.startswith("patching.")
    assert m.candidates[0].principle == "security-patching"
    assert len(m.candidates) == 3 and m.candidates[0].score >= m.candidates[1].score
    assert 0 <= m.score <= 1


def test_off_topic_text_is_none() -> None:
    matcher = Matcher(LIB, load_signals(), FakeEncoder())
    (m,) = matcher.classify([_seg("Customer shall pay each invoice within thirty days; late "
                                  "payments bear interest, and the warranty covers defects "
                                  "in materials for one year.")])
    assert m.principle == NONE and m.clause is None


def test_heading_votes_for_an_ambiguous_paragraph() -> None:
    text = "The Supplier shall tell the Customer within 5 business days."
    tuning = Tuning(heading=2.0)
    matcher = Matcher(LIB, load_signals(), None, tuning)
    (with_heading,) = matcher.classify([_seg(text, "Remote Access and Remote Service")])
    (other,) = matcher.classify([_seg(text, "Penetration Testing")])
    assert with_heading.principle == "remote-access"
    assert other.principle == "security-testing"


def test_lexical_only_works_without_an_encoder() -> None:
    matcher = Matcher(LIB, load_signals(), None)
    (m,) = matcher.classify([_seg("Supplier shall provide a software bill of materials (SBOM) "
                                  "in SPDX or CycloneDX format for each product.")])
    assert m.principle == "supplier-transparency" and m.clause == "transparency.sbom"
    assert m.confidence in ("high", "medium")


def test_weak_evidence_is_none_and_low() -> None:
    matcher = Matcher(LIB, load_signals(), None)
    (m,) = matcher.classify([_seg("Nothing in these lines is about anything at all, truly.")])
    assert m.principle == NONE and m.confidence == "low"
