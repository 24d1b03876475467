"""Shared fixtures: a tiny library and deal written into tmp_path (never into the repo)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

FRAMEWORK = """\
framework: TEST
edition: "1"
positions:
  hdo: {title: HDO-leaning, summary: For the buyer.}
  middle: {title: The Middle, summary: Shared risk.}
  mdm: {title: MDM-leaning, summary: For the maker.}
pillars:
  maturity: {title: Maturity}
principles:
  - {id: patching, number: 1, title: Security Patching, pillar: maturity, summary: Patches., references: [AAMI SW91]}
  - {id: audit, number: 2, title: Audit, pillar: maturity, summary: Audits., references: []}
"""

PATCHING = """\
principle: patching
clauses:
  - id: patching.timeline
    title: Patch Timeline
    obligor: mdm
    required: true
    parameters: [patch_days]
    references: [AAMI SW91]
    positions:
      hdo: |
        {{ mdm }} shall provide each Security Patch within {{ patch_days }}.
      middle: |
        {{ mdm }} shall provide each Security Patch within {{ patch_days }}, see {{ ref('patching.install') }}.
      mdm:
        same-as: middle
    notes: Commonly traded.
  - id: patching.install
    title: Installing Patches
    obligor: hdo
    references: [IEC 80001-1]
    positions:
      hdo: |
        {{ hdo }} shall install validated updates when convenient.
      middle: |
        {{ hdo }} shall install each validated Security Patch promptly.
      mdm: |
        {{ hdo }} shall install each validated Security Patch at once.
    notes: HDO duty.
"""

AUDIT = """\
principle: audit
clauses:
  - id: audit.rights
    title: Audit Rights
    obligor: mdm
    references: [ISO/IEC 27001]
    parameters: [audit_frequency_months]
    positions:
      hdo: "{{ hdo }} may audit {{ mdm }} every {{ audit_frequency_months }}."
      middle: "{{ hdo }} may audit {{ mdm }} every {{ audit_frequency_months }}."
      mdm: "{{ hdo }} may review {{ mdm }}'s reports every {{ audit_frequency_months }}."
    notes: Audit.
"""

GENERAL = """\
section: general
clauses:
  - id: general.precedence
    title: Order of Precedence
    obligor: both
    positions:
      hdo: "{% if master_agreement %}{{ this_agreement | capitalize }} prevails over the {{ master_agreement }}.{% else %}{{ this_agreement | capitalize }} stands alone.{% endif %}"
      middle: {same-as: hdo}
      mdm: {same-as: hdo}
    notes: Boilerplate.
"""

PARAMETERS = """\
parameters:
  - id: patch_days
    title: Patch time frame
    type: days
    default: {hdo: 15, middle: 30, mdm: 60}
    bounds: {min: 7, max: 90}
    description: Days to provide a patch.
  - id: audit_frequency_months
    type: months
    default: {hdo: 12, middle: 12, mdm: 24}
    bounds: {min: 6, max: 36}
    description: How often.
"""

DEFINITIONS = """\
definitions:
  - term: Security Patch
    plural: Security Patches
    text: means an update that fixes a Vulnerability.
  - term: Vulnerability
    plural: Vulnerabilities
    text: means a weakness in a product of {{ mdm }}.
"""

DEAL = """\
mc2: 1
title: Test Addendum
reference: T-1
effective_date: 2027-01-01
governing_law: the State of Minnesota
master_agreement: Master Purchase Agreement dated 1 March 2025
parties:
  hdo:
    name: Lakeside Health
    address: 1 Lake St
    signatory: {name: Dana Whitfield, title: CISO}
  mdm:
    name: Acme Devices, Inc.
    address: 2 Harbor Rd
    signatory: {name: Lee Park, title: VP}
products:
  - {name: Pump, model: P-1, software_version: "1.10"}
library: lib
"""


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The compiled-library cache of the test run, never the user's (subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("mc2-cache")
    folder.chmod(0o700)
    os.environ["MC2_CACHE_DIR"] = str(folder)
    os.environ.pop("MC2_NO_CACHE", None)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def library_files(**overrides: str) -> dict[str, str]:
    files = {"lib/framework.yaml": FRAMEWORK, "lib/01-patching.yaml": PATCHING,
             "lib/02-audit.yaml": AUDIT, "lib/general.yaml": GENERAL,
             "lib/parameters.yaml": PARAMETERS, "lib/definitions.yaml": DEFINITIONS}
    files.update({f"lib/{k.replace('_', '-')}.yaml" if not k.startswith("lib/") else k: v
                  for k, v in overrides.items()})
    return files


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A folder with a tiny library in lib/ and a valid deal.yaml using it."""
    write_tree(tmp_path, {**library_files(), "deal.yaml": DEAL})
    return tmp_path
