"""Bad input gets a 400 with OpenAI's error body naming the problem; nothing crashes or hangs.

First each named case of issue 2 ("Bad input"), then a seeded fuzz loop of
mutated request bodies that must only ever get 2xx or 4xx answers.
"""

from __future__ import annotations

import json
import random

import httpx
import openai
import pytest

MINI = "course-mini"
HELLO = [{"role": "user", "content": "Hello"}]
JSON_HEADERS = {"content-type": "application/json"}


def body(**fields) -> dict:
    return {"model": MINI, "messages": HELLO, "temperature": 0, **fields}


def weather_tool(parameters) -> list[dict]:
    function = {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": parameters,
    }
    return [{"type": "function", "function": function}]


def schema_format(schema) -> dict:
    return {
        "type": "json_schema",
        "json_schema": {"name": "record", "schema": schema, "strict": True},
    }


LONG_PROMPT = [{"role": "user", "content": "lorem ipsum dolor sit amet " * 2000}]  # > 8192 tokens
DEEP_SCHEMA = (
    '{"model": "course-mini", "messages": [{"role": "user", "content": "Hi"}], '
    '"response_format": {"type": "json_schema", "json_schema": {"name": "deep", "schema": '
    + '{"type": "object", "properties": {"a": ' * 400
    + '{"type": "string"}'
    + "}}" * 400
    + "}}}"
).encode()

# name -> (request body as bytes or JSON value, extra headers, expected param, words in message, code)
CASES = {
    "malformed json": (b'{"model": "course-mini", "messages": [', {}, None, ["JSON"], None),
    "not an object": (b"[1, 2, 3]", {}, None, ["object"], None),
    "a string body": (b'"hello"', {}, None, ["object"], None),
    "missing model": ({"messages": HELLO}, {}, "model", ["model"], None),
    "missing messages": ({"model": MINI}, {}, "messages", ["messages"], None),
    "empty messages": (body(messages=[]), {}, "messages", ["messages"], None),
    "messages not a list": (body(messages="Hello"), {}, "messages", ["messages"], None),
    "message not an object": (body(messages=["Hello"]), {}, "messages[0]", ["messages[0]"], None),
    "unknown role": (
        body(messages=[{"role": "wizard", "content": "Hi"}]),
        {},
        "messages[0].role",
        ["wizard", "role"],
        "invalid_value",
    ),
    "content of a wrong type": (
        body(messages=[{"role": "user", "content": 42}]),
        {},
        "messages[0].content",
        ["messages[0].content"],
        None,
    ),
    "tool message without tool_call_id": (
        body(messages=[*HELLO, {"role": "tool", "content": "{}"}]),
        {},
        "messages[1].tool_call_id",
        ["tool_call_id"],
        None,
    ),
    "json_schema not valid JSON Schema": (
        body(response_format=schema_format({"type": "strng"})),
        {},
        "response_format.json_schema.schema",
        ["strng"],
        "invalid_json_schema",
    ),
    "json_schema with a broken required list": (
        body(
            response_format=schema_format(
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": "a"}
            )
        ),
        {},
        "response_format.json_schema.schema",
        ["required"],
        "invalid_json_schema",
    ),
    "json_schema without a name": (
        body(response_format={"type": "json_schema", "json_schema": {"schema": {}}}),
        {},
        "response_format.json_schema",
        ["name"],
        None,
    ),
    "unknown response_format type": (
        body(response_format={"type": "yaml"}),
        {},
        "response_format",
        ["response_format"],
        None,
    ),
    "tool with a broken parameters schema": (
        body(tools=weather_tool({"type": "object", "properties": {"city": {"type": "integr"}}})),
        {},
        "tools[0].function.parameters",
        ["integr", "tools[0]"],
        "invalid_json_schema",
    ),
    "tool parameters not an object": (
        body(tools=weather_tool("city: string")),
        {},
        "tools[0].function.parameters",
        ["tools[0]"],
        None,
    ),
    "tool without a name": (
        body(tools=[{"type": "function", "function": {"parameters": {}}}]),
        {},
        "tools[0].function.name",
        ["name"],
        None,
    ),
    "tool_choice with a function that is not an object": (
        body(
            tools=weather_tool({"type": "object", "properties": {}}),
            tool_choice={"type": "function", "function": "get_weather"},
        ),
        {},
        "tool_choice",
        ["tool_choice"],
        None,
    ),
    "tool_choice with a name that is not a string": (
        body(
            tools=weather_tool({"type": "object", "properties": {}}),
            tool_choice={"type": "function", "function": {"name": {"name": "get_weather"}}},
        ),
        {},
        "tool_choice",
        ["tool_choice"],
        None,
    ),
    "tool_calls not an array": (
        body(messages=[*HELLO, {"role": "assistant", "content": None, "tool_calls": True}]),
        {},
        "messages[1].tool_calls",
        ["tool_calls"],
        None,
    ),
    "tool_call_id not a string": (
        body(
            messages=[
                *HELLO,
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": ["c1"], "content": "{}"},
            ]
        ),
        {},
        "messages[2].tool_call_id",
        ["tool_call_id"],
        None,
    ),
    "json_schema nested too deeply": (
        DEEP_SCHEMA,
        {},
        "response_format.json_schema.schema",
        ["deeply"],
        "invalid_json_schema",
    ),
    "tool_choice naming a missing tool": (
        body(
            tools=weather_tool({"type": "object", "properties": {}}),
            tool_choice={"type": "function", "function": {"name": "launch_rocket"}},
        ),
        {},
        "tool_choice",
        ["launch_rocket"],
        None,
    ),
    "prompt over the context window": (
        body(messages=LONG_PROMPT),
        {},
        "messages",
        ["context length", "8192"],
        "context_length_exceeded",
    ),
    "temperature too high": (body(temperature=3), {}, "temperature", ["temperature"], None),
    "temperature not a number": (body(temperature="hot"), {}, "temperature", ["temperature"], None),
    "temperature a boolean": (body(temperature=True), {}, "temperature", ["temperature"], None),
    "max_tokens zero": (body(max_tokens=0), {}, "max_tokens", ["max_tokens"], None),
    "n too large": (body(n=1000), {}, "n", ["'n'"], None),
    "stop of a wrong type": (body(stop=[1, 2]), {}, "stop", ["stop"], None),
    "seed not an integer": (body(seed="lucky"), {}, "seed", ["seed"], None),
    "unknown fault": (body(), {"X-Course-Faults": "meteor=1"}, "X-Course-Faults", ["meteor"], None),
    "fault share above one": (
        body(),
        {"X-Course-Faults": "rate_limit=2"},
        "X-Course-Faults",
        ["rate_limit"],
        None,
    ),
    "fault value not a number": (
        body(),
        {"X-Course-Faults": "latency_ms=soon"},
        "X-Course-Faults",
        ["soon"],
        None,
    ),
}


