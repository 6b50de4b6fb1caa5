"""Make any value valid against a JSON schema: keep what is valid, repair the rest.

``coerce_to_schema`` is how strict structured output and strict tool calls
always validate (JSON Schema Draft 2020-12 with format checks): values of the
wrong type are converted ("3" -> 3), out-of-range numbers clamped, strings
cut, padded or normalised to their format, unknown keys dropped when
``additionalProperties`` is false, and what is missing is synthesised: the
default, the first enum value, null when allowed, or a minimal value (a
string matching the ``pattern`` is generated from the regex itself).

Example:
    >>> coerce_to_schema({"n": "3", "x": 1}, {"type": "object", "properties": {
    ...     "n": {"type": "integer"}}, "required": ["n"], "additionalProperties": False})
    {'n': 3}
"""

from __future__ import annotations

import json
import logging
import math
import re
from functools import lru_cache
from typing import Any

import jsonschema
import orjson

from aieng.llm.course_model.skills.examples import (
    FORMAT_EXAMPLES,
    matches,
    normalise_format,
    pattern_value,
)
from aieng.llm.course_model.skills.schemas import lookup, merge, types_of

logger = logging.getLogger(__name__)

MAX_DEPTH = 24
TYPE_ORDER = ("object", "array", "string", "number", "integer", "boolean", "null")


def _key(schema: Any) -> bytes:
    try:
        return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(schema, sort_keys=True, default=str).encode()


@lru_cache(maxsize=512)
def _validator(key: bytes) -> jsonschema.Draft202012Validator:
    schema = orjson.loads(key)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


