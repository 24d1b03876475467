"""Turn a located YAML document into a pydantic model, or into located problems."""

from __future__ import annotations

import copy
import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from mc2cli.errors import Problem
from mc2cli.inputs.yamlload import Document, PathKey
from mc2cli.suggest import did_you_mean, known

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "is required",
    "string_type": "must be text",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}


def validate(cls: type[M], doc: Document, problems: list[Problem],
             key: PathKey = ()) -> M | None:
    """Validate `doc.data` (or the node at `key`) as `cls`; collect every problem."""
    data: Any = doc.data
    for part in key:
        data = data[part]
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_problem(cls, doc, key, err))
        return None


def validate_lenient(cls: type[M], doc: Document, problems: list[Problem]) -> M | None:
    """Like validate, but on failure drop the offending entries and try once more.

    The second model is never used to produce output; it lets later stages report their
    problems in the same run, so a user sees every mistake at once.
    """
    try:
        return cls.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors()
    data = copy.deepcopy(doc.data)
    missing = {_clean_loc(data, tuple(e["loc"])) for e in errors if e["type"] == "missing"}
    extra = {_clean_loc(data, tuple(e["loc"])) for e in errors
             if e["type"] == "extra_forbidden"}
    for path in sorted(extra, key=_sort_key):
        # A typo'd key standing for a missing one: read it under the right name.
        near = [m for m in missing if m[:-1] == path[:-1]
                and did_you_mean(str(path[-1]), [str(m[-1])])]
        if near:
            _rename(data, path, near[0][-1])
            missing.discard(near[0])
    for err in errors:
        if err["type"] != "missing" or _clean_loc(doc.data, tuple(err["loc"])) in missing:
            problems.append(_problem(cls, doc, (), err))
    # A list item missing a required field (an extra clause without its obligor, say) is
    # left out of the second pass, so the rest of the file is still checked.
    items = {_list_item(m) for m in missing}
    if None in items:
        return None
    paths = sorted({_clean_loc(doc.data, tuple(e["loc"])) for e in errors
                    if e["type"] != "missing"} | {i for i in items if i is not None},
                   key=_sort_key, reverse=True)
    for path in paths:
        _drop(data, path)
    try:
        return cls.model_validate(data)
    except ValidationError:
        return None


def _list_item(path: PathKey) -> PathKey | None:
    """The deepest list item that holds `path`, if any."""
    for end in range(len(path) - 1, 0, -1):
        if isinstance(path[end], int):
            return path[:end + 1]
    return None


def _sort_key(path: PathKey) -> tuple[str, ...]:
    return tuple(f"{p:09d}" if isinstance(p, int) else p for p in path)


def _rename(data: Any, path: PathKey, new: str | int) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    if isinstance(node, dict):
        node[new] = node.pop(path[-1])


def _drop(data: Any, path: PathKey) -> None:
    if not path:
        return
    node = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    in_dict = isinstance(node, dict) and last in node
    in_list = isinstance(node, list) and isinstance(last, int) and last < len(node)
    if in_dict or in_list:
        del node[last]


def _problem(cls: type[BaseModel], doc: Document, base: PathKey, err: Any) -> Problem:
    node: Any = doc.data
    for part in base:
        node = node[part]
    loc = _clean_loc(node, tuple(err["loc"]))
    full = (*base, *loc)
    kind = err["type"]
    hint = ""
    if kind == "extra_forbidden":
        name = str(loc[-1])
        fields = _fields_at(cls, loc[:-1])
        hint = did_you_mean(name, fields) or (known("keys", fields) if fields else "")
        message = f"unknown key '{name}'"
    elif kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        message = f"must be one of {expected}; got {_show(err.get('input'))}"
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
        hint = did_you_mean(str(err.get("input")), [o for o in options if o])
    elif kind == "string_pattern_mismatch" and loc and loc[-1] == "short_name":
        message = f"{_show(err.get('input'))} is not a usable defined term"
        hint = "start with a letter; use letters, digits, spaces and . ' & - only"
    elif kind == "string_pattern_mismatch":
        message = f"{_show(err.get('input'))} is not a valid id"
        hint = "ids are lower-case words joined by '-' (and '.' for clauses, '_' for parameters)"
    elif kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    elif kind in ("greater_than_equal", "less_than_equal", "too_long", "too_short",
                  "string_too_long"):
        message = str(err["msg"]).lower()
    else:
        message = _MESSAGES.get(kind, str(err["msg"]))
        if kind not in ("missing",) and "input" in err and not isinstance(err["input"],
                                                                         dict | list):
            message += f"; got {_show(err['input'])}"
        if kind.startswith("date"):
            hint = "write dates as YYYY-MM-DD and check the day exists"
        elif kind.startswith("bool"):
            hint = "write true or false"
    if kind == "missing":
        line, col = doc.loc(full[:-1])
        return Problem(doc.path, line, col, message, field=_dotted(full))
    return doc.problem(full, message, hint)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(key: PathKey) -> str:
    from mc2cli.inputs.yamlload import dotted
    return dotted(key)


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """The user's path in a pydantic loc: walk the data, skipping union and validator tags.

    A part is kept when it is a key or index present in the data; pydantic's own tags
    ('str', 'list[str]', 'SameAs', 'function-after[...]') are not in the data and are dropped.
    The last part is kept when it names a missing field.
    """
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            out.append(part)
            node = node[part]
        elif (i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str)
              and not _is_tag(part)):
            out.append(part)
    return tuple(out)


def _is_tag(part: str) -> bool:
    return ("[" in part or part[:1].isupper()
            or part in ("str", "int", "bool", "date", "float", "constrained-str")
            or part.startswith(("function-", "json-or-python", "lax-", "strict-")))


def _fields_at(cls: type[BaseModel], loc: PathKey) -> list[str]:
    """The field names of the model found at `loc` inside `cls`."""
    current: Any = cls
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    models = _models_in(current)
    names: list[str] = []
    for m in models:
        for name, info in m.model_fields.items():
            names.append(info.alias or name)
    return names


def _step(tp: Any, part: str | int) -> Any:
    for m in _models_in(tp):
        if isinstance(part, str):
            for name, info in m.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, tuple) and isinstance(part, int):
        return args[0] if args else None
    if origin is dict:
        return args[1] if len(args) > 1 else None
    if origin in (Union, types.UnionType):
        for a in args:
            found = _step(a, part)
            if found is not None:
                return found
    if origin is typing.Annotated:
        return _step(args[0], part)
    return None


def _models_in(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    out: list[type[BaseModel]] = []
    for a in typing.get_args(tp):
        out.extend(_models_in(a))
    return out
