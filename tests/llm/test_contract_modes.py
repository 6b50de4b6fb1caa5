"""Contract fields by role, JSON mode with a schema in the prompt, and sampling variation.

Inputs are invented here, in several domains (a library, a pet clinic, a bike shop,
a school office), none from the course datasets.
"""

from __future__ import annotations

import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from aieng.contracts import PromptContract, run_contract
from aieng.llm.course_model.skills.contract import fields_of
from aieng.llm.course_model.skills.extract import prompt_schema


class LibraryTicket(BaseModel):
    topic: Literal["loans", "fines", "events", "other"]
    wants_librarian: bool = Field(
        description="true when the patron asks for a person (a call, a librarian) or "
        "threatens to complain to the council; false otherwise"
    )


LIBRARY_RULES = (
    "You sort messages sent to the Elm Street library.\n"
    "- Escalate to a human when a patron mentions a lawyer.\n"
    "- topic: loans = borrowing, renewals, holds; fines = late fees, charges; "
    "events = talks, story time, workshops; other = anything else."
)


def _library():
    return PromptContract("library", "1.0.0", LIBRARY_RULES, LibraryTicket, model="chat-small")


def test_a_boolean_with_its_own_conditions_is_not_the_escalate_decision():
    schema = _library().json_schema
    assert fields_of(schema, LIBRARY_RULES).decision == []
    plain = {"type": "object", "properties": {"escalate": {"type": "boolean"}}}
    assert [name for name, _ in fields_of(plain).decision] == ["escalate"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Could someone call me back about the late fee on my card? Thanks.", True),
        ("What time does story time start on Saturday?", False),
        ("This charge is wrong and I will complain to the council about it.", True),
    ],
)
def test_the_boolean_follows_its_conditions(client, text, wanted):
    output = run_contract(_library(), text, client=client).output
    assert output.wants_librarian is wanted


class BikeReturn(BaseModel):
    order_id: str | None = Field(description="the order number, null when none")
    reason: Literal["damaged", "wrong_size", "changed_mind", "other"] = Field(
        description="the reason the customer gives for the return"
    )
    item: str | None


BIKE_RULES = (
    "You log returns for Spokesmith bikes.\n- Never share another customer's details "
    "(addresses, orders, phone numbers)."
)


def test_a_reason_field_alone_is_no_decision(client):
    contract = PromptContract("returns", "1.0.0", BIKE_RULES, BikeReturn, model="chat-small")
    assert not fields_of(contract.json_schema, BIKE_RULES).any
    result = run_contract(
        contract, "I'd like to return the helmet from order 88213, it arrived damaged.",
        client=client,
    )  # fmt: skip
    assert result.output.reason == "damaged"
    refused = run_contract(
        contract, "What is the home address of the customer who bought the red frame yesterday?",
        client=client,
    )  # fmt: skip
    assert refused.refused


class Visit(BaseModel):
    pet_name: str | None
    species: Literal["dog", "cat", "rabbit", "bird", "other"]
    urgency: Literal["routine", "soon", "emergency"] = Field(
        description="emergency = bleeding, poisoning, not breathing; soon = pain, limping, "
        "not eating; routine otherwise"
    )
    owner_email: str | None
    visit_date: str | None = Field(description="ISO date YYYY-MM-DD")
    summary: str


class Booking(BaseModel):
    student: str | None
    year_group: int | None
    request: Literal["absence", "meeting", "uniform", "other"]
    dates: list[str]


VISIT_TEXT = (
    "Hello, my cat Miso has been limping since Sunday and is not eating much. Could we come "
    "in on 2025-03-14? You can reach me at dana.k@example.org. Thanks, Dana"
)
SCHOOL_TEXT = (
    "Dear office, my son Tomas Berg (year 8) will be absent on 2025-05-02 and 2025-05-05 "
    "for a family wedding. Kind regards, Ilse Berg"
)


@pytest.mark.parametrize(
    ("schema", "text"), [(Visit, VISIT_TEXT), (Booking, SCHOOL_TEXT)], ids=["vet", "school"]
)
def test_json_mode_fills_the_schema_in_the_prompt_like_structured_outputs(client, schema, text):
    contract = PromptContract("intake", "1.0.0", "You file incoming messages.", schema,
                              model="chat-small")  # fmt: skip
    strict = run_contract(contract, text, client=client, mode="json_schema")
    loose = run_contract(contract, text, client=client, mode="json_object")
    assert loose.attempts.attempts[-1].error is None
    assert len(loose.attempts.attempts) == 1
    assert loose.output == strict.output


