"""The real sentence model (the analyze extra, part of the test extra) on clear paragraphs:
two per principle, written the way other people's contracts put it."""

from __future__ import annotations

import pytest

from mc2cli.inputs.layers import load_library
from mc2cli.paths import builtin_library_dir
from mc2cli.reading.classify import Matcher
from mc2cli.reading.embedding import MODEL_NAME, Encoder, encoder, missing_modules
from mc2cli.reading.segments import Segment
from mc2cli.reading.signals import load_signals

CLEAR = {
    "security-development-lifecycle": [
        "Vendor shall develop the software under a secure development lifecycle that follows NIST SP 800-218, including threat modeling and secure code review.",
        "Supplier's developers receive secure coding training every year, and static analysis runs on every build before release.",
    ],
    "supplier-transparency": [
        "Manufacturer shall provide a completed MDS2 form for each device model before purchase.",
        "Vendor shall deliver a software bill of materials in CycloneDX format listing every open source component and its version.",
    ],
    "risk-management": [
        "Manufacturer maintains a cybersecurity risk management process under ISO 14971 and AAMI TIR57 and shares a summary of residual risks.",
        "Vendor shall complete the hospital's security risk assessment questionnaire before the contract is signed.",
    ],
    "vulnerability-management": [
        "Manufacturer operates a coordinated vulnerability disclosure program and publishes security advisories for confirmed vulnerabilities.",
        "Vendor shall notify the customer of known exploited vulnerabilities affecting the products within three business days.",
    ],
    "supply-chain": [
        "Supplier remains responsible for its subcontractors and shall flow these security obligations down to each of them.",
        "All firmware and software updates shall be digitally signed so the device can verify their integrity and authenticity.",
    ],
    "standard-security-controls": [
        "The device shall support unique user accounts, role-based access control and automatic logoff after inactivity.",
        "The product shall integrate with Active Directory, support multi-factor authentication and contain no hard-coded passwords.",
    ],
    "supported-components": [
        "Devices shall not be delivered with an operating system that its maker no longer supports, such as Windows 7.",
        "Vendor shall upgrade the Windows operating system of the workstation at no cost before Microsoft ends its support.",
    ],
    "remote-access": [
        "Vendor remote support sessions shall use the hospital's VPN with multi-factor authentication and be approved in advance.",
        "Each remote service session is logged and recorded, and the customer can disable remote access at any time.",
    ],
    "security-testing": [
        "Vendor shall have an independent firm perform a penetration test of the product every year and share the summary report.",
        "Before each release the manufacturer runs fuzz testing and vulnerability scanning of the device software.",
    ],
    "security-patching": [
        "Vendor shall validate and release security patches for the operating system within thirty days of their publication.",
        "Critical security updates shall be provided at no additional cost, and the vendor provides compensating controls until a patch is available.",
    ],
    "incident-response": [
        "Vendor shall notify the customer of any security incident or data breach within 72 hours of discovery.",
        "Supplier shall cooperate with the hospital's incident response team and provide forensic logs during the investigation.",
    ],
    "end-of-life": [
        "Manufacturer shall give at least twenty-four months' written notice before a product reaches end of support.",
        "The product will be supported with parts and service for at least seven years after the end of sale.",
    ],
    "audit-and-evidence": [
        "Customer may audit the vendor's compliance with these security requirements once a year on thirty days' notice.",
        "Vendor shall provide its SOC 2 Type II report every year as evidence of its security controls.",
    ],
    "data-protection": [
        "Vendor shall sign a HIPAA business associate agreement and use protected health information only to provide the services.",
        "On termination the vendor shall return or securely destroy all patient data, including backups, and certify the destruction.",
    ],
}


@pytest.fixture(scope="module")
def model() -> Encoder:
    assert not missing_modules(), "the test extra installs the analyze extra"
    found, why = encoder()
    assert found is not None, why
    assert found.name == MODEL_NAME
    return found


def test_clear_paragraphs_with_the_model(model: Encoder) -> None:
    lib = load_library([builtin_library_dir()])
    matcher = Matcher(lib, load_signals(), model)
    wrong = []
    for principle, texts in CLEAR.items():
        for text in texts:
            (m,) = matcher.classify([Segment(1, None, None, text)])
            if m.principle != principle:
                wrong.append((principle, m.principle, text))
    assert not wrong


def test_model_vectors_are_unit_length(model: Encoder) -> None:
    import numpy as np

    vectors = model.encode(["Vendor shall patch.", "A much longer sentence about audits."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_texts_are_not_padded_to_the_longest_possible_input(model: Encoder) -> None:
    # The shipped tokenizer file pads to 128 tokens; mc2 turns that off, so a heading costs
    # what a heading does and padding does not skew the int8 activation scales.
    from mc2cli.reading.embedding import MiniLM

    assert isinstance(model, MiniLM)
    assert len(model.tokenizer.encode("Security patches").ids) < 10
    assert len(model.tokenizer.encode("word " * 400).ids) == 128  # still truncated


def test_a_repeated_text_gets_the_same_row(model: Encoder) -> None:
    import numpy as np

    vectors = model.encode(["Vendor shall patch.", "Audit rights.", "Vendor shall patch."])
    assert vectors.shape == (3, 384) and np.array_equal(vectors[0], vectors[2])
