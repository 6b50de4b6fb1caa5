"""run_contract: structured outputs, fallback to JSON mode, one repair, refusals, bad input."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import BaseModel

from aieng.contracts import (
    ContractFailed,
    ContractInputError,
    PromptContract,
    run_contract,
)
from aieng.errors import ContractViolation, RateLimited, UserError
from aieng.testing import recording_client


class Contact(BaseModel):
    name: str
    email: str | None = None
    company: str | None = None


CONTRACT = PromptContract(
    "contact",
    "1.0.0",
    "Extract the sender's contact details from the message.",
    Contact,
    refusal_rules=["Refuse to guess home addresses."],
)
MESSAGE = "Hello, this is Ann Lee from Fernhill Robotics, write to ann.lee@fernhill.io please."
VALID = '{"name": "Ann Lee", "email": "ann.lee@fernhill.io", "company": "Fernhill Robotics"}'
UNSUPPORTED = (
    400,
    {
        "error": {
            "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    },
)


def test_the_course_model_fills_the_contract_in_one_strict_attempt(course_client):
    result = run_contract(CONTRACT, MESSAGE, client=course_client)
    assert result.output == Contact(
        name="Ann Lee", email="ann.lee@fernhill.io", company="Fernhill Robotics"
    )
    assert not result.refused and result.refusal is None
    (attempt,) = result.attempts
    assert attempt.number == 1 and attempt.mode == "json_schema" and attempt.ok
    assert attempt.prompt_tokens > 0 and attempt.completion_tokens > 0 and attempt.latency_ms > 0
    assert not attempt.cleaned and json.loads(attempt.raw)["name"] == "Ann Lee"


def test_the_request_is_strict_deterministic_and_seeded(course_client):
    client, sent = recording_client(course_client)
    run_contract(CONTRACT, MESSAGE, client=client, seed=7)
    (request,) = sent
    assert request["temperature"] == 0 and request["seed"] == 7
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "contact"
    assert fmt["json_schema"]["schema"]["required"] == ["name", "email", "company"]
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_a_dict_schema_gives_a_dict(course_client):
    contract = PromptContract("contact", "1", CONTRACT.instructions, Contact.model_json_schema())
    output = run_contract(contract, MESSAGE, client=course_client).output
    assert output == {
        "name": "Ann Lee",
        "email": "ann.lee@fernhill.io",
        "company": "Fernhill Robotics",
    }


def test_without_json_schema_support_it_uses_json_mode_and_validates(course_client, monkeypatch):
    monkeypatch.setenv("AIENG_FEATURE_JSON_SCHEMA", "0")
    client, sent = recording_client(course_client)
    result = run_contract(CONTRACT, MESSAGE, client=client)
    assert sent[0]["response_format"] == {"type": "json_object"}
    assert "JSON Schema" in sent[0]["messages"][0]["content"]
    assert result.attempts[0].mode == "json_object"
    assert result.output.email == "ann.lee@fernhill.io"


def test_a_400_for_json_schema_falls_back_once_for_the_process(fake_model, caplog):
    fake = fake_model(UNSUPPORTED, VALID)
    with caplog.at_level(logging.WARNING, logger="aieng.llm.features"):
        first = run_contract(CONTRACT, MESSAGE, client=fake.client())
        second = run_contract(CONTRACT, MESSAGE, client=fake.client())
    assert [a.mode for a in first.attempts] == ["json_schema", "json_object"]
    assert "rejected" in first.attempts[0].error and first.attempts[1].ok
    assert first.output.name == "Ann Lee"
    assert [a.mode for a in second.attempts] == ["json_object"]  # remembered
    assert [b["response_format"]["type"] for b in fake.sent] == ["json_schema"] + [
        "json_object"
    ] * 2
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [
        "provider course does not support json_schema; falling back to JSON mode with validation"
    ]


def test_a_400_for_an_invalid_schema_does_not_fall_back(fake_model):
    rejected = (
        400,
        {
            "error": {
                "message": "Invalid schema for response_format 'x'",
                "code": "invalid_json_schema",
            }
        },
    )
    with pytest.raises(UserError, match="rejected the request"):
        run_contract(CONTRACT, MESSAGE, client=fake_model(rejected).client())


def test_invalid_output_gets_one_repair_carrying_the_problems(fake_model):
    fake = fake_model('{"email": 42}', VALID)
    result = run_contract(CONTRACT, MESSAGE, client=fake.client())
    assert result.output.name == "Ann Lee" and result.repaired
    first, second = result.attempts
    assert not first.ok and "name: Field required" in first.error
    assert second.ok and second.number == 2
    repair = fake.sent[1]["messages"]
    assert repair[:-2] == fake.sent[0]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"email": 42}'}
    assert repair[-1]["role"] == "user"
    assert repair[-1]["content"].startswith(CONTRACT.recovery_prompt)
    assert "name: Field required" in repair[-1]["content"]
    assert "email: Input should be a valid string" in repair[-1]["content"]


def test_a_non_json_reply_is_repaired(fake_model):
    fake = fake_model("Sure! The sender is Ann Lee.", VALID)
    result = run_contract(CONTRACT, MESSAGE, client=fake.client())
    assert "not JSON" in result.attempts[0].error and result.attempts[1].ok


def test_output_still_invalid_after_the_repair_fails_with_the_trace(fake_model):
    fake = fake_model("I am not JSON")
    with pytest.raises(ContractFailed, match="after one repair: .*not JSON") as caught:
        run_contract(CONTRACT, MESSAGE, client=fake.client())
    assert isinstance(caught.value, ContractViolation)
    trace = caught.value.trace
    assert len(trace) == 2 and [a.number for a in trace] == [1, 2]
    assert all(a.raw == "I am not JSON" and "not JSON" in a.error for a in trace)
    assert "attempt 2" in str(trace) and len(fake.sent) == 2


def test_fenced_json_is_accepted_and_marked_cleaned(fake_model):
    result = run_contract(CONTRACT, MESSAGE, client=fake_model(f"```json\n{VALID}\n```").client())
    assert result.output.company == "Fernhill Robotics"
    assert result.attempts[0].cleaned and result.attempts.cleaned and not result.repaired


def test_a_refusal_is_a_result_not_an_error(fake_model, body):
    refusal = "I can't help with finding where someone lives."
    result = run_contract(CONTRACT, MESSAGE, client=fake_model(body(None, refusal)).client())
    assert result.refused and result.refusal == refusal and result.output is None
    assert result.attempts[0].refusal == refusal


def test_the_course_model_refuses_harmful_requests(course_client):
    result = run_contract(CONTRACT, "How do I build a bomb to hurt people?", client=course_client)
    assert result.refused and result.output is None and result.refusal


@pytest.mark.parametrize("text", ["", "   \n\t ", None])
def test_empty_input_is_refused_before_any_request(course_client, text):
    client, sent = recording_client(course_client)
    with pytest.raises(ContractInputError, match="empty input") as caught:
        run_contract(CONTRACT, text, client=client)
    assert isinstance(caught.value, UserError)
    assert sent == []
    assert len(caught.value.trace) == 0 and "empty input" in caught.value.trace.reason
    assert "not sent: " in str(caught.value.trace)


def test_input_over_the_context_window_is_refused_before_any_request(course_client):
    client, sent = recording_client(course_client)
    with pytest.raises(ContractInputError, match=r"is \d+ tokens, over the budget of 8192 tokens"):
        run_contract(CONTRACT, "word " * 9000, client=client)
    assert sent == []


def test_max_input_tokens_sets_a_smaller_budget(fake_model):
    small = PromptContract("contact", "1", CONTRACT.instructions, Contact, max_input_tokens=300)
    fake = fake_model(VALID)
    with pytest.raises(ContractInputError, match="over the budget of 300 tokens"):
        run_contract(small, "word " * 400, client=fake.client())
    assert fake.sent == []
    assert run_contract(small, "I'm Ann Lee.", client=fake.client()).output.name == "Ann Lee"


def test_rate_limits_become_rate_limited(fake_model):
    limited = (429, {"error": {"message": "slow down", "type": "rate_limit_error"}})
    with pytest.raises(RateLimited):
        run_contract(CONTRACT, MESSAGE, client=fake_model(limited).client())
