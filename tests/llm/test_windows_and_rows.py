"""Windows that close before an upcoming event, escalations a policy lists, and invoice rows.

Invented domains (a boat hire, a concert hall, a laundry service; suppliers from
Canada, Switzerland, France and Spain): the course model decides by general rules.
"""

from __future__ import annotations

import json

import pytest

from aieng.llm.catalog import course_models
from aieng.llm.course_model.engine import Task, respond
from aieng.llm.course_model.protocol import Message, ResponseFormat
from aieng.llm.course_model.skills import bills, ledger
from aieng.llm.course_model.skills.records import line_rows
from aieng.llm.course_model.skills.rules import stated_rules
from aieng.llm.course_model.skills.verdict import ahead

MODELS = course_models()

BOAT = (
    "You answer for Tidewater Boat Hire. Policy:\n"
    "- Bookings can be changed free of charge up to 48 hours before departure.\n"
    "- Cancellations less than 48 hours before departure are refused (late_cancellation).\n"
    "- Escalate injuries and damage claims to a human.\n"
    "- Never give legal advice."
)
VENUE = (
    "You reply for the Harbourside Concert Hall box office. Tickets can be exchanged up to 3 "
    "days before the concert; refunds are not possible less than 3 days before the concert "
    "(late_cancellation). Escalate any report of injury or a claim for damaged property."
)
LAUNDRY = (
    "You handle messages for QuickFold Laundry. Orders can be cancelled free of charge up to "
    "12 hours before collection; cancellations within 12 hours of collection are refused "
    "(late_cancellation). Escalate damage claims (ruined or torn clothes) and injuries to a "
    "supervisor."
)
REPLY = {
    "type": "object",
    "properties": {
        "decision": {"type": "string", "enum": ["answer", "refuse", "escalate"]},
        "refusal_reason": {
            "type": "string",
            "enum": ["change_window", "late_cancellation", "legal_advice", "none"],
        },
        "reply": {"type": "string"},
    },
    "required": ["decision", "refusal_reason", "reply"],
    "additionalProperties": False,
}


def ask(system: str, user: str, model: str = "course-mini") -> dict:
    task = Task(
        messages=(Message("system", system), Message("user", user)),
        profile=MODELS[model],
        response_format=ResponseFormat("json_schema", REPLY, "answer", True),
    )
    return json.loads(respond(task).content)


def test_a_window_before_an_event_is_parsed_with_its_own_label():
    boat = [r for r in stated_rules(BOAT) if r.kind == "window"]
    assert [(r.subject, r.amount, r.op, r.label) for r in boat] == [
        ("change", 2.0, ">=", ""),
        ("cancellation", 2.0, ">=", "late_cancellation"),
    ]
    venue = [r for r in stated_rules(VENUE) if r.kind == "window"]
    assert [(r.subject, r.label) for r in venue] == [
        ("exchange", ""),
        ("refund", "late_cancellation"),
    ]  # "less than 3 days before" is a window, not a limit on an amount


@pytest.mark.parametrize(
    "text, days",
    [
        ("het vertrek is over 10 uur", 10 / 24),
        ("die Abholung ist in 5 Stunden", 5 / 24),
        ("le concert est dans 2 jours", 2.0),
        ("la recogida es dentro de 30 horas", 30 / 24),
        ("the ferry leaves 3 days from now", 3.0),
        ("on part demain", 1.0),
    ],
)
def test_time_until_an_event_in_five_languages(text, days):
    assert ahead(text, None)[0] == pytest.approx(days)


