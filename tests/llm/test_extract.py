"""Structured extraction and schema coercion.

``coerce_to_schema`` is checked against hundreds of generated schemas and
values (a small seeded generator below): whatever goes in, what comes out
validates under Draft 2020-12 with format checks. ``fill_schema`` is checked
on Tasks, and end to end through the official client's ``parse()``.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from typing import Literal

import jsonschema
import openai
import orjson
import pytest
from pydantic import BaseModel, Field

from aieng.llm.catalog import course_models
from aieng.llm.course_model import BackgroundServer
from aieng.llm.course_model.engine import Task
from aieng.llm.course_model.protocol import Message, ResponseFormat
from aieng.llm.course_model.skills.examples import example_for
from aieng.llm.course_model.skills.extract import coerce_to_schema, fill_schema, named_keys

MINI = course_models()["course-mini"]
V = jsonschema.Draft202012Validator


def valid(value, schema) -> bool:
    return V(schema, format_checker=V.FORMAT_CHECKER).is_valid(value)


# ---------------------------------------------------------------- a schema generator

PATTERNS = [
    r"^[A-Z]{2}-\d{4}$",
    r"^\d{3}-\d{3}-\d{4}$",
    r"^(?:red|green|blue)$",
    r"^[a-z]+(?:_[a-z]+)*$",
    r"^INV\d{2,5}$",
    r"\d",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^v\d+\.\d+\.\d+$",
]
FORMATS = ["date", "date-time", "time", "email", "uri", "uuid", "ipv4", "hostname"]
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma"]


class SchemaGen:
    """Random but satisfiable JSON schemas, with ``$defs`` for refs at the root."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.defs: dict[str, dict] = {}

    def root(self) -> dict:
        schema = self.any(0)
        if self.defs:
            schema = {"$defs": self.defs, **schema} if isinstance(schema, dict) else schema
        return schema

    def any(self, depth: int) -> dict:
        r = self.rng
        kinds = ["string", "integer", "number", "boolean", "enum", "const", "format", "pattern"]
        if depth < 3:
            kinds += ["object", "object", "array", "array", "nullable", "union", "ref", "allof"]
        return getattr(self, "_" + r.choice(kinds))(depth)

    def _string(self, depth):
        low = self.rng.choice([0, 0, 1, 3])
        schema = {"type": "string"}
        if low:
            schema["minLength"] = low
        if self.rng.random() < 0.4:
            schema["maxLength"] = low + self.rng.randint(0, 8)
        return schema

    def _integer(self, depth):
        r = self.rng
        schema: dict = {"type": "integer"}
        low = r.randint(-50, 50)
        if r.random() < 0.5:
            schema["minimum"] = low
        if r.random() < 0.5:
            schema["maximum"] = low + r.randint(5, 100)
        if r.random() < 0.3:
            schema["multipleOf"] = r.choice([2, 5, 10])
            schema.setdefault("minimum", low)
            schema["maximum"] = schema["minimum"] + 40
        if r.random() < 0.2:
            schema["exclusiveMinimum"] = schema.get("minimum", low) - 1
        return schema

    def _number(self, depth):
        r = self.rng
        schema: dict = {"type": "number"}
        low = round(r.uniform(-10, 10), 2)
        if r.random() < 0.5:
            schema["exclusiveMinimum"] = low
        if r.random() < 0.5:
            schema["maximum"] = low + r.uniform(1, 100)
        return schema

    def _boolean(self, depth):
        return {"type": "boolean"}

    def _enum(self, depth):
        values = self.rng.sample(WORDS + [1, 2, None, True], self.rng.randint(1, 4))
        return {"enum": values}

    def _const(self, depth):
        return {"const": self.rng.choice(["fixed", 7, None, False, {"a": 1}, [1, 2]])}

    def _format(self, depth):
        return {"type": "string", "format": self.rng.choice(FORMATS)}

    def _pattern(self, depth):
        return {"type": "string", "pattern": self.rng.choice(PATTERNS)}

    def _object(self, depth):
        r = self.rng
        names = r.sample(
            ["id", "name", "email", "when", "count", "tags", "meta", "note", "kind"],
            r.randint(0, 5),
        )
        props = {n: self.any(depth + 1) for n in names}
        schema: dict = {"type": "object", "properties": props}
        if props:
            schema["required"] = r.sample(names, r.randint(0, len(names)))
        choice = r.random()
        if choice < 0.4:
            schema["additionalProperties"] = False
        elif choice < 0.55:
            schema["additionalProperties"] = {"type": "integer"}
        if r.random() < 0.15 and schema.get("additionalProperties") is not False:
            schema["minProperties"] = len(props) + 1
        elif r.random() < 0.15 and props:
            schema["maxProperties"] = max(len(schema.get("required", [])), 1)
        if r.random() < 0.1 and len(names) >= 2:
            schema["dependentRequired"] = {names[0]: [names[1]]}
        return schema

    def _array(self, depth):
        r = self.rng
        if r.random() < 0.3:
            items: dict = {"enum": WORDS[: r.randint(3, 6)]}
        else:
            items = self.any(depth + 1)
        schema: dict = {"type": "array", "items": items}
        low = r.choice([0, 0, 1, 2])
        if low:
            schema["minItems"] = low
        if r.random() < 0.4:
            schema["maxItems"] = low + r.randint(0, 3)
        if r.random() < 0.3 and "enum" in items:
            schema["uniqueItems"] = True
        if r.random() < 0.15:
            schema["prefixItems"] = [{"type": "integer"}]
        return schema

    def _nullable(self, depth):
        return {"anyOf": [self.any(depth + 1), {"type": "null"}]}

    def _union(self, depth):
        key = "anyOf" if self.rng.random() < 0.7 else "oneOf"
        if key == "oneOf":  # disjoint branches, so that exactly one can match
            return {"oneOf": [{"type": "string", "maxLength": 5}, {"type": "integer"}]}
        return {key: [self.any(depth + 1), self.any(depth + 1)]}

    def _ref(self, depth):
        name = f"D{len(self.defs)}"
        self.defs[name] = {}  # reserve the name before building what it holds
        self.defs[name] = self.any(depth + 1)
        return {"$ref": f"#/$defs/{name}"}

    def _allof(self, depth):
        return {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                {"properties": {"b": {"type": "string", "format": "date"}}, "required": ["b"]},
            ]
        }


