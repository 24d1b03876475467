"""Publishing under faults: a kill or an error at every step, two builds at once, a full
disk, SIGTERM and Ctrl-C. The folder always ends with the complete old set or the complete
new set, never a mix, and nothing of mc2's is left behind."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conftest import DEAL, library_files, write_tree
from mc2cli.errors import OutputError
from mc2cli.output.write import JOURNAL, STAGE_PREFIX, publish, recover

OLD = {"contract.md": b"old md\n", "contract.html": b"old html\n", "manifest.json": b"{}\n"}
NEW = {"contract.md": b"new md\n", "contract.html": b"new html\n", "manifest.json": b"{1}\n",
       "notes.md": b"new notes\n"}
# The calls a publish makes that touch the disk; a fault is injected at the k-th of them.
CALLS = ("replace", "rename", "link", "fsync", "unlink", "rmdir", "mkdir", "open", "chmod")


def state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def assert_old_or_new(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    now = state(folder)
    assert now in (old, new), f"a mix: {now}"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], list(folder.iterdir())
    return "old" if now == old else "new"


KILLER = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path
    from mc2cli.output.write import publish
    k = int(sys.argv[2])
    count = [0]
    def wrap(name):
        real = getattr(os, name)
        def call(*args, **kwargs):
            count[0] += 1
            if count[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        setattr(os, name, call)
    for name in {calls!r}:
        wrap(name)
    publish(Path(sys.argv[1]), {new!r})
    print(count[0])
""").format(calls=CALLS, new=NEW)


def test_a_kill_at_every_step_leaves_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    seen = set()
    for k in range(1, 200):
        out = tmp_path / f"o{k}"
        publish(out, OLD)
        proc = subprocess.run([sys.executable, str(script), str(out), str(k)],
                              capture_output=True, text=True, timeout=60, check=False)
        if proc.returncode == 0:
            assert assert_old_or_new(out, OLD, NEW) == "new"
            assert k > int(proc.stdout)
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        if not (out / JOURNAL).exists():
            # killed before the commit point or after the swap: no mix to see even now
            now = state(out)
            assert now in (OLD, NEW), f"k={k}: a mix without a journal: {now}"
        recover(out)  # what the next build into the folder does first
        seen.add(assert_old_or_new(out, OLD, NEW))
        publish(out, NEW)  # and the next build then works
        assert_old_or_new(out, OLD, NEW)
    else:
        pytest.fail("publish never finished")
    assert seen == {"old", "new"}, seen  # the kills fell both before and after the commit


@pytest.mark.parametrize("call", ["replace", "link", "fsync", "open", "mkdir"])
def test_an_error_at_every_step_leaves_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   call: str) -> None:
    for k in range(1, 30):
        out = tmp_path / f"o{k}"
        publish(out, OLD)
        real = getattr(os, call)
        count = [0]

        def failing(*args: object, real: object = real, count: list[int] = count,
                    k: int = k, **kwargs: object) -> object:
            count[0] += 1
            if count[0] == k:
                raise OSError(28, "No space left on device")
            return real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(os, call, failing)
        try:
            publish(out, NEW)
            finished = True
        except OutputError as exc:
            assert "No space left on device" in str(exc)
            finished = False
        finally:
            monkeypatch.setattr(os, call, real)
        assert assert_old_or_new(out, OLD, NEW) == ("new" if finished else "old")
        if finished:
            break


def test_a_build_stopped_by_an_exception_mid_swap_puts_the_old_set_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    publish(out, OLD)
    real = os.replace
    count = [0]

    def interrupted(src: object, dst: object) -> None:
        count[0] += 1
        if count[0] == 3:  # the journal and one file are in
            raise KeyboardInterrupt
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish(out, NEW)
    monkeypatch.setattr(os, "replace", real)
    assert assert_old_or_new(out, OLD, NEW) == "old"


@pytest.mark.parametrize("kind", ["folder", "symlink", "fifo"])
def test_a_non_file_at_an_output_name_is_refused_before_anything_moves(tmp_path: Path,
                                                                       kind: str) -> None:
    out = tmp_path / "o"
    publish(out, OLD)
    target = out / "notes.md"
    if kind == "folder":
        target.mkdir()
        (target / "mine.txt").write_text("keep", encoding="utf-8")
    elif kind == "symlink":
        target.symlink_to(tmp_path / "elsewhere.md")
    else:
        os.mkfifo(target)
    with pytest.raises(OutputError, match=r"notes\.md is (a folder|a symbolic link|not a "
                                          r"regular file); .* nothing was written"):
        publish(out, NEW)
    assert state(out) == OLD
    assert sorted(p.name for p in out.iterdir()) == sorted([*OLD, "notes.md"])


