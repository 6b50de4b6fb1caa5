"""The wire format: OpenAI's chat and embeddings requests, validated.

Every problem becomes an ``InvalidRequest`` that the app turns into OpenAI's
error body (``{"error": {"message", "type", "param", "code"}}``) with the
right status, so the official client raises its own exception class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MAX_CHOICES = 8
MAX_SCHEMA_DEPTH = 64  # nesting of objects and arrays in a schema's JSON text


class InvalidRequest(Exception):
    """A request the server cannot serve; carries OpenAI's error fields."""

    def __init__(
        self,
        message: str,
        param: str | None = None,
        code: str | None = None,
        status: int = 400,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.status = status
        self.kind = kind

    def body(self) -> dict:
        return {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as on the wire


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict
    strict: bool = False


@dataclass(frozen=True)
class ResponseFormat:
    type: str  # "text" | "json_object" | "json_schema"
    schema: dict | None = None
    name: str | None = None
    strict: bool = False


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[Message, ...]
    raw_messages: list = field(repr=False, compare=False, default_factory=list)
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"  # auto | none | required | a function name
    response_format: ResponseFormat = ResponseFormat("text")
    stream: bool = False
    include_usage: bool = False
    temperature: float = 1.0
    seed: int | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1


def parse_json(body: bytes) -> dict:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(
            f"We could not parse the JSON body of your request ({exc}). "
            "The body must be a JSON object."
        ) from None
    if not isinstance(data, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return data


def _text_of(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for i, part in enumerate(content):
            if not isinstance(part, dict) or "type" not in part:
                raise InvalidRequest(
                    f"Invalid content part at {where}[{i}]: expected an object with a 'type'.",
                    param=f"{where}[{i}]",
                )
            if part["type"] in ("text", "input_text"):
                if not isinstance(part.get("text"), str):
                    raise InvalidRequest(
                        f"Missing text in content part {where}[{i}].", param=f"{where}[{i}].text"
                    )
                texts.append(part["text"])
        return "\n".join(texts)
    raise InvalidRequest(
        f"Invalid type for '{where}': expected a string or an array of content parts.",
        param=where,
    )


def _messages(data: dict) -> tuple[Message, ...]:
    raw = data.get("messages")
    if raw is None:
        raise InvalidRequest("Missing required parameter: 'messages'.", param="messages")
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest(
            "'messages' must be a non-empty array of message objects.", param="messages"
        )
    messages = []
    for i, item in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(item, dict):
            raise InvalidRequest(f"Invalid type for '{where}': expected an object.", param=where)
        role = item.get("role")
        if role not in ROLES:
            raise InvalidRequest(
                f"Invalid value for '{where}.role': {role!r}. Supported values are: "
                + ", ".join(repr(r) for r in ROLES)
                + ".",
                param=f"{where}.role",
                code="invalid_value",
            )
        calls = []
        raw_calls = item.get("tool_calls") or []
        if not isinstance(raw_calls, list):
            raise InvalidRequest(
                f"Invalid type for '{where}.tool_calls': expected an array.",
                param=f"{where}.tool_calls",
            )
        for j, call in enumerate(raw_calls):
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise InvalidRequest(
                    f"Invalid tool call at '{where}.tool_calls[{j}]': it needs function.name.",
                    param=f"{where}.tool_calls[{j}]",
                )
            calls.append(
                ToolCall(
                    id=str(call.get("id", "")),
                    name=function["name"],
                    arguments=str(function.get("arguments") or "{}"),
                )
            )
        for key in ("name", "tool_call_id"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise InvalidRequest(
                    f"Invalid type for '{where}.{key}': expected a string.", param=f"{where}.{key}"
                )
        if role == "tool" and not item.get("tool_call_id"):
            raise InvalidRequest(
                f"Missing required parameter: '{where}.tool_call_id'.",
                param=f"{where}.tool_call_id",
            )
        messages.append(
            Message(
                role=role,
                content=_text_of(item.get("content"), f"{where}.content"),
                name=item.get("name"),
                tool_call_id=item.get("tool_call_id"),
                tool_calls=tuple(calls),
            )
        )
    return tuple(messages)


def _too_deep(value: Any, limit: int = MAX_SCHEMA_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def check_schema(schema: Any, param: str) -> dict:
    """Reject anything that is not a valid JSON Schema, naming where it broke."""
    if not isinstance(schema, dict):
        raise InvalidRequest(f"Invalid schema at '{param}': expected a JSON object.", param=param)
    if _too_deep(schema):
        raise InvalidRequest(
            f"Invalid schema at '{param}': it is nested too deeply "
            f"(more than {MAX_SCHEMA_DEPTH} levels).",
            param=param,
            code="invalid_json_schema",
        )
    import jsonschema  # 1.2 s to import (its format checkers): only when a schema comes

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise InvalidRequest(
            f"Invalid schema at '{param}': {exc.message} (at {path}).",
            param=param,
            code="invalid_json_schema",
        ) from None
    except RecursionError:
        raise InvalidRequest(
            f"Invalid schema at '{param}': it is nested too deeply.",
            param=param,
            code="invalid_json_schema",
        ) from None
    return schema


def _tools(data: dict) -> tuple[ToolSpec, ...]:
    raw = data.get("tools")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidRequest("'tools' must be an array.", param="tools")
    tools = []
    for i, item in enumerate(raw):
        where = f"tools[{i}]"
        function = item.get("function") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or item.get("type") != "function"
            or not isinstance(function, dict)
        ):
            raise InvalidRequest(
                f"Invalid tool at '{where}': expected {{'type': 'function', 'function': {{...}}}}.",
                param=where,
            )
        name = function.get("name")
        if not isinstance(name, str) or not name or len(name) > 64:
            raise InvalidRequest(
                f"Invalid '{where}.function.name': a non-empty string of at most 64 characters.",
                param=f"{where}.function.name",
            )
        parameters = function.get("parameters", {"type": "object", "properties": {}})
        check_schema(parameters, f"{where}.function.parameters")
        tools.append(
            ToolSpec(
                name=name,
                description=str(function.get("description") or ""),
                parameters=parameters,
                strict=bool(function.get("strict")),
            )
        )
    names = [t.name for t in tools]
    if len(set(names)) != len(names):
        raise InvalidRequest("Tool names must be unique.", param="tools")
    return tuple(tools)


def _tool_choice(data: dict, tools: tuple[ToolSpec, ...]) -> str:
    choice = data.get("tool_choice")
    if choice is None:
        return "auto" if tools else "none"
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required"):
            raise InvalidRequest(
                f"Invalid value for 'tool_choice': {choice!r}.", param="tool_choice"
            )
        if choice == "required" and not tools:
            raise InvalidRequest(
                "'tool_choice' is 'required' but no tools were given.", param="tool_choice"
            )
        return choice
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str) or name not in {t.name for t in tools}:
            raise InvalidRequest(
                f"'tool_choice' names the function {name!r}, which is not in 'tools'.",
                param="tool_choice",
            )
        return name
    raise InvalidRequest("Invalid type for 'tool_choice'.", param="tool_choice")


def _response_format(data: dict) -> ResponseFormat:
    raw = data.get("response_format")
    if raw is None:
        return ResponseFormat("text")
    if not isinstance(raw, dict) or raw.get("type") not in ("text", "json_object", "json_schema"):
        raise InvalidRequest(
            "Invalid 'response_format': type must be 'text', 'json_object' or 'json_schema'.",
            param="response_format",
        )
    if raw["type"] != "json_schema":
        return ResponseFormat(raw["type"])
    spec = raw.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise InvalidRequest(
            "Missing required parameter: 'response_format.json_schema.name'.",
            param="response_format.json_schema",
        )
    schema = check_schema(spec.get("schema", {}), "response_format.json_schema.schema")
    return ResponseFormat("json_schema", schema, spec["name"], bool(spec.get("strict")))


def _number(data: dict, key: str, default, low, high, kind=float):
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(f"Invalid type for '{key}': expected a number.", param=key)
    if not low <= value <= high:
        raise InvalidRequest(
            f"Invalid value for '{key}': {value} is outside [{low}, {high}].", param=key
        )
    return kind(value)


def parse_chat_request(data: dict) -> ChatRequest:
    """Validate a ``/v1/chat/completions`` body (everything but the model name)."""
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("Missing required parameter: 'model'.", param="model")
    messages = _messages(data)
    tools = _tools(data)
    stop = data.get("stop") or ()
    if isinstance(stop, str):
        stop = (stop,)
    if not isinstance(stop, list | tuple) or not all(isinstance(s, str) for s in stop):
        raise InvalidRequest("'stop' must be a string or an array of strings.", param="stop")
    stream_options = data.get("stream_options") or {}
    if not isinstance(stream_options, dict):
        raise InvalidRequest("'stream_options' must be an object.", param="stream_options")
    max_tokens = data.get("max_completion_tokens", data.get("max_tokens"))
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise InvalidRequest("'max_tokens' must be a positive integer.", param="max_tokens")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidRequest("'seed' must be an integer.", param="seed")
    return ChatRequest(
        model=model,
        messages=messages,
        raw_messages=data["messages"],
        tools=tools,
        tool_choice=_tool_choice(data, tools),
        response_format=_response_format(data),
        stream=bool(data.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
        temperature=_number(data, "temperature", 1.0, 0.0, 2.0),
        seed=seed,
        max_tokens=max_tokens,
        stop=tuple(stop)[:4],
        n=_number(data, "n", 1, 1, MAX_CHOICES, int),
    )
