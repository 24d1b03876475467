"""Acceptance: each example built, edited as the other side would (plain python-docx edits,
and tracked changes and comments as Word writes them), then ingested."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from mc2cli.cli.main import app
from mc2cli.inputs.models import Deal
from mc2cli.pipeline import check, load_deal, render_outputs
from mc2cli.reading.ingest import variants
from mc2cli.reading.plain import key, md_paragraphs
from returned_docx import AUTHOR, COMMENT, DATE, INSERTED, Plan, edit, plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/deal.yaml"))
SCHEMA = json.loads((ROOT / "schemas" / "ingest.schema.json").read_text())
runner = CliRunner()


@cache
def built(example: str) -> tuple[bytes, Plan]:
    deal_path = ROOT / "examples" / example / "deal.yaml"
    contract = check(deal_path).contract
    assert contract is not None
    deal, doc = load_deal(deal_path)
    data = render_outputs(contract, ["docx"], deal_path)["contract.docx"]
    return data, plan(contract, variants(deal, doc, contract))


def ingest_json(docx: Path, deal: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["ingest", str(docx), "--deal", str(deal), "-f", "json",
                                 *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    return data


def expected_changes(example: str, p: Plan) -> list[tuple[Any, ...]]:
    pcid, pid, old, new = p.parameter
    scid, old_pos, new_pos, _body = p.position
    return sorted([
        ("parameter", pcid, pid, old, new), ("position", scid, None, old_pos, new_pos),
        ("omitted", p.omitted, None, None, None), ("inserted", None, None, None, None),
        ("text", p.free, None, None, None), ("comment", p.comment, None, None, COMMENT)],
        key=repr)


def summary(changes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    out = []
    for c in changes:
        if c["kind"] in ("parameter", "position"):
            out.append((c["kind"], c["clause"], c["parameter"], c["old"], c["new"]))
        elif c["kind"] == "comment":
            out.append((c["kind"], c["clause"], None, None, c["new"]))
        else:
            out.append((c["kind"], c["clause"], None, None, None))
    return sorted(out, key=repr)


@pytest.mark.parametrize("tracked", [False, True], ids=["plain", "tracked"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_ingest_lists_exactly_the_edits(example: str, tracked: bool, tmp_path: Path) -> None:
    data, p = built(example)
    shutil.copytree(ROOT / "examples" / example, tmp_path / example)
    deal_path = tmp_path / example / "deal.yaml"
    contract = check(deal_path).contract
    assert contract is not None
    returned = tmp_path / "returned.docx"
    returned.write_bytes(edit(data, contract, p, tracked=tracked))
    new_deal = tmp_path / example / "round-2.yaml"
    result = ingest_json(returned, deal_path, "-o", str(new_deal), "--round", "Round 2")
    assert summary(result["changes"]) == expected_changes(example, p)
    assert result["unmatched"] == []
    for change in result["changes"]:
        assert change["author"] == AUTHOR
        assert change["date"].startswith(DATE[:10])
        assert change["tracked"] is (tracked or change["kind"] == "comment")
    free = next(c for c in result["changes"] if c["kind"] == "text")
    assert "{+promptly+}" in free["text_diff"].replace(" ", "")
    proposed_is_checked_and_reproduces(deal_path, new_deal, returned, p, result)


def proposed_is_checked_and_reproduces(deal_path: Path, new_deal: Path, returned: Path,
                                       p: Plan, result: dict[str, Any]) -> None:
    assert result["proposed"]["regenerated"] is False
    text = new_deal.read_text()
    original = deal_path.read_text()
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text  # the user's comments stay
    strict = check(new_deal, strict=True)
    assert strict.problems == [], [x.format() for x in strict.problems]
    contract = strict.contract
    assert contract is not None
    clauses = {c.id: c for c in contract.clauses}
    assert p.omitted not in clauses
    pcid, pid, _old, new = p.parameter
    assert clauses[pcid].params[pid].value == new
    scid, _old_pos, new_pos, body = p.position
    assert clauses[scid].position == new_pos
    assert [key(t) for t in md_paragraphs(clauses[scid].text)] == [key(t) for t in body]
    extra = [c for c in contract.clauses if c.extra and c.id.startswith("deal.inserted-")]
    assert len(extra) == 1
    assert extra[0].section == clauses[p.inserted_after].section
    mdm = contract.deal.parties.mdm.short_name or "Supplier"
    hdo = contract.deal.parties.hdo.short_name or "Customer"
    assert key(md_paragraphs(extra[0].text)[0]) == key(INSERTED.format(mdm=mdm, hdo=hdo))
    assert "Round 2" in (extra[0].reason or "") and AUTHOR in (extra[0].reason or "")
    # The free edit is listed and left out: the clause keeps the library's text.
    assert "promptly" not in clauses[p.free].text
    # Ingesting the returned file against the proposed deal leaves only what it left out.
    again = ingest_json(returned, new_deal)
    kinds = sorted(c["kind"] for c in again["changes"])
    assert kinds == ["comment", "text"], again["changes"]


def test_unedited_build_has_no_changes(tmp_path: Path) -> None:
    data, _p = built("lakeside-infusion")
    returned = tmp_path / "contract.docx"
    returned.write_bytes(data)
    result = ingest_json(returned, ROOT / "examples" / "lakeside-infusion" / "deal.yaml")
    assert result["changes"] == [] and result["unmatched"] == []
    assert result["clauses"]["missing"] == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed "
                    "(.ci/run installs it)")
@pytest.mark.parametrize("example", ["lakeside-infusion", "house-library"])
def test_a_file_saved_by_libreoffice_still_matches(example: str, tmp_path: Path) -> None:
    data, p = built(example)
    deal_path = ROOT / "examples" / example / "deal.yaml"
    contract = check(deal_path).contract
    assert contract is not None
    source = tmp_path / "in" / "returned.docx"
    source.parent.mkdir()
    source.write_bytes(edit(data, contract, p, tracked=False))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--headless", "--convert-to", "docx", "--outdir", str(tmp_path / "out"),
                    str(source)], check=True, capture_output=True, timeout=180)
    saved = tmp_path / "out" / "returned.docx"
    result = ingest_json(saved, deal_path)
    assert result["clauses"]["missing"] == [p.omitted]
    assert summary(result["changes"]) == expected_changes(example, p)


def test_deal_model_is_untouched_by_variants() -> None:
    deal, doc = load_deal(ROOT / "examples" / "riverside-mri" / "deal.yaml")
    before = deal.model_dump()
    contract = check(ROOT / "examples" / "riverside-mri" / "deal.yaml").contract
    assert contract is not None
    variants(deal, doc, contract)
    assert isinstance(deal, Deal) and deal.model_dump() == before
