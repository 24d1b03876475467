"""Markdown -> DOCX, HTML and PDF with the pinned pandoc binary and typst, under timeouts."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from mc2cli.errors import OutputError, UsageError
from mc2cli.paths import templates_dir

if TYPE_CHECKING:
    from mc2cli.output.structure import Layout

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
    if proc.returncode in (-signal.SIGINT, -signal.SIGTERM):
        # Ctrl-C or a cancelled job reached the converter first: mc2 is being interrupted,
        # not failing (exit 130, whichever of the two processes saw the signal first).
        raise KeyboardInterrupt
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OutputError(f"{what} failed (exit {proc.returncode}): "
                          + (message[-1] if message else "no message"))
    return proc.stdout


def _pandoc(markdown: str, writer: str, extra: list[str], tracked: bool = False,
            structure: str | None = None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="mc2-") as tmp:
        out = Path(tmp) / f"out.{writer}"
        reader = [TRACKED_READER, "-M", "mc2-tracked-changes=true"] if tracked else [READER]
        filters = ["--lua-filter", str(templates_dir() / "sanitize.lua")]
        if structure is not None:  # after sanitize.lua: only mc2's own map adds structure
            filters += ["--lua-filter", str(templates_dir() / "structure.lua"),
                        "-M", f"mc2-structure={structure}"]
        args = [str(pandoc_path()), "--sandbox", "-f", *reader, "-t", writer,
                "--fail-if-warnings", *filters, "-o", str(out), *extra]
        _run(args, markdown.encode("utf-8"), f"pandoc ({writer})")
        return out.read_bytes()


def _layout_args(layout: Layout | None, fmt: str) -> list[str]:
    """The layout as pandoc metadata (escaped by each writer, never spliced in raw)."""
    if layout is None:
        return []
    args = []
    if layout.reference:
        args += ["-M", f"mc2-reference={layout.reference}"]
    if layout.draft:
        args += ["-M", f"mc2-draft={layout.draft}"]
    if layout.toc or fmt == "html":  # the HTML page always has its contents
        args += ["--toc", "--toc-depth=2", "-M", "toc-title=Contents"]
    return args


def convert(markdown: str, fmt: str, *, tracked: bool = False, structure: str | None = None,
            layout: Layout | None = None) -> bytes:
    """One format's bytes. Raises OutputError on any converter failure. `tracked`: the
    Markdown is a redline whose insertion and deletion spans become tracked changes (DOCX).

    `structure` (output.structure.structure_json) turns on the contract's structure: stable
    ids, cross-references as links or fields, Word numbering; `layout` adds the running
    header, draft stamp, contents and tracked changes."""
    tdir = templates_dir()
    shift = "--shift-heading-level-by=-1"
    if fmt == "docx":
        docx = _pandoc(markdown, "docx", ["--reference-doc", str(tdir / "reference.docx"),
                                          shift, *_layout_args(layout, fmt)], tracked,
                       structure)
        if structure is None:
            return docx
        from mc2cli.output.docxpost import post_process
        return post_process(docx, layout)
    if fmt == "html":
        return _pandoc(markdown, "html5", ["--standalone", "--template",
                                           str(tdir / "contract.html"), shift,
                                           *_layout_args(layout, fmt)],
                       structure=structure)
    if fmt == "pdf":
        typ = _pandoc(markdown, "typst", ["--standalone", "--template",
                                          str(tdir / "contract.typ"), shift,
                                          *_layout_args(layout, fmt)],
                      structure=structure)
        return _run([sys.executable, str(Path(__file__).with_name("typstc.py"))], typ, "typst")
    raise OutputError(f"unknown format '{fmt}'")
