"""Who owes something in a clause, read from its text: every obligation sentence names its
obligor as the subject of "shall", "must", "will" or "agrees to".

The responsibility matrix (Schedule B) is drawn from this, so it shows the duties the chosen
text actually sets, including those inside a clause another party mainly owes; and library
lint holds each clause's declared `obligor` to what its texts say.
"""

from __future__ import annotations

import re
from functools import cache

HDO, MDM, BOTH = "hdo", "mdm", "both"
_DUTY = r"(?:shall|must|will|agrees?\s+to)\b"
# An aside between the subject and the verb: "Supplier, at its own cost, shall".
_ASIDE = r"(?:\s*,[^,.;:]{1,80},)?"
_NAMES = {HDO: "the HDO", MDM: "the manufacturer"}


@cache
def _patterns(hdo: str, mdm: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    h, m = re.escape(hdo), re.escape(mdm)
    both = re.compile(rf"\b(?:(?:[Ee]ach|[Ee]ither|[Bb]oth|[Tt]he)\s+part(?:y|ies)|"
                      rf"{h}\s+and\s+{m}|{m}\s+and\s+{h}){_ASIDE}\s+(?:also\s+)?{_DUTY}")
    return (re.compile(rf"\b{h}{_ASIDE}\s+(?:also\s+)?{_DUTY}"),
            re.compile(rf"\b{m}{_ASIDE}\s+(?:also\s+)?{_DUTY}"), both)


def obligors(text: str, hdo: str, mdm: str) -> frozenset[str]:
    """The parties ("hdo", "mdm") that owe something in a rendered clause text, given the
    parties' short names as the text writes them."""
    flat = re.sub(r"\s+", " ", text.replace("*", ""))
    h, m, both = _patterns(hdo, mdm)
    found: set[str] = set()
    if both.search(flat):
        found |= {HDO, MDM}
    if h.search(flat):
        found.add(HDO)
    if m.search(flat):
        found.add(MDM)
    return frozenset(found)


def declared(obligor: str) -> frozenset[str]:
    """The parties a declared `obligor` names."""
    return frozenset({HDO, MDM}) if obligor == BOTH else frozenset({obligor})


def disagreement(obligor: str, per_position: dict[str, frozenset[str]]) -> str | None:
    """Why a declared obligor disagrees with its texts, or None: a position's text puts a
    duty on a party the declaration leaves out."""
    named = declared(obligor)
    for pos, found in per_position.items():
        extra = found - named
        if extra:
            who = " and ".join(_NAMES[p] for p in sorted(extra))
            return (f"the '{pos}' text puts duties on {who}, but 'obligor' is '{obligor}'")
    return None