def test_a_journal_of_a_killed_build_is_rolled_forward_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "o"
    publish(out, OLD)
    stage = out / f"{STAGE_PREFIX}999"
    stage.mkdir()
    (stage / "contract.md").write_bytes(NEW["contract.md"])
    (out / "contract.html").write_bytes(NEW["contract.html"])  # moved in before the kill
    (out / JOURNAL).write_text(json.dumps({"stage": stage.name,
                                           "files": ["contract.html", "contract.md"]}),
                               encoding="utf-8")
    (out / f"{STAGE_PREFIX}123").mkdir()  # staging of a build killed before its commit
    publish(out, {"manifest.json": b"next\n"})
    assert state(out) == {**OLD, "contract.md": NEW["contract.md"],
                          "contract.html": NEW["contract.html"], "manifest.json": b"next\n"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_concurrent_publishes_into_one_folder_serialize(tmp_path: Path) -> None:
    out = tmp_path / "o"
    sets = [{name: f"{name} from {i}\n".encode() for name in NEW} for i in range(6)]
    errors: list[BaseException] = []

    def run(files: dict[str, bytes]) -> None:
        try:
            for _ in range(5):
                publish(out, files)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in sets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert state(out) in sets
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --- whole builds in a subprocess ---------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, {**library_files(), "deal.yaml": DEAL})
    (tmp_path / "tmp").mkdir()
    return tmp_path


def _env(project: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(project / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}


def _mc2(*args: str) -> list[str]:
    return [sys.executable, "-m", "mc2cli", *args]


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(("formats", "limit"), [("md", 1000), ("md,docx,html", 4000)])
def test_a_full_disk_leaves_nothing_behind(project: Path, formats: str, limit: int) -> None:
    proc = subprocess.run(_mc2("build", "deal.yaml", "-o", "out", "-t", formats),
                          cwd=project, env=_env(project), capture_output=True, text=True,
                          timeout=300, check=False,
                          preexec_fn=lambda: _limit_file_size(limit))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "out").exists()
    assert list((project / "tmp").iterdir()) == []


def test_two_builds_into_one_folder_both_finish_with_one_complete_set(project: Path) -> None:
    other = project / "other.yaml"
    other.write_text(DEAL.replace("Test Addendum", "Other Addendum"), encoding="utf-8")
    procs = [subprocess.Popen(_mc2("build", deal, "-o", "out", "-t", "md,html"), cwd=project,
                              env=_env(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for deal in ("deal.yaml", "other.yaml")]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    out = project / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in ("contract.md", "contract.html", "notes.md"):  # all from the same build
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert [v for k, v in manifest.items() if isinstance(v, dict) and name in v] \
            == [{**next(v for v in manifest.values() if isinstance(v, dict) and name in v)}]
        assert digest in json.dumps(manifest), name
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".")]


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_sigterm_removes_the_converters_temporary_folders(project: Path) -> None:
    proc = subprocess.Popen(_mc2("build", "deal.yaml", "-o", "out", "-t", "pdf"), cwd=project,
                            env=_env(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tmp = project / "tmp"
    assert _wait_for(lambda: any(tmp.iterdir()), 120), "no converter started"
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
    assert list(tmp.iterdir()) == []
    assert not (project / "out").exists()


def test_ctrl_c_stops_a_batch_promptly(project: Path) -> None:
    deals = project / "deals"
    deals.mkdir()
    for i in range(16):
        (deals / f"d{i:02}.yaml").write_text(DEAL.replace("library: lib", "library: ../lib"),
                                             encoding="utf-8")
    proc = subprocess.Popen(_mc2("build", "deals", "-o", "out", "-t", "pdf", "-j", "2"),
                            cwd=project, env=_env(project), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    tmp = project / "tmp"
    assert _wait_for(lambda: any(tmp.iterdir()), 120), "no converter started"
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _out, err = proc.communicate(timeout=120)
    stopped = time.monotonic() - started
    assert proc.returncode == 130, err
    built = [p for p in (project / "out").iterdir()] if (project / "out").exists() else []
    assert len(built) < 16 and stopped < 60, (len(built), stopped)
    assert _wait_for(lambda: not any(tmp.iterdir()), 30), list(tmp.iterdir())
    for folder in built:
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_sigkill_at_every_rename_of_a_real_build(project: Path) -> None:
    """strace injects SIGKILL at the k-th rename system call of `mc2 build`, for every k."""
    base = _mc2("build", "deal.yaml", "-o", "out", "-t", "md,html")
    first = subprocess.run(base, cwd=project, env=_env(project), capture_output=True,
                           timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    old = state(project / "out")
    deal = project / "deal.yaml"
    deal.write_text(deal.read_text().replace("Test Addendum", "Changed Addendum"))
    new_run = project / "reference"
    ref = subprocess.run(_mc2("build", "deal.yaml", "-o", str(new_run), "-t", "md,html"),
                         cwd=project, env=_env(project), capture_output=True, timeout=300,
                         check=False)
    assert ref.returncode == 0
    new = state(new_run)
    for k in range(1, 40):
        shutil.rmtree(project / "out")
        (project / "out").mkdir()
        for name, data in old.items():
            (project / "out" / name).write_bytes(data)
        proc = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e",
                               f"inject=rename,renameat,renameat2:signal=SIGKILL:when={k}",
                               *base], cwd=project, env=_env(project), capture_output=True,
                              timeout=300, check=False)
        if proc.returncode == 0:
            assert assert_old_or_new(project / "out", old, new) == "new"
            assert k > 2, "strace injected no kill"
            return
        if not (project / "out" / JOURNAL).exists():
            assert state(project / "out") in (old, new), f"k={k}: a mix"
        recover(project / "out")
        assert_old_or_new(project / "out", old, new)
    pytest.fail("the build never finished")
