"""A compact TF-IDF: stemmed words and word pairs, sublinear term counts, cosine similarity."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
STOP = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
    "each", "either", "etc", "few", "for", "from", "further", "had", "has", "have", "having",
    "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "itself", "may", "me", "might", "more", "most", "must", "my", "neither", "no",
    "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out",
    "over", "own", "per", "same", "shall", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "upon", "us", "very", "via",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "within", "without", "would", "you", "your", "yours", "hereby", "herein",
    "hereunder", "thereof", "therein", "whereas", "agreement", "party", "parties", "section",
    "clause", "following", "including", "include", "includes", "provided", "provide",
    "provides", "applicable", "mdm", "hdo", "ref",
})
_SUFFIXES = ("ational", "ations", "ation", "nesses", "ness", "ments", "ment", "ities", "ity",
             "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Stems of the content words, and each pair of neighbouring content words."""
    words = [w.replace("'", "") for w in _WORD.findall(_JINJA.sub(" ", text.lower()))]
    stems = [stem(w) for w in words if w not in STOP and (len(w) > 1 or w.isdigit())]
    pairs = [f"{a}_{b}" for a, b in itertools.pairwise(stems)]
    return stems + pairs


Vector = dict[str, float]


class Index:
    """Documents (id, text) as TF-IDF vectors; `scores` gives each document's cosine."""

    def __init__(self, docs: list[tuple[str, str]]) -> None:
        counted = [(key, Counter(terms(text))) for key, text in docs]
        df: Counter[str] = Counter()
        for _key, counts in counted:
            df.update(counts.keys())
        n = len(docs)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
        self.keys = [key for key, _c in counted]
        self.vectors = [self._weigh(c) for _k, c in counted]

    def _weigh(self, counts: Counter[str]) -> Vector:
        vec = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def vector(self, text: str) -> Vector:
        return self._weigh(Counter(terms(text)))

    def scores(self, text: str) -> list[float]:
        query = self.vector(text)
        return [sum(w * doc.get(t, 0.0) for t, w in query.items()) for doc in self.vectors]
