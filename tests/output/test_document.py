"""The master template's view: Schedule C's optional product columns."""

from __future__ import annotations

from pathlib import Path

from mc2cli.output.document import to_markdown
from mc2cli.pipeline import check

FULL = """products:
  - name: Pump
    model: P-1
    quantity: 3
    delivery_date: 2027-02-01
    end_of_support: 2035-12-31
    operating_system: Embedded Linux 5.10
    os_end_of_support: 2026-12-31
    cyber_device: true
    handles_phi: false
  - {name: Hub, model: H-2}
"""


def _schedule_c(deal: Path) -> str:
    result = check(deal)
    assert result.contract is not None, [p.format() for p in result.problems]
    return to_markdown(result.contract).split("## Schedule C: Covered Products")[1]


def test_fields_a_deal_leaves_out_read_not_stated(tiny: Path) -> None:
    text = _schedule_c(tiny / "deal.yaml")
    assert "| Product | Model | Software version |\n" in text
    assert "| Pump | P-1 | 1.10 |" in text
    assert "| Pump | not stated | not stated |\n" in text  # quantity, delivery date
    assert "| Pump | not stated | not stated | not stated | not stated | not stated |" in text


def test_every_optional_field_has_its_column(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    source = deal.read_text()
    start = source.index("products:")
    end = source.index("library:")
    deal.write_text(source[:start] + FULL + source[end:])
    text = _schedule_c(deal)
    assert "| Product | Model | Software version |\n" in text
    assert "| Product | Quantity | Delivery date |" in text
    assert "| Pump | 3 | February 1, 2027 |" in text
    assert "| Hub | not stated | not stated |" in text
    assert ("| Pump | December 31, 2035 | Embedded Linux 5.10 | December 31, 2026 | Yes | No |"
            in text)
    assert "| Hub | not stated | not stated | not stated | not stated | not stated |" in text


def test_optional_fields_are_checked(tiny: Path) -> None:
    deal = tiny / "deal.yaml"
    source = deal.read_text()
    bad = FULL.replace("quantity: 3", "quantity: 0").replace("cyber_device: true",
                                                              "cyber_device: maybe")
    bad = bad.replace("delivery_date: 2027-02-01", "delivery_date: next spring")
    deal.write_text(source[:source.index("products:")] + bad + source[source.index("library:"):])
    result = check(deal)
    fields = {p.field for p in result.errors}
    assert {"products[0].quantity", "products[0].cyber_device",
            "products[0].delivery_date"} <= fields
