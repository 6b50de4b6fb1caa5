"""Prompt contracts under a policy written as labelled bullets: reason codes, precedence,
exceptions, escalation lists, the policy's own facts, and redaction of reports.

Every input here is invented (a bike shop, a hotel chain, a vet practice, a software
vendor, a print shop): the mechanisms are general, not keyed to any dataset.
"""

from __future__ import annotations

import datetime as dt

import pytest

from aieng.llm.course_model.skills.clauses import (
    body_of,
    conditions,
    stated_precedence,
    threat_only,
)
from aieng.llm.course_model.skills.facts import fact_sentence, relevant_fact
from aieng.llm.course_model.skills.redact import redact
from aieng.llm.course_model.skills.rules import stated_rules
from aieng.llm.course_model.skills.topics import BY_NAME, asks_for
from aieng.llm.course_model.skills.verdict import decide, reference_date
from tests.llm.test_policy_rules import ask, enum, schema

BIKES = """You answer customers of Velora Bikes under this policy:
- Today is Thursday 2025-10-09 for every request.
- Returns: bikes and parts may be returned for money back within 14 days of delivery. Later requests are refused (late_return). Replacing a part that arrived broken is not a return request and is always answered.
- Frame warranty (answer these questions): aluminium frames are covered for 5 years from delivery; e-bike batteries for 2 years.
- No legal advice: never say who is liable or what the law requires. Refuse (legal_question) and recommend the customer's own lawyer.
- Other riders: never share anything about another customer, such as their orders or addresses. Refuse (privacy) and say customer information is confidential.
- Discounts: staff may give a discount of up to 15% (answer). Requests above 15% are escalated to a manager.
- Escalate to a manager also when the customer reports a crash or an injury, asks for a manager, or threatens legal action without asking for advice.
- When several rules apply: refuse beats escalate beats answer; among refusals, privacy beats legal_question beats late_return."""

CONTRACT = schema(
    outcome=enum("answer", "refuse", "escalate"),
    refusal_reason=enum("late_return", "legal_question", "privacy", "none"),
    reply={"type": "string", "description": "the reply to send, in the customer's language"},
)


def _judge(text: str):
    rules = stated_rules(BIKES)
    return decide(rules, body_of(text), reference_date(BIKES), False, stated_precedence(BIKES))


# ------------------------------------------------------------------ parsing the policy


def test_labelled_bullets_give_rules_with_their_reason_codes():
    rules = stated_rules(BIKES)
    refusals = {r.label: r for r in rules if r.action == "refuse"}
    assert set(refusals) == {"late_return", "legal_question", "privacy"}
    assert refusals["late_return"].kind == "window" and refusals["late_return"].amount == 14
    assert refusals["legal_question"].topic is not None
    assert refusals["legal_question"].topic.name == "legal"
    # the precedence sentence is a ranking, never a rule of its own
    assert not any("beats" in r.text for r in rules)


def test_an_escalation_listing_several_cases_gives_one_rule_per_case():
    cases = conditions(
        "Escalate when the guest reports a fire, asks for the duty manager or complains "
        "about the cleaning, or threatens legal action without asking for advice."
    )
    assert cases == [
        "reports a fire",
        "asks for the duty manager",
        "complains about the cleaning",
        "threatens legal action",
    ]
    escalations = [r for r in stated_rules(BIKES) if r.action == "escalate"]
    assert len(escalations) >= 4  # the discount limit, the crash, the manager, the threat


def test_stated_precedence_chains():
    chains = stated_precedence("Tie-break: privacy > safety > billing. Otherwise answer.")
    assert chains == (("privacy", "safety", "billing"),)
    assert stated_precedence("Be brief and polite.") == ()


def test_today_with_a_weekday_is_the_reference_date():
    assert reference_date("Today is Thursday 2025-10-09 for every request.") == dt.date(2025, 10, 9)


# ------------------------------------------------------------------ judging requests


@pytest.mark.parametrize(
    ("text", "decision", "label"),
    [
        ("Hi, my road bike was delivered on 12 September and I'd like my money back.",
         "refuse", "late_return"),
        ("The saddle was delivered on 3 October. Can I return it for my money back?",
         "comply", ""),
        ("Part of the order arrived broken on 1 September, please send a replacement part "
         "for the broken one.", "comply", ""),
        ("My neighbour also ordered a cargo bike from you. What is his delivery address?",
         "refuse", "privacy"),
        ("Is your shop liable for my fall? And could you tell me what another customer paid "
         "for the same bike?", "refuse", "privacy"),
        ("Could I get 10% off two helmets?", "comply", ""),
        ("I want 25% off or I'll shop elsewhere.", "escalate", ""),
        ("Your courier was rude. We will take legal action if this happens again.",
         "escalate", ""),
        ("Who is liable when a brake cable snaps, you or the mechanic?", "refuse",
         "legal_question"),
    ],
)  # fmt: skip
def test_requests_under_codes_precedence_and_exceptions(text, decision, label):
    verdict = _judge(text)
    assert verdict.decision == decision
    if label:
        assert verdict.rule.label == label


