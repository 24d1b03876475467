"""`mc2 schema`: a draft 2020-12 schema that accepts every example deal, refuses typos, and
mirrors the deal model (every object closed as the model forbids extra keys)."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from typer.testing import CliRunner

from mc2cli.authoring.schema import deal_schema
from mc2cli.cli.main import app
from mc2cli.inputs.layers import load_library
from mc2cli.inputs.models import Deal
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


def _model(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        found = _model(arg)
        if found is not None:
            return found
    return None


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if node.get("type") == "array":
        return _resolve(schema, node["items"])
    return node


def test_schema_mirrors_the_deal_model(builtin_schema: dict[str, Any]) -> None:
    """Every model's fields are exactly the schema's properties, all the way down; the
    mappings keyed by library ids are checked above."""
    pending: list[tuple[type[BaseModel], dict[str, Any]]] = [(Deal, builtin_schema)]
    seen = 0
    while pending:
        model, node = pending.pop()
        node = _resolve(builtin_schema, node)
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        assert set(node["properties"]) == set(fields), model.__name__
        required = {k for k, info in fields.items() if info.is_required()}
        assert set(node.get("required", [])) == required, model.__name__
        seen += 1
        for key, info in fields.items():
            sub = _model(info.annotation)
            if sub is not None and key not in ("principles", "clauses"):
                pending.append((sub, node["properties"][key]))
    assert seen >= 8


def test_house_library_schema_has_its_additions() -> None:
    schema = _schema("-L", str(ROOT / "examples" / "house-library" / "clauses"), "-L", "builtin")
    assert "controls.security-handover" in schema["properties"]["clauses"]["properties"]
    assert "security_handover_days" in schema["$defs"]["parameters"]["properties"]
    remote = schema["properties"]["principles"]["properties"]["remote-access"]
    assert "Vendor Remote Service" in remote["description"]
    assert "middle 730" in schema["$defs"]["parameter.remote_session_log_retention_days"][
        "description"]


def test_schema_from_a_deals_library(tmp_path: Path) -> None:
    deal = ROOT / "examples" / "house-library" / "deal.yaml"
    assert "controls.security-handover" in _schema("--deal", str(deal))["properties"][
        "clauses"]["properties"]


def test_output_is_stable() -> None:
    first = runner.invoke(app, ["schema"]).stdout
    assert first == runner.invoke(app, ["schema"]).stdout
    assert first.endswith("}\n")
    assert deal_schema(load_library([builtin_library_dir()]))["title"] == "mc2 deal file"


def test_bad_library_is_a_located_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "-L", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "clause library folder not found" in result.output
    assert "Traceback" not in result.output
