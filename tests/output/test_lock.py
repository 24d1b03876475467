"""The lock file: written by `mc2 lock` and `mc2 build`, checked by `mc2 check --locked`.

A process keeps each library folder it has loaded, so a test that changes the library's text
writes the changed library to a new folder and points the deal at it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.errors import InputError, OutputError
from mc2cli.output import lock
from mc2cli.pipeline import check, resolve_lock

runner = CliRunner()
LOCATED = re.compile(r"deal\.yaml\.lock:\d+:\d+: error: ")


def _edit_library(root: Path, old: str, new: str, name: str = "lib2") -> None:
    """Copy lib/ to a new folder with `old` replaced by `new`, and point the deal at it."""
    shutil.copytree(root / "lib", root / name)
    path = root / name / "01-patching.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    _edit_deal(root, "library: lib\n", f"library: {name}\n")


def _edit_deal(root: Path, old: str, new: str) -> None:
    path = root / "deal.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _lock(root: Path) -> Path:
    result = runner.invoke(app, ["lock", str(root / "deal.yaml")])
    assert result.exit_code == 0, result.output
    return root / "deal.yaml.lock"


def _check_locked(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", "--locked", *args, str(root / "deal.yaml")])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- the file -------------------------------------------------------------------------------

def test_lock_path_is_beside_the_deal() -> None:
    assert lock.lock_path(Path("deals/x/deal.yaml")) == Path("deals/x/deal.yaml.lock")
    assert lock.lock_path(Path("lakeside.yaml")) == Path("lakeside.yaml.lock")


def test_lock_writes_sorted_lines_and_reads_back(tiny: Path) -> None:
    path = _lock(tiny)
    text = path.read_text()
    lines = [ln for ln in text.splitlines() if ln.startswith("  - {id: ")]
    ids = [re.match(r"  - \{id: ([\w.-]+),", ln).group(1) for ln in lines]  # type: ignore[union-attr]
    assert ids == sorted(ids) == ["audit.rights", "general.precedence", "patching.install",
                                  "patching.timeline"]
    assert all(re.search(r"position: middle, sha256: [0-9a-f]{64}, source: [0-9a-f]{64}\}$", ln)
               for ln in lines)
    assert "mc2_lock: 1\n" in text and "edition: TEST 1\n" in text
    assert re.search(r"content_sha256: [0-9a-f]{64}\n", text)
    assert "  patching.timeline: {patch_days: 30}\n" in text
    assert ("  patching.timeline: Supplier shall provide each Security Patch within thirty (30) "
            "days, see Section 2.2.\n") in text
    read = lock.read_lock(path, "deal.yaml.lock")
    result = check(tiny / "deal.yaml")
    assert result.contract is not None
    fresh = lock.from_contract(result.contract)
    assert read.clauses.keys() == fresh.clauses.keys()
    for cid, clause in fresh.clauses.items():
        assert lock.same(read.clauses[cid], clause)
        assert read.clauses[cid].text == clause.text


def test_lock_bytes_are_reproducible(tiny: Path) -> None:
    first = resolve_lock(tiny / "deal.yaml").data
    assert resolve_lock(tiny / "deal.yaml").data == first
    copy = tiny / "elsewhere"
    shutil.copytree(tiny / "lib", copy / "lib")
    shutil.copy(tiny / "deal.yaml", copy / "deal.yaml")
    assert resolve_lock(copy / "deal.yaml").data == first


def _one_clause_lock(text: str, params: dict[str, lock.Value]) -> lock.Lock:
    clause = lock.LockedClause("a.b", "middle", lock.sha256(text), lock.sha256("x"), params, text)
    return lock.Lock("TEST 1", "0" * 64, {"a.b": clause})


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=300))
def test_any_text_round_trips(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("rt") / "deal.yaml.lock"
    path.write_bytes(lock.dumps(_one_clause_lock(text, {}), "deal.yaml"))
    assert lock.read_lock(path, "deal.yaml.lock").clauses["a.b"].text == text


def test_parameter_values_round_trip(tmp_path: Path) -> None:
    values = {"n": 30, "flag": True, "when": dt.date(2027, 1, 2), "word": "null",
              "digits": "0017", "items": ["a", "b: c"], "colon": "x: y"}
    plain = {k: lock.plain_value(v) for k, v in values.items()}
    assert plain["flag"] == "true" and plain["when"] == "2027-01-02" and plain["n"] == "30"
    path = tmp_path / "deal.yaml.lock"
    path.write_bytes(lock.dumps(_one_clause_lock("Text.", plain), "deal.yaml"))
    assert ("  a.b: {colon: 'x: y', digits: 0017, flag: true, items: [a, 'b: c'], n: 30, "
            "when: 2027-01-02, word: 'null'}\n") in path.read_text()
    assert lock.read_lock(path, "deal.yaml.lock").clauses["a.b"].parameters == plain


# --- mc2 build and mc2 lock ------------------------------------------------------------------

def test_build_lock_writes_the_lock_once_and_never_overwrites(tiny: Path) -> None:
    deal = str(tiny / "deal.yaml")
    result = runner.invoke(app, ["build", "--lock", deal, "-o", str(tiny / "o"), "-t", "md"])
    assert result.exit_code == 0, result.output
    assert "wrote deal.yaml.lock" in result.output
    path = tiny / "deal.yaml.lock"
    assert path.read_bytes() == resolve_lock(tiny / "deal.yaml").data
    path.write_text(path.read_text() + "# kept\n")
    _edit_deal(tiny, "library: lib\n", "library: lib\nposition: hdo\nreason: Test.\n")
    result = runner.invoke(app, ["build", "--lock", deal, "-o", str(tiny / "o"), "-t", "md"])
    assert result.exit_code == 0, result.output
    assert "deal.yaml.lock" not in result.output
    assert path.read_text().endswith("# kept\n")


def test_build_writes_the_contract_but_exits_3_when_the_lock_cannot_be_written(
        tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mc2cli.output.lock

    def refuse(path: Path, data: bytes, *, overwrite: bool) -> bool:
        raise OutputError(f"{path}: cannot write the lock file: Read-only file system")

    monkeypatch.setattr(mc2cli.output.lock, "write", refuse)
    result = runner.invoke(app, ["build", "--lock", str(tiny / "deal.yaml"), "-o", str(tiny / "o"),
                                 "-t", "md"])
    assert result.exit_code == 3, result.output
    assert "deal.yaml.lock: cannot write the lock file: Read-only file system" in result.output
    assert (tiny / "o" / "contract.md").is_file()


def test_lock_reports_what_it_did(tiny: Path) -> None:
    deal = str(tiny / "deal.yaml")
    first = runner.invoke(app, ["lock", deal])
    assert first.exit_code == 0 and "wrote deal.yaml.lock (4 clauses)" in first.output
    again = runner.invoke(app, ["lock", deal])
    assert again.exit_code == 0 and "deal.yaml.lock is up to date" in again.output


def test_lock_refuses_an_invalid_deal(tiny: Path) -> None:
    _edit_deal(tiny, "mc2: 1\n", "mc2: 1\nbogus: 1\n")
    result = runner.invoke(app, ["lock", str(tiny / "deal.yaml")])
    assert result.exit_code == 1
    assert "deal.yaml:2:1: error: bogus: unknown key 'bogus'" in result.output
    assert "not locked" in result.output
    assert not (tiny / "deal.yaml.lock").exists()


def test_lock_cannot_write_exits_3(tiny: Path) -> None:
    (tiny / "deal.yaml.lock").mkdir()
    result = runner.invoke(app, ["lock", str(tiny / "deal.yaml")])
    assert result.exit_code == 3
    assert "cannot write the lock file" in result.output and "Traceback" not in result.output


def test_lock_stdout_prints_and_writes_nothing(tiny: Path) -> None:
    result = runner.invoke(app, ["lock", "--stdout", str(tiny / "deal.yaml")])
    assert result.exit_code == 0
    assert result.stdout.encode() == resolve_lock(tiny / "deal.yaml").data
    assert not (tiny / "deal.yaml.lock").exists()


def test_lock_stdout_fails_on_an_invalid_deal_but_textconv_does_not(tiny: Path) -> None:
    _edit_deal(tiny, "mc2: 1\n", "mc2: 1\nbogus: 1\n")
    deal = str(tiny / "deal.yaml")
    strict = runner.invoke(app, ["lock", "--stdout", deal])
    assert strict.exit_code == 1 and strict.stdout == ""
    lenient = runner.invoke(app, ["lock", "--textconv", deal])
    assert lenient.exit_code == 0
    assert lenient.stdout.startswith("# mc2 could not resolve deal.yaml; its own text follows.\n")
    assert re.search(r"^# \S*deal\.yaml:2:1: error: bogus: unknown key 'bogus'$", lenient.stdout,
                     re.M)
    assert lenient.stdout.endswith((tiny / "deal.yaml").read_text())


# --- mc2 check --locked ----------------------------------------------------------------------

def test_check_locked_passes_on_a_fresh_lock(tiny: Path) -> None:
    _lock(tiny)
    code, output = _check_locked(tiny)
    assert code == 0, output
    assert "ok (4 clauses, as locked;" in output


def test_check_locked_without_a_lock_fails(tiny: Path) -> None:
    code, output = _check_locked(tiny)
    assert code == 1
    assert "deal.yaml:1:1: error: no lock file (deal.yaml.lock)" in output
    assert "run 'mc2 lock" in output


def test_library_drift_names_the_clause_and_shows_the_change(tiny: Path) -> None:
    _lock(tiny)
    _edit_library(tiny, "within {{ patch_days }}, see", "within {{ patch_days }} of release, see")
    code, output = _check_locked(tiny)
    assert code == 1
    # Located at the library's text that changed, labelled as drift, with a word diff.
    assert re.search(r"lib2/01-patching\.yaml:\d+:\d+: error: patching\.timeline: "
                     r"the library's text for position 'middle' changed "
                     r"since deal\.yaml\.lock", output), output
    assert "Security Patch within thirty (30) [-days,-]{+days of release,+} see Section 2.2." \
        in output
    assert "audit.rights" not in output  # unchanged clauses are not named


def test_lock_accepts_the_drift_on_purpose(tiny: Path) -> None:
    _lock(tiny)
    _edit_library(tiny, "within {{ patch_days }}, see", "within {{ patch_days }} of release, see")
    result = runner.invoke(app, ["lock", str(tiny / "deal.yaml")])
    assert result.exit_code == 0
    assert "updated deal.yaml.lock, accepting changes to patching.timeline" in result.output
    assert _check_locked(tiny)[0] == 0
    assert "of release" in (tiny / "deal.yaml.lock").read_text()


def test_a_changed_choice_is_an_outdated_lock(tiny: Path) -> None:
    _lock(tiny)
    _edit_deal(tiny, "library: lib\n", "library: lib\nclauses:\n  audit.rights:\n"
                                       "    position: mdm\n    reason: Test.\n")
    code, output = _check_locked(tiny, "--format", "json")
    assert code == 1
    assert '"rule": "lock-outdated"' in output
    assert ('"message": "audit.rights: position is \'mdm\', locked \'middle\'; audit.rights: '
            'audit_frequency_months is 24, locked 12"') in output
    # one problem, at the deal's line that moved the clause
    assert output.count('"rule": "lock') == 1
    assert '"field": "clauses.audit.rights.position"' in output and '"line": 21' in output


def test_an_omitted_clause_is_an_outdated_lock(tiny: Path) -> None:
    _lock(tiny)
    _edit_deal(tiny, "library: lib\n", "library: lib\nprinciples:\n  audit:\n    omit: true\n"
                                       "    reason: In the MSA.\n")
    code, output = _check_locked(tiny)
    assert code == 1
    assert output.count("error:") == 1, output  # one cause: the principle omitted
    assert re.search(r"deal\.yaml:\d+:3: error: principles\.audit: principle 'audit' is omitted, "
                     r"in deal\.yaml\.lock: 1 clauses removed", output), output
    assert "- audit.rights: Audit Rights" in output
    assert "lock-drift" not in output


def test_a_changed_name_changes_the_text_not_the_library(tiny: Path) -> None:
    _lock(tiny)
    _edit_deal(tiny, "    name: Acme Devices, Inc.\n",
               "    name: Acme Devices, Inc.\n    short_name: Vendor\n")
    code, output = _check_locked(tiny)
    assert code == 1
    assert output.count("error:") == 1, output  # one cause, at the deal
    assert "deal.yaml:7:1: error: parties: the text of 2 clause(s) changed through the deal's " \
        "names or values they print: audit.rights, patching.timeline" in output
    assert "[-Supplier-]{+Vendor+}" in output
    assert "term Vulnerability: ... weakness in a product of [-Supplier.-]{+Vendor.+}" in output
    assert "lock-drift" not in output


EXTRA = """\
extra_clauses:
  - id: deal.training
    principle: audit
    title: Training
    obligor: mdm
    text: "{{ mdm }} shall train the staff of {{ hdo }} once a year."
    reason: Requested by clinical engineering.
