"""The test doubles the labs use: scripted and recording clients."""

from __future__ import annotations

import openai
import pytest

from aieng.testing import recording_client, scripted_client, sequence_client


def test_scripted_client_replies_with_its_script():
    client = scripted_client("Paris [doc-1].")
    reply = client.chat.completions.create(model="x", messages=[{"role": "user", "content": "?"}])
    assert reply.choices[0].message.content == "Paris [doc-1]."


def test_scripted_client_answers_with_a_status_and_body():
    client = scripted_client(status=429, body={"error": {"message": "slow down"}})
    with pytest.raises(openai.RateLimitError, match="slow down"):
        client.chat.completions.create(model="x", messages=[{"role": "user", "content": "?"}])


def test_recording_client_keeps_every_request_body():
    from aieng.llm.course_model import BackgroundServer

    with BackgroundServer() as server:
        base = openai.OpenAI(base_url=server.url + "/v1", api_key="course", max_retries=0)
        client, sent = recording_client(base)
        client.chat.completions.create(
            model="course-mini", messages=[{"role": "user", "content": "Hello"}], temperature=0
        )
    assert [body["messages"][0]["content"] for body in sent] == ["Hello"]
    assert sent[0]["temperature"] == 0


def test_sequence_client_replies_in_order_and_keeps_requests():
    client, sent = sequence_client("first", (500, {"error": {"message": "boom"}}), "last")
    ask = {"model": "x", "messages": [{"role": "user", "content": "?"}]}
    assert client.chat.completions.create(**ask).choices[0].message.content == "first"
    with pytest.raises(openai.InternalServerError, match="boom"):
        client.chat.completions.create(**ask)
    assert client.chat.completions.create(**ask).choices[0].message.content == "last"
    assert client.chat.completions.create(**ask).choices[0].message.content == "last"
    assert len(sent) == 4 and sent[0]["messages"][0]["content"] == "?"
    with pytest.raises(ValueError):
        sequence_client()
