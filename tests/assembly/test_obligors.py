"""Obligors read from clause texts: who "shall", "must", "will" or "agrees to"."""

from __future__ import annotations

import pytest

from mc2cli.assembly.obligors import declared, disagreement, obligors


@pytest.mark.parametrize(("text", "expected"), [
    ("Supplier shall patch.", {"mdm"}),
    ("Customer must install it; Supplier may help.", {"hdo"}),
    ("Supplier, at its own cost, will supply it.", {"mdm"}),
    ("Customer agrees to keep it confidential.", {"hdo"}),
    ("Each party shall keep the other's information confidential.", {"hdo", "mdm"}),
    ("Customer and Supplier shall meet yearly.", {"hdo", "mdm"}),
    ("Customer may audit Supplier once a year.", set()),
    ("Security Patches shall be tested.", set()),
    ("**Supplier** shall\nnotify Customer, which Customer shall not refuse.", {"hdo", "mdm"}),
    ("The Supplier-approved list shall apply.", set()),
])
def test_obligors(text: str, expected: set[str]) -> None:
    assert obligors(text, "Customer", "Supplier") == expected


def test_short_names_with_spaces() -> None:
    assert obligors("Health System shall install it.", "Health System", "Maker") == {"hdo"}


def test_disagreement_names_the_position_and_party() -> None:
    found = {"hdo": frozenset({"hdo", "mdm"}), "middle": frozenset({"hdo"})}
    assert disagreement("hdo", found) == ("the 'hdo' text puts duties on the manufacturer, "
                                          "but 'obligor' is 'hdo'")
    assert disagreement("both", found) is None
    assert declared("both") == {"hdo", "mdm"}
