"""The assembly's steps, each on its own: numbering, positions, parameter values."""

from __future__ import annotations

from mc2cli.assembly.numbering import number, reference
from mc2cli.assembly.parameters import split_value
from mc2cli.assembly.positions import position_of
from mc2cli.inputs.models import Clause, Deal


def _clause(cid: str) -> Clause:
    return Clause.model_validate({"id": cid, "title": cid, "obligor": "mdm",
                                  "positions": {"hdo": "a", "middle": "b", "mdm": "c"}})


def _deal(**extra: object) -> Deal:
    base = {"mc2": 1, "title": "T", "effective_date": "2027-01-01",
            "governing_law": "the State of New York",
            "parties": {r: {"name": n, "address": "1 Road, Town",
                            "signatory": {"name": "A B", "title": "C"}}
                        for r, n in (("hdo", "Lakeside Health"), ("mdm", "Acme Devices"))},
            "products": [{"name": "Pump", "model": "P-1", "software_version": "1.0"}]}
    return Deal.model_validate({**base, **extra})


def test_numbers_skip_empty_sections_and_start_after_definitions() -> None:
    a, b, c = _clause("x.a"), _clause("x.b"), _clause("y.c")
    numbers, numbered = number([("x", [(a, None, -1), (b, None, -1)]), ("empty", []),
                                ("y", [(c, None, -1)])])
    assert numbers == {"x.a": "2.1", "x.b": "2.2", "y.c": "3.1"}
    assert [(no, sid) for no, sid, _ in numbered] == [(2, "x"), (3, "y")]
    ref = reference(numbers)
    assert ref("y.c") == "Section 3.1"
    assert ref("gone") == "[gone]"


def test_position_precedence_clause_over_principle_over_deal() -> None:
    deal = _deal(position="mdm", reason="deal-wide",
                 principles={"p": {"position": "hdo", "reason": "principle"}},
                 clauses={"p.one": {"position": "middle", "reason": "clause"}})
    assert position_of(deal, "p.two", "p") == ("hdo", "principle", ("principles", "p"))
    assert position_of(deal, "p.one", "p") == ("middle", "clause", ("clauses", "p.one"))
    assert position_of(deal, "q.one", "q") == ("mdm", "deal-wide", ("position",))


def test_a_parameter_entry_is_a_value_or_value_and_reason() -> None:
    assert split_value(30) == (30, None, True)
    assert split_value({"value": 30, "reason": " why "}) == (30, "why", True)
    assert split_value({"valu": 30})[2] is False
