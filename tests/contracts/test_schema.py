"""Output schemas made strict, replies parsed out of fences, problems named by path."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from aieng.contracts.schema import OutputSchema, SchemaMismatch, parse_reply

LOOSE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "default": 0},
        "tags": {
            "type": "array",
            "items": {"type": "object", "properties": {"t": {"type": "string"}}},
        },
    },
    "required": ["name"],
}


def test_strict_copy_requires_every_property_and_forbids_extras():
    strict = OutputSchema(LOOSE).strict_schema()
    assert strict["required"] == ["name", "age", "tags"]
    assert strict["additionalProperties"] is False
    # a default makes the model fill it, as strict mode does for a pydantic field with one
    assert strict["properties"]["age"] == {"type": "integer"}
    item = strict["properties"]["tags"]["anyOf"][0]["items"]
    assert item["additionalProperties"] is False and item["required"] == ["t"]
    assert LOOSE["required"] == ["name"]  # the original is untouched


def test_strict_nulls_for_optional_fields_validate_against_the_original():
    schema = OutputSchema(LOOSE)
    assert schema.validate({"name": "Ann", "age": None, "tags": None}) == {"name": "Ann", "age": 0}


def test_a_saved_model_schema_asks_for_what_the_model_asked_for():
    class Line(BaseModel):
        description: str
        quantity: int = 1
        note: str | None = None

    from_model = OutputSchema(Line).strict_schema()
    from_disk = OutputSchema(Line.model_json_schema()).strict_schema()
    for field in ("description", "quantity", "note"):
        assert from_disk["properties"][field].get("type") == from_model["properties"][field].get(
            "type"
        ), field
    assert OutputSchema(Line.model_json_schema()).validate(
        {"description": "pad", "quantity": None, "note": None}
    ) == {"description": "pad", "quantity": 1, "note": None}


def test_problems_name_the_field_path():
    with pytest.raises(SchemaMismatch) as caught:
        OutputSchema(LOOSE).validate({"age": "old"})
    assert "(root): 'name' is a required property" in caught.value.problems
    assert "age: 'old' is not of type 'integer'" in caught.value.problems


def test_pydantic_problems_name_the_field_path():
    class Item(BaseModel):
        qty: int

    class Order(BaseModel):
        items: list[Item]

    with pytest.raises(SchemaMismatch, match=r"items\.0\.qty: Input should be a valid integer"):
        OutputSchema(Order).validate({"items": [{"qty": "many"}]})


@pytest.mark.parametrize(
    ("text", "value", "cleaned"),
    [
        ('{"a": 1}', {"a": 1}, False),
        ('  {"a": 1}\n', {"a": 1}, False),
        ('```json\n{"a": 1}\n```', {"a": 1}, True),
        ('```\n{"a": 1}\n```', {"a": 1}, True),
        ('{"a": 1}\n\nLet me know if you need anything else!', {"a": 1}, True),
        ('Here it is: {"a": {"b": [1, 2]}} Hope that helps.', {"a": {"b": [1, 2]}}, True),
    ],
)
def test_replies_are_parsed_and_cleaning_is_recorded(text, value, cleaned):
    assert parse_reply(text) == (value, cleaned)


@pytest.mark.parametrize("text", [None, "", "   ", "Sorry, I cannot do that.", "{'a': 1}"])
def test_non_json_replies_raise(text):
    with pytest.raises(SchemaMismatch):
        parse_reply(text)


def test_allowed_values_of_enum_fields():
    from typing import Literal

    class Ticket(BaseModel):
        urgency: Literal["low", "high"]
        product: Literal["Tug", "Picker"] | None
        note: str

    schema = OutputSchema(Ticket)
    assert schema.allowed_values("urgency") == {"low", "high"}
    assert schema.allowed_values("product") == {"Tug", "Picker", None}
    assert schema.allowed_values("note") is None
    assert OutputSchema(LOOSE).allowed_values("missing") is None