class _Repairer:
    """Repairs values against subschemas of one root schema (for ``$ref``)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.validator = _validator(_key(root))

    def valid(self, value: Any, schema: Any) -> bool:
        try:
            return self.validator.evolve(schema=schema).is_valid(value)
        except (jsonschema.exceptions.SchemaError, RecursionError, ValueError, TypeError):
            return False

    def deref(self, schema: Any) -> Any:
        """Follow ``$ref`` (merging siblings) and merge ``allOf``."""
        for _ in range(MAX_DEPTH):
            if not isinstance(schema, dict):
                return schema
            if "$ref" in schema:
                target = lookup(schema["$ref"], self.root)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = merge(target, rest) if isinstance(target, dict) else target
                continue
            if "allOf" in schema:
                merged = {k: v for k, v in schema.items() if k != "allOf"}
                for part in schema["allOf"]:
                    part = self.deref(part)
                    if isinstance(part, dict):
                        merged = merge(merged, part)
                schema = merged
                continue
            return schema
        return schema

    # ------------------------------------------------------------ repair

    def repair(self, value: Any, schema: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH or schema is True or schema is None:
            return value
        if schema is False or not isinstance(schema, dict):
            return value
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return value
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return value if _in_enum(value, schema["enum"]) else _closest(value, schema["enum"])
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            return self._repair_union(value, schema, branches, depth)
        types = types_of(schema)
        if types and not _type_ok(value, types):
            value = self.convert(value, types, schema, depth)
        if isinstance(value, dict):
            value = self._repair_object(value, schema, depth)
        elif isinstance(value, list):
            value = self._repair_array(value, schema, depth)
        elif isinstance(value, str):
            value = self._repair_string(value, schema)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = _repair_number(value, schema, "integer" in types and "number" not in types)
        if "not" in schema and self.valid(value, schema["not"]):
            value = self.synthesize({k: v for k, v in schema.items() if k != "not"}, depth + 1)
        return value

    def _repair_union(self, value: Any, schema: dict, branches: list, depth: int) -> Any:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        if self.valid(value, schema):
            return value
        ordered = sorted(
            range(len(branches)),
            key=lambda i: (not _type_ok(value, types_of(self.deref(branches[i]) or {})), i),
        )
        for i in ordered:
            branch = self.deref(branches[i])
            combined = merge(rest, branch) if isinstance(branch, dict) else branch
            fixed = self.repair(value, combined, depth + 1)
            if self.valid(fixed, schema):
                return fixed
        return self.synthesize(schema, depth + 1)

    def convert(self, value: Any, types: frozenset[str], schema: dict, depth: int) -> Any:
        """A value of one of ``types`` made from ``value`` (or synthesised)."""
        if value is None and "null" in types:
            return None
        for kind in _conversion_order(value, types):
            converted = _convert(value, kind, schema)
            if converted is not _FAIL:
                return converted
        return self.synthesize(schema, depth + 1)

    def _repair_object(self, value: dict, schema: dict, depth: int) -> dict:
        props = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        extra = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
        patterns = schema.get("patternProperties") or {}
        names = schema.get("propertyNames")
        out: dict[str, Any] = {}
        for key, item in value.items():
            if names is not None and not self.valid(key, names) and key not in required:
                continue
            if key in props:
                out[key] = self.repair(item, props[key], depth + 1)
                continue
            matched = [p for p in patterns if matches(p, key)]
            if matched:
                out[key] = self.repair(item, patterns[matched[0]], depth + 1)
            elif extra is False:
                continue
            elif isinstance(extra, dict):
                out[key] = self.repair(item, extra, depth + 1)
            else:
                out[key] = item
        needed = list(required)
        for trigger, deps in (schema.get("dependentRequired") or {}).items():
            if trigger in out:
                needed += [d for d in deps if isinstance(d, str)]
        for key in needed:
            if key not in out:
                sub = props.get(key, extra if isinstance(extra, dict) else {})
                out[key] = self.synthesize(sub, depth + 1)
        limit = schema.get("maxProperties")
        if isinstance(limit, int):
            for key in [k for k in reversed(list(out)) if k not in needed]:
                if len(out) <= limit:
                    break
                del out[key]
        least = schema.get("minProperties")
        if isinstance(least, int):
            for key, sub in props.items():
                if len(out) >= least:
                    break
                out.setdefault(key, self.synthesize(sub, depth + 1))
            n = 0
            while len(out) < least and extra is not False and n < least + 8:
                out.setdefault(
                    f"field_{n}",
                    self.synthesize(extra if isinstance(extra, dict) else {}, depth + 1),
                )
                n += 1
        order = {k: i for i, k in enumerate(props)}
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))

    def _repair_array(self, value: list, schema: dict, depth: int) -> list:
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", True)
        out = []
        for i, item in enumerate(value):
            if i < len(prefix):
                out.append(self.repair(item, prefix[i], depth + 1))
            elif items is False:
                break
            else:
                out.append(self.repair(item, items, depth + 1))
        if schema.get("uniqueItems"):
            seen, unique = set(), []
            for item in out:
                key = _key(item)
                if key not in seen:
                    seen.add(key)
                    unique.append(item)
            out = unique
        limit = schema.get("maxItems")
        if isinstance(limit, int):
            out = out[:limit]
        contains = schema.get("contains")
        if contains is not None and not any(self.valid(x, contains) for x in out):
            wanted = max(1, schema.get("minContains", 1))
            for _ in range(wanted):
                out.append(self._distinct(contains, out, schema, depth))
            if isinstance(limit, int) and len(out) > limit:
                out = out[len(out) - limit :]
        least = schema.get("minItems", 0)
        while isinstance(least, int) and len(out) < least:
            sub = (
                prefix[len(out)]
                if len(out) < len(prefix)
                else (items if items is not False else {})
            )
            out.append(self._distinct(sub, out, schema, depth))
        return out

    def _distinct(self, sub: Any, existing: list, schema: dict, depth: int) -> Any:
        """A synthesised item, different from ``existing`` when items must be unique."""
        first = self.synthesize(sub, depth + 1)
        if not schema.get("uniqueItems"):
            return first
        seen = {_key(x) for x in existing}
        for candidate in [first, *self._variants(sub, len(existing), depth)]:
            if _key(candidate) not in seen and self.valid(candidate, sub):
                return candidate
        return first

    def _variants(self, sub: Any, n: int, depth: int) -> list:
        sub = self.deref(sub)
        if not isinstance(sub, dict):
            return []
        if "enum" in sub:
            return list(sub["enum"])
        types = types_of(sub)
        out: list[Any] = []
        if types & {"integer", "number"}:
            low = sub.get("minimum", sub.get("exclusiveMinimum", -1) + 1)
            step = sub.get("multipleOf", 1)
            out += [_repair_number(low + step * k, sub, "integer" in types) for k in range(n + 3)]
        if "string" in types:
            out += [self._repair_string(f"item {k + 1}", sub) for k in range(n + 3)]
        if "boolean" in types:
            out += [False, True]
        if "null" in types:
            out.append(None)
        return out

    def _repair_string(self, value: str, schema: dict) -> str:
        fmt = schema.get("format")
        if (
            isinstance(fmt, str)
            and fmt in FORMAT_EXAMPLES
            and not self.valid(value, {"format": fmt})
        ):
            value = normalise_format(value, fmt)
            if not self.valid(value, {"format": fmt}):
                value = FORMAT_EXAMPLES[fmt]
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not matches(pattern, value):
            value = pattern_value(pattern, value)
        limit = schema.get("maxLength")
        if isinstance(limit, int) and len(value) > limit:
            value = (
                value[:limit].rstrip()
                if len(value[:limit].rstrip()) >= schema.get("minLength", 0)
                else value[:limit]
            )
        least = schema.get("minLength")
        if isinstance(least, int) and len(value) < least:
            value = value + "x" * (least - len(value))
        return value

    # ------------------------------------------------------------ synthesis

    def synthesize(self, schema: Any, depth: int = 0) -> Any:
        """A minimal value valid against ``schema``: default, const, enum, null, or built."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return None
        for key in ("default", "const"):
            if key in schema and self.valid(schema[key], schema):
                return schema[key]
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            for option in schema["enum"]:
                if self.valid(option, schema):
                    return option
            return schema["enum"][0]
        for example in schema.get("examples") or []:
            if self.valid(example, schema):
                return example
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            resolved = [self.deref(b) for b in branches]
            order = sorted(range(len(resolved)), key=lambda i: "null" not in types_of(
                resolved[i]) if isinstance(resolved[i], dict) else True)  # fmt: skip
            for i in order:
                branch = resolved[i]
                combined = merge(rest, branch) if isinstance(branch, dict) else branch
                value = self.synthesize(combined, depth + 1)
                if self.valid(value, schema):
                    return value
        types = types_of(schema)
        if not types or "null" in types:
            return None
        kind = next(t for t in TYPE_ORDER if t in types)
        base = {"object": {}, "array": [], "string": "", "number": 0, "integer": 0,
                "boolean": False}[kind]  # fmt: skip
        return self.repair(base, schema, depth + 1)


