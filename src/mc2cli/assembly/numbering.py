"""Section and clause numbers, assigned before any text renders so every ref() resolves."""

from __future__ import annotations

from collections.abc import Callable

from mc2cli.assembly.positions import PlanItem

# Section 1 is Definitions; principle sections and the general terms follow.
FIRST_SECTION = 2


def number(sections: list[tuple[str, list[PlanItem]]]
           ) -> tuple[dict[str, str], list[tuple[int, str, list[PlanItem]]]]:
    """Clause numbers by id ("11.2"), and the non-empty sections with their numbers."""
    numbers: dict[str, str] = {}
    numbered: list[tuple[int, str, list[PlanItem]]] = []
    section_no = FIRST_SECTION - 1
    for sid, items in sections:
        if not items:
            continue
        section_no += 1
        for j, (c, _lc, _i) in enumerate(items, start=1):
            numbers[c.id] = f"{section_no}.{j}"
        numbered.append((section_no, sid, items))
    return numbers, numbered


def reference(numbers: dict[str, str]) -> Callable[[str], str]:
    """What ref('clause.id') prints: "Section 11.2", or the id in brackets when not included."""
    def ref(cid: str) -> str:
        return f"Section {numbers[cid]}" if cid in numbers else f"[{cid}]"
    return ref
