"""No script in any output, no secret leaked into one, across every route a hostile deal or
library has into the contract.

Two kinds of route:
- Markdown texts (deal extra clauses, library clause texts, definitions, notes) are Markdown on
  purpose; attribute syntax, raw HTML, links, images and Jinja tricks are refused by `check`,
  `build` and `library lint` with a located message, and nothing is written.
- Single-line strings (titles, position titles, party names, parameter values) are escaped;
  such a deal builds, and every output byte is scanned.
Behind both, the pandoc reader has attribute syntax off and the sanitizer clears attributes;
`test_the_converter_alone_drops_every_attribute` feeds hostile Markdown straight to it.
"""

from __future__ import annotations

import html.parser
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from conftest import DEAL, library_files, write_tree
from mc2cli.cli.main import app
from mc2cli.output.convert import convert, pandoc_path

runner = CliRunner()
SECRET_ENV = "MC2_CANARY_SECRET"
SECRET = "c4n4ry-env-7f3a91"
FILE_SECRET = "c4n4ry-file-5be02d"

# Markdown that would carry an event handler, a script or a javascript: URL into HTML.
ATTRIBUTE_PAYLOADS = [
    "{{ mdm }} shall patch word{onmouseover=alert(1)} promptly.",
    "{{ mdm }} shall patch `x`{onclick=alert(1)} promptly.",
    "{onclick=alert(1)}\n{{ mdm }} shall patch promptly.",
    "{{ mdm }} shall patch [y]{onclick=alert(1)} promptly.",
    "{{ mdm }} shall patch *now*{.c #id onfocus=alert(1)} promptly.",
    "{{ mdm }} shall patch {{ '{' }}onclick=alert(1)} promptly.",
]
OTHER_PAYLOADS = [
    "{{ mdm }} shall patch <script>alert(1)</script> promptly.",
    "{{ mdm }} shall patch [x](javascript:alert(1)) promptly.",
    "{{ mdm }} shall patch <javascript:alert(1)> promptly.",
    "{{ mdm }} shall patch {{ '<' }}script>alert(1) promptly.",
    "{{ mdm }} shall patch ![x](../secret.txt) promptly.",
    "::: {onclick=alert(1)}\n{{ mdm }} shall patch.\n:::",
    "{{ mdm }} shall patch {{ lipsum.__globals__ }} promptly.",
    "{% include '../secret.txt' %}",
]
PAYLOADS = ATTRIBUTE_PAYLOADS + OTHER_PAYLOADS
# What a single-line string tries (escaped, so printed as text in every format).
LINE = "Evil{onclick=alert(1)} [x](javascript:alert(1)) *b*"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    write_tree(tmp_path, files)
    (tmp_path / "secret.txt").write_text(FILE_SECRET, encoding="utf-8")
    return tmp_path


def _extra_clause(text: str) -> str:
    return (DEAL + "extra_clauses:\n  - id: deal.extra\n    principle: patching\n"
            "    title: Extra\n    obligor: mdm\n    reason: Asked for.\n"
            f"    text: {_quoted(text)}\n")


def _library_route(route: str, text: str) -> dict[str, str]:
    lib = library_files()
    if route == "clause":
        lib["lib/01-patching.yaml"] = lib["lib/01-patching.yaml"].replace(
            "hdo: |\n        {{ mdm }} shall provide each Security Patch within {{ patch_days }}.",
            f"hdo: {_quoted(text + ' {{ patch_days }}')}")
    elif route == "definition":
        lib["lib/definitions.yaml"] = lib["lib/definitions.yaml"].replace(
            "text: means a weakness in a product of {{ mdm }}.",
            f"text: {_quoted('means a weakness, ' + text)}")
    else:
        lib["lib/01-patching.yaml"] = lib["lib/01-patching.yaml"].replace(
            "notes: Commonly traded.", f"notes: {_quoted(text)}")
    return lib


ROUTES = ["extra", "clause", "definition", "notes"]


def _refused(result_output: str) -> bool:
    return re.search(r":\d+:\d+: error: ", result_output) is not None


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("text", PAYLOADS)
def test_every_markdown_route_refuses_script_and_attributes(tmp_path: Path, route: str,
                                                            text: str) -> None:
    if route == "extra":
        files = {**library_files(), "deal.yaml": _extra_clause(text)}
    else:
        files = {**_library_route(route, text), "deal.yaml": DEAL}
    root = _project(tmp_path, files)
    deal = str(root / "deal.yaml")
    check = runner.invoke(app, ["check", deal])
    assert check.exit_code == 1, check.output
    assert _refused(check.output), check.output
    if text in ATTRIBUTE_PAYLOADS:
        assert "attribute syntax '{...}'" in check.output, check.output
    if route != "extra":
        lint = runner.invoke(app, ["library", "lint", "-L", str(root / "lib")])
        assert lint.exit_code == 1, lint.output
        assert _refused(lint.output) and "Traceback" not in lint.output
    build = runner.invoke(app, ["build", deal, "-o", str(root / "out"), "-t", "md"])
    assert build.exit_code == 1, build.output
    assert not (root / "out").exists()
    for output in (check.output, build.output):
        assert SECRET not in output and FILE_SECRET not in output


