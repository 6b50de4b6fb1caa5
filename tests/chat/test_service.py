"""The chat service end to end over HTTP, on a real uvicorn loopback server.

Streaming as server-sent events, persistence when the reply ends, validation
errors as 422 with the rule's message, and a client that leaves mid-stream.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from aieng.chat import ConversationStore


def events(response: httpx.Response) -> list[tuple[str, dict]]:
    """Parse a server-sent event stream into (event, data) pairs."""
    parsed, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and name:
            parsed.append((name, json.loads("".join(data))))
            name, data = None, []
    return parsed


def send(url: str, conversation_id: str, content) -> list[tuple[str, dict]]:
    with httpx.stream(
        "POST",
        f"{url}/api/conversations/{conversation_id}/messages",
        json={"content": content},
        timeout=60,
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return events(response)


@pytest.fixture
def chat(make_chat):
    return make_chat("course-mini")


def test_conversation_crud(chat):
    created = httpx.post(f"{chat.url}/api/conversations", json={"title": "Dock 7"})
    assert created.status_code == 201
    chat_id = created.json()["id"]
    assert httpx.post(f"{chat.url}/api/conversations").status_code == 201  # body optional
    listed = httpx.get(f"{chat.url}/api/conversations").json()
    assert chat_id in [c["id"] for c in listed]
    renamed = httpx.patch(f"{chat.url}/api/conversations/{chat_id}", json={"title": "Dock 8"})
    assert renamed.json()["title"] == "Dock 8"
    assert httpx.delete(f"{chat.url}/api/conversations/{chat_id}").status_code == 204
    assert httpx.get(f"{chat.url}/api/conversations/{chat_id}").status_code == 404


def test_a_reply_streams_token_by_token_and_is_saved(chat):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    question = "Our Picker FP3-004512 keeps dropping totes on aisle 4"
    stream = send(chat.url, chat_id, question)
    names = [name for name, _ in stream]
    assert names[0] == "start" and names[-1] == "done"
    assert set(names[1:-1]) == {"token"}
    assert names.count("token") > 3  # streamed in pieces, not one blob
    assert stream[0][1]["message"]["content"] == question
    text = "".join(data["text"] for name, data in stream if name == "token")
    done = stream[-1][1]
    assert done["message"]["content"] == text and text
    assert done["message"]["status"] == "complete"
    assert done["usage"]["completion_tokens"] > 0 and done["usage"]["prompt_tokens"] > 0

    history = httpx.get(f"{chat.url}/api/conversations/{chat_id}").json()
    assert [(m["role"], m["content"]) for m in history["messages"]] == [
        ("user", question),
        ("assistant", text),
    ]
    assert history["title"] == question  # the first message names a new conversation
    # The file holds it too: a new store object (a restarted service) reads it back.
    reopened = ConversationStore(chat.path)
    assert [m.content for m in reopened.load(chat_id).messages] == [question, text]
    reopened.close()


def test_the_history_goes_to_the_model(chat):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    send(chat.url, chat_id, "first question")
    send(chat.url, chat_id, "second question")
    messages = httpx.get(f"{chat.url}/api/conversations/{chat_id}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert [m["position"] for m in messages] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"content": ""}, "empty"),
        ({"content": " \n\t "}, "empty"),
        ({"content": "hi\x00there"}, "control character (U+0000) at position 2"),
        ({"content": "pay \u202e0001$"}, "bidirectional override"),
        ({"content": "x" * 8001}, "limit is 8000"),
        ({"content": 42}, "content must be text"),
        ({"content": None}, "content must be text"),
        ({"content": ["a", "b"]}, "content must be text"),
        ({}, "content is required"),
        ({"content": "hi", "role": "system"}, "role is not a field this accepts"),
        ([1, 2], "JSON object"),
    ],
)
def test_invalid_messages_get_422_with_the_rule(chat, body, says):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    response = httpx.post(f"{chat.url}/api/conversations/{chat_id}/messages", json=body)
    assert response.status_code == 422
    assert says in response.json()["detail"]
    assert httpx.get(f"{chat.url}/api/conversations/{chat_id}").json()["messages"] == []


def test_a_body_that_is_not_json_gets_422(chat):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    response = httpx.post(
        f"{chat.url}/api/conversations/{chat_id}/messages",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_a_huge_body_is_refused_before_it_is_parsed(chat):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    response = httpx.post(
        f"{chat.url}/api/conversations/{chat_id}/messages", json={"content": "z" * 3_000_000}
    )
    assert response.status_code == 413
    assert "limit is" in response.json()["detail"]


def test_unknown_conversation_is_404(chat):
    response = httpx.post(
        f"{chat.url}/api/conversations/no-such-id/messages", json={"content": "hi"}
    )
    assert response.status_code == 404
    assert "no conversation has id" in response.json()["detail"]


def test_over_the_token_budget_is_422(make_chat):
    chat = make_chat("course-mini", reply_tokens=8000)  # leaves 192 tokens of the 8192
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    response = httpx.post(
        f"{chat.url}/api/conversations/{chat_id}/messages", json={"content": "pallet " * 400}
    )
    assert response.status_code == 422
    assert "context window of 8192 tokens" in response.json()["detail"]
    assert "start a new conversation" in response.json()["detail"]


def test_a_client_leaving_mid_stream_keeps_the_partial_reply(make_chat):
    chat = make_chat("course-large")  # streams at a few ms per token
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    long_question = " ".join(f"crate{i}" for i in range(700))  # ~6,000 characters
    received = []
    with httpx.stream(
        "POST",
        f"{chat.url}/api/conversations/{chat_id}/messages",
        json={"content": long_question},
        timeout=60,
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data:") and '"text"' in line:
                received.append(json.loads(line[5:])["text"])
                if len(received) == 5:
                    break  # leaving the block closes the connection mid-stream

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        messages = chat.store.load(chat_id).messages
        if len(messages) == 2:
            break
        time.sleep(0.05)
    assert [m.role for m in messages] == ["user", "assistant"]
    partial = messages[1]
    assert partial.status == "interrupted"
    assert partial.content.startswith("".join(received))
    assert len(partial.content) < len(long_question)  # not the whole reply
    # the conversation goes on afterwards
    after = send(chat.url, chat_id, "are you still there?")
    assert after[-1][0] == "done"
    assert [m.position for m in chat.store.load(chat_id).messages] == [0, 1, 2, 3]


def test_triage_rejects_bad_input_with_422(chat):
    for body, says in [
        ({"message": ""}, "empty"),
        ({"message": "\x1b[2J"}, "control character"),
        ({"text": "hi"}, "message is required"),
    ]:
        response = httpx.post(f"{chat.url}/api/triage", json=body)
        assert response.status_code == 422
        assert says in response.json()["detail"]


def test_triage_returns_the_triage_json(chat):
    response = httpx.post(
        f"{chat.url}/api/triage",
        json={"message": "Tug FT2-001877 stopped with error E-214 and our outbound line is down."},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"category", "urgency", "summary", "order_id", "serial_number"}
    assert body["category"] == "technical"
    assert body["urgency"] == "high"
    assert body["serial_number"] == "FT2-001877"


def test_the_page_and_health(chat):
    page = httpx.get(chat.url + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "getReader" in page.text  # renders the stream as it arrives
    assert httpx.get(chat.url + "/api/health").json() == {
        "service": "aieng-chat",
        "model": "course-mini",
        "status": "ok",
    }


def test_search_endpoint(chat):
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={"title": "Zebra crossing"}).json()[
        "id"
    ]
    hits = httpx.get(f"{chat.url}/api/search", params={"q": "zebra"}).json()
    assert [h["conversation_id"] for h in hits] == [chat_id]
    assert httpx.get(f"{chat.url}/api/search", params={"q": " "}).status_code == 422


def test_the_cli_has_a_chat_command():
    from aieng.cli import build_parser

    args = build_parser().parse_args(["chat", "--port", "9001", "--db", "x.sqlite3"])
    assert (args.command, args.port, args.db, args.host) == ("chat", 9001, "x.sqlite3", "127.0.0.1")
    assert args.run.__name__ == "_chat"


def test_a_failing_model_ends_the_stream_with_an_error_event(make_chat):
    chat = make_chat("no-such-model")
    chat_id = httpx.post(f"{chat.url}/api/conversations", json={}).json()["id"]
    stream = send(chat.url, chat_id, "hello?")
    assert [name for name, _ in stream] == ["start", "error"]
    assert "404" in stream[1][1]["detail"]
    assert [m.role for m in chat.store.load(chat_id).messages] == ["user"]  # no empty reply saved
