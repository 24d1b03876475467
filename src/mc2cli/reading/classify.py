"""Segment -> principle and clause: lexical and sentence-model scores fused, context voting.

Each class (the library's principles and `none`) gets a lexical score (TF-IDF cosine with its
clauses and with its matching description) and, with the model, a semantic one (cosine with its
clause texts and descriptions). Each method's scores are standardized across the classes of a
segment, weighted and added; the segment's heading and its neighbours under the same heading
add a share of theirs. A softmax over the result gives the score; the band follows from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mc2cli.inputs.library import Library
from mc2cli.reading.embedding import Encoder, encode_cached
from mc2cli.reading.lexical import Index
from mc2cli.reading.segments import Segment
from mc2cli.reading.signals import Signals

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

NONE = "none"


@dataclass(frozen=True)
class Tuning:
    """The fusion's weights (benchmarks/analyze/evaluate.py measures them on held-out text)."""

    lexical: float = 1.0
    semantic: float = 0.8
    heading: float = 0.35
    neighbours: float = 0.15
    temperature: float = 0.9
    none_bias: float = 0.0
    lexical_floor: float = 0.06    # below this best cosine, with no model, a segment is none
    semantic_floor: float = 0.25   # below this best model cosine, a segment is none
    high: float = 0.6
    medium: float = 0.35
    description_share: float = 0.7  # a class's score: this share from its descriptions,
    #                                 the rest from its best clause
    agreement: bool = True  # with the model, `high` only where both methods pick the class
    semantic_none_penalty: float = 0.1  # sentence vectors of boilerplate sit close to much


@dataclass(frozen=True)
class Candidate:
    principle: str
    clause: str | None
    score: float


@dataclass(frozen=True)
class Match:
    principle: str
    clause: str | None
    score: float
    confidence: str
    candidates: list[Candidate]


def _strip(text: str) -> str:
    return " ".join(text.replace("{{", " ").replace("}}", " ").split())