"""


def test_a_changed_extra_clause_is_the_deals_change_not_drift(tiny: Path) -> None:
    _edit_deal(tiny, "library: lib\n", "library: lib\n" + EXTRA)
    _lock(tiny)
    _edit_deal(tiny, "once a year", "twice a year")
    code, output = _check_locked(tiny)
    assert code == 1
    assert "extra_clauses[0]: extra clause 'deal.training': the deal's text changed" in output
    assert "the staff of Customer [-once-]{+twice+} a year." in output
    assert "lock-drift" not in output and "patching.timeline" not in output


# --- a corrupt lock: located problems, exit 1, no traceback ----------------------------------

GOOD_SHA = "a" * 64


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("mc2_lock: 1", "mc2_lock: 2"), "lock format 2 is not supported"),
    (lambda t: t.replace("mc2_lock: 1", "mc2_lock: 1\n\tbad: tab"), "invalid YAML"),
    (lambda t: t.replace("position: middle", "position: centre", 1), "must be one of"),
    (lambda t: re.sub(r"sha256: [0-9a-f]{64}", "sha256: 1234", t, count=1),
     "must be a sha256, 64 hex digits; got '1234'"),
    (lambda t: t.replace("twelve (12)", "six (6)"), "does not match its sha256"),
    (lambda t: t.replace("edition: TEST 1\n", ""), "library.edition: is required"),
    (lambda t: t + "extra: 1\n", "unknown key 'extra'"),
    (lambda t: t.replace("texts:\n", "texts:\n  bogus.clause: Text.\n"),
     "'bogus.clause' is not under 'clauses'"),
    (lambda t: t.replace("mc2_lock: 1\n", "mc2_lock: 1\nmc2_lock: 1\n"), "duplicate key"),
    (lambda t: "\x00", "NUL byte"),
    (lambda t: "- just\n- a list\n", "must be a mapping"),
])
def test_corrupt_lock_is_located(tiny: Path, edit: object, message: str) -> None:
    path = _lock(tiny)
    path.write_text(edit(path.read_text()))  # type: ignore[operator]
    code, output = _check_locked(tiny)
    assert code == 1
    assert LOCATED.search(output), output
    assert message in output, output


def test_a_listed_twice_clause_is_located(tiny: Path) -> None:
    path = _lock(tiny)
    text = path.read_text()
    line = next(ln for ln in text.splitlines() if "id: audit.rights" in ln)
    path.write_text(text.replace(line, line + "\n" + line))
    code, output = _check_locked(tiny)
    assert code == 1
    assert "deal.yaml.lock:9:" in output and "clause 'audit.rights' is listed twice" in output


# --- git diff through the textconv driver -----------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_diff_shows_resolved_choices_through_textconv(tiny: Path) -> None:
    repo = tiny / "repo"
    repo.mkdir()
    # git hands the driver a temporary copy of the old version: give the library by full path.
    deal = (tiny / "deal.yaml").read_text().replace("library: lib\n", f"library: {tiny / 'lib'}\n")
    (repo / "deal.yaml").write_text(deal)
    (repo / ".gitattributes").write_text("*.yaml diff=mc2\n")
    driver = f"{sys.executable} -m mc2cli lock --textconv"

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                               "-c", f"diff.mc2.textconv={driver}", *args], cwd=repo,
                              capture_output=True, text=True, check=True, timeout=120)
        return done.stdout

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "deal")
    (repo / "deal.yaml").write_text(deal + "parameters:\n  patch_days: {value: 20, reason: Policy.}\n")
    diff = git("diff")
    assert "-    patch_days: 30 days\n" in diff
    assert "+    patch_days: 20 days (set by the deal; reason: Policy.)" in diff
    assert "+    | Supplier shall provide each Security Patch within twenty (20)" in diff
    assert "+parameters:" not in diff  # the deal's own lines are not what is compared
    assert not re.search(r"[0-9a-f]{64}", diff)  # no hashes
    # a reason alone changed: its line is the diff (before: an empty diff body)
    git("commit", "-qam", "policy")
    (repo / "deal.yaml").write_text(deal + "parameters:\n  patch_days: {value: 20, reason: "
                                    "Board policy.}\n")
    diff = git("diff")
    assert "-    patch_days: 20 days (set by the deal; reason: Policy.)" in diff
    assert "+    patch_days: 20 days (set by the deal; reason: Board policy.)" in diff
    (repo / "deal.yaml").write_text(deal + "clauses:\n  audit.rights:\n    position: mdm\n"
                                    "    reason: Reports suffice.\n")
    diff = git("diff")
    assert "+  audit.rights: mdm\n+    reason: Reports suffice." in diff
    (repo / "deal.yaml").write_text(deal + "bogus: 1\n")
    broken = git("diff")
    assert "+# mc2 could not resolve deal.yaml; its own text follows." in broken


def test_read_lock_raises_located_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml.lock"
    path.write_text("mc2_lock: 1\n")
    with pytest.raises(InputError) as caught:
        lock.read_lock(path, "deal.yaml.lock")
    assert {p.rule for p in caught.value.problems} == {"lock-file"}
    assert all(p.path == "deal.yaml.lock" and p.line >= 1 for p in caught.value.problems)


def test_a_changed_definition_or_title_is_drift(tiny: Path) -> None:
    deal = str(tiny / "deal.yaml")
    assert runner.invoke(app, ["lock", deal]).exit_code == 0
    definitions = tiny / "lib" / "definitions.yaml"
    definitions.write_text(definitions.read_text().replace(
        "means an update that fixes a Vulnerability.", "means anything said to fix a Vulnerability."))
    clauses = tiny / "lib" / "02-audit.yaml"
    clauses.write_text(clauses.read_text().replace("title: Audit Rights", "title: Courtesy Visit"))
    result = runner.invoke(app, ["check", "--locked", deal])
    assert result.exit_code == 1
    assert re.search(r"lib/definitions\.yaml:\d+:\d+: error: term Security Patch: the term "
                     r"Security Patch printed in the contract changed", result.output)
    assert re.search(r"lib/02-audit\.yaml:\d+:\d+: error: title audit\.rights: the title "
                     r"audit\.rights printed in the contract changed", result.output)
    assert "means [-an update that fixes-]{+anything said to fix+} a Vulnerability." \
        in result.output
