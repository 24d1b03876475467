"""Property tests: generated and mutated deals never crash mc2; they build or fail located."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mc2cli.errors import InputError
from mc2cli.inputs.markdown import escape
from mc2cli.inputs.yamlload import load_text
from mc2cli.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
LAKESIDE = (ROOT / "examples" / "lakeside-infusion" / "deal.yaml").read_text()
LOCATED = re.compile(r"^.+:\d+:\d+: (error|warning): ")

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_loads_or_fails_located(text: str) -> None:
    try:
        load_text(text, "x.yaml")
    except InputError as exc:
        assert exc.problems
        assert all(LOCATED.match(p.format()) for p in exc.problems)


def _mutate(source: str, data: st.DataObject) -> str:
    lines = source.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    kind = data.draw(st.sampled_from(["delete", "duplicate", "garble", "retype", "indent"]))
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "garble":
        pos = data.draw(st.integers(0, max(len(lines[index]) - 1, 0)))
        junk = data.draw(st.text(alphabet=":{}[]-#&*!|>'\"%@`\t 0aZ\n", min_size=1,
                                 max_size=3))
        lines[index] = lines[index][:pos] + junk + lines[index][pos + 1:]
    elif kind == "retype" and ":" in lines[index]:
        key = lines[index].split(":", 1)[0]
        value = data.draw(st.sampled_from(["NO", "on", "1.10", "017", "[]", "{}", "~", "''",
                                           "2024-02-30", "9" * 50, "-1", "true"]))
        lines[index] = f"{key}: {value}"
    else:
        lines[index] = "  " + lines[index]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.data())
def test_mutated_deals_check_or_fail_located(data: st.DataObject) -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        deal = Path(tmp) / "deal.yaml"
        deal.write_text(_mutate(LAKESIDE, data))
        result = check(deal)
        for problem in result.problems:
            assert LOCATED.match(problem.format()), problem.format()
        if result.contract is None:
            assert result.errors


@SETTINGS
@given(st.text(min_size=1, max_size=80).filter(lambda s: "\n" not in s and "\r" not in s
                                               and s.strip() == s and s))
def test_party_names_round_trip_through_markdown(name: str) -> None:
    import subprocess

    from mc2cli.output.convert import READER, pandoc_path
    md = f"Between **{escape(name)}** and others.\n"
    proc = subprocess.run([str(pandoc_path()), "-f", READER, "-t", "plain", "--wrap=none"],
                          input=md.encode(), capture_output=True, timeout=30, check=True)
    plain = proc.stdout.decode()
    assert _smart_equal(name, plain), (name, plain)


def _smart_equal(name: str, plain: str) -> bool:
    """pandoc's `smart` extension turns quotes, dashes and dots typographic; compare without."""
    def norm(s: str) -> str:
        s = unicodedata.normalize("NFC", s)  # pandoc normalizes, e.g. CJK compatibility forms
        for a, b in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
                     ("\u2013", "--"), ("\u2014", "---"), ("\u2026", "..."), ("\u00a0", " ")):
            s = s.replace(a, b)
        return " ".join(s.split())
    return norm(name) in norm(plain)


@SETTINGS
@given(st.data())
def test_mutated_deals_build_or_fail_located(data: st.DataObject) -> None:
    """Whatever survives check also builds: nothing crashes between assembly and output."""
    import tempfile

    from mc2cli.errors import InputError
    from mc2cli.pipeline import build
    with tempfile.TemporaryDirectory() as tmp:
        deal = Path(tmp) / "deal.yaml"
        deal.write_text(_mutate(LAKESIDE, data))
        try:
            result = build(deal, out_dir=Path(tmp) / "out", formats=["md"])
        except InputError as exc:
            assert exc.problems
            assert all(LOCATED.match(p.format()) for p in exc.problems)
            assert not (Path(tmp) / "out").exists()
        else:
            assert (result.out_dir / "contract.md").read_text().startswith("# ")


# Markdown and Jinja punctuation, letters, spaces and line breaks: enough to make lists,
# quotes, emphasis, escapes, braces and tags, nested or broken.
_TEXT_ALPHABET = "*_~^>-+1.`{}[]()!<#|\\$&'\"%: \n\naAzZ"


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.text(alphabet=_TEXT_ALPHABET, min_size=1, max_size=300),
       st.integers(min_value=0, max_value=12))
def test_a_deal_that_passes_check_builds_in_every_format(text: str, depth: int) -> None:
    """A sample of generated extra clauses (some nested `depth` deep): whatever check
    passes, pandoc and typst must turn into DOCX, PDF and HTML."""
    import json
    import tempfile

    from conftest import DEAL, library_files, write_tree
    from mc2cli.pipeline import build
    nested = "".join("  " * i + "- item\n" for i in range(depth)) + "> " * depth + "quote\n"
    body = f"{{{{ mdm }}}} shall {text}\n\n{nested}"
    deal = (DEAL + "extra_clauses:\n  - id: deal.extra\n    principle: patching\n"
            "    title: Extra\n    obligor: mdm\n    reason: Asked for.\n"
            f"    text: {json.dumps(body)}\n")
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), {**library_files(), "deal.yaml": deal})
        if check(Path(tmp) / "deal.yaml").errors:
            return
        result = build(Path(tmp) / "deal.yaml", out_dir=Path(tmp) / "out",
                       formats=["md", "docx", "pdf", "html"])
        assert {"contract.docx", "contract.pdf", "contract.html"} <= set(result.files)