def random_value(rng: random.Random, depth: int = 0):
    choice = rng.random()
    if depth > 2 or choice < 0.45:
        return rng.choice(
            [None, True, False, 0, -3, 17, 2.5, 1e9, "", "hello", "42", "2026-12-01",
             "December 1, 2026", "a@b.co", "yes", "x" * 30, "AB-1234", "3pm"]
        )  # fmt: skip
    if choice < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["id", "name", "email", "when", "count", "tags", "meta", "note", "kind", "zzz"]
    return {k: random_value(rng, depth + 1) for k in rng.sample(keys, rng.randint(0, 5))}


def test_the_generator_makes_valid_satisfiable_schemas():
    for seed in range(60):
        schema = SchemaGen(seed).root()
        V.check_schema(schema)


@pytest.mark.parametrize("block", range(4))
def test_coerce_always_returns_a_valid_instance(block):
    failures = []
    for seed in range(block * 150, (block + 1) * 150):
        rng = random.Random(seed)
        schema = SchemaGen(seed).root()
        for _ in range(3):
            value = random_value(rng)
            fixed = coerce_to_schema(value, schema)
            if not valid(fixed, schema):
                failures.append((seed, value, fixed))
    assert failures == []


def test_fill_schema_output_validates_for_generated_schemas():
    texts = [
        "Hi, I'm Jane Doe (jane@x.com), order AB-1234 for 3 items on 2026-12-01 at 3pm, "
        "total $45. Tags: alpha, beta and gamma.",
        "nothing useful here",
        "v1.2.3 red 555-123-4567 https://x.io 10.0.0.1",
    ]
    failures = []
    for seed in range(200):
        schema = SchemaGen(seed).root()
        for text in texts:
            content = fill_schema(task(text, schema)).content
            if not valid(orjson.loads(content), schema):
                failures.append((seed, text, content))
    assert failures == []


def test_coerce_keeps_what_is_valid():
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "n": {"type": "integer", "maximum": 10}},
        "required": ["name", "n"],
        "additionalProperties": False,
    }
    good = {"name": "Ada", "n": 3}
    assert coerce_to_schema(good, schema) is good
    assert coerce_to_schema({"name": "Ada", "n": "12", "extra": 1}, schema) == {
        "name": "Ada",
        "n": 10,
    }
    assert coerce_to_schema(None, schema) == {"name": "", "n": 0}