def test_an_escaped_brace_is_text_and_builds(tmp_path: Path) -> None:
    root = _project(tmp_path, {**library_files(),
                               "deal.yaml": _extra_clause("{{ mdm }} shall log \\{all\\} events.")})
    result = runner.invoke(app, ["check", str(root / "deal.yaml")])
    assert result.exit_code == 0, result.output


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag} {name}={value}")


def _texts(folder: Path) -> dict[str, str]:
    """Every output's text: Markdown and HTML as written, each DOCX part, the PDF's text."""
    out: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    out[f"{path.name}:{member}"] = z.read(member).decode("utf-8", "replace")
        elif path.suffix == ".pdf":
            reader = pypdf.PdfReader(io.BytesIO(data))
            out[path.name] = "\n".join(page.extract_text() for page in reader.pages)
        else:
            out[path.name] = data.decode("utf-8")
    return out


_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def assert_clean(folder: Path) -> None:
    texts = _texts(folder)
    assert {"contract.md", "contract.html", "notes.md", "contract.pdf"} <= set(texts)
    for name, text in texts.items():
        assert SECRET not in text and FILE_SECRET not in text, name
        assert "<script" not in text.lower() or name.endswith(".md"), name
        assert not _HANDLER.search(text), name
        assert 'href="javascript:' not in text.lower() and "Target=\"javascript" not in text
        if name.endswith(".html"):
            tags = _Tags()
            tags.feed(text)
            assert tags.bad == [], (name, tags.bad)
    for name in ("contract.md", "notes.md"):
        # Any pandoc, attribute syntax on, reads the Markdown mc2 wrote without a handler.
        again = convert_with_attributes(texts[name])
        tags = _Tags()
        tags.feed(again)
        assert tags.bad == [], (name, tags.bad)


def convert_with_attributes(markdown: str) -> str:
    proc = subprocess.run([str(pandoc_path()), "-f", "commonmark_x", "-t", "html5"],
                          input=markdown.encode(), capture_output=True, check=True, timeout=60)
    return proc.stdout.decode()


def test_single_line_strings_are_printed_as_text_in_every_output(tmp_path: Path) -> None:
    lib = library_files()
    lib["lib/framework.yaml"] = (lib["lib/framework.yaml"]
                                 .replace("title: HDO-leaning", f"title: {_quoted(LINE)}")
                                 .replace("title: The Middle", f"title: {_quoted(LINE + ' m')}")
                                 .replace("title: Security Patching", f"title: {_quoted(LINE)}"))
    lib["lib/01-patching.yaml"] = lib["lib/01-patching.yaml"].replace(
        "title: Patch Timeline", f"title: {_quoted(LINE)}")
    lib["lib/parameters.yaml"] = lib["lib/parameters.yaml"].replace(
        "title: Patch time frame", f"title: {_quoted(LINE)}")
    deal = (DEAL.replace("title: Test Addendum", f"title: {_quoted(LINE)}")
            .replace("name: Lakeside Health", f"name: {_quoted(LINE)}")
            .replace("address: 2 Harbor Rd", f"address: {_quoted(LINE)}")
            .replace("governing_law: the State of Minnesota",
                     f"governing_law: {_quoted('the State of ' + LINE)}")
            .replace("reference: T-1", f"reference: {_quoted(LINE)}")
            + "principles:\n  patching: {position: hdo, reason: " + _quoted(LINE) + "}\n")
    root = _project(tmp_path, {**lib, "deal.yaml": deal})
    result = runner.invoke(app, ["build", str(root / "deal.yaml"), "-o", str(root / "out")])
    assert result.exit_code == 0, result.output
    assert_clean(root / "out")
    notes = (root / "out" / "notes.md").read_text(encoding="utf-8")
    assert "Chosen position: Evil\\{onclick=alert(1)\\}" in notes
    assert "Evil{onclick=alert(1)}" in (root / "out" / "contract.html").read_text()


@pytest.mark.parametrize("markdown", [
    "word{onmouseover=alert(1)} `x`{onclick=a} [y]{onclick=b} *z*{onfocus=c}\n",
    "{onclick=a}\npara\n",
    "# Heading {#top onclick=a}\n\ntext\n",
    "::: {onclick=a custom-style=Hacked}\ndiv\n:::\n\n[s]{custom-style=Hacked}\n",
    "```{onload=x}\ncode\n```\n",
    "<script>alert(1)</script>\n\n<b onclick=x>b</b> <javascript:alert(1)>\n",
    "[x](javascript:alert(1)) ![i](javascript:alert(1))\n",
    "| a | b |\n|---|---|\n| c{onclick=x} | d |\n",
])
def test_the_converter_alone_drops_every_attribute(markdown: str) -> None:
    page = convert(markdown, "html").decode()
    tags = _Tags()
    tags.feed(page)
    assert tags.bad == [], tags.bad
    assert not _HANDLER.search(page)
    with zipfile.ZipFile(io.BytesIO(convert(markdown, "docx"))) as z:
        rels = "".join(z.read(m).decode() for m in z.namelist() if m.endswith(".rels"))
        body = z.read("word/document.xml").decode()
    assert "javascript:" not in rels and "<w:hyperlink" not in body
    assert 'w:val="Hacked"' not in body  # no custom-style from a div or span
