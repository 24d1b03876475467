"""Product kinds: a cloud-only deal gets cloud wording and none of the device-only duties."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BUILTIN_DEAL
from mc2cli.output.document import to_markdown
from mc2cli.output.notes import to_markdown as notes_markdown
from mc2cli.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
DEAL = BUILTIN_DEAL + "position: {position}\nreason: testing every position\n"
# Duties that only make sense for equipment on the customer's premises.
DEVICE_ONLY = ["network segment", "shall install each validated Security Patch",
               "before it leaves", "leaves Health System's control", "leaves Customer's control",
               "Remote Session", "affected unit", "their removable media", "Maintenance Window",
               # device words in clauses that apply to every kind (worded by `cloud_only`)
               "reimage", "storage available on the Product", "how to install",
               "installation instructions", "installation and rollback instructions",
               "any gateway it operates", "for a period before that date", "replacement parts",
               "last unit", "approved for installation", "installing Security Patches",
               "installing a Security Patch", "hardware the upgrade requires",
               # start points: a service is made available, never delivered
               "delivered to Customer", "delivery to Customer", "first delivery", "at delivery",
               "before delivery", "delivery of each Product", "Product delivered under it",
               "as delivered", "Delivery date", "device logs"]


def _contract(tmp_path: Path, products: str, position: str = "middle") -> tuple[str, str]:
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL.replace("{position}", position) + products, encoding="utf-8")
    result = check(deal, strict=True)
    assert result.contract is not None, [p.format() for p in result.problems]
    return to_markdown(result.contract), notes_markdown(result.contract)


def test_a_cloud_only_deal_has_no_device_only_duties(tmp_path: Path) -> None:
    for position in ("hdo", "middle", "mdm"):
        text, notes = _contract(tmp_path, "products:\n  - {name: S, model: S1, kind: cloud}\n",
                                position)
        for phrase in DEVICE_ONLY:
            assert phrase not in text, (position, phrase)
        assert "deploy each Security Patch to the service itself" in text
        assert "Supplier Access to Data in Cloud Services" in text
        # A service's duties start when it is first made available, a date defined once.
        assert ('"**Support Period**" means, for a Product, the period from its Service Start '
                'Date until its End of Support') in text
        assert '"**Service Start Date**" means' in text
        # Schedule C keeps every column (a redline between deals tracks cells, not tables).
        assert "| Product | Quantity | Service Start Date |" in text
        assert "| S | not applicable | not stated |" in text
        assert "| S | not stated | not applicable | not applicable | not stated | not stated |" \
            in text
        # The export window before a cloud service ends is a figure in every position.
        assert re.search(r"available for export[^.]*\(\d+\) days before that date", text), \
            position
        # The notes say why each device clause was left out.
        assert ("`patching.hdo-installation`: it applies to device and software products, and "
                "every product in this deal is a cloud product") in notes


def test_a_device_deal_keeps_device_duties_and_no_cloud_clauses(tmp_path: Path) -> None:
    text, _ = _contract(tmp_path, "products:\n  - {name: P, model: P1}\n")
    assert "network segment" in text and "Remote Session" in text
    assert "installation instructions" in text and "planned deployment time" not in text
    assert "deploy each Security Patch to the service itself" not in text
    assert "Service Start Date" not in text and "period from its delivery to Customer" in text
    assert "| Product | Quantity | Delivery date |" in text
    mdm, _ = _contract(tmp_path, "products:\n  - {name: P, model: P1}\n", "mdm")
    for phrase in ("reimage", "storage available on the Product", "how to install it",
                   "any gateway it operates"):
        assert phrase in mdm, phrase


def test_a_mixed_deal_gets_both(tmp_path: Path) -> None:
    text, _ = _contract(tmp_path, "products:\n  - {name: P, model: P1, kind: device}\n"
                                  "  - {name: S, model: S1, kind: cloud}\n")
    assert "network segment" in text
    assert "deploy each Security Patch to the service itself" in text


def test_the_cloud_example_is_a_cloud_deal() -> None:
    text = (ROOT / "examples" / "cirrus-cloud-samd" / "contract.md").read_text(encoding="utf-8")
    for phrase in DEVICE_ONLY:
        assert phrase not in text, phrase
