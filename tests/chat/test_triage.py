"""Triage of support messages: the schema, the error paths, and the course model's accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openai
import pytest
from openai.lib._pydantic import to_strict_json_schema

from aieng.chat import Category, Triage, Urgency, triage
from aieng.errors import ModelOutputError, RateLimited, UserError

SUPPORT = Path(__file__).resolve().parents[2] / "datasets" / "support" / "messages.jsonl"


def support_messages() -> list[dict]:
    return [json.loads(line) for line in SUPPORT.read_text().splitlines() if line.strip()]


def scripted_client(reply) -> tuple[openai.OpenAI, list[dict]]:
    """An official client whose transport answers every request with ``reply(request_body)``."""
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        return reply(body)

    client = openai.OpenAI(
        api_key="test",
        base_url="http://scripted.invalid/v1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return client, seen


def completion(content: str | None, refusal: str | None = None) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    )


def test_the_schema_is_strict_with_enums():
    schema = to_strict_json_schema(Triage)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "category",
        "urgency",
        "summary",
        "order_id",
        "serial_number",
    }
    props = schema["properties"]
    assert props["category"]["enum"] == ["billing", "technical", "account", "shipping", "other"]
    assert props["urgency"]["enum"] == ["low", "medium", "high"]
    assert "billing:" in props["category"]["description"]  # the labels explained to the model


def test_triage_sends_the_schema_and_parses_the_answer():
    answer = {
        "category": "shipping",
        "urgency": "medium",
        "summary": "  Order   ORD-105322 is stuck  at the hub. ",
        "order_id": "ORD-105322",
        "serial_number": "",
    }
    client, seen = scripted_client(lambda body: completion(json.dumps(answer)))
    result = triage("Where is ORD-105322?", client=client, model="scripted")
    assert result == Triage(
        category=Category.SHIPPING,
        urgency=Urgency.MEDIUM,
        summary="Order ORD-105322 is stuck at the hub.",
        order_id="ORD-105322",
        serial_number=None,
    )
    request = seen[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert request["messages"][0]["role"] == "system"
    assert "Fernhill" in request["messages"][0]["content"]
    assert request["messages"][1] == {"role": "user", "content": "Where is ORD-105322?"}


def test_bad_input_never_reaches_the_model():
    client, seen = scripted_client(lambda body: completion("{}"))
    for bad in ["", "   ", "hi\x00", "x" * 9000, 7]:
        with pytest.raises(UserError):
            triage(bad, client=client, model="scripted")
    assert seen == []


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (lambda body: completion("You said: hello"), "does not fit the Triage schema"),
        (lambda body: completion('{"category": "weather"}'), "does not fit the Triage schema"),
        (lambda body: completion(None, refusal="I can't help with that."), "declined"),
    ],
)
def test_unusable_answers_are_model_output_errors(reply, says):
    client, _ = scripted_client(reply)
    with pytest.raises(ModelOutputError, match=says):
        triage("My invoice is wrong", client=client, model="scripted")


def test_rate_limits_are_reported_as_such():
    client, _ = scripted_client(
        lambda body: httpx.Response(429, json={"error": {"message": "slow down"}})
    )
    with pytest.raises(RateLimited):
        triage("My invoice is wrong", client=client, model="scripted")


# --- through the course model -------------------------------------------------------------


def test_the_course_model_triages_a_clear_case(course_client):
    result = triage(
        "Our Fernhill Tug FT2-001877 stopped mid-aisle with error E-214 and the whole line is down!",
        client=course_client,
        model="course-mini",
    )
    assert result.category is Category.TECHNICAL
    assert result.urgency is Urgency.HIGH
    assert result.serial_number == "FT2-001877"
    assert result.order_id is None
    assert result.summary


@pytest.mark.parametrize("model", ["course-mini", "course-large"])
def test_the_course_model_is_accurate_on_the_visible_messages(course_client, model):
    rows = support_messages()
    assert len(rows) >= 30
    results = [triage(row["text"], client=course_client, model=model) for row in rows]
    category = sum(r.category == row["category"] for r, row in zip(results, rows, strict=True))
    urgency = sum(r.urgency == row["urgency"] for r, row in zip(results, rows, strict=True))
    ids = [(row["order_id"], row["serial_number"]) for row in rows]
    found = [(r.order_id, r.serial_number) for r in results]
    assert category / len(rows) >= 0.75, f"{model}: category {category}/{len(rows)}"
    assert urgency / len(rows) >= 0.5, f"{model}: urgency {urgency}/{len(rows)}"
    assert sum(a == b for a, b in zip(found, ids, strict=True)) / len(rows) >= 0.8


def test_the_dataset_is_well_formed():
    rows = support_messages()
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        Triage(
            category=row["category"],
            urgency=row["urgency"],
            summary="x",
            order_id=row["order_id"],
            serial_number=row["serial_number"],
        )
        for key in ("order_id", "serial_number"):
            if row[key]:
                assert row[key] in row["text"]
    assert {row["category"] for row in rows} == {c.value for c in Category}
    assert {row["urgency"] for row in rows} == {u.value for u in Urgency}