class Matcher:
    def __init__(self, lib: Library, signals: Signals, encoder: Encoder | None,
                 tuning: Tuning | None = None) -> None:
        self.tuning = tuning or Tuning()
        self.encoder = encoder
        self.classes = [p.id for p in lib.principles] + [NONE]
        self.clauses: list[tuple[str, str]] = []      # (clause id, principle or none)
        lexical_docs: list[tuple[str, str]] = []
        semantic_texts: list[str] = []
        self.semantic_owner: list[tuple[str, str | None]] = []  # (class, clause id)
        for p in lib.principles:
            sig = signals.principles.get(p.id)
            terms = " ".join(sig.terms) if sig else ""
            for lc in lib.section_clauses(p.id):
                c = lc.clause
                texts = [v for v in c.positions.values() if isinstance(v, str)]
                extra = " ".join(signals.clauses.get(c.id, []))
                lexical_docs.append((c.id, f"{c.title} {c.title} {p.title} {extra} {extra} "
                                           + _strip(" ".join(texts))))
                self.clauses.append((c.id, p.id))
                middle = c.positions.get("middle")
                body = middle if isinstance(middle, str) else next(iter(texts), "")
                semantic_texts.append(f"{c.title}. {_strip(body)}")
                self.semantic_owner.append((p.id, c.id))
            descriptions = list(sig.descriptions) if sig else [p.summary]
            lexical_docs.append((f"principle:{p.id}", f"{p.title} {p.title} {p.summary} "
                                 + " ".join(descriptions) + f" {terms} {terms}"))
            self.clauses.append((f"principle:{p.id}", p.id))
            for d in [p.summary, *descriptions]:
                semantic_texts.append(d)
                self.semantic_owner.append((p.id, None))
        for i, text in enumerate(signals.none):
            lexical_docs.append((f"none:{i}", text))
            self.clauses.append((f"none:{i}", NONE))
            semantic_texts.append(text)
            self.semantic_owner.append((NONE, None))
        for lc in lib.section_clauses("general"):
            lexical_docs.append((lc.clause.id, lc.clause.title))
            self.clauses.append((lc.clause.id, NONE))
        self.index = Index(lexical_docs)
        self.owner = dict(self.clauses)
        self.library_vectors: NDArray[np.float32] | None = (
            encode_cached(encoder, semantic_texts) if encoder else None)

    # --- raw scores -------------------------------------------------------------------------

    def _lexical(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """Per class its best cosine; per clause id its cosine."""
        best_clause = dict.fromkeys(self.classes, 0.0)
        described = dict.fromkeys(self.classes, 0.0)
        per_clause: dict[str, float] = {}
        for (key, owner), score in zip(self.clauses, self.index.scores(text), strict=True):
            if key.startswith(("principle:", "none:")):
                described[owner] = max(described[owner], score)
            else:
                best_clause[owner] = max(best_clause[owner], score)
                per_clause[key] = score
        return self._blend(best_clause, described), per_clause

    def _blend(self, best_clause: dict[str, float], described: dict[str, float]
               ) -> dict[str, float]:
        share = self.tuning.description_share
        # `none` has no clauses of its own here beyond general ones: its descriptions count.
        return {k: (max(best_clause[k], described[k]) if k == NONE else
                    (1 - share) * best_clause[k] + share * described[k]) for k in self.classes}

    def _semantic(self, vectors: NDArray[np.float32] | None, row: int
                  ) -> tuple[dict[str, float], dict[str, float]]:
        best_clause = dict.fromkeys(self.classes, 0.0)
        described = dict.fromkeys(self.classes, 0.0)
        per_clause: dict[str, float] = {}
        if vectors is None or self.library_vectors is None:
            return best_clause, per_clause
        sims = self.library_vectors @ vectors[row]
        for (owner, clause), sim in zip(self.semantic_owner, sims.tolist(), strict=True):
            if clause:
                best_clause[owner] = max(best_clause[owner], sim)
                per_clause[clause] = sim
            else:
                described[owner] = max(described[owner], sim)
        return self._blend(best_clause, described), per_clause

    def _fused(self, lex: dict[str, float], sem: dict[str, float] | None) -> dict[str, float]:
        t = self.tuning
        fused = {k: t.lexical * v for k, v in _standard(lex).items()}
        if sem is not None:
            sem = {**sem, NONE: sem[NONE] - t.semantic_none_penalty}
            for k, v in _standard(sem).items():
                fused[k] += t.semantic * v
        fused[NONE] += t.none_bias
        return fused

    # --- classification --------------------------------------------------------------------

    def classify(self, segments: list[Segment]) -> list[Match]:
        t = self.tuning
        texts = [s.text for s in segments]
        headings = sorted({s.heading for s in segments if s.heading})
        vectors = self.encoder.encode(texts) if self.encoder and texts else None
        head_vectors = self.encoder.encode(headings) if self.encoder and headings else None
        head_fused: dict[str, dict[str, float]] = {}
        for i, h in enumerate(headings):
            lex_h, _ = self._lexical(h)
            sem_h = self._semantic(head_vectors, i)[0] if head_vectors is not None else None
            head_fused[h] = self._fused(lex_h, sem_h)
        own: list[dict[str, float]] = []
        clause_scores: list[dict[str, float]] = []
        floors: list[bool] = []
        agree: list[bool] = []
        for i, s in enumerate(segments):
            lex, lex_clause = self._lexical(s.text)
            sem, sem_clause = self._semantic(vectors, i)
            has_model = vectors is not None
            own.append(self._fused(lex, sem if has_model else None))
            top = max(lex_clause.values(), default=0.0) or 1.0
            clause_scores.append({c: lex_clause[c] / top + (sem_clause.get(c, 0.0) * 2
                                                            if has_model else 0.0)
                                  for c in lex_clause})
            weak_lex = max(v for k, v in lex.items() if k != NONE) < t.lexical_floor
            weak_sem = has_model and max(v for k, v in sem.items() if k != NONE) \
                < t.semantic_floor
            floors.append(weak_sem if has_model else weak_lex)
            agree.append(not has_model or _top(lex) == _top(sem))
        matches = []
        for i, s in enumerate(segments):
            total = dict(own[i])
            if s.heading and s.heading in head_fused:
                for k, v in head_fused[s.heading].items():
                    total[k] += t.heading * v
            for j in (i - 1, i + 1):
                if 0 <= j < len(segments) and segments[j].heading == s.heading:
                    for k, v in own[j].items():
                        total[k] += t.neighbours * v / 2
            matches.append(self._decide(total, clause_scores[i], floors[i], agree[i]))
        return matches

    def _decide(self, total: dict[str, float], clause_scores: dict[str, float],
                floor: bool, agree: bool = True) -> Match:
        t = self.tuning
        peak = max(total.values())
        exp = {k: math.exp((v - peak) / t.temperature) for k, v in total.items()}
        norm = sum(exp.values())
        prob = {k: v / norm for k, v in exp.items()}
        ranked = sorted(prob, key=lambda k: (-prob[k], k))
        candidates = [Candidate(k, self._best_clause(k, clause_scores), round(prob[k], 3))
                      for k in ranked[:3]]
        best = candidates[0]
        if floor and best.principle != NONE:
            return Match(NONE, None, round(prob[NONE], 3), "low", candidates)
        band = ("high" if best.score >= t.high and (agree or not t.agreement)
                else "medium" if best.score >= t.medium else "low")
        return Match(best.principle, best.clause, best.score, band, candidates)

    def _best_clause(self, principle: str, clause_scores: dict[str, float]) -> str | None:
        if principle == NONE:
            return None
        mine = [(score, c) for c, score in clause_scores.items()
                if self.owner.get(c) == principle]
        return max(mine, key=lambda x: (x[0], x[1]))[1] if mine else None


def _top(scores: dict[str, float]) -> str:
    return max(sorted(scores), key=lambda k: scores[k])


def _standard(scores: dict[str, float]) -> dict[str, float]:
    values = list(scores.values())
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return {k: (v - mean) / sd for k, v in scores.items()}