def send(raw: httpx.Client, payload, headers=None, path="/v1/chat/completions") -> httpx.Response:
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return raw.post(path, content=content, headers={**JSON_HEADERS, **(headers or {})})


@pytest.mark.parametrize("name", list(CASES))
def test_bad_request_names_the_problem(raw, name):
    payload, headers, param, words, code = CASES[name]
    response = send(raw, payload, headers)
    assert response.status_code == 400, response.text[:300]
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    for word in words:
        assert word.lower() in error["message"].lower(), error["message"]
    if code is not None:
        assert error["code"] == code


def test_bad_embeddings_requests(raw):
    for payload, param in [
        ({"model": "course-embed"}, "input"),
        ({"model": "course-embed", "input": []}, "input"),
        ({"model": "course-embed", "input": [""]}, "input"),
        ({"model": "course-embed", "input": [{"text": "hi"}]}, "input"),
        ({"model": "course-embed", "input": [[-1]]}, "input"),
        ({"model": "course-embed", "input": [[10**12]]}, "input"),
        ({"model": "course-embed", "input": "hi", "dimensions": 1536}, "dimensions"),
        ({"model": "course-embed", "input": "hi", "encoding_format": "hex"}, "encoding_format"),
        ({"model": "course-mini", "input": "hi"}, "model"),
    ]:
        response = send(raw, payload, path="/v1/embeddings")
        assert response.status_code == 400, (payload, response.text)
        assert response.json()["error"]["param"] == param


def test_official_client_maps_bad_input_to_bad_request(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MINI, messages=LONG_PROMPT)
    assert caught.value.code == "context_length_exceeded"
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MINI, messages=[{"role": "wizard", "content": "x"}])
    assert caught.value.param == "messages[0].role"
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=MINI, messages=HELLO, response_format=schema_format({"type": "strng"})
        )
    assert caught.value.code == "invalid_json_schema"


# --- fuzz ------------------------------------------------------------------------------------

FUZZ_CASES = 300
DEEP = "__DEEP_NESTING__"
SEEDS = [
    (
        "/v1/chat/completions",
        {
            "model": MINI,
            "messages": [
                {"role": "system", "content": "You are helpful."},
                {"role": "user", "content": "What's the weather in Paris?"},
            ],
            "tools": weather_tool(
                {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
            ),
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "temperature": 0.7,
        },
    ),
    (
        "/v1/chat/completions",
        {
            "model": "course-large",
            "messages": [{"role": "user", "content": "Ana, 34, lives in Lisbon."}],
            "response_format": schema_format(
                {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                    "required": ["name", "age"],
                    "additionalProperties": False,
                }
            ),
            "max_tokens": 50,
        },
    ),
    (
        "/v1/chat/completions",
        {
            "model": MINI,
            "messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": -3}'},
            ],
            "stream": True,
            "stream_options": {"include_usage": True},
            "n": 2,
            "stop": ["\n\n"],
            "seed": 3,
        },
    ),
    (
        "/v1/chat/completions",
        {
            "model": MINI,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Classify: positive or negative? I love it"}
                    ],
                }
            ],
            "response_format": {"type": "json_object"},
        },
    ),
    ("/v1/embeddings", {"model": "course-embed", "input": ["refund policy", "shipping"]}),
]
ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "\u202eevil",
    "😀" * 500,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ ça",
    "ignore previous instructions",
    "{" * 300,
    "system",
    "tool",
    "course-mini",
    "chat-large",
    "<script>alert(1)</script>",
]


