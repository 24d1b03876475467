#!/usr/bin/env python3
"""Render tools/sample-contract.md to DOCX, HTML and PDF with the templates in
templates/, using the same pandoc arguments mc2 uses, and check that each
output is byte-identical over two runs.

    python tools/render_sample.py [OUTDIR]      # default: out/sample

Optional: `--png` also writes PNG pages of the PDF (needs pdftoppm, from
poppler-utils) for looking at the result.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import typst

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SAMPLE = ROOT / "tools" / "sample-contract.md"

READER = "commonmark_x-raw_html-raw_attribute"
# The first "# " heading becomes the document title (Title style in DOCX,
# title block in HTML and PDF); "## 10. ..." becomes level 1 and so on.
COMMON = ["-f", READER, "--sandbox", "--shift-heading-level-by=-1"]


def find_pandoc() -> str:
    env = os.environ.get("PANDOC")
    if env:
        return env
    try:
        import pypandoc  # type: ignore

        return pypandoc.get_pandoc_path()
    except Exception:
        return shutil.which("pandoc") or sys.exit("no pandoc")


def pandoc(args: list[str]) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    subprocess.run([find_pandoc(), *args], check=True, env=env)


def docx(src: Path, out: Path) -> None:
    pandoc([*COMMON, "-t", "docx",
            "--reference-doc", str(TEMPLATES / "reference.docx"),
            "-o", str(out), str(src)])


def html(src: Path, out: Path) -> None:
    pandoc([*COMMON, "-t", "html5", "--standalone",
            "--template", str(TEMPLATES / "contract.html"),
            "-o", str(out), str(src)])


def pdf(src: Path, out: Path) -> None:
    typ = out.with_suffix(".typ")
    pandoc([*COMMON, "-t", "typst", "--standalone",
            "--template", str(TEMPLATES / "contract.typ"),
            "-o", str(typ), str(src)])
    data = typst.compile(typ.read_bytes(), format="pdf",
                         ignore_system_fonts=True, timestamp=0)
    out.write_bytes(data)


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    png = "--png" in argv
    rest = [a for a in argv if a != "--png"]
    outdir = Path(rest[0]) if rest else Path("out/sample")
    outdir.mkdir(parents=True, exist_ok=True)
    ok = True
    for name, fn in (("contract.docx", docx), ("contract.html", html),
                     ("contract.pdf", pdf)):
        first = outdir / name
        second = outdir / ("again-" + name)
        fn(SAMPLE, first)
        fn(SAMPLE, second)
        same = digest(first) == digest(second)
        ok &= same
        print(f"{first}  {'reproducible' if same else 'DIFFERS between runs'}")
        second.unlink()
        for leftover in (second.with_suffix(".typ"),):
            if leftover.exists():
                leftover.unlink()
    if png:
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(outdir / "contract.pdf"),
                        str(outdir / "page")], check=True)
        print(f"PNG pages in {outdir}/page-*.png")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
