"""Markdown -> DOCX, HTML and PDF with the pinned pandoc binary and typst, under timeouts."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from mc2cli.errors import OutputError, UsageError
from mc2cli.paths import templates_dir

FORMATS = ("md", "docx", "pdf", "html")
# commonmark_x without every way for text to reach past Markdown: raw HTML/LaTeX, attributes
# (`{...}` after a word or code, bracketed spans, fenced divs: ids, classes and, in HTML, event
# handlers), a metadata block, math, emoji and wiki extras.
READER = ("commonmark_x-raw_html-raw_attribute-yaml_metadata_block-tex_math_dollars"
          "-emoji-alerts-task_lists-implicit_header_references"
          "-attributes-bracketed_spans-fenced_divs")
# A redline's tracked changes are spans mc2 writes itself (`[words]{.insertion ...}`); its
# reader takes spans back, and the sanitizer keeps only those two classes and their author
# and date.
TRACKED_READER = READER.replace("-attributes-bracketed_spans", "") + "+attributes+bracketed_spans"
TIMEOUT_ENV = "MC2_CONVERT_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
# Under --sandbox pandoc already writes fixed dates into DOCX; the variable keeps them fixed
# should the sandbox ever be dropped.
SOURCE_DATE_EPOCH = "0"


@cache
def pandoc_path() -> Path:
    """The pandoc binary inside the pypandoc-binary wheel, whatever is on PATH."""
    # Its wheel carries the binary; we never let it choose one. find_spec locates the package
    # without importing it (pypandoc's import costs more than the rest of `mc2 --version`).
    spec = importlib.util.find_spec("pypandoc")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise OutputError("pypandoc-binary is not installed; reinstall mc2 "
                          "(pip install --force-reinstall pypandoc-binary)")
    binary = Path(folders[0]) / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
    if not binary.is_file():
        raise OutputError(f"the bundled pandoc binary is missing at {binary}; "
                          "reinstall mc2 (pip install --force-reinstall pypandoc-binary)")
    return binary


@cache
def pandoc_version() -> str:
    out = subprocess.run([str(pandoc_path()), "--version"], capture_output=True, text=True,
                         timeout=30, env=_env(), check=False)
    first = out.stdout.splitlines()[0] if out.stdout else "pandoc (unknown)"
    return first.split()[-1]


def timeout() -> float:
    """Seconds each conversion may take: MC2_CONVERT_TIMEOUT, or 120."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:  # also refuses inf and nan
        raise UsageError(f"{TIMEOUT_ENV}={raw!r}: give a number of seconds from 0 to 86400")
    return value


def _env() -> dict[str, str]:
    # A small environment: CI secrets stay out of the converters.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "TZ": "UTC", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "HOME": tempfile.gettempdir()}


def _run(args: list[str], data: bytes, what: str) -> bytes:
    limit = timeout()
    try:
        proc = subprocess.run(args, input=data, capture_output=True, timeout=limit,
                              env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise OutputError(f"{what} timed out after {limit:g} s "
                          f"(raise the limit with {TIMEOUT_ENV}=SECONDS)") from None
    except OSError as exc:
        raise OutputError(f"{what} could not start: {exc.strerror}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OutputError(f"{what} failed (exit {proc.returncode}): "
                          + (message[-1] if message else "no message"))
    return proc.stdout


def _pandoc(markdown: str, writer: str, extra: list[str], tracked: bool = False) -> bytes:
    with tempfile.TemporaryDirectory(prefix="mc2-") as tmp:
        out = Path(tmp) / f"out.{writer}"
        reader = [TRACKED_READER, "-M", "mc2-tracked-changes=true"] if tracked else [READER]
        args = [str(pandoc_path()), "--sandbox", "-f", *reader, "-t", writer,
                "--fail-if-warnings", "--lua-filter", str(templates_dir() / "sanitize.lua"),
                "-o", str(out), *extra]
        _run(args, markdown.encode("utf-8"), f"pandoc ({writer})")
        return out.read_bytes()


def convert(markdown: str, fmt: str, *, tracked: bool = False) -> bytes:
    """One format's bytes. Raises OutputError on any converter failure. `tracked`: the
    Markdown is a redline whose insertion and deletion spans become tracked changes (DOCX)."""
    tdir = templates_dir()
    if fmt == "docx":
        return _pandoc(markdown, "docx", ["--reference-doc", str(tdir / "reference.docx"),
                                          "--shift-heading-level-by=-1"], tracked)
    if fmt == "html":
        return _pandoc(markdown, "html5", ["--standalone", "--template",
                                           str(tdir / "contract.html"),
                                           "--shift-heading-level-by=-1"])
    if fmt == "pdf":
        typ = _pandoc(markdown, "typst", ["--standalone", "--template",
                                          str(tdir / "contract.typ"),
                                          "--shift-heading-level-by=-1"])
        return _run([sys.executable, str(Path(__file__).with_name("typstc.py"))], typ, "typst")
    raise OutputError(f"unknown format '{fmt}'")
