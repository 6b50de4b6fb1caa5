"""Redaction: personal data replaced by a placeholder, everything else kept.

Each kind of personal data (names, emails, phones, addresses, personal ids,
IBANs and cards, dates of birth) is replaced; product, company and system
names, order ids and times stay. A schema field that asks for redacted text
gets the final input redacted with the placeholder its description names; a
plain request to redact gets the redacted text.
"""

from __future__ import annotations

import json

import pytest

from aieng.llm.catalog import course_models
from aieng.llm.course_model.engine import Task, respond
from aieng.llm.course_model.protocol import Message, ResponseFormat
from aieng.llm.course_model.skills.redact import placeholders, redact, wants_redaction

MODELS = course_models()
R = "[REDACTED]"


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("Reported by Dr. Hana Kim at 14:05 on the Fernhill Tug FT2-001877.",
         ["Hana", "Kim"], ["Dr.", "14:05", "Fernhill Tug", "FT2-001877"]),
        ("Tom said the SAP export failed twice; Tom restarted it.", ["Tom"], ["SAP export"]),
        ("Write to jan.devries@example.nl or call +31 6 1234 5678.",
         ["jan.devries@example.nl", "1234 5678"], ["Write to"]),
        ("Her US number is (415) 555-0132, office 020-555 1234.", ["555-0132", "555 1234"],
         ["Her US number"]),
        ("Ship it to 221B Baker Street, London for Lumen Bank.", ["221B Baker Street"],
         ["Lumen Bank"]),
        ("She lives at Keizersgracht 123, 1015 CJ Amsterdam.", ["Keizersgracht 123"], ["lives"]),
        ("Employee ID EMP-04417 filed ticket INC-20931.", ["EMP-04417"], ["INC-20931"]),
        ("Pay to IBAN NL91 ABNA 0417 1643 00 by Friday.", ["NL91 ABNA"], ["Friday"]),
        ("Patient born on 12/04/1985 came in on 2026-03-02.", ["12/04/1985"], ["2026-03-02"]),
        ("The tenant Maria Lopez (DOB 1990-05-03) rents flat 4B.", ["Maria Lopez", "1990-05-03"],
         ["flat 4B"]),
        ("Contact Priya Raman from Brightwave Solar about the Model X invoice.",
         ["Priya", "Raman"], ["Brightwave Solar", "Model X"]),
        ("Thanks for the quick fix!\n\nBest regards,\nSven Olsen", ["Sven", "Olsen"],
         ["quick fix"]),
        ("Ms Jansen called about Kubernetes. Later Jansen emailed again.", ["Jansen"],
         ["Kubernetes"]),
        ("SSN 123-45-6789 and card 4111 1111 1111 1111 were shared.", ["123-45-6789", "4111"],
         ["were shared"]),
    ],
)  # fmt: skip
def test_each_kind_of_personal_data_goes_and_the_rest_stays(text, gone, kept):
    out = redact(text)
    assert R in out
    for part in gone:
        assert part not in out, out
    for part in kept:
        assert part in out, out


def test_nothing_personal_means_nothing_changes():
    text = "The Fernhill Picker FP3-004512 stopped at 14:05; order ORD-104233 ships on 3 May."
    assert redact(text) == text


def test_placeholders_named_by_the_description():
    marks = placeholders("the note with names replaced by [NAME] and emails by [EMAIL]")
    out = redact("Ask Anna Berg (anna@berg.se) about it.", marks)
    assert out == "Ask [NAME] ([EMAIL]) about it."
    assert placeholders("personal data replaced by <PII>")[""] == "<PII>"
    assert wants_redaction("redacted_report") and wants_redaction("text", "anonymised text")
    assert not wants_redaction("report", "the report as written")


def task(user, fmt=None, system="You process incident reports.", shots=(), model="course-mini"):
    messages = [Message("system", system)]
    for question, answer in shots:
        messages += [Message("user", question), Message("assistant", answer)]
    messages.append(Message("user", user))
    response = ResponseFormat("json_schema", fmt, "report", True) if fmt else ResponseFormat("text")
    return Task(messages=tuple(messages), profile=MODELS[model], response_format=response)


REPORT = {
    "type": "object",
    "properties": {
        "system": {"type": "string"},
        "redacted_report": {
            "type": "string",
            "description": "the report with names, emails and phone numbers replaced by [REDACTED]",
        },
    },
    "required": ["system", "redacted_report"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("model", ["course-mini", "course-large"])
def test_a_schema_field_gets_the_final_input_redacted(model):
    user = ("<input>At 09:40 the Jira sync failed. Reported by Lena Fischer "
            "(lena.fischer@acme.io, +49 30 1234567).</input>")  # fmt: skip
    out = json.loads(respond(task(user, REPORT, model=model)).content)
    assert out["redacted_report"] == (
        "At 09:40 the Jira sync failed. Reported by [REDACTED] ([REDACTED], [REDACTED])."
    )


def test_few_shot_examples_do_not_leak_into_the_redacted_text():
    shots = [("<input>Bob Stone (bob@x.io) broke the build.</input>",
              '{"system": "CI", "redacted_report": "[REDACTED] ([REDACTED]) broke the build."}')]  # fmt: skip
    user = "<input>The VPN dropped for Karim Haddad at 16:20.</input>"
    out = json.loads(respond(task(user, REPORT, shots=shots)).content)
    assert out["redacted_report"] == "The VPN dropped for [REDACTED] at 16:20."


def test_a_plain_request_to_redact():
    user = "Redact the personal data in: Call Olga Petrova on 0612345678 about ticket T-881."
    reply = respond(task(user, system="You are a helpful assistant."))
    assert reply.content == "Call [REDACTED] on [REDACTED] about ticket T-881."
