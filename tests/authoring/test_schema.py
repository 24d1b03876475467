"""`mc2 schema`: a draft 2020-12 schema, built from the deal model, that accepts every example
deal, refuses typos, offers editors the library's ids, and is the same bytes on every run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import Field, create_model
from typer.testing import CliRunner

from mc2cli.authoring.schema import ABOUT, deal_schema, schema_json
from mc2cli.cli.main import app
from mc2cli.inputs.layers import load_library
from mc2cli.inputs.models import Deal, Line, Product
from mc2cli.paths import builtin_library_dir

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/deal.yaml"))
runner = CliRunner()


class _Yaml12(yaml.SafeLoader):
    """YAML as an editor's language server reads it (1.2 core schema): no dates, and only
    true/false are booleans."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"),
                              list("tf"))


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_Yaml12)  # a SafeLoader subclass


def _schema(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["schema", *args])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


@pytest.fixture(scope="module")
def builtin_schema() -> dict[str, Any]:
    return _schema()


def _errors(schema: dict[str, Any], data: Any) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def test_schema_is_valid_draft_2020_12(builtin_schema: dict[str, Any]) -> None:
    assert builtin_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(builtin_schema)


@pytest.mark.parametrize("deal", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_deal_validates(deal: Path) -> None:
    data = _load(deal.read_text())
    layers = data.get("library", "builtin")
    args = [a for layer in ([layers] if isinstance(layers, str) else layers)
            for a in ("-L", layer if layer == "builtin" else str(deal.parent / layer))]
    assert _errors(_schema(*args), data) == []


def test_a_typo_in_a_clause_id_fails(builtin_schema: dict[str, Any]) -> None:
    data = _load((ROOT / "examples" / "riverside-mri" / "deal.yaml").read_text())
    data["clauses"]["incident.breach-notise"] = data["clauses"].pop("incident.breach-notice")
    errors = _errors(builtin_schema, data)
    assert any("incident.breach-notise" in e and "clauses" in e for e in errors), errors


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d.update(governing_lwa="x"), ""),
    (lambda d: d["principles"].update({"remote-acess": {"position": "hdo"}}), "principles"),
    (lambda d: d["parameters"].update(patch_critical_dayz=10), "parameters"),
    (lambda d: d["clauses"]["incident.breach-notice"].update(parameters={"patch_days": 3}),
     "clauses/incident.breach-notice/parameters"),
    (lambda d: d["principles"]["remote-access"].update(position="hd"),
     "principles/remote-access/position"),
    (lambda d: d["parties"]["hdo"].update(nmae="x"), "parties/hdo"),
    (lambda d: d.update(effective_date="2027-3-1"), "effective_date"),
    (lambda d: d.update(mc2=2), "mc2"),
    (lambda d: d["products"].clear(), "products"),
], ids=["key", "principle", "parameter", "clause-parameter", "position", "party-key", "date",
        "format", "products"])
def test_mistakes_fail(builtin_schema: dict[str, Any], change: Any, where: str) -> None:
    data = _load((ROOT / "examples" / "riverside-mri" / "deal.yaml").read_text())
    change(data)
    errors = _errors(builtin_schema, data)
    assert errors and any(e.startswith(f"{where}:") for e in errors), errors


def test_values_mc2_accepts_pass(builtin_schema: dict[str, Any]) -> None:
    data = _load((ROOT / "examples" / "riverside-mri" / "deal.yaml").read_text())
    data["parameters"]["patch_days"] = 400  # outside the bounds: a deviation, not an error
    data["parameters"]["breach_notice_days"] = {"value": 2, "reason": "State law."}
    data["products"][0]["software_version"] = 4.1  # `4.10` as an editor reads it
    data["extra_clauses"] = [{"id": "deal.training", "principle": "standard-security-controls",
                              "title": "Training", "obligor": "mdm", "text": "{{ mdm }} ...",
                              "after": "controls.authentication",
                              "parameters": {"patch_days": 20}}]
    assert _errors(builtin_schema, data) == []


def test_extra_clause_may_not_take_a_library_id(builtin_schema: dict[str, Any]) -> None:
    data = _load((ROOT / "examples" / "riverside-mri" / "deal.yaml").read_text())
    data["extra_clauses"] = [{"id": "patching.timeline", "principle": "security-patching",
                              "title": "T", "obligor": "mdm", "text": "x"}]
    assert any(e.startswith("extra_clauses/0/id:") for e in _errors(builtin_schema, data))


