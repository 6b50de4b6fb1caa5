"""Prompt contracts on messy documents: line items, totals, transcripts, triage, times.

Each case is a text of our own (a bakery, a law firm, a city council, a game
studio, a hospital...) and a schema with its own field names; the checks are
what a careful reader takes from the text. Most run in-process on a ``Task``;
a few go end to end through the official client's ``parse()`` on both models.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from aieng.llm.catalog import course_models
from aieng.llm.course_model.engine import Task
from aieng.llm.course_model.protocol import Message, ResponseFormat
from aieng.llm.course_model.skills.calendar import clock_time, header_date
from aieng.llm.course_model.skills.dialogue import action_items, decisions
from aieng.llm.course_model.skills.entities import analyse
from aieng.llm.course_model.skills.extract import fill_schema
from aieng.llm.course_model.skills.inputs import unwrap
from aieng.llm.course_model.skills.records import line_rows

MODELS = course_models()


def strict(model: type[BaseModel]) -> dict:
    from openai.lib._pydantic import to_strict_json_schema

    return to_strict_json_schema(model)


def run(model, user, system="", shots=(), name="course-mini"):
    messages = [Message("system", system)] if system else []
    for question, answer in shots:
        messages += [Message("user", question), Message("assistant", json.dumps(answer))]
    messages.append(Message("user", user))
    task = Task(
        messages=tuple(messages),
        profile=MODELS[name],
        response_format=ResponseFormat("json_schema", strict(model), model.__name__, True),
    )
    return json.loads(fill_schema(task).content)


# ---------------------------------------------------------------- money documents


class Line(BaseModel):
    description: str
    quantity: float
    unit_price: float
    amount: float


class Invoice(BaseModel):
    vendor: str
    invoice_number: str | None
    invoice_date: str | None = Field(description="ISO date")
    due_date: str | None = Field(description="ISO date")
    currency: str = Field(description="ISO 4217 code")
    line_items: list[Line]
    subtotal: float | None
    tax: float | None
    total: float | None


BAKERY = """---------- Forwarded message ---------
From: Ines Moreau <ines@moreau-events.fr>