_FAIL = object()
NUMBER_IN_TEXT = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _type_ok(value: Any, types: frozenset[str]) -> bool:
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        if not math.isfinite(value):
            return False
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    if isinstance(value, dict):
        return "object" in types
    return False


def _conversion_order(value: Any, types: frozenset[str]) -> list[str]:
    prefer = {
        str: ("integer", "number", "boolean", "array", "object", "null"),
        bool: ("string", "integer", "number", "array", "null"),
        int: ("integer", "number", "string", "boolean", "array", "null"),
        float: ("integer", "number", "string", "array", "null"),
        list: ("string", "object", "integer", "number", "boolean", "null"),
        dict: ("array", "string", "null"),
    }
    for kind, order in prefer.items():
        if isinstance(value, kind):
            return [t for t in order if t in types]
    return [t for t in TYPE_ORDER if t in types]


def _convert(value: Any, kind: str, schema: dict) -> Any:
    if kind == "null":
        return None
    if isinstance(value, list):
        if kind == "string":
            return ", ".join(str(v) for v in value)
        return _convert(value[0], kind, schema) if len(value) == 1 else _FAIL
    if kind == "array":
        return [value]
    if isinstance(value, dict):
        return orjson.dumps(value).decode() if kind == "string" else _FAIL
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and not math.isfinite(value):
            return "0"
        return str(value)
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int | float):
            if not math.isfinite(value):
                return 0
            return int(round(value)) if kind == "integer" else value
        found = NUMBER_IN_TEXT.search(str(value))
        if not found:
            return _FAIL
        number = float(found.group(0).replace(",", ""))
        if not math.isfinite(number):
            return _FAIL
        return int(round(number)) if kind == "integer" or number.is_integer() else number
    if kind == "boolean":
        if isinstance(value, int | float):
            return bool(value)
        text = str(value).strip().lower()
        if text in ("true", "yes", "y", "1", "on", "t"):
            return True
        if text in ("false", "no", "n", "0", "off", "f", "none", ""):
            return False
        return _FAIL
    return _FAIL


