"""`mc2 ingest`: a returned Word file read against the deal that produced it.

The deal is assembled as it stands, and once more for each position with every clause at
that position (the deal's parameters kept), so each clause's other texts are at hand. The
returned file is read (docxread), each clause found in it (match) and compared (classify);
`propose` turns the changes into a proposed deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mc2cli import __version__
from mc2cli.assembly.assemble import assemble
from mc2cli.assembly.contract import AssembledClause, Contract
from mc2cli.errors import InputError, Problem
from mc2cli.inputs.models import POSITIONS, Choice, Deal
from mc2cli.inputs.yamlload import Document
from mc2cli.pipeline import check, display, load_deal
from mc2cli.reading.changes import KINDS, Change, Classifier, comments, outside
from mc2cli.reading.docxread import Para, Returned, read_docx
from mc2cli.reading.match import Layout, locate
from mc2cli.reading.plain import fold

# A file in which fewer than this share of the deal's clauses can be found is not this
# deal's contract.
MIN_FOUND = 0.5


@dataclass
class Inserted:
    principle: str
    after: str | None
    paragraphs: list[Para]
    change: Change


@dataclass
class Ingested:
    deal_path: Path
    returned: Returned
    contract: Contract
    layout: Layout
    changes: list[Change]
    inserted: list[Inserted]
    unmatched: list[dict[str, Any]]
    warnings: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        found = self.layout.found.values()
        return {
            "format": 1, "mc2_version": __version__,
            "deal": display(self.deal_path), "document": self.returned.path,
            "clauses": {"total": len(self.contract.clauses),
                        "found": {how: sum(1 for f in found if f.how == how)
                                  for how in ("bookmark", "heading", "text")},
                        "missing": [e.clause.id for e in self.layout.missing]},
            "changes": [c.as_json() for c in self.changes],
            "unmatched": self.unmatched,
        }


def variants(deal: Deal, doc: Document, contract: Contract
             ) -> dict[str, dict[str, AssembledClause]]:
    """Every clause at each position, with the deal's parameters: one assembly per position."""
    out: dict[str, dict[str, AssembledClause]] = {}
    lib = contract.library
    for pos in POSITIONS:
        choices = dict(deal.clauses)
        for cid in lib.clauses:
            choices[cid] = choices.get(cid, Choice()).model_copy(update={"position": pos})
        variant, _problems = assemble(deal.model_copy(update={"clauses": choices}), doc, lib)
        out[pos] = {c.id: c for c in variant.clauses} if variant is not None else {}
    return out


def ingest(docx: Path, deal_path: Path, *, library: list[Path] | None = None) -> Ingested:
    """Read `docx` against the deal; InputError for a deal with errors, a file that is not a
    safe Word file, or one in which most clauses cannot be found."""
    from mc2cli.output.document import to_markdown
    result = check(deal_path, library=library)
    if result.contract is None:
        raise InputError(result.errors or result.problems)
    contract = result.contract
    deal, doc = load_deal(deal_path)
    returned = read_docx(docx, display(docx))
    layout = locate(returned, contract, to_markdown(contract))
    total = len(contract.clauses)
    if total and len(layout.found) < MIN_FOUND * total:
        raise InputError([Problem(
            returned.path, 1, 1,
            f"only {len(layout.found)} of the deal's {total} clauses were found in this file",
            hint=f"is it the contract of {display(deal_path)}? ingest the file built from "
                 "this deal, as the other side returned it", rule="ingest")])
    parties = [contract.deal.parties.hdo.name, contract.deal.parties.mdm.name]
    text = fold(" ".join(p.text for p in returned.paragraphs[:400]))
    if not any(fold(name) in text for name in parties):
        raise InputError([Problem(
            returned.path, 1, 1, "names neither party of the deal "
            f"({parties[0]}, {parties[1]})",
            hint=f"is it the contract of another deal? ingest the file built from "
                 f"{display(deal_path)}", rule="ingest")])
    classifier = Classifier(contract, variants(deal, doc, contract), returned)
    changes: list[Change] = []
    tails: dict[str, list[Para]] = {}
    order = {c.id: i for i, c in enumerate(contract.clauses)}
    for cid, found in layout.found.items():
        found_changes, tail = classifier.clause(found, order[cid])
        changes.extend(found_changes)
        if tail:
            tails[cid] = tail
    for e in layout.missing:
        changes.append(Change("omitted", e.clause.id, e.clause.number,
                              old="\n".join(e.body), author=returned.last_author,
                              date=returned.modified, order=order[e.clause.id]))
    runs, unmatched = outside(layout, returned, tails, contract, classifier.by)
    inserted = []
    for n, (principle, after, paras) in enumerate(runs, start=1):
        author, date, tracked = classifier.by(paras)
        text = "\n".join(p.text for p in paras)
        at = order[after] if after else -1
        change = Change("inserted", None, None, new=text, author=author, date=date,
                        tracked=tracked, order=at, detail={"principle": principle,
                                                           "after": after, "n": n})
        inserted.append(Inserted(principle, after, paras, change))
        changes.append(change)
    changes.extend(comments(returned, layout, contract))
    changes.sort(key=lambda c: (c.order, KINDS.index(c.kind), c.parameter or "", str(c.new)))
    return Ingested(deal_path, returned, contract, layout, changes, inserted, unmatched,
                    [p for p in result.problems if p.severity == "warning"])


def check_text(text: str, path: Path, *, library: list[Path] | None = None) -> list[Problem]:
    """Check a deal held in memory as if it were the file `path`: the proposed deal is
    checked before it is written."""
    from mc2cli.assembly.lint import library_errors
    from mc2cli.inputs.validate import validate_lenient
    from mc2cli.inputs.yamlload import load_text
    from mc2cli.pipeline import library_for
    shown = display(path)
    try:
        doc = load_text(text, shown)
        problems: list[Problem] = list(doc.problems)
        deal = validate_lenient(Deal, doc, problems)
        if deal is None:
            return problems
        lib = library_for(deal, path, library, doc)
    except InputError as exc:
        return exc.problems
    errors = library_errors(lib)
    if errors:
        return errors
    _contract, found = assemble(deal, doc, lib)
    return sorted({*problems, *found})
