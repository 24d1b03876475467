"""The wheel carries the library and templates: an installed mc2 works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(dist), str(ROOT)], check=True)
    return next(dist.glob("mc2cli-*.whl"))


def test_wheel_contains_library_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mc2cli/data/clauses/framework.yaml" in names
    assert "mc2cli/data/templates/contract.md.j2" in names
    assert "mc2cli/data/templates/reference.docx" in names
    assert "mc2cli/data/templates/sanitize.lua" in names


def test_installed_wheel_builds_from_another_folder(wheel: Path, tmp_path: Path,
                                                    tiny: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(site), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = subprocess.run([sys.executable, "-c", "import mc2cli.paths as p; "
                            "print(p.builtin_library_dir())"], cwd=work, env=env,
                           capture_output=True, text=True, check=True)
    assert str(site) in probe.stdout
    result = subprocess.run([sys.executable, "-m", "mc2cli", "build", str(tiny / "deal.yaml"),
                             "-o", "out", "-t", "md,docx,pdf,html"], cwd=work, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        "contract.docx", "contract.html", "contract.md", "contract.pdf", "manifest.json",
        "notes.md"]
    listing = subprocess.run([sys.executable, "-m", "mc2cli", "library", "lint"], cwd=work,
                             env=env, capture_output=True, text=True, check=False)
    assert "builtin:" in listing.stderr