def _repair_number(value: int | float, schema: dict, integer: bool) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        value = 0
    if integer:
        value = int(round(value))
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integer else 1e-9
    if isinstance(xlow, int | float) and not isinstance(xlow, bool) and value <= xlow:
        value = (
            math.floor(xlow) + 1 if integer else max(xlow + step, math.nextafter(xlow, math.inf))
        )
    if isinstance(low, int | float) and not isinstance(low, bool) and value < low:
        value = math.ceil(low) if integer else low
    if isinstance(xhigh, int | float) and not isinstance(xhigh, bool) and value >= xhigh:
        value = math.ceil(xhigh) - 1 if integer else math.nextafter(xhigh, -math.inf)
    if isinstance(high, int | float) and not isinstance(high, bool) and value > high:
        value = math.floor(high) if integer else high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and not isinstance(multiple, bool) and multiple > 0:
        value = _multiple(value, multiple, schema, integer)
    return value


def _multiple(value: float, multiple: float, schema: dict, integer: bool) -> int | float:
    low = max(
        [v for v in (schema.get("minimum"),) if isinstance(v, int | float)]
        + [v + 1e-12 for v in (schema.get("exclusiveMinimum"),) if isinstance(v, int | float)],
        default=-math.inf,
    )
    high = min(
        [v for v in (schema.get("maximum"),) if isinstance(v, int | float)]
        + [v - 1e-12 for v in (schema.get("exclusiveMaximum"),) if isinstance(v, int | float)],
        default=math.inf,
    )
    for candidate_k in (
        round(value / multiple),
        math.ceil(value / multiple),
        math.floor(value / multiple),
    ):
        candidate = candidate_k * multiple
        if isinstance(multiple, int) or float(candidate).is_integer():
            candidate = int(round(candidate)) if float(candidate).is_integer() else candidate
        if low <= candidate <= high and (not integer or float(candidate).is_integer()):
            return int(candidate) if integer else candidate
    return value


def _in_enum(value: Any, options: list) -> bool:
    return any(_same(value, option) for option in options)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _closest(value: Any, options: list) -> Any:
    """The enum option that reads like ``value`` ("High" -> "high"), else the first."""
    if not options:
        return value
    text = re.sub(r"[\s_-]+", " ", str(value)).strip().lower()
    for option in options:
        if re.sub(r"[\s_-]+", " ", str(option)).strip().lower() == text:
            return option
    for option in options:
        label = str(option).lower()
        if text and (label in text or text in label):
            return option
    return options[0]


def coerce_to_schema(value: Any, schema: dict) -> Any:
    """``value`` made valid against ``schema`` (Draft 2020-12, formats checked).

    Keeps what is valid, repairs what is not, and synthesises what is missing.
    Only an unsatisfiable schema (``{"not": {}}``) can defeat it; then the best
    repair is returned and the failure logged at debug level.

    Args:
        value: Any JSON value (a model's draft output, tool arguments).
        schema: The JSON schema; ``$defs``/``$ref`` resolve against it.

    Returns:
        A JSON value that the schema accepts.
    """
    if schema is None or schema is True or schema == {}:
        return value
    try:
        return _coerce(value, schema)
    except RecursionError:  # a schema that refers to itself without end
        logger.debug("schema recursion while coercing; value returned as is")
        return value


def _coerce(value: Any, schema: Any) -> Any:
    repairer = _Repairer(schema)
    if repairer.validator.is_valid(value):
        return value
    fixed = repairer.repair(value, schema)
    if repairer.validator.is_valid(fixed):
        return fixed
    again = repairer.repair(fixed, schema)
    if repairer.validator.is_valid(again):
        return again
    built = repairer.synthesize(schema)
    if repairer.validator.is_valid(built):
        return built
    logger.debug("could not make a value valid against schema %s", _key(schema)[:200])
    return fixed