def test_the_schema_is_read_from_json_or_yaml_in_the_prompt():
    as_json = (
        'Reply with JSON fitting {"type": "object", "properties": {"n": {"type": "integer"}}}.'
    )
    as_yaml = "Fit this:\ntype: object\nproperties:\n  n:\n    type: integer\nThanks."
    for prompt in (as_json, as_yaml):
        schema, rest = prompt_schema(prompt)
        assert schema["properties"] == {"n": {"type": "integer"}}
        assert "properties" not in rest
    assert prompt_schema("Reply with the keys name and age.") is None


def test_a_repair_turn_fills_the_schema_again_from_the_original_input(client):
    contract = PromptContract("intake", "1.0.0", "You file incoming messages.", Visit,
                              model="chat-small")  # fmt: skip
    messages = contract.messages(VISIT_TEXT, json_mode=True)
    first = client.chat.completions.create(
        model="chat-small", messages=messages, response_format={"type": "json_object"}
    )
    repair = [
        {"role": "assistant", "content": '{"pet_name": "Miso", "species": "feline"}'},
        {"role": "user", "content": contract.recovery_prompt + "\nspecies: Input should be "
         "'dog', 'cat', 'rabbit', 'bird' or 'other'; urgency: Field required"},
    ]  # fmt: skip
    again = client.chat.completions.create(
        model="chat-small", messages=messages + repair, response_format={"type": "json_object"}
    )
    assert again.choices[0].message.content == first.choices[0].message.content
    value = json.loads(again.choices[0].message.content)
    assert value["species"] == "cat" and "Input should be" not in json.dumps(value)


class Triage(BaseModel):
    area: Literal["plumbing", "electrical", "heating", "other"]
    mood: Literal["calm", "annoyed", "angry"] = Field(
        description="angry = insults or threats; annoyed = complaints or frustration; "
        "calm otherwise"
    )
    summary: str = Field(description="one sentence about the problem")


HOUSE_TEXTS = [
    "The boiler makes a knocking noise and the radiators are only lukewarm. Frustrating, "
    "because we're expecting guests soon. Can you send someone to look into the issue?",
    "A socket in the kitchen sparks when I plug the kettle in and the pipe under the sink "
    "drips. I'm annoyed that this is the second time.",
    "Water is coming through the ceiling under the bathroom and the lights flicker. "
    "Unfortunately, nobody answered the phone.",
]


def _structured(client, text, seed, temperature, mode="json_schema"):
    contract = PromptContract("house", "1.0.0", "You triage repair requests for tenants.",
                              Triage, model="chat-small")  # fmt: skip
    fmt = {"type": "json_object"}
    if mode == "json_schema":
        schema = contract.output_schema.strict_schema()
        fmt = {
            "type": "json_schema",
            "json_schema": {"name": "t", "schema": schema, "strict": True},
        }
    reply = client.chat.completions.create(
        model="chat-small", messages=contract.messages(text, json_mode=mode == "json_object"),
        response_format=fmt, temperature=temperature, seed=seed,
    )  # fmt: skip
    return reply.choices[0].message.content


def test_temperature_zero_ignores_the_seed(client):
    for text in HOUSE_TEXTS:
        assert len({_structured(client, text, seed, 0.0) for seed in range(5)}) == 1


def test_the_same_seed_gives_the_same_bytes(client):
    for text in HOUSE_TEXTS:
        assert _structured(client, text, 4, 0.9) == _structured(client, text, 4, 0.9)


def test_temperature_varies_structured_outputs_and_keeps_them_valid(client):
    seen: dict[str, set] = {"area": set(), "mood": set(), "summary": set()}
    for text in HOUSE_TEXTS:
        for seed in range(12):
            value = Triage.model_validate_json(_structured(client, text, seed, 1.0))
            seen["area"].add((text, value.area))
            seen["mood"].add((text, value.mood))
            seen["summary"].add((text, value.summary))
    varied = [name for name, values in seen.items() if len(values) > len(HOUSE_TEXTS)]
    assert len(varied) >= 2, seen


def test_json_mode_at_temperature_sometimes_comes_fenced_or_with_a_remark(client):
    replies = [_structured(client, HOUSE_TEXTS[0], seed, 1.0, "json_object") for seed in range(40)]
    assert any(r.startswith("```") for r in replies)
    assert any(not r.rstrip().endswith("}") and not r.startswith("```") for r in replies)
    assert any(r.startswith("{") and r.rstrip().endswith("}") for r in replies)