Boulangerie Petit Four SAS
Facture / Invoice F-2291
Date: 5. März 2026
Bill to: Moreau Events
Baguette tradition    40    1,10    44,00
Pain au chocolat      60    1,35    81,00
Sous-total 125,00
TVA 5,5% 6,88
Total 131,88 EUR"""

LAW_FIRM = """Hale & Ortiz LLP
Invoice #HO-7781   Issued 2026-02-27   Payment due 03/29/2026
Client: Pinecrest Holdings Inc
Contract review 3.5 hours at $300.00/hour = $1,050.00
Court filing fee $120.00
Subtotal $1,170.00
Sales tax $0.00
Balance due $1,170.00"""


def test_invoice_rows_totals_currency_and_issuer_in_a_table_layout():
    out = run(Invoice, f"<invoice>\n{BAKERY}\n</invoice>", "Extract the invoice fields.")
    assert out["vendor"] == "Boulangerie Petit Four SAS"
    assert out["currency"] == "EUR"
    assert out["invoice_date"] == "2026-03-05"
    assert [(i["description"], i["quantity"], i["unit_price"], i["amount"])
            for i in out["line_items"]] == [("Baguette tradition", 40, 1.1, 44),
                                            ("Pain au chocolat", 60, 1.35, 81)]  # fmt: skip
    assert (out["subtotal"], out["tax"], out["total"]) == (125, 6.88, 131.88)


def test_invoice_with_hours_and_dollars_ignores_the_client_and_summary_rows():
    out = run(Invoice, LAW_FIRM, "Extract the invoice fields.")
    assert out["vendor"] == "Hale & Ortiz LLP"
    assert out["currency"] == "USD"
    assert out["due_date"] == "2026-03-29"
    assert [i["description"] for i in out["line_items"]] == ["Contract review", "Court filing fee"]
    first = out["line_items"][0]
    assert (first["quantity"], first["unit_price"], first["amount"]) == (3.5, 300, 1050)
    assert (out["subtotal"], out["tax"], out["total"]) == (1170, 0, 1170)


class Purchase(BaseModel):
    item: str
    qty: int
    line_total: float = Field(description="quantity times price")


class ShopReceipt(BaseModel):
    store: str
    purchases: list[Purchase]
    grand_total: float
    currency: Literal["EUR", "USD", "GBP"]


def test_receipt_with_renamed_fields_and_a_pound_sign():
    text = (
        "GREENLEAF GROCERS\nOat milk x2 £3.60\n1 Sourdough £4.20\nApples 1.95\n"
        "TOTAL £9.75\nCard £9.75\nThank you!"
    )
    out = run(ShopReceipt, text)
    assert out["store"] == "GREENLEAF GROCERS"
    assert out["currency"] == "GBP"
    assert [(p["item"], p["qty"], p["line_total"]) for p in out["purchases"]] == [
        ("Oat milk", 2, 3.6),
        ("Sourdough", 1, 4.2),
        ("Apples", 1, 1.95),
    ]
    assert out["grand_total"] == 9.75


def test_a_text_that_is_no_invoice_has_no_items_and_null_totals():
    text = "Hi team, the council meeting moved to the small hall. Bring the parking survey."
    out = run(Invoice, text, "Extract the invoice fields.")
    assert out["line_items"] == []
    assert out["subtotal"] is None and out["tax"] is None and out["total"] is None


def test_line_rows_skip_headers_dates_and_summaries():
    rows = line_rows(
        "Order placed on March 3, 2026 by dana@shop.io\nItem | Unit price | Qty | Total\n"
        "Dice set | 12.00 | 3 | 36.00\nDiscount 5.00\nTotal 31.00"
    )
    assert [(r.description, r.quantity, r.unit_price, r.amount) for r in rows] == [
        ("Dice set", 3, 12.0, 36.0)
    ]


# ---------------------------------------------------------------- transcripts


class Task_(BaseModel):
    action: str
    assignee: str | None
    deadline: str | None = Field(description="ISO date or null")


class Minutes(BaseModel):
    summary: str
    decisions: list[str]
    tasks: list[Task_]


STUDIO = """Sprint review - 2026-05-11 (Monday)
Marek: we decided to cut the co-op mode from the demo.
Marek: Jun, could you fix the save-game bug before Thursday?
Jun: sorry, I'm out this week.
Sofia: I'll take it.
Marek: Action: Sofia to write the patch notes by end of month.
Jun: I will record the trailer voice-over tomorrow."""


def test_transcript_owners_dates_and_a_reassigned_task():
    out = run(Minutes, STUDIO, "Turn the transcript into minutes.")
    assert out["tasks"] == [
        {"action": "fix the save-game bug", "assignee": "Sofia", "deadline": "2026-05-14"},
        {"action": "write the patch notes", "assignee": "Sofia", "deadline": "2026-05-31"},
        {"action": "record the trailer voice-over", "assignee": "Jun", "deadline": "2026-05-12"},
    ]
    assert out["decisions"] == ["Cut the co-op mode from the demo"]
    assert "co-op" in out["summary"] and "Sofia" in out["summary"]


def test_transcript_without_commitments_has_no_action_items():
    text = (
        "Ward meeting 12 January 2026\nDr Okafor: the night shift was quiet.\n"
        "Nurse Patel: agreed, bed occupancy is down.\nDr Okafor: we decided to keep the rota."
    )
    assert action_items(text, header_date(text)) == []
    assert decisions(text) == ["Keep the rota"]


def test_header_dates_and_due_phrases():
    assert header_date("Council planning call, 3 June 2026\nLee: hi\nMo: hi") == dt.date(2026, 6, 3)
    today = dt.date(2026, 6, 3)  # a Wednesday
    dates = {t: analyse(t, today).of("date")[0].value for t in
             ("by Friday", "tomorrow", "end of month", "end of the week", "in 2 weeks")}  # fmt: skip
    assert dates == {"by Friday": "2026-06-05", "tomorrow": "2026-06-04",
                     "end of month": "2026-06-30", "end of the week": "2026-06-05",
                     "in 2 weeks": "2026-06-17"}  # fmt: skip


# ---------------------------------------------------------------- triage


class Triage(BaseModel):
    queue: Literal["billing", "delivery", "defect", "other"]
    priority: Literal["p1", "p2", "p3"]
    escalate: bool = Field(
        description="true when legal threat, cancellation threat, safety risk or injury, "
        "security breach, escalation to management, or asking explicitly for a person"
    )
    sentiment: Literal["positive", "neutral", "negative"]


TRIAGE_RULES = (
    "You sort messages for a garden-tools shop.\n"
    "Queues: billing = charges, refunds, invoices; delivery = courier, tracking, lost parcels; "
    "defect = broken, faulty or damaged tools; other = anything else.\n"
    "Priority: p1 = safety risk, injury, legal threat; p2 = tool unusable, parcel lost; "
    "p3 = questions, feedback."
)


@pytest.mark.parametrize(
    ("text", "queue", "escalate"),
    [
        ("The hedge trimmer blade snapped and cut my hand. I'm speaking to my solicitor.",
         "defect", True),
        ("You charged my card twice for the rake, please refund one.", "billing", False),
        ("Tracking says my parcel was delivered but it never came. I want to talk to a manager.",
         "delivery", True),
    ],
)  # fmt: skip
def test_labels_and_booleans_defined_by_conditions(text, queue, escalate):
    out = run(Triage, f'"""{text}"""', TRIAGE_RULES)
    assert (out["queue"], out["escalate"], out["sentiment"]) == (queue, escalate, "negative")


def test_priority_follows_the_definitions():
    out = run(Triage, "The mower caught fire on first use and my son got burned.", TRIAGE_RULES)
    assert out["priority"] == "p1" and out["escalate"] is True


# ---------------------------------------------------------------- incidents and times


class Incident(BaseModel):
    title: str
    started_at: str = Field(description="Start time as HH:MM")
    systems: list[Literal["ehr", "pharmacy", "lab", "scheduling"]]
    customer_impact: bool


def test_incident_time_title_and_systems():
    text = (
        "At 2.30pm the EHR and the lab interface stopped syncing for 25 minutes; "
        "nurses could not see results."
    )
    out = run(Incident, text)
    assert out["started_at"] == "14:30"
    assert out["title"].startswith("The EHR and the lab interface stopped syncing")
    assert out["systems"] == ["ehr", "lab"]


def test_a_clock_time_asked_for_in_the_prompt_line_of_its_field():
    class Outage(BaseModel):
        summary: str
        began: str

    system = 'Structure the outage note.\nFields:\n- began: when it began, 24-hour "HH:MM".'
    out = run(Outage, "Pumps at the pool tripped at 7.45pm and came back an hour later.", system)
    assert out["began"] == "19:45"


def test_clock_times():
    assert clock_time("Alarm raised around 9, cleared at 10:40") == "09:00"
    assert clock_time("between 3 servers") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12 maart 2026", "2026-03-12"),
        ("le 3 avril 2026", "2026-04-03"),
        ("5 de mayo de 2026", "2026-05-05"),
        ("1. Dezember 2026", "2026-12-01"),
        ("Invoice date 03/04/2026, total £12.00", "2026-04-03"),
        ("Due 03/04/2026, total $12.00", "2026-03-04"),
        ("03/04/2026 and 25/04/2026", "2026-04-03"),
    ],
)
def test_dates_in_several_languages_and_day_first_by_context(text, iso):
    assert analyse(text).of("date")[0].value == iso


# ---------------------------------------------------------------- few-shot and delimiters


class Ticket(BaseModel):
    topic: Literal["access", "hardware", "other"]
    requester: str | None


SHOTS = [
    ("<ticket>Kiosk printer in the lobby jams on every pass</ticket>",
     {"topic": "other", "requester": None}),
    ("<ticket>Hi, Bea Lund here: my badge stopped opening the lab door</ticket>",
     {"topic": "access", "requester": "Bea Lund"}),
]  # fmt: skip


def test_examples_do_not_leak_into_the_final_input():
    out = run(Ticket, "<ticket>the laptop screen flickers constantly</ticket>", "Triage.", SHOTS)
    assert out["requester"] is None


def test_a_look_alike_input_gets_the_examples_label():
    out = run(Ticket, "<ticket>kiosk printer in the lobby jams on every pass!</ticket>", "", SHOTS)
    assert out["topic"] == "other"


def test_unwrap_keeps_inline_markup():
    assert unwrap("Text: <b>bold</b> and more") == "Text: <b>bold</b> and more"
    assert unwrap("Go.\n'''\nBook 2 rooms\n'''") == "Book 2 rooms"


# ---------------------------------------------------------------- end to end


@pytest.mark.parametrize("model", ["course-mini", "course-large"])
def test_parse_end_to_end_on_both_models(client, model):
    reply = client.chat.completions.parse(
        model=model,
        messages=[
            {"role": "developer", "content": "Extract the invoice. Amounts as numbers."},
            {"role": "user", "content": f"<input>\n{LAW_FIRM}\n</input>"},
        ],
        response_format=Invoice,
    )
    invoice = reply.choices[0].message.parsed
    assert invoice.vendor == "Hale & Ortiz LLP" and invoice.total == 1170
    assert len(invoice.line_items) == 2


class Complaint(BaseModel):
    product: str | None
    order_id: str | None


def test_a_product_field_holds_the_product_not_the_company():
    out = run(
        Complaint,
        "My Orchard Works pruner PX-40 snapped, order OW-5521.",
        "You answer emails for Orchard Works.",
    )
    assert out["product"] == "pruner PX-40"
    assert out["order_id"] == "OW-5521"
