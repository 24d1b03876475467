"""Segments keep their own number and heading."""

from __future__ import annotations

from mc2cli.reading.documents import Block, text_blocks
from mc2cli.reading.segments import segment, split_number


def test_split_number() -> None:
    assert split_number("5.2 The Supplier shall") == ("5.2", "The Supplier shall")
    assert split_number("(b) notify the Customer") == ("b", "notify the Customer")
    assert split_number("Section 7. Audit rights apply") == ("7", "Audit rights apply")
    assert split_number("The Supplier") == (None, "The Supplier")


def test_numbers_headings_and_run_in_titles() -> None:
    blocks = [Block("Security Terms", 1), Block("5. SECURITY PATCHING"),
              Block("5.1 Patch Timeline. The Supplier shall provide each patch within 30 days."),
              Block("The Customer shall install patches within sixty days of delivery."),
              Block("Page 3"),
              Block("6. Payment"),
              Block("Invoices are payable within thirty days of receipt by the Customer.")]
    segs = segment(blocks)
    assert [(s.number, s.heading) for s in segs] == [
        ("5.1", "Patch Timeline"), ("5", "Security Patching"), ("6", "Payment")]
    assert segs[0].text.startswith("The Supplier shall provide")
    assert [s.index for s in segs] == [1, 2, 3]


def test_plain_text_contract() -> None:
    text = ("1. DEFINITIONS\n\n1.1 \"Product\" means the infusion pumps listed in the order.\n\n"
            "2. SECURITY\n\n2.1 Vendor shall maintain an SBOM for each Product and update it "
            "with every release.\n")
    segs = segment(text_blocks(text))
    assert [(s.number, s.heading) for s in segs] == [("1.1", "Definitions"), ("2.1", "Security")]
