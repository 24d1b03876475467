"""`mc2 diff DEAL --rev REV`: the old side read from a git revision, library and all."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import changed_deal, commit_all, diff_json, git, needs_git, parts
from mc2cli.cli.main import app

runner = CliRunner()


@needs_git
@pytest.mark.parametrize("option", [[], ["-L", "lib"]])
def test_rev_takes_the_library_as_committed(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                            option: list[str]) -> None:
    monkeypatch.chdir(repo)
    clauses = repo / "lib" / "01-patching.yaml"
    clauses.write_text(clauses.read_text().replace("promptly", "within a week"),
                       encoding="utf-8")
    data = diff_json("deal.yaml", "--rev", "HEAD", *option)
    assert data["choices"] == []
    assert parts(data) == [("patching.install", "2.2 Installing Patches", "changed")]


@needs_git
def test_rev_reads_the_library_the_old_deal_named(repo: Path) -> None:
    (repo / "lib").rename(repo / "lib2")
    deal = repo / "deal.yaml"
    deal.write_text(deal.read_text().replace("library: lib", "library: lib2"), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD", "--exit-code"])
    assert result.exit_code == 0, result.output
    assert "No differences between HEAD:deal.yaml and" in result.stdout


@needs_git
def test_rev_uses_an_untracked_library_as_it_is(tiny: Path) -> None:
    (tiny / ".gitignore").write_text("lib/\n", encoding="utf-8")
    git(tiny, "init", "-q")
    commit_all(tiny, "the deal only")
    clauses = tiny / "lib" / "01-patching.yaml"
    clauses.write_text(clauses.read_text().replace("promptly", "within a week"),
                       encoding="utf-8")
    assert diff_json(str(tiny / "deal.yaml"), "--rev", "HEAD")["changed"] is False


@needs_git
def test_a_library_tracked_now_but_missing_at_the_revision_is_an_input_error(repo: Path) -> None:
    (repo / "lib").rename(repo / "lib2")
    deal = repo / "deal.yaml"
    deal.write_text(deal.read_text().replace("library: lib", "library: lib2"), encoding="utf-8")
    commit_all(repo, "library renamed")
    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD", "-L", str(repo / "lib2")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD~1", "-L", str(repo / "lib2")])
    assert result.exit_code == 1
    assert "HEAD~1:lib2:" in result.output and "library folder not found" in result.output


@needs_git
def test_rev_compares_older_commits_and_subfolders(repo: Path) -> None:
    deals = repo / "deals" / "lakeside"
    deals.mkdir(parents=True)
    deal = deals / "deal.yaml"
    deal.write_text((repo / "deal.yaml").read_text().replace("library: lib", "library: ../../lib"),
                    encoding="utf-8")
    commit_all(repo, "a deal in a folder")
    deal.write_text(deal.read_text() + "parameters:\n  patch_days: 20\n", encoding="utf-8")
    commit_all(repo, "patch days 20")
    data = diff_json(str(deal), "--rev", "HEAD~1")
    assert data["old"]["label"] == "HEAD~1:deals/lakeside/deal.yaml"  # type: ignore[index]
    assert len(data["choices"]) == 1  # type: ignore[arg-type]
    assert diff_json(str(deal), "--rev", "HEAD")["changed"] is False


@needs_git
def test_rev_ignores_git_variables_of_a_hook(repo: Path, tmp_path_factory: pytest.TempPathFactory,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path_factory.mktemp("other")
    git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    data = diff_json(str(repo / "deal.yaml"), "--rev", "HEAD")
    assert data["changed"] is False


@needs_git
@pytest.mark.parametrize(("rev", "message"), [
    ("nope", "unknown revision 'nope'"),
    ("HEAD~1", "unknown revision 'HEAD~1'"),
    ("--output=x", "'--output=x' is not a git revision"),
    ("", "'' is not a git revision"),
])
def test_bad_revisions_exit_2(repo: Path, rev: str, message: str) -> None:
    result = runner.invoke(app, ["diff", str(repo / "deal.yaml"), f"--rev={rev}"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@needs_git
@pytest.mark.parametrize("rev", ["HEAD~1", "HEAD^", "nope"])
def test_an_unknown_revision_hint_names_only_revisions_that_exist(repo: Path, rev: str) -> None:
    result = runner.invoke(app, ["diff", str(repo / "deal.yaml"), "--rev", rev])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"unknown revision '{rev}'" in message and "(HEAD has 1 commit)" in message
    assert "such as HEAD (the last commit)" in message and "git log --oneline" in message
    assert message.count(rev) == 1, message  # never suggested back
    assert "HEAD~" not in message.replace(rev, "")


@needs_git
def test_an_unknown_revision_in_a_repository_without_commits(tiny: Path) -> None:
    git(tiny, "init", "-q")
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "unknown revision 'HEAD'" in message and "has no commits yet" in message
    assert "such as HEAD" not in message and "Traceback" not in message


@needs_git
def test_a_deal_missing_at_the_revision_exits_2(repo: Path) -> None:
    new = changed_deal(repo)
    result = runner.invoke(app, ["diff", str(new), "--rev", "HEAD"])
    assert result.exit_code == 2
    assert "new.yaml does not exist at revision 'HEAD'" in result.output


def test_rev_outside_a_git_repository_exits_2(tiny: Path) -> None:
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output
    assert "Traceback" not in result.output


@needs_git
def test_an_invalid_deal_at_the_revision_is_located_there(repo: Path) -> None:
    deal = repo / "deal.yaml"
    good = deal.read_text()
    deal.write_text(good + "clauses:\n  patching.timline: {position: hdo}\n", encoding="utf-8")
    commit_all(repo, "a typo")
    deal.write_text(good, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(deal), "--rev", "HEAD"])
    assert result.exit_code == 1
    line = len(good.splitlines()) + 2
    assert f"HEAD:deal.yaml:{line}:3: error: clauses.patching.timline: unknown clause" \
        in result.output
    assert "mc2-rev-" not in result.output and "Traceback" not in result.output


@needs_git
def test_an_invalid_library_at_the_revision_is_located_there(repo: Path) -> None:
    params = repo / "lib" / "parameters.yaml"
    good = params.read_text()
    params.write_text(good.replace("type: days", "type: weeks"), encoding="utf-8")
    commit_all(repo, "a bad type")
    params.write_text(good, encoding="utf-8")
    result = runner.invoke(app, ["diff", str(repo / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 1
    assert "HEAD:lib/parameters.yaml:" in result.output
    assert "mc2-rev-" not in result.output and "Traceback" not in result.output


@needs_git
def test_git_timing_out_exits_3(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mc2cli.review.gitrev
    monkeypatch.setattr(mc2cli.review.gitrev, "GIT_TIMEOUT", 1e-6)
    result = runner.invoke(app, ["diff", str(repo / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 3
    assert "timed out" in result.output and "Traceback" not in result.output


def test_no_git_on_path_exits_2(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tiny))
    result = runner.invoke(app, ["diff", str(tiny / "deal.yaml"), "--rev", "HEAD"])
    assert result.exit_code == 2
    assert "--rev needs git" in result.output
