"""Accuracy of `mc2 analyze` on labelled paragraphs from public documents.

    python benchmarks/analyze/evaluate.py [--split dev|test|all] [--lexical-only]

paragraphs.jsonl holds one paragraph a line: its text (condensed from the source in our own
words, keeping the source's terms and figures), the principle it is about (or "none"), and
the source's URL and title. Sources are split whole into `dev` (used to tune signals.yaml and
the fusion weights) and `test` (never tuned on); report the test figures.

Prints, for the lexical method and with the sentence model (if installed): top-1 and top-3
principle accuracy over the paragraphs about a principle, recall per principle, the share of
`none` paragraphs placed in a principle, the share of principle paragraphs called `none`, and
the false-"covered" rate on whole documents (each source's paragraphs, in order, analysed as
one document: a principle reported covered that none of its paragraphs is about).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.reading.analysis import COVERED, analyze_segments
from mc2cli.reading.classify import NONE, Matcher, Tuning
from mc2cli.reading.embedding import Encoder, encoder
from mc2cli.reading.segments import Segment
from mc2cli.reading.signals import load_signals

HERE = Path(__file__).resolve().parent
DATA = HERE / "paragraphs.jsonl"


def load(split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, Any]], model: Encoder | None,
             tuning: Tuning | None = None) -> dict[str, Any]:
    lib = load_library([builtin_library_dir()])
    principles = [p.id for p in lib.principles]
    matcher = Matcher(lib, load_signals(), model, tuning)
    # Paragraph level: each paragraph alone (a document of one), so no neighbour votes.
    single = [analyze_segments([Segment(1, None, None, r["text"])], lib, model,
                               matcher=matcher).items[0] for r in rows]
    top1 = top3 = labelled = none_wrong = nones = missed = 0
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for r, it in zip(rows, single, strict=True):
        gold = r["principle"]
        got = it.match.principle
        ranked = [c.principle for c in it.match.candidates]
        if gold == NONE:
            nones += 1
            none_wrong += got != NONE
            continue
        labelled += 1
        totals[gold] += 1
        top1 += got == gold
        top3 += gold in ranked[:3]
        missed += got == NONE
        hits[gold] += got == gold
        if got != gold:
            confusion[(gold, got)] += 1
    # Document level: each source's paragraphs in order, as one document.
    docs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        docs[r["source"]].append(r)
    false_covered = absent = present_covered = present = 0
    examples: list[str] = []
    for src, paras in sorted(docs.items()):
        a = analyze_segments([Segment(i + 1, None, None, p["text"])
                              for i, p in enumerate(paras)], lib, model, matcher=matcher)
        about = {p["principle"] for p in paras}
        for pid in principles:
            if pid in about:
                present += 1
                present_covered += a.coverage[pid].status == COVERED
                continue
            absent += 1
            if a.coverage[pid].status == COVERED:
                false_covered += 1
                examples.append(f"{src}: {pid}")
    return {
        "paragraphs": len(rows), "labelled": labelled, "none": nones,
        "top1": top1 / max(labelled, 1), "top3": top3 / max(labelled, 1),
        "none_wrongly_placed": none_wrong / max(nones, 1),
        "principle_called_none": missed / max(labelled, 1),
        "recall": {p: (hits[p] / totals[p], totals[p]) for p in principles if totals[p]},
        "documents": len(docs), "false_covered": false_covered, "absent": absent,
        "false_covered_rate": false_covered / max(absent, 1), "false_covered_examples": examples,
        "present": present, "present_covered": present_covered / max(present, 1),
        "confusion": confusion.most_common(8),
    }


def show(name: str, res: dict[str, Any]) -> None:
    print(f"== {name}: {res['paragraphs']} paragraphs ({res['labelled']} on a principle, "
          f"{res['none']} none), {res['documents']} documents")
    print(f"top-1 {res['top1']:.3f}   top-3 {res['top3']:.3f}   none placed in a principle "
          f"{res['none_wrongly_placed']:.3f}   principle called none "
          f"{res['principle_called_none']:.3f}")
    print(f"false covered: {res['false_covered']} of {res['absent']} absent principles "
          f"({res['false_covered_rate']:.3f}); principles present reported covered "
          f"{res['present_covered']:.3f} of {res['present']}"
          + (f"  e.g. {', '.join(res['false_covered_examples'][:4])}"
             if res["false_covered_examples"] else ""))
    print("recall: " + ", ".join(f"{p} {r:.2f}/{n}" for p, (r, n) in res["recall"].items()))
    print("most confused (gold -> got): " + ", ".join(f"{g}->{w} {n}"
                                                     for (g, w), n in res["confusion"]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--lexical-only", action="store_true")
    args = parser.parse_args()
    rows = load(args.split)
    show(f"{args.split} / lexical", evaluate(rows, None))
    if not args.lexical_only:
        model, why = encoder()
        if model is None:
            print(why, file=sys.stderr)
        else:
            show(f"{args.split} / lexical + model", evaluate(rows, model))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
