"""Structured extraction: fill any JSON schema from the conversation.

With ``response_format`` of ``json_schema`` the schema's properties are filled
by ``slots`` from the user's (and tools') text, then made valid by
``coerce_to_schema``. With ``json_object`` the model builds a flat object: the
keys the prompt names (typed by their names, with any options it lists), or
else the key facts it finds (people, emails, dates, amounts, ids...).

Example:
    A ``json_schema`` of ``{"name": str, "email": str}`` over "I'm Ann Lee,
    ann@lee.io" answers ``{"name": "Ann Lee", "email": "ann@lee.io"}``.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import orjson

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.coerce import coerce_to_schema
from aieng.llm.course_model.skills.entities import analyse, reference_date
from aieng.llm.course_model.skills.slots import MISSING, fill_object, fill_value, resolve, types_of
from aieng.llm.course_model.text import split_identifier, split_instruction

logger = logging.getLogger(__name__)

__all__ = ["coerce_to_schema", "fill_schema", "prompt_schema", "source_text"]

INSTRUCTION = re.compile(
    r"(?i)^\W*(?:(?:please|kindly|can\s+you|could\s+you|now)\W+)*(?:extract|parse|pull|fill|convert"
    r"|turn|return|output|identify|capture|structure)\b"
    r"|\b(?:json|schema|fields?|keys?|format|from\s+(?:this|the\s+following)|the\s+following)\b"
)
KEY_LIST = re.compile(
    r"(?i)\b(?:keys?|fields?|properties|attributes|columns|entries)\b\s*(?:named|called|like|:|-)?"
    r"\s*(?P<list>[^.\n]{1,300})"
)
JSON_KEY = re.compile(r"[\"'](?P<key>[A-Za-z_][\w\- ]{0,40})[\"']\s*:")
MARKED = re.compile(r"`(?P<a>[A-Za-z_][\w-]{0,40})`|[\"'](?P<b>[A-Za-z_][\w-]{0,40})[\"']")
OPTIONS = re.compile(
    r"^\s*\((?P<opts>[^()]{2,120})\)|^\s*(?:as\s+)?one\s+of\s+(?P<list>[^.;\n]+)", re.I
)
TYPE_HINT = re.compile(
    r"(?i)^\s*[(\[]\s*(?:an?\s+)?(?P<t>string|str|text|integer|int|number|float|decimal|numeric"
    r"|boolean|bool|true/false|yes/no|array|list(?:\s+of\s+\w+)?|date|yyyy-mm-dd|email)\s*[)\]]"
)
TYPE_NAMES = {"str": "string", "text": "string", "int": "integer", "float": "number",
              "decimal": "number", "numeric": "number", "bool": "boolean",
              "true/false": "boolean", "yes/no": "boolean"}  # fmt: skip
BOOL_WORDS = frozenset("is has have should needs can was were did does allow allowed".split())
NUMBER_WORDS = frozenset(
    "count age amount price cost total quantity qty number year rating score percent "
    "percentage rate budget salary fee balance duration minutes hours days nights size weight "
    "height length width distance temperature".split()
)
LIST_WORDS = frozenset("list items tags keywords topics ingredients steps names emails".split())
FACT_KINDS = (
    ("name", "proper"),
    ("email", "email"),
    ("phone", "phone"),
    ("date", "date"),
    ("time", "time"),
    ("amount", "money"),
    ("id", "id"),
    ("url", "url"),
)


def source_text(task: Task) -> str:
    """The text to extract from: user and tool messages, minus an extraction instruction."""
    from aieng.llm.course_model.skills.answers import as_lines
    from aieng.llm.course_model.skills.inputs import final_input

    final = final_input(task)
    if final is not None:
        return final  # worked examples before it, or a delimited input: that input alone
    names = {c.id: c.name for m in task.messages for c in m.tool_calls}
    parts = []
    for message in task.messages:
        text = message.content.strip()
        if message.role == "tool" and text:
            parts.append(as_lines(names.get(message.tool_call_id or "", "tool"), text))
            continue
        if message.role != "user" or not text:
            continue
        instruction, body = split_instruction(text)
        if body and INSTRUCTION.search(instruction) and len(instruction.split()) <= 40:
            text = body
        parts.append(text)
    if not parts:
        parts = [task.system]
    return "\n\n".join(parts)


def _today(task: Task, text: str = ""):
    """The conversation's stated date, else the date a document's header gives."""
    from aieng.llm.course_model.skills.calendar import header_date

    stated = reference_date("\n".join(m.content for m in task.messages))
    return stated or header_date(text)


YAML_KEY = re.compile(r"^[A-Za-z_$][\w$-]*:(?:\s|$)")
SCHEMA_WORDS = frozenset(
    "type properties items enum anyOf oneOf allOf $ref $defs definitions required title "
    "description additionalProperties $schema".split()
)


def _is_schema(value: Any) -> bool:
    """An object schema: ``properties``, or ``type: object`` with schema keywords."""
    if not isinstance(value, dict) or not isinstance(value.get("properties", {}), dict):
        return False
    return bool(value.get("properties")) and (
        value.get("type") in (None, "object") or "object" in (value.get("type") or ())
    )


@lru_cache(maxsize=256)
def _prompt_schema(prompt: str) -> str | None:
    found: list[tuple[dict, int, int]] = []
    decoder = orjson.loads
    for start in [m.start() for m in re.finditer(r"\{", prompt)][:200]:
        depth = 0
        for end in range(start, len(prompt)):  # the balanced braces from here
            ch = prompt[end]
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                try:
                    value = decoder(prompt[start : end + 1])
                except orjson.JSONDecodeError:
                    value = None
                if _is_schema(value):
                    found.append((value, start, end + 1))
                break
    if not found:
        import yaml

        lines = prompt.splitlines()
        for i, line in enumerate(lines):
            if not YAML_KEY.match(line) or line.split(":", 1)[0] not in SCHEMA_WORDS:
                continue
            if i > 0 and YAML_KEY.match(lines[i - 1]):
                continue  # the block starts higher up
            j = i
            while j < len(lines) and (
                YAML_KEY.match(lines[j]) or lines[j][:1] in (" ", "-", "\t") or not lines[j]
            ):
                j += 1
            try:
                value = yaml.safe_load("\n".join(lines[i:j]))
            except yaml.YAMLError:
                value = None
            if _is_schema(value):
                at = sum(len(x) + 1 for x in lines[:i])
                found.append((value, at, at + len("\n".join(lines[i:j]))))
    if not found:
        return None
    best = max(found, key=lambda v: v[2] - v[1])
    return orjson.dumps({"schema": best[0], "span": best[1:]}).decode()


def prompt_schema(prompt: str) -> tuple[dict, str] | None:
    """A JSON Schema the prompt writes out, as JSON or as YAML (``type:``/``properties:``),
    and the prompt without it: what JSON mode asks for when the provider takes no
    ``json_schema``.

    Example:
        >>> prompt_schema("Fit this:\ntype: object\nproperties:\n  city:\n    type: string")
        ({'type': 'object', 'properties': {'city': {'type': 'string'}}}, 'Fit this:\n')
    """
    found = _prompt_schema(prompt) if "properties" in prompt else None
    if not found:
        return None
    parsed = orjson.loads(found)
    start, end = parsed["span"]
    return parsed["schema"], prompt[:start] + prompt[end:]


def fill_schema(task: Task) -> Reply | None:
    """Answer a ``json_schema`` or ``json_object`` request with a filled object."""
    fmt = task.response_format
    if fmt.type not in ("json_schema", "json_object"):
        return None
    text = source_text(task)
    strong = task.profile.quality == "strong"
    today = _today(task, text)
    if fmt.type == "json_schema":
        schema = fmt.schema or {}
        value = _fill(schema, text, fmt.name or "value", strong, today, task.system)
        from aieng.llm.course_model.skills import demonstrations, inputs

        value = demonstrations.apply(value, schema, inputs.examples(task), text)
        value = coerce_to_schema(value, schema)
    else:
        value = flat_object(task, text, strong, today)
    return Reply(content=orjson.dumps(value).decode())


def _fill(schema: dict, text: str, name: str, strong: bool, today, notes: str = "") -> Any:
    resolved, _ = resolve(schema, schema)
    if "object" in types_of(resolved) or "properties" in resolved:
        return fill_object(
            resolved, text, root=schema, strong=strong, today=today, notes=notes
        ).value
    value = fill_value(
        schema, text, name=name, root=schema, strong=strong, today=today, notes=notes
    )
    return None if value is MISSING else value


# ---------------------------------------------------------------- json_object


def named_keys(prompt: str) -> dict[str, dict]:
    """Keys a prompt asks for, each with a schema guessed from its name and options.

    Example:
        >>> list(named_keys('Return JSON with keys "name", "age" and "is_member".'))
        ['name', 'age', 'is_member']
    """
    keys: list[str] = [m.group("key").strip() for m in JSON_KEY.finditer(prompt)]
    if not keys:
        for found in KEY_LIST.finditer(prompt):
            listed = found.group("list")
            marked = [m.group("a") or m.group("b") for m in MARKED.finditer(listed)]
            if not marked:
                marked = [
                    w.strip(" `'\"") for w in re.split(r",|\band\b|\bor\b|;", listed)
                    if re.fullmatch(r"\s*[`'\"]?[A-Za-z_][\w-]{0,30}[`'\"]?\s*(?:\([^)]*\))?\s*", w)
                ]  # fmt: skip
                marked = [re.sub(r"\s*\(.*$", "", m) for m in marked]
            keys += [m for m in marked if m]
    if not keys:
        keys = [m.group("a") for m in MARKED.finditer(prompt) if m.group("a")]
    schemas: dict[str, dict] = {}
    for key in dict.fromkeys(keys):
        schemas[key] = _guess_schema(key, prompt)
    return schemas


def _guess_schema(key: str, prompt: str) -> dict:
    words = set(split_identifier(key))
    at = prompt.find(key)
    after = prompt[at + len(key) : at + len(key) + 160].lstrip(" \"'`:") if at >= 0 else ""
    typed = TYPE_HINT.match(after)
    if typed:
        return _typed_schema(typed.group("t").lower())
    options = OPTIONS.match(after)
    if options:
        raw = options.group("opts") or options.group("list")
        values = [v.strip(" \"'`") for v in re.split(r"[/|,]|\bor\b", raw) if v.strip(" \"'`")]
        if len(values) >= 2 and all(len(v.split()) <= 3 for v in values):
            return {"type": "string", "enum": values}
    if words & BOOL_WORDS and len(words) > 1:
        return {"type": "boolean"}
    if words & NUMBER_WORDS:
        return {"type": "number"}
    if words & LIST_WORDS or (key.endswith("s") and not key.endswith("ss") and len(key) > 4):
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "string"}


def _typed_schema(hint: str) -> dict:
    """A schema for a type the prompt writes next to a key: "population (integer)"."""
    if hint.startswith("list") or hint == "array":
        item = hint.split()[-1].rstrip("s") if " of " in hint else "string"
        item = TYPE_NAMES.get(item, item)
        valid = ("string", "integer", "number", "boolean")
        return {"type": "array", "items": {"type": item if item in valid else "string"}}
    if hint in ("date", "yyyy-mm-dd"):
        return {"type": "string", "format": "date"}
    if hint == "email":
        return {"type": "string", "format": "email"}
    return {"type": TYPE_NAMES.get(hint, hint)}


def flat_object(task: Task, text: str, strong: bool, today) -> dict:
    """A ``json_object`` answer: the named keys filled, else the key facts found."""
    prompt = "\n".join(m.content for m in task.messages if m.role in ("system", "developer"))
    prompt += "\n" + task.last_user
    keys = named_keys(prompt)
    if keys:
        schema = {"type": "object", "properties": keys, "required": list(keys)}
        filled = fill_object(schema, text, strong=strong, today=today, notes=prompt)
        return {key: filled.value.get(key) for key in keys}
    facts = analyse(text, today)
    out: dict[str, Any] = {}
    for key, kind in FACT_KINDS:
        spans = facts.of(kind)
        if kind == "proper":
            spans = [s for s in spans if s.cue]
        if spans:
            out[key] = spans[0].value
    if not out:
        from aieng.llm.course_model.skills.freetext import informative

        parts = informative(text) or [text.strip()]
        out["summary"] = parts[0]
    return out