def test_library_facts_are_in_the_schema(builtin_schema: dict[str, Any]) -> None:
    defs = builtin_schema["$defs"]
    lib = load_library([builtin_library_dir()])
    assert set(builtin_schema["properties"]["principles"]["properties"]) == {
        p.id for p in lib.principles}
    assert set(builtin_schema["properties"]["clauses"]["properties"]) == set(lib.clauses)
    assert set(defs["parameters"]["properties"]) == set(lib.parameters)
    assert defs["principleChoice"]["properties"]["parameters"] == {
        "$ref": "#/$defs/parameters", "description": ABOUT["Choice.parameters"]}
    patch = defs["parameter.patch_days"]
    assert patch["anyOf"][0] == {"type": "integer"}
    assert "minimum" not in json.dumps(patch) and "maximum" not in json.dumps(patch)
    assert "bounds" in patch["description"] and "deviation that needs a reason" in \
        patch["description"]
    assert patch["default"] == 30 and len(patch["examples"]) == 3
    choice = next(p for p, _w in lib.parameters.values() if p.type == "choice")
    assert defs[f"parameter.{choice.id}"]["anyOf"][0] == {"enum": list(choice.choices or {})}
    timeline = builtin_schema["properties"]["clauses"]["properties"]["patching.timeline"]
    assert set(timeline["properties"]["parameters"]["properties"]) == {"patch_days"}
    assert "patch_days: hdo " in timeline["description"]


def _closed_objects(node: Any, path: str = "") -> list[str]:
    """Paths of object schemas that do not say additionalProperties: false."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object" and node.get("additionalProperties") is not False:
            found.append(path)
        for key, value in node.items():
            found += _closed_objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _closed_objects(value, f"{path}/{i}")
    return found


def test_every_object_is_closed(builtin_schema: dict[str, Any]) -> None:
    assert _closed_objects(builtin_schema) == []


def test_editors_are_offered_the_librarys_ids(builtin_schema: dict[str, Any]) -> None:
    lib = load_library([builtin_library_dir()])
    extra = builtin_schema["$defs"]["ExtraClause"]["properties"]
    assert extra["principle"]["enum"] == [p.id for p in lib.principles]
    assert extra["after"]["examples"] == list(lib.clauses)
    assert extra["id"]["not"] == {"enum": list(lib.clauses)}
    position = builtin_schema["properties"]["position"]
    assert position["enum"] == ["hdo", "middle", "mdm"]
    assert lib.framework.positions["hdo"].title in position["description"]
    clause = builtin_schema["properties"]["clauses"]["properties"]["patching.timeline"]
    assert clause["properties"]["position"]["anyOf"][0]["enum"] == ["hdo", "middle", "mdm"]


def test_a_field_added_to_the_model_is_in_the_schema() -> None:
    """The structure comes from the model: a new field needs no second edit to appear."""
    lib = load_library([builtin_library_dir()])
    wider_product = create_model("WiderProduct", __base__=Product, udi=(
        Line | None, Field(default=None, description="The device identifier.")))
    wider = create_model("WiderDeal", __base__=Deal, contract_value=(Line, ...),
                         products=(list[wider_product], Field(min_length=1)))
    schema = deal_schema(lib, wider)
    assert "contract_value" in schema["properties"]
    assert "contract_value" in schema["required"]
    assert schema["properties"]["contract_value"]["pattern"] == r"^[^\r\n]*\S[^\r\n]*$"
    assert "udi" in schema["$defs"]["WiderProduct"]["properties"]
    assert schema["$defs"]["WiderProduct"]["properties"]["udi"]["description"] == \
        "The device identifier."
    assert schema["$defs"]["WiderProduct"]["additionalProperties"] is False
    assert "udi" not in deal_schema(lib)["$defs"]["Product"]["properties"]


def test_schema_output_is_the_same_bytes_on_every_run() -> None:
    code = ("import sys; from mc2cli.authoring.schema import schema_json; "
            "from mc2cli.inputs.layers import load_library; from mc2cli.paths import "
            "builtin_library_dir; sys.stdout.write(schema_json(load_library([builtin_library_dir()])))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(runs) == 1
    assert runs.pop().decode() == schema_json(load_library([builtin_library_dir()]))