def test_coerce_repairs_formats_enums_and_optionals():
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date"},
            "at": {"type": "string", "format": "date-time"},
            "level": {"enum": ["low", "medium", "high"]},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
        },
        "required": ["when", "at", "level", "note", "tags", "sku"],
        "additionalProperties": False,
    }
    out = coerce_to_schema(
        {"when": "March 3, 2026", "at": "2026-03-03 09:30", "level": "HIGH", "tags": "solo",
         "sku": "item ABC-12 in stock"},
        schema,
    )  # fmt: skip
    assert out == {
        "when": "2026-03-03",
        "at": "2026-03-03T09:30:00Z",
        "level": "high",
        "note": None,
        "tags": ["solo"],
        "sku": "ABC-12",
    }
    assert valid(out, schema)


@pytest.mark.parametrize(
    "pattern",
    [r"^[A-Z]{2}-\d{4}$", r"^\(\d{3}\) \d{3}-\d{4}$", r"^(?:foo|bar)+baz$", r"^[^aeiou\s]{3}$",
     r"^\w+@\w+\.com$", r"^(ab|cd)\1$", r"^#[0-9a-fA-F]{6}$"],
)  # fmt: skip
def test_example_for_generates_matching_strings(pattern):
    import re

    example = example_for(pattern)
    assert example is not None and re.search(pattern, example)


# ---------------------------------------------------------------- fill_schema on Tasks


def task(text: str, schema: dict | None = None, system: str = "", kind: str = "json_schema", **kw):
    messages = ((Message("system", system),) if system else ()) + (Message("user", text),)
    fmt = (
        ResponseFormat(kind, schema, "answer", True)
        if kind == "json_schema"
        else ResponseFormat(kind)
    )
    return Task(messages=messages, profile=MINI, response_format=fmt, **kw)


def test_fill_schema_only_for_json_formats():
    assert fill_schema(task("hello", kind="text")) is None


def test_fill_schema_reads_the_text_not_the_instruction():
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "message": {"type": "string"},
        },
        "required": ["name", "email", "message"],
        "additionalProperties": False,
    }
    text = (
        "Extract the name, email and message from this note:\n"
        "Hello, I'm Kofi Mensah (kofi@mensah.gh). My headset stopped charging after a week."
    )
    value = orjson.loads(fill_schema(task(text, schema)).content)
    assert value["name"] == "Kofi Mensah"
    assert value["email"] == "kofi@mensah.gh"
    assert "headset stopped charging" in value["message"]
    assert "Extract" not in value["message"]


def test_fill_schema_ticket_triage_by_meaning():
    schema = {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": ["billing", "technical", "account", "shipping"]},
            "urgency": {"type": "string", "enum": ["low", "medium", "high"]},
            "summary": {"type": "string", "maxLength": 80},
        },
        "required": ["category", "urgency", "summary"],
        "additionalProperties": False,
    }
    value = orjson.loads(
        fill_schema(
            task("The robot stopped and shows error E42, production halted. Please help!", schema)
        ).content
    )
    assert value["category"] == "technical"
    assert value["urgency"] == "high"
    assert value["summary"].startswith("The robot stopped")
    assert valid(value, schema)


def test_fill_schema_root_array_and_scalar():
    emails = {"type": "array", "items": {"type": "string", "format": "email"}}
    content = fill_schema(task("Loop in ana@x.org and raj@y.in please", emails)).content
    assert orjson.loads(content) == ["ana@x.org", "raj@y.in"]
    when = {"type": "string", "format": "date"}
    assert orjson.loads(fill_schema(task("Moved to 4 July 2026.", when)).content) == "2026-07-04"


def test_fill_schema_uses_the_stated_date_for_relative_days():
    schema = {"type": "object", "properties": {"due": {"type": "string", "format": "date"}},
              "required": ["due"]}  # fmt: skip
    out = fill_schema(task("Finish it by tomorrow", schema, system="Today is 2026-05-10."))
    assert orjson.loads(out.content) == {"due": "2026-05-11"}


def test_fill_schema_is_deterministic():
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
    }
    first = fill_schema(task("Two tickets to Rome", schema)).content
    assert all(fill_schema(task("Two tickets to Rome", schema)).content == first for _ in range(3))


def test_json_object_fills_the_keys_the_prompt_names():
    reply = fill_schema(
        task(
            "I'm Lena Park, 34, living in Seoul. I love this product!",
            system="Return a JSON object with keys name, age, city and sentiment "
            "(positive/negative/neutral).",
            kind="json_object",
        )
    )
    assert orjson.loads(reply.content) == {
        "name": "Lena Park",
        "age": 34,
        "city": "Seoul",
        "sentiment": "positive",
    }