@pytest.mark.parametrize(
    "system, user, decision, reason",
    [
        (BOAT, "Please cancel my boat booking, departure is in 5 days.", "answer", "none"),
        (BOAT, "I need to cancel, our departure is in 6 hours.", "refuse", "late_cancellation"),
        (BOAT, "Ik wil annuleren, het vertrek is over 10 uur.", "refuse", "late_cancellation"),
        (BOAT, "Je veux annuler, le départ est dans 20 heures.", "refuse", "late_cancellation"),
        (BOAT, "Quiero cancelar, la salida es en 4 días.", "answer", "none"),
        (BOAT, "Can I cancel? We leave tomorrow morning.", "refuse", "late_cancellation"),
        (VENUE, "Can I exchange my ticket? The concert is in 2 weeks.", "answer", "none"),
        (
            VENUE,
            "Je voudrais un remboursement, le concert est dans 2 jours.",
            "refuse",
            "late_cancellation",
        ),  # fmt: skip
        (
            LAUNDRY,
            "Bitte stornieren, die Abholung ist in 5 Stunden.",
            "refuse",
            "late_cancellation",
        ),  # fmt: skip
        (LAUNDRY, "Por favor cancelen, la recogida es dentro de 30 horas.", "answer", "none"),
    ],
)
def test_windows_before_an_event_decide_by_the_time_left(system, user, decision, reason):
    got = ask(system, user)
    assert (got["decision"], got["refusal_reason"]) == (decision, reason)


@pytest.mark.parametrize(
    "system, user",
    [
        (BOAT, "I slipped on the deck and hurt my wrist, I want compensation."),
        (BOAT, "We hit a rock, the hull is scratched and the rudder bent. Refund my deposit."),
        (VENUE, "Someone fell on the stairs and broke an ankle at your venue."),
        (LAUNDRY, "My silk shirt came back torn and ruined, I want you to pay for it."),
    ],
)
def test_listed_escalations_match_injuries_and_damage_by_meaning(system, user):
    assert ask(system, user)["decision"] == "escalate"


def test_currency_codes_beyond_the_big_three():
    assert ledger.currency_code("Maple Leaf Supplies Inc.\nTotal CAD 30.00") == "CAD"
    assert ledger.currency_code("Nordisk Kaffe AB\nSumma 300,00 SEK") == "SEK"
    assert bills.is_bill("Maple Leaf Supplies Inc.\nInvoice # ML-2231\nTotal CAD 30.00")


@pytest.mark.parametrize(
    "line, want",
    [
        ("100 Brezeln à 0,60 € = 60,00 €", ("Brezeln", 100, 60.0)),
        ("4 bidons vinaigre 5L 38,00 €", ("bidons vinaigre 5L", 4, 38.0)),
        ("2 sacs farine 500g à 3,10 € 6,20 €", ("sacs farine 500g", 2, 6.2)),
        ("Cable HDMI 2m  4 x 7,50  30,00", ("Cable HDMI 2m", 4, 30.0)),
        ("10 garrafas aceite 5L x 24,00 € 240,00 €", ("garrafas aceite 5L", 10, 240.0)),
        ("40 Gipfeli à 1,20 CHF = 48,00 CHF", ("Gipfeli", 40, 48.0)),
    ],
)
def test_rows_with_a_and_sizes_inside_descriptions(line, want):
    rows = line_rows(line + "\nZwischensumme 1,00")
    assert [(r.description, r.quantity, r.amount) for r in rows] == [want]


def test_french_particles_stay_in_the_supplier_name():
    text = "Épicerie du Marché SARL\nFacture n° F-2291\nTotal TTC 72,80 €"
    assert ledger.issuer(text) == "Épicerie du Marché SARL"


@pytest.mark.parametrize(
    "text",
    [
        "Riverside Tools Ltd\nORDER CONFIRMATION 5521\nDrill 1 x 99.00 99.00\nTotal 99.00\n"
        "This order will be invoiced on delivery.",
        "Bestellbestätigung Nr. 771\nHammer 2 x 10,00 20,00\nGesamt 20,00\n"
        "Die Rechnung folgt mit der Lieferung.",
        "Confirmation de commande 123\nVis 10 x 0,50 5,00\nTotal 5,00\nSera facturé à la livraison.",
        "Confirmación de pedido 88\nTornillos 10 x 1,00 10,00\nTotal 10,00",
    ],
)
def test_order_confirmations_and_invoices_to_come_are_not_invoices(text):
    assert not bills.is_bill(text)


def test_an_invoice_that_cites_its_order_confirmation_is_still_an_invoice():
    text = "Riverside Tools Ltd\nINVOICE 5522\nRef: order confirmation 5521\nTotal 99.00"
    assert bills.is_bill(text)
