"""JSON-schema navigation shared by slot filling and coercion.

``resolve`` follows ``$ref`` (against the root's ``$defs``), merges ``allOf``
and unwraps ``anyOf[X, null]`` into X plus "nullable"; ``types_of`` says which
JSON types a schema allows, inferring them when ``type`` is absent.

Example:
    >>> resolve({"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]},
    ...         {"$defs": {"A": {"type": "integer"}}})
    ({'type': 'integer'}, True)
"""

from __future__ import annotations

from typing import Any


class _Missing:
    """Marks a value the text does not hold."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def resolve(schema: Any, root: dict) -> tuple[dict, bool]:
    """Follow ``$ref``, merge ``allOf``, unwrap ``anyOf[X, null]``; return (schema, nullable)."""
    nullable = False
    for _ in range(32):
        if not isinstance(schema, dict):
            return ({} if schema is True or schema is None else {"not": {}}), nullable
        if "$ref" in schema:
            target = lookup(schema["$ref"], root)
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest} if rest else target
            continue
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part, _ = resolve(part, root)
                merged = merge(merged, part)
            schema = merged
            continue
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            real = [b for b in branches if not _is_null(b)]
            if len(real) < len(branches):
                nullable = True
            if len(real) == 1:
                rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                schema = {**rest, **real[0]} if isinstance(real[0], dict) else real[0]
                continue
        types = schema.get("type")
        if isinstance(types, list) and "null" in types:
            nullable = True
        return schema, nullable
    return schema, nullable


def lookup(ref: str, root: Any) -> Any:
    """The node a local ``$ref`` ("#/$defs/X") points to in ``root`` ({} if none)."""
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return {}
    return node


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or schema.get("const", 0) is None
    )


def merge(a: dict, b: dict) -> dict:
    """Two schemas that must both hold, as one (properties merged, required joined)."""
    out = dict(a)
    for key, value in b.items():
        if key == "properties" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list):
            out[key] = list(dict.fromkeys(out[key] + list(value)))
        else:
            out[key] = value
    return out


def types_of(schema: dict) -> frozenset[str]:
    """The JSON types a schema allows, inferred when ``type`` is absent."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset([declared])
    if isinstance(declared, list):
        return frozenset(declared)
    if "const" in schema:
        return frozenset([_json_type(schema["const"])])
    if "enum" in schema:
        return frozenset(_json_type(v) for v in schema["enum"])
    if "properties" in schema or "additionalProperties" in schema:
        return frozenset(["object"])
    if "items" in schema or "prefixItems" in schema:
        return frozenset(["array"])
    return frozenset()


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