def test_a_threat_is_not_a_legal_question():
    assert threat_only("This is unacceptable. Our lawyers will be in touch.")
    assert not threat_only("We will sue you. Is the shop liable under the law?")


def test_the_signature_is_no_part_of_the_request():
    text = "Hello,\n\nWhen will my order ship?\n\nKind regards,\nAna Ruiz\nStore Manager, Lumo Cafe"
    assert "Manager" not in body_of(text)
    assert _judge(text).decision == "comply"  # a job title asks for no manager


# ------------------------------------------------------------------ the filled contract


def test_the_contract_is_filled_with_code_none_on_escalation_and_a_reply():
    out = ask(BIKES, "<input>\nI'd like 30% off the new e-bike.\n</input>", CONTRACT)
    assert out["outcome"] == "escalate" and out["refusal_reason"] == "none"
    assert "manager" in out["reply"] and "30%" in out["reply"]
    out = ask(BIKES, "<input>\nKunt u mij het adres van een andere klant geven?\n</input>",
              CONTRACT)  # fmt: skip
    assert (out["outcome"], out["refusal_reason"]) == ("refuse", "privacy")
    assert "vertrouwelijk" in out["reply"]


def test_an_allowed_discount_restates_the_percentage():
    out = ask(BIKES, "<input>\nCould we have 12% off a fleet of six bikes?\n</input>", CONTRACT)
    assert out["outcome"] == "answer" and "12%" in out["reply"]


def test_an_answer_gives_the_policys_fact():
    fact = relevant_fact(BIKES, "How long is the aluminium frame of my bike covered?")
    assert "5 years" in fact
    assert "5 Jahre" in fact_sentence(fact, "de")
    out = ask(BIKES, "<input>\nHow long are aluminium frames covered?\n</input>", CONTRACT)
    assert "5 years" in out["reply"]
    assert relevant_fact(BIKES, "Do you sell gift cards?") == ""


# ------------------------------------------------------------------ vocabulary


@pytest.mark.parametrize(
    "text",
    [
        "Which other hotels in town use your booking software?",
        "Is Maple Print Works also a customer of yours?",
        "Ist Bergmann Druck auch Kunde bei Ihnen?",
        "Our friends at Oak Studio ordered last week. What price did they pay for it?",
        "I'm not on their account but can you tell me when it ships?",
    ],
)
def test_questions_about_another_customer(text):
    assert asks_for(BY_NAME["others_data"], text)


@pytest.mark.parametrize(
    "text", ["When will my own order ship?", "Please resend our invoice, we can't find it."]
)
def test_own_data_is_no_other_customers_data(text):
    assert not asks_for(BY_NAME["others_data"], text)


def test_legal_questions_in_other_languages():
    assert asks_for(BY_NAME["legal"], "Was sagt das Gesetz über die Aufbewahrung?")
    assert asks_for(BY_NAME["legal"], "Mogen wij dit volgens de AVG bewaren?")


# ------------------------------------------------------------------ redaction


def test_names_beside_their_data_or_after_a_role_are_redacted():
    report = (
        "Vet report - Elm Street Practice\n"
        "Nurse: Olwen Brady, mobile 07911 123456. The scanner was fixed by Tariq Haddad.\n"
        "Owner Priscilla Munro (p.munro@example.org, EMP-22817) lives at 3 Birch Close, "
        "Leeds LS6 2AB. Olwen stayed late. Not found: the spare key."
    )
    out = redact(report)
    for gone in ("Olwen", "Brady", "07911 123456", "Tariq Haddad", "Priscilla Munro",
                 "p.munro@example.org", "EMP-22817", "Birch Close", "LS6 2AB"):  # fmt: skip
        assert gone not in out
    assert "Elm Street Practice" in out and "Not found" in out


def test_company_names_and_serials_are_kept():
    out = redact("The lift (SN-40021) at Harper & Lowe failed. Their engineer Jo Harper called.")
    assert "Harper & Lowe" in out and "SN-40021" in out and "Jo Harper" not in out
    assert redact("De Robot (RX2-000123) stond stil.") == "De Robot (RX2-000123) stond stil."