def test_json_object_without_keys_reports_key_facts():
    reply = fill_schema(
        task("Invoice INV-88 from Acme Corp, total $320.00, due 2026-12-15. billing@acme.com",
             kind="json_object")
    )  # fmt: skip
    value = orjson.loads(reply.content)
    assert value["email"] == "billing@acme.com"
    assert value["date"] == "2026-12-15"
    assert value["amount"] == 320.0
    assert value["id"] == "INV-88"


def test_named_keys_reads_json_examples_and_lists():
    assert list(named_keys('Answer like {"title": "...", "year": 1999}')) == ["title", "year"]
    keys = named_keys("Output JSON with fields: `sku`, `qty`, `in_stock`")
    assert keys["qty"]["type"] == "number" or keys["qty"]["type"] == "string"
    assert list(keys) == ["sku", "qty", "in_stock"]


# ---------------------------------------------------------------- end to end, official client


@pytest.fixture(scope="module")
def extraction_client():
    with BackgroundServer() as server:
        with openai.OpenAI(base_url=server.url + "/v1", api_key="course", max_retries=0) as c:
            yield c


class Priority(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Address(BaseModel):
    street: str
    city: str
    postal_code: str | None = None


class LineItem(BaseModel):
    description: str
    quantity: int
    unit_price: float


class Order(BaseModel):
    customer_name: str
    email: str
    order_date: dt.date
    priority: Priority
    shipping_address: Address
    items: list[LineItem]
    gift_note: str | None = None


def test_parse_fills_nested_pydantic_models(extraction_client):
    message = (
        "Hi, I'm Dana Cruz (dana@cruz.dev). On March 3, 2026 I ordered:\n"
        "- 2 x desk lamp at $24.50\n- 1 x wool rug at $99.00\n"
        "Please ship to 8 Oak Avenue, Portland, 97201. It's urgent, I need it by Friday!"
    )
    reply = extraction_client.chat.completions.parse(
        model="course-mini",
        messages=[
            {"role": "system", "content": "Extract the order."},
            {"role": "user", "content": message},
        ],
        response_format=Order,
    )
    order = reply.choices[0].message.parsed
    assert order.customer_name == "Dana Cruz"
    assert order.email == "dana@cruz.dev"
    assert order.order_date == dt.date(2026, 3, 3)
    assert order.priority is Priority.high
    assert order.shipping_address == Address(
        street="8 Oak Avenue", city="Portland", postal_code="97201"
    )
    assert [(i.quantity, i.unit_price) for i in order.items] == [(2, 24.5), (1, 99.0)]
    assert "lamp" in order.items[0].description
    assert order.gift_note is None


class Ticket(BaseModel):
    kind: Literal["bug", "question", "feature"]
    component: str = Field(description="Which part of the product")
    steps: list[str]
    severity: int = Field(ge=1, le=4)


def test_parse_always_validates_even_when_the_text_is_thin(extraction_client):
    reply = extraction_client.chat.completions.parse(
        model="course-mini",
        messages=[{"role": "user", "content": "hmm"}],
        response_format=Ticket,
    )
    ticket = reply.choices[0].message.parsed
    assert isinstance(ticket, Ticket)
    assert 1 <= ticket.severity <= 4


def test_json_object_keys_take_the_types_the_prompt_writes():
    keys = named_keys("Return keys port (string), depth_m (number), busy (boolean), tags (list).")
    assert keys == {
        "port": {"type": "string"},
        "depth_m": {"type": "number"},
        "busy": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
    }
    reply = fill_schema(
        task(
            "Kelso, a market town of roughly 7,000 people, got its charter in 1237.",
            system="Return a JSON object with the keys town (string), people (integer) and "
            "charter_year (integer).",
            kind="json_object",
        )
    )
    assert orjson.loads(reply.content) == {"town": "Kelso", "people": 7000, "charter_year": 1237}


def test_fill_schema_reads_enum_descriptions_in_the_system_prompt():
    schema = {
        "type": "object",
        "properties": {"queue": {"type": "string", "enum": ["kitchen", "front_desk", "other"]}},
        "required": ["queue"],
        "additionalProperties": False,
    }
    system = (
        "Route guest messages. Queues: kitchen: meals, room service, allergies; "
        "front_desk: keys, check-out, invoices; other: anything else."
    )
    reply = fill_schema(task("My room service breakfast never came.", schema, system=system))
    assert orjson.loads(reply.content) == {"queue": "kitchen"}
