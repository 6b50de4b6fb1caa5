"""A contract's output schema: a pydantic model or a JSON Schema dict, checked and made strict.

``OutputSchema`` hides the difference between the two kinds: it gives the JSON
Schema to show and save, a strict-compatible copy for structured outputs
(every property required, no additional properties; optional properties
become nullable), and ``validate`` that turns parsed JSON into the output (a
model instance or a dict), raising ``SchemaMismatch`` with concise problems
("items.0.qty: Input should be a valid integer"). ``parse_reply`` reads JSON
out of a reply that may come fenced or followed by a remark.

Example:
    >>> parse_reply('```json\\n{"a": 1}\\n```')
    ({'a': 1}, True)
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from aieng.errors import UserError

MAX_PROBLEMS = 5
FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


class SchemaMismatch(Exception):
    """Parsed output that does not fit the schema (internal; the runner turns it into a trace)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _is_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def _path(parts) -> str:
    return ".".join(str(p) for p in parts) or "(root)"


def _strictify(node: Any) -> Any:
    """A strict-compatible copy of a JSON Schema node (recursive)."""
    if isinstance(node, list):
        return [_strictify(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strictify(value) for key, value in node.items() if key != "default"}
    properties = out.get("properties")
    if isinstance(properties, dict):
        required = set(node.get("required", []))
        originals = node.get("properties", {})
        for key, prop in properties.items():
            # A property with a default behaves as pydantic's does in strict mode: the
            # model always fills it, so a contract loaded from disk asks for the same.
            defaulted = (originals.get(key) or {}).get("default") is not None
            if key not in required and not defaulted and not _allows_null(prop):
                properties[key] = {"anyOf": [prop, {"type": "null"}]}
        out["required"] = list(properties)
    if out.get("type") == "object" or isinstance(properties, dict):
        out["additionalProperties"] = False
    return out


def _allows_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_allows_null(s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


def _drop_optional_nulls(value: Any, schema: Any) -> Any:
    """Undo strict mode's nullable optionals: drop ``None`` where the schema has no null."""
    if isinstance(value, list) and isinstance(schema, dict):
        return [_drop_optional_nulls(item, schema.get("items")) for item in value]
    if not (isinstance(value, dict) and isinstance(schema, dict)):
        return value
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return value
    required = set(schema.get("required", []))
    out = {}
    for key, item in value.items():
        prop = properties.get(key)
        if item is None and key not in required and prop is not None and not _allows_null(prop):
            if isinstance(prop, dict) and prop.get("default") is not None:
                out[key] = copy.deepcopy(prop["default"])
            continue
        out[key] = _drop_optional_nulls(item, prop)
    return out


@dataclass(frozen=True)
class OutputSchema:
    """The schema a contract's output must fit: a pydantic model class or a JSON Schema dict."""

    source: Any

    def __post_init__(self) -> None:
        if _is_model(self.source):
            schema = self.source.model_json_schema()
        elif isinstance(self.source, dict):
            schema = copy.deepcopy(self.source)
            import jsonschema  # slow to import; pydantic schemas never need it

            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise UserError(
                    f"the output schema is not valid JSON Schema (Draft 2020-12): {exc.message} "
                    f"at {_path(exc.absolute_path)}"
                ) from None
        else:
            raise UserError(
                f"the output schema must be a pydantic BaseModel subclass or a JSON Schema dict, "
                f"not {type(self.source).__name__}"
            )
        if schema.get("type") != "object":
            raise UserError(
                'the output schema must describe a JSON object at its top level ("type": '
                '"object"): wrap a single value in an object with one property'
            )
        object.__setattr__(self, "_json_schema", schema)

    @property
    def is_model(self) -> bool:
        """Whether the output is a pydantic model instance (else a dict)."""
        return _is_model(self.source)

    @property
    def json_schema(self) -> dict:
        """The JSON Schema (a copy), as shown to the model and saved to disk."""
        return copy.deepcopy(self._json_schema)

    def allowed_values(self, field: str) -> set | None:
        """The values the schema allows for top-level ``field`` (``None`` included when
        nullable), or ``None`` when the field is not an enum.

        Example:
            A ``Literal["low", "high"] | None`` field gives ``{"low", "high", None}``.
        """
        root = self._json_schema
        stack, found, enum = [root.get("properties", {}).get(field, {})], set(), False
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            if "$ref" in node:
                stack.append(root.get("$defs", {}).get(node["$ref"].rsplit("/", 1)[-1], {}))
            if "enum" in node or "const" in node:
                enum = True
                found.update(node.get("enum", [node.get("const")]))
            kind = node.get("type")
            if kind == "null" or (isinstance(kind, list) and "null" in kind):
                found.add(None)
            stack.extend(node.get("anyOf", []) + node.get("oneOf", []))
        return found if enum else None

    def strict_schema(self) -> dict:
        """A strict-compatible JSON Schema for ``response_format`` with ``strict: true``."""
        if self.is_model:
            return openai.pydantic_function_tool(self.source)["function"]["parameters"]
        return _strictify(self._json_schema)

    def validate(self, value: Any) -> Any:
        """Turn parsed JSON into the output; raise ``SchemaMismatch`` naming each problem."""
        if not isinstance(value, dict):
            raise SchemaMismatch([f"(root): expected a JSON object, got {type(value).__name__}"])
        if self.is_model:
            try:
                return self.source.model_validate(value)
            except ValidationError as exc:
                problems = [f"{_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
                raise SchemaMismatch(problems[:MAX_PROBLEMS]) from None
        value = _drop_optional_nulls(value, self._json_schema)
        import jsonschema

        validator = jsonschema.Draft202012Validator(self._json_schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        if errors:
            raise SchemaMismatch([f"{_path(e.path)}: {e.message}" for e in errors][:MAX_PROBLEMS])
        return value

    def dump(self, output: Any) -> dict:
        """The output as plain JSON data (a model instance is dumped in JSON mode)."""
        if isinstance(output, BaseModel):
            return output.model_dump(mode="json")
        return copy.deepcopy(output)


def parse_reply(text: str | None) -> tuple[Any, bool]:
    """Parse a reply's JSON; also accept it fenced or followed by a remark.

    Returns:
        (value, cleaned): the parsed JSON, and whether the text needed cleaning.

    Raises:
        SchemaMismatch: no JSON object could be read from the text.
    """
    if text is None or not text.strip():
        raise SchemaMismatch(["(root): the reply is empty; expected a JSON object"])
    stripped = text.strip()
    try:
        return json.loads(stripped), False
    except json.JSONDecodeError:
        pass
    fenced = FENCE.search(stripped)
    candidates = [fenced.group(1).strip()] if fenced else []
    start = stripped.find("{")
    if start >= 0:
        candidates.append(stripped[start:])
    for candidate in candidates:
        try:
            value, _ = json.JSONDecoder().raw_decode(candidate)
        except json.JSONDecodeError:
            continue
        return value, True
    snippet = " ".join(stripped.split())[:80]
    raise SchemaMismatch([f"(root): the reply is not JSON: {snippet!r}"])
