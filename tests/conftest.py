"""Shared fixtures: a tiny library and deal written into tmp_path (never into the repo)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

# A stand-alone deal on the built-in library, without products: tests add them.
BUILTIN_DEAL = """\
mc2: 1
title: Built-in library test
effective_date: 2027-01-01
governing_law: the State of New York
parties:
  hdo: {name: Hospital, address: 1 Main Street, signatory: {name: A B, title: CISO}}
  mdm: {name: Maker, address: 2 Side Street, signatory: {name: C D, title: CSO}}
library: builtin
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


# The Lakeside example with its risk-management principle omitted: putting the principle
# back renumbers every later section (lock and diff tests).
LAKESIDE = Path(__file__).resolve().parent.parent / "examples" / "lakeside-infusion" / "deal.yaml"
OMIT_RISK = """principles:
  risk-management:
    omit: true
    reason: Covered by the master agreement.
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A folder with a tiny library in lib/ and a valid deal.yaml using it."""
    write_tree(tmp_path, {**library_files(), "deal.yaml": DEAL})
    return tmp_path


# --- Suite-wide audit (issue 15, acceptance 3) ---------------------------------------------
# Every test runs with a canary secret in the environment and every CliRunner call recorded.
# After each test: no command printed a traceback or raised past the error boundary, none
# exited 4 (unless the test is about exit 4), no staging or journal was left in the test's
# folder, and no file there nor any command's output holds the canary. The counts over the
# session are printed at the end of the run.
AUDIT_CANARY = "mc2-audit-canary-5d1c0e"
AUDIT_COUNTS: dict[str, int] = {"cli runs": 0, "tracebacks": 0, "exit 4": 0, "expected exit 4": 0,
                         "partial outputs": 0, "leaked canaries": 0, "files scanned": 0}
_PARTIAL = (".mc2-stage-", ".mc2-journal")


@pytest.fixture(autouse=True)
def _audit(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from typer.testing import CliRunner

    monkeypatch.setenv("MC2_AUDIT_CANARY", AUDIT_CANARY)
    runs: list[Any] = []
    real = CliRunner.invoke

    def invoke(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
        result = real(self, *args, **kwargs)
        runs.append(result)
        return result

    monkeypatch.setattr(CliRunner, "invoke", invoke)
    root = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    found: list[str] = []
    expects_bug = "exits_4" in request.node.name
    for r in runs:
        AUDIT_COUNTS["cli runs"] += 1
        output = r.output or ""
        if "Traceback (most recent call last)" in output or (
                r.exception is not None and not isinstance(r.exception, SystemExit)):
            AUDIT_COUNTS["tracebacks"] += 1
            found.append(f"traceback: {r.exception!r}")
        if r.exit_code == 4:
            AUDIT_COUNTS["expected exit 4" if expects_bug else "exit 4"] += 1
            if not expects_bug:
                found.append("exit 4")
        if AUDIT_CANARY in output:
            AUDIT_COUNTS["leaked canaries"] += 1
            found.append("canary in output")
    if root is not None:
        for path in root.rglob("*"):
            if path.name.startswith(_PARTIAL):
                AUDIT_COUNTS["partial outputs"] += 1
                found.append(f"left behind: {path}")
            elif path.is_file() and not path.is_symlink():
                AUDIT_COUNTS["files scanned"] += 1
                with contextlib.suppress(OSError):
                    if AUDIT_CANARY.encode() in path.read_bytes():
                        AUDIT_COUNTS["leaked canaries"] += 1
                        found.append(f"canary in {path}")
    assert not found, found


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line("mc2 audit: " + ", ".join(f"{k} {v}" for k, v in AUDIT_COUNTS.items()))


# --- git, for the tests of `mc2 diff --rev` ------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True, timeout=60)
    return proc.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tiny: Path) -> Path:
    """The tiny library and deal, committed in a fresh git repository."""
    git(tiny, "init", "-q")
    commit_all(tiny, "first draft")
    return tiny


CHANGES = """\
parameters:
  patch_days: 20
principles:
  audit: {omit: true, reason: Audit rights are in the MSA.}
clauses:
  patching.install: {position: hdo, reason: Clinical engineering installs in batches.}
extra_clauses:
  - id: deal.training
    principle: patching
    title: Training
    obligor: mdm
    text: "{{ mdm }} shall train clinical engineering once a year."
    reason: Requested by clinical engineering.
"""


def changed_deal(tiny: Path, extra: str = CHANGES) -> Path:
    new = tiny / "new.yaml"
    new.write_text((tiny / "deal.yaml").read_text() + extra, encoding="utf-8")
    return new


def diff_json(*args: str) -> dict[str, object]:
    from typer.testing import CliRunner

    from mc2cli.cli.main import app
    result = CliRunner().invoke(app, ["diff", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def parts(data: dict[str, object]) -> list[tuple[object, object, object]]:
    text = data["text"]
    assert isinstance(text, list)
    return [(p["clause"], p["title"], p["status"]) for p in text]