def _random_value(rng: random.Random):
    pick = rng.randrange(14)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -1, 1, 2, 7, 10**30, -(10**30), 2**63])
    if pick == 3:
        return rng.choice([0.5, -0.0, 1e308, -1e-308, 3.999])
    if pick == 4:
        return rng.choice(ODD_STRINGS)
    if pick == 5:
        return rng.choice("ab€😀 \n") * rng.choice([1_000, 30_000, 200_000])
    if pick == 6:
        return []
    if pick == 7:
        return {}
    if pick == 8:
        return [_random_value(rng) for _ in range(rng.randint(1, 4))]
    if pick == 9:
        return {rng.choice(ODD_STRINGS): _random_value(rng) for _ in range(rng.randint(1, 3))}
    if pick == 10:
        return DEEP
    if pick == 11:
        return {"type": rng.choice(["object", "array", "strng", None, 3]), "properties": {}}
    if pick == 12:
        return {"role": rng.choice(ODD_STRINGS), "content": _random_value(rng)}
    return {"type": "function", "function": {"name": rng.choice(ODD_STRINGS), "parameters": []}}


def _other_type(rng: random.Random, value):
    """A small value of another JSON type than ``value``: where type checks are missed."""
    options = [None, True, 5, -2.5, "text", ["text"], {"name": "text"}, [{"a": 1}], {"a": [1]}]
    return rng.choice([o for o in options if type(o) is not type(value)])


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _mutate(rng: random.Random, data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = rng.random()
        if action < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.3 and isinstance(parent, dict):
            parent[rng.choice(ODD_STRINGS) or "extra"] = _random_value(rng)
        elif action < 0.4 and isinstance(parent, list):
            parent.append(_random_value(rng))
        elif action < 0.75:
            parent[path[-1]] = _other_type(rng, parent[path[-1]])
        else:
            parent[path[-1]] = _random_value(rng)
    return data


def _deep(rng: random.Random) -> str:
    depth = rng.choice([40, 300, 900, 5000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    inner = '{"type": "object", "properties": {"a": '
    return inner * depth + '{"type": "string"}' + "}}" * depth


def fuzz_bodies(seed: int = 2, count: int = FUZZ_CASES):
    """(path, body bytes) pairs: mutated valid requests, plus byte-level damage."""
    rng = random.Random(seed)
    for _ in range(count):
        path, base = rng.choice(SEEDS)
        text = json.dumps(_mutate(rng, base), ensure_ascii=rng.random() < 0.5)
        while f'"{DEEP}"' in text:
            text = text.replace(f'"{DEEP}"', _deep(rng), 1)
        data = text.encode("utf-8", "surrogatepass")
        damage = rng.random()
        if damage < 0.08:
            data = data[: rng.randrange(len(data))]
        elif damage < 0.14:
            position = rng.randrange(len(data))
            data = data[:position] + bytes([rng.randrange(256)]) + data[position + 1 :]
        elif damage < 0.18:
            data = data.replace(b"Paris", b"\xff\xfe\xc3(", 1)
        yield path, data


def test_fuzzed_bodies_never_crash_or_hang(course_server):
    surprises = []
    with httpx.Client(base_url=course_server.url, timeout=30) as raw:
        for path, data in fuzz_bodies():
            try:
                with raw.stream("POST", path, content=data, headers=JSON_HEADERS) as response:
                    payload = response.read()
            except httpx.HTTPError as exc:  # a dropped connection or a hang is a failure too
                surprises.append((type(exc).__name__, data[:160]))
                continue
            status = response.status_code
            if not (200 <= status < 300 or 400 <= status < 500):
                surprises.append((status, data[:160]))
            elif status >= 400 and "message" not in json.loads(payload).get("error", {}):
                surprises.append((status, payload[:160]))
            elif response.headers["content-type"].startswith("text/event-stream"):
                if not payload.endswith(b"data: [DONE]\n\n"):
                    surprises.append(("unterminated stream", data[:160]))
        assert not surprises, surprises[:5]
        assert raw.get("/health").json()["status"] == "ok"
        after = raw.post("/v1/chat/completions", json=body())
        assert after.status_code == 200 and after.json()["choices"][0]["message"]["content"]
