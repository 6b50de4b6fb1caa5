"""Grounded answers: citations resolve to retrieved chunks, weak retrieval declines, rewrites."""

from __future__ import annotations

import dataclasses

import openai
import pytest

from aieng.llm.course_model import BackgroundServer
from aieng.rag import grounded_answer, rewrite_query
from aieng.rag.answer import NOT_IN_DOCUMENTS, parse_answer, passage_line


@pytest.fixture(scope="module")
def password_results(retriever):
    results = retriever.search("How long must a password be?", k=3, groups={"everyone"})
    assert results[0].chunk.doc_id == "ITD-PWD-2"
    return results


def test_citations_resolve_to_the_retrieved_chunks(scripted_client, password_results):
    first = password_results[0].chunk.id
    client = scripted_client(f"Passwords must be at least 16 characters long [{first}].")
    answer = grounded_answer(client, "How long must a password be?", password_results)
    assert answer.citations == (first,) and not answer.declined and not answer.flagged
    assert answer.sources == (password_results[0],)
    assert answer.text == f"Passwords must be at least 16 characters long [{first}]."
    request = client.requests[0]
    assert request["model"] == "course-mini"  # model("chat-small") on the course provider
    prompt = request["messages"][-1]["content"]
    lines = prompt.splitlines()
    for result in password_results:  # one line per passage: [chunk-id] text
        assert f"[{result.chunk.id}] {passage_line(result.chunk.text)}" in lines
    assert f"[{first}] Password policy. Length and complexity. University account" in prompt
    assert prompt.rstrip().endswith("How long must a password be?")


def test_citations_to_anything_else_are_dropped_and_flagged(scripted_client, password_results):
    one, two = password_results[0].chunk.id, password_results[1].chunk.id
    reply = f"Use 16 characters [{one}][ITD-BUDGET#0] and no expiry [ITD-SRV#1, {two}] [7]."
    answer = grounded_answer(scripted_client(reply), "q", password_results)
    assert answer.citations == (one, two)
    assert answer.unresolved == ("ITD-BUDGET#0", "ITD-SRV#1", "7") and answer.flagged
    assert answer.text == f"Use 16 characters [{one}] and no expiry [{two}]."
    assert {s.chunk.id for s in answer.sources} == {one, two}


def test_passage_lines_read_as_prose():
    text = "# Loans\n\n## Period\n- Four hours.\n- Late: 7-day ban\n1. Return to a locker"
    assert passage_line(text) == "Loans. Period. Four hours. Late: 7-day ban Return to a locker"
    assert passage_line("## Why?\nBecause.") == "Why? Because."


def test_prose_in_brackets_and_links_are_not_citations(password_results):
    text = "See [the portal](https://example.org) [as noted above] for details."
    answer = parse_answer(text, password_results)
    assert answer.text == text and answer.citations == () and not answer.flagged


def test_weak_retrieval_declines_without_calling_the_model(scripted_client, password_results):
    client = scripted_client()
    weak = [dataclasses.replace(r, dense_score=0.05) for r in password_results]
    for results in ([], weak):
        answer = grounded_answer(client, "What is the capital of France?", results)
        assert answer.declined and answer.text == NOT_IN_DOCUMENTS and answer.citations == ()
    assert client.requests == []
    # the threshold is a parameter
    answer = grounded_answer(scripted_client("Ok [x]."), "q", weak, min_score=0.0)
    assert not answer.declined or answer.flagged


def test_unrelated_questions_are_weak_on_the_real_index(retriever, scripted_client):
    results = retriever.search("What is the boiling point of mercury?", k=5, groups={"everyone"})
    client = scripted_client()
    assert grounded_answer(client, "What is the boiling point of mercury?", results).declined
    assert client.requests == []


@pytest.mark.parametrize(
    "reply",
    [
        NOT_IN_DOCUMENTS,
        "Sorry, that information is not in the provided documents.",
        "I can't answer that from these passages.",
        "",
    ],
)
def test_a_model_decline_is_recognised(scripted_client, password_results, reply):
    answer = grounded_answer(scripted_client(reply), "q", password_results)
    assert answer.declined and answer.citations == ()


def test_an_answer_that_cites_is_not_a_decline(password_results):
    cid = password_results[0].chunk.id
    answer = parse_answer(
        f"The policy does not mention symbols; length is 16 [{cid}].", password_results
    )
    assert not answer.declined and answer.citations == (cid,)


def test_rewrite_query_uses_the_reply_or_falls_back(scripted_client):
    client = scripted_client('Query: "minimum password length"\nextra remark', "", "x" * 500)
    question = "hi! so how long does my password need to be?"
    assert rewrite_query(client, question) == "minimum password length"
    assert rewrite_query(client, question) == question
    assert rewrite_query(client, question) == question
    assert client.requests[0]["messages"][-1]["content"] == question
    assert client.requests[0]["model"] == "course-mini"


def test_grounded_answer_through_the_course_model(retriever):
    """The offline course model answers over our passages; whatever its wording, the
    answer either declines or cites only the retrieved chunks."""
    question = "How long is a laptop loan?"
    results = retriever.search(question, k=4, groups={"students", "everyone"})
    with BackgroundServer() as server:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="course", max_retries=0)
        answer = grounded_answer(client, question, results)
        rewritten = rewrite_query(client, question)
    assert not answer.flagged
    assert answer.declined or answer.citations
    assert set(answer.citations) <= {r.chunk.id for r in results}
    assert isinstance(rewritten, str) and rewritten.strip()
