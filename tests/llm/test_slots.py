"""Slot filling: values for JSON-schema properties found in free text.

Each case is a schema of its own invention (bookings, HR, invoices, shipping,
calendars, recipes, bug reports...) and a message; the test checks the values
a careful reader would take from it, and that nothing is invented.
"""

from __future__ import annotations

import datetime as dt

import pytest

from aieng.llm.course_model.skills.entities import analyse, reference_date
from aieng.llm.course_model.skills.slots import (
    MISSING,
    fill_object,
    fill_value,
    kind_of,
    make_slot,
    resolve,
)

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
N = {"type": "number"}
B = {"type": "boolean"}


def obj(required: list[str] | None = None, **props) -> dict:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


def date(**extra) -> dict:
    return {"type": "string", "format": "date", **extra}


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def enum(*values, **extra) -> dict:
    return {"type": "string", "enum": list(values), **extra}


# ---------------------------------------------------------------- recognizers


def test_entities_find_typed_values_with_positions():
    text = (
        "Hi, I am Jane Doe (jane.doe@example.com, +1 415-555-0142). Order #12345 and "
        "ORD-77 cost $1,250.50 on December 1, 2026 at 3pm; see https://acme.com/help."
    )
    facts = analyse(text)
    values = {(s.kind, s.value) for s in facts.spans}
    assert ("email", "jane.doe@example.com") in values
    assert ("phone", "+1 415-555-0142") in values
    assert ("id", "12345") in values
    assert ("id", "ORD-77") in values
    assert ("money", 1250.5) in values
    assert ("date", "2026-12-01") in values
    assert ("time", "15:00:00") in values
    assert ("url", "https://acme.com/help") in values
    assert ("proper", "Jane Doe") in values
    for span in facts.spans:
        if span.kind not in ("quoted",):
            assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("due 2026-12-01", "2026-12-01"),
        ("due December 1, 2026", "2026-12-01"),
        ("due 1 Dec 2026", "2026-12-01"),
        ("due 12/01/2026", "2026-12-01"),
        ("due 25/12/2026", "2026-12-25"),
        ("due Tue, March 3rd 2026", "2026-03-03"),
        ("due 3rd of March, 2027", "2027-03-03"),
        ("due 2027/01/09", "2027-01-09"),
        ("due 09.01.2027", "2027-01-09"),
    ],
)
def test_dates_in_many_spellings_become_iso(text, iso):
    assert [s.value for s in analyse(text).of("date")] == [iso]


def test_relative_dates_need_a_stated_today():
    assert analyse("ship it tomorrow").of("date") == []
    today = reference_date("Today is 2026-03-02 (a Monday).")
    assert today == dt.date(2026, 3, 2)
    got = [s.value for s in analyse("tomorrow or next Friday or in 3 days", today).of("date")]
    assert got == ["2026-03-03", "2026-03-06", "2026-03-05"]


def test_number_words_units_and_money():
    facts = analyse("three nights for 2 adults, a dozen eggs, 5kg of flour and €40")
    numbers = [(s.value, s.unit) for s in facts.of("number")]
    assert (3, "night") in numbers
    assert (2, "adult") in numbers
    assert (12, "egg") in numbers
    assert (5, "kg") in numbers
    assert [(s.value, s.unit) for s in facts.of("money")] == [(40, "EUR")]


# ---------------------------------------------------------------- schemas and kinds


def test_kinds_come_from_format_type_and_words():
    def kind(name, schema, description=""):
        return make_slot(name, {**schema, "description": description}, True, {}).kind

    assert kind("contact", S | {"format": "email"}) == "email"
    assert kind("work_email", S) == "email"
    assert kind("mobile", S) == "phone"
    assert kind("homepage", S) == "url"
    assert kind("due_date", S) == "date"
    assert kind("when", S, "Date of the event, YYYY-MM-DD") == "date"
    assert kind("created_at", S) == "datetime"
    assert kind("order_id", S) == "id"
    assert kind("ticketNumber", S) == "id"
    assert kind("destination", S) == "place"
    assert kind("assignee", S) == "person"
    assert kind("product_name", S) == "generic"
    assert kind("employer", S) == "org"
    assert kind("price", N) == "money"
    assert kind("discount", N) == "percent"
    assert kind("guests", I) == "number"
    assert kind("q", S, "Search query") == "text:query"
    assert kind("reason", S) == "text:reason"
    assert kind("flags", array(S)) == "array"
    assert kind_of(("sku",), "", {"pattern": "^[A-Z]{3}$"}, frozenset({"string"})) == "pattern"


def test_resolve_follows_refs_allof_and_optional():
    root = {
        "$defs": {
            "Money": {"type": "object", "properties": {"amount": N}},
            "Extra": {"properties": {"currency": S}, "required": ["currency"]},
        }
    }
    schema = {
        "anyOf": [
            {"allOf": [{"$ref": "#/$defs/Money"}, {"$ref": "#/$defs/Extra"}]},
            {"type": "null"},
        ]
    }
    resolved, nullable = resolve(schema, root)
    assert nullable is True
    assert set(resolved["properties"]) == {"amount", "currency"}
    assert resolved["required"] == ["currency"]


# ---------------------------------------------------------------- whole objects

CASES = [
    (
        "hotel booking",
        obj(city=S, check_in=date(), check_out=date(), adults=I, children=I, budget=N),
        "Please book a room in Lisbon from December 1, 2026 to 12/05/2026 for 2 adults "
        "and three kids, budget $1,250.50.",
        {
            "city": "Lisbon",
            "check_in": "2026-12-01",
            "check_out": "2026-12-05",
            "adults": 2,
            "children": 3,
            "budget": 1250.5,
        },
    ),
    (
        "flight search",
        obj(origin=S, destination=S, departure_date=date(), passengers=I),
        "Find me flights from Boston to Denver on 3 Feb 2027 for 2 passengers",
        {
            "origin": "Boston",
            "destination": "Denver",
            "departure_date": "2027-02-03",
            "passengers": 2,
        },
    ),
    (
        "HR leave request",
        obj(employee_name=S, start_date=date(), end_date=date(), reason=S),
        "Hi, this is Maria Lopez. I need leave from 1 Dec 2026 until Dec 5 for my "
        "sister's wedding.",
        {
            "employee_name": "Maria Lopez",
            "start_date": "2026-12-01",
            "end_date": "2026-12-05",
            "reason": "my sister's wedding",
        },
    ),
    (
        "invoice",
        obj(invoice_number=S, vendor=S, total=N, due_date=date()),
        "Invoice INV-2024-001 from Acme Corp for $1,200.00 is due on 15 January 2027.",
        {
            "invoice_number": "INV-2024-001",
            "vendor": "Acme Corp",
            "total": 1200.0,
            "due_date": "2027-01-15",
        },
    ),
    (
        "shipping",
        obj(tracking_number=S, carrier=S, weight_kg=N, destination_country=S),
        "Package 1Z999AA10123456784 shipped via UPS, 2.5 kg, going to Germany.",
        {
            "tracking_number": "1Z999AA10123456784",
            "carrier": "UPS",
            "weight_kg": 2.5,
            "destination_country": "Germany",
        },
    ),
    (
        "contact card",
        obj(name=S, email=S, phone=S, website={"type": "string", "format": "uri"}),
        "Regards, Priya Nair - priya@nair.io - +44 20 7946 0958 - www.nair.io",
        {
            "name": "Priya Nair",
            "email": "priya@nair.io",
            "phone": "+44 20 7946 0958",
            "website": "www.nair.io",
        },
    ),
    (
        "refund",
        obj(order_id=S, amount=N, currency=S, reason=S),
        "Please refund 45.99 EUR on order #88231 because the parcel arrived damaged.",
        {
            "order_id": "88231",
            "amount": 45.99,
            "currency": "EUR",
            "reason": "the parcel arrived damaged",
        },
    ),
    (
        "recipe",
        obj(servings=I, prep_minutes=I, ingredients=array(S)),
        "Pancakes for 4 people: ready in 20 minutes. You need flour, milk, two eggs and butter.",
        {"servings": 4, "prep_minutes": 20, "ingredients": ["flour", "milk", "two eggs", "butter"]},
    ),
    (
        "labelled fields",
        obj(project_code={"type": "string", "pattern": "^[A-Z]{3}-\\d{3}$"}, owner=S, title=S),
        "Title: Migrate billing DB\nOwner: Sam Ortiz\nCode is PRJ-204, not prj-1",
        {"project_code": "PRJ-204", "owner": "Sam Ortiz", "title": "Migrate billing DB"},
    ),
    (
        "calendar event",
        obj(
            title=S,
            start={"type": "string", "format": "date-time"},
            duration_minutes=I,
            attendees=array(obj(name=S, email=S)),
        ),
        "Schedule a meeting titled Budget review with Jane Doe (jane@acme.com) and Bob Li "
        "(bob@acme.com) on Dec 3, 2026 at 2pm for 45 minutes.",
        {
            "title": "Budget review",
            "start": "2026-12-03T14:00:00",
            "duration_minutes": 45,
            "attendees": [
                {"name": "Jane Doe", "email": "jane@acme.com"},
                {"name": "Bob Li", "email": "bob@acme.com"},
            ],
        },
    ),
    (
        "bug report",
        obj(steps=array(S), expected=S, actual=S),
        "The app crashes on upload.\nSteps:\n- open the app\n- click upload\n- choose a PDF\n"
        "Expected: upload works. Actual: the app closes.",
        {
            "steps": ["open the app", "click upload", "choose a PDF"],
            "expected": "upload works",
            "actual": "the app closes",
        },
    ),
    (
        "line items",
        obj(items=array(obj(description=S, quantity=I, unit_price=N))),
        "2 x Widget at $5.00 each, 1 x Gadget at $12.50",
        {
            "items": [
                {"description": "Widget", "quantity": 2, "unit_price": 5.0},
                {"description": "Gadget", "quantity": 1, "unit_price": 12.5},
            ]
        },
    ),
    (
        "nested addresses",
        obj(
            customer=obj(name=S, email=S),
            shipping_address=obj(street=S, city=S, zip=S),
        ),
        "Customer: Ann Lee (ann@lee.io). Ship to 12 Main St, Springfield, 62704.",
        {
            "customer": {"name": "Ann Lee", "email": "ann@lee.io"},
            "shipping_address": {"street": "12 Main St", "city": "Springfield", "zip": "62704"},
        },
    ),
    (
        "survey",
        obj(name=S, age=I, is_student=B, hobbies=array(S)),
        "My name is Tom Baker, I'm 29 years old and not a student. I enjoy hiking, chess "
        "and cooking.",
        {
            "name": "Tom Baker",
            "age": 29,
            "is_student": False,
            "hobbies": ["hiking", "chess", "cooking"],
        },
    ),
]


CASES += [
    (
        "insurance claim",
        obj(
            policy_number=S,
            incident_date=date(),
            location=S,
            estimated_cost=N,
            injuries=B,
        ),
        "Claim for policy POL-558812: my car was rear-ended on 2026-04-11 in Lyon. Repair "
        "estimate is €2,340. Nobody was injured.",
        {
            "policy_number": "POL-558812",
            "incident_date": "2026-04-11",
            "location": "Lyon",
            "estimated_cost": 2340,
            "injuries": False,
        },
    ),
    (
        "IT ticket",
        obj(asset_tag=S, error_code=S, office=S),
        "Laptop won't boot after the update, error 0xC000021A. Asset tag LT-4471. I'm in the "
        "Berlin office, ext. 2231.",
        {"asset_tag": "LT-4471", "error_code": "0xC000021A", "office": "Berlin"},
    ),
    (
        "event registration",
        obj(attendee_name=S, email=S, event=S, ticket_type=enum("student", "regular", "vip")),
        "Register Priya Raman (priya.r@uni.edu) for the ML Summit, student ticket.",
        {
            "attendee_name": "Priya Raman",
            "email": "priya.r@uni.edu",
            "event": "ML Summit",
            "ticket_type": "student",
        },
    ),
    (
        "lab results",
        obj(results=array(obj(test=S, value=N, unit=S))),
        "Glucose 5.4 mmol/L, cholesterol 6.1 mmol/L and HbA1c 38 mmol/mol.",
        {
            "results": [
                {"test": "Glucose", "value": 5.4, "unit": "mmol/L"},
                {"test": "cholesterol", "value": 6.1, "unit": "mmol/L"},
                {"test": "HbA1c", "value": 38, "unit": "mmol/mol"},
            ]
        },
    ),
    (
        "applicant with accents and no middle name",
        obj(full_name=S, middle_name={"type": ["string", "null"]}, born=date(), nationality=S),
        "Applicant: Tomás Rivera, born 14 March 1990, a Chilean citizen. He has no middle name.",
        {
            "full_name": "Tomás Rivera",
            "middle_name": None,
            "born": "1990-03-14",
            "nationality": "Chilean",
        },
    ),
    (
        "vendor of an invoice",
        obj(vendor=obj(name=S, country=S), currency=enum("EUR", "USD")),
        "Invoice from Nordlicht GmbH, Germany. 3 lamps at 45.00 EUR each.",
        {"vendor": {"name": "Nordlicht GmbH", "country": "Germany"}, "currency": "EUR"},
    ),
]


@pytest.mark.parametrize(("label", "schema", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fills_objects_across_domains(label, schema, text, expected):
    filled = fill_object(schema, text)
    assert filled.value == expected
    assert filled.missing == ()


def test_values_go_to_the_slot_they_sit_next_to():
    schema = obj(adults=I, children=I, nights=I)
    filled = fill_object(schema, "3 nights, 1 child and 2 adults")
    assert filled.value == {"adults": 2, "children": 1, "nights": 3}


def test_one_value_fills_one_slot():
    filled = fill_object(obj(sender_email=S, recipient_email=S), "from a@x.io to b@y.io")
    assert filled.value == {"sender_email": "a@x.io", "recipient_email": "b@y.io"}


def test_nothing_is_invented_and_missing_required_are_reported():
    schema = obj(required=["city", "date"], city=S, date=date(), note=S)
    filled = fill_object(schema, "What's the weather like?")
    assert filled.value == {}
    assert filled.missing == ("city", "date")


def test_defaults_nulls_and_consts():
    schema = {
        "type": "object",
        "properties": {
            "kind": {"const": "lead"},
            "source": {"type": "string", "default": "web"},
            "company": {"anyOf": [S, {"type": "null"}]},
            "email": S,
        },
        "required": ["kind", "source", "company", "email"],
    }
    filled = fill_object(schema, "Contact me at li@wei.cn")
    assert filled.value == {"kind": "lead", "source": "web", "company": None, "email": "li@wei.cn"}


def test_refs_and_defs_resolve():
    schema = {
        "$defs": {"Person": obj(name=S, email=S)},
        "type": "object",
        "properties": {"requester": {"$ref": "#/$defs/Person"}, "due": date()},
        "required": ["requester", "due"],
    }
    filled = fill_object(schema, "Requested by Omar Haddad, omar@haddad.me, due 2026-09-30")
    assert filled.value == {
        "requester": {"name": "Omar Haddad", "email": "omar@haddad.me"},
        "due": "2026-09-30",
    }


def test_enums_by_mention_and_by_meaning():
    schema = obj(
        category=enum("billing", "technical", "account", "shipping"),
        urgency=enum("low", "medium", "high"),
    )
    assert fill_object(schema, "I was charged twice for my plan.").value["category"] == "billing"
    machine = fill_object(schema, "The robot stopped and shows error E42, production halted.")
    assert machine.value == {"category": "technical", "urgency": "high"}
    stated = fill_object(obj(priority=enum("P1", "P2", "P3")), "Log it, priority P3 please")
    assert stated.value == {"priority": "P3"}


def test_booleans_follow_mentions_and_negations():
    schema = obj(gift_wrap=B, express_shipping=B, insurance=B)
    filled = fill_object(schema, "Ship it express please, no gift wrap.")
    assert filled.value == {"gift_wrap": False, "express_shipping": True}
    assert filled.missing == ("insurance",)


def test_arrays_of_kinds_respect_max_items():
    schema = obj(cc=array({"type": "string", "format": "email"}, maxItems=2))
    filled = fill_object(schema, "cc a@x.io, b@x.io and c@x.io")
    assert filled.value == {"cc": ["a@x.io", "b@x.io"]}


def test_enum_arrays_collect_every_value_named():
    schema = obj(days=array(enum("mon", "tue", "wed", "thu", "fri")))
    assert fill_object(schema, "I can do wed or fri").value == {"days": ["wed", "fri"]}


def test_numbers_outside_bounds_are_not_taken():
    schema = obj(rating={"type": "integer", "minimum": 1, "maximum": 5})
    assert fill_object(schema, "Rated 4 after 100 tries").value == {"rating": 4}
    assert fill_object(schema, "I tried 100 times").missing == ("rating",)


def test_free_text_spans():
    assert fill_value(S, "Can you search the wiki for onboarding checklists?", "query") == (
        "onboarding checklists"
    )
    assert fill_value(S, 'Text Sam "running late, start without me"', "message") == (
        "running late, start without me"
    )
    assert fill_value(S, "Cancel it due to a schedule conflict.", "reason") == "a schedule conflict"


def test_alternatives_when_a_slot_has_several_values():
    filled = fill_object(obj(city=S), "Compare the weather in Oslo and in Bergen")
    assert filled.value == {"city": "Oslo"}
    assert filled.alternatives == (("city", ("Bergen",)),)


def test_streets_named_first_and_roles_in_parentheses():
    schema = obj(name=S, address=S, city=S)
    filled = fill_object(schema, "Send it to Ana Silva, 5 Rua Augusta, Lisbon")
    assert filled.value == {"name": "Ana Silva", "address": "5 Rua Augusta", "city": "Lisbon"}
    team = fill_object(obj(people=array(S)), "Attendees: Ana (PM) and Luis (Eng) met today.")
    assert team.value == {"people": ["Ana", "Luis"]}


def test_ratings_confidence_and_description_examples():
    review = obj(rating={"type": "integer", "minimum": 1, "maximum": 5})
    assert fill_object(review, "Nice stay, 4/5 stars").value == {"rating": 4}
    graded = obj(
        label=enum("spam", "ham"), confidence={"type": "number", "minimum": 0, "maximum": 1}
    )
    assert fill_object(graded, "WIN a FREE prize, click now").value == {
        "label": "spam",
        "confidence": 0.8,
    }
    ticker = obj(symbol={"type": "string", "description": "Ticker, e.g. AAPL"})
    assert fill_object(ticker, "How is Nvidia (NVDA) doing?").value == {"symbol": "NVDA"}


def test_names_of_things_and_products():
    assert fill_object(obj(class_name=S), "Book the 6pm spin class").value == {
        "class_name": "spin class"
    }
    review = fill_object(obj(product=S), "I bought the Kettle Pro 2 last month. Love it.")
    assert review.value == {"product": "Kettle Pro 2"}
    assert fill_object(obj(product=S), "Paris 2 nights").value == {"product": "Paris"}


def test_a_labelled_list_keeps_to_its_line():
    schema = obj(
        sender={"type": "string", "format": "email"},
        cc=array({"type": "string", "format": "email"}),
    )
    text = "From: ana@tecno.pt\nCc: rui@tecno.pt, jo@tecno.pt\n\nHi ana@tecno.pt here."
    assert fill_object(schema, text).value == {
        "sender": "ana@tecno.pt",
        "cc": ["rui@tecno.pt", "jo@tecno.pt"],
    }


def test_a_slot_name_in_front_of_a_value_is_not_part_of_it():
    assert fill_object(obj(ticker=S), "Ticker MSFT please").value == {"ticker": "MSFT"}


def test_fill_value_says_missing():
    assert fill_value(date(), "no dates here", "when") is MISSING


# ---------------------------------------------------------------- general patterns
# Each case below is written for these tests: new wording, new domains. They pin the
# general rules (labels, identifiers, counted goods, units, ranges, meanings), not inputs.


def test_labels_and_key_value_pairs_fill_their_fields():
    schema = obj(ticket_id=S, requester=S, priority=enum("P1", "P2", "P3"), site=S)
    text = "ticket=SR-3307; requester = Noor Aziz; priority = P1; site = Dundee depot"
    assert fill_object(schema, text).value == {
        "ticket_id": "SR-3307",
        "requester": "Noor Aziz",
        "priority": "P1",
        "site": "Dundee depot",
    }
    nested = obj(insured=obj(name=S, phone=S))
    filled = fill_object(nested, "Insured: Petra Novak, phone 555-0177. Hail hit the roof.")
    assert filled.value == {"insured": {"name": "Petra Novak", "phone": "555-0177"}}


def test_technical_names_are_values_not_the_words_around_them():
    schema = obj(service=S, region=S, environment=S, version=S)
    text = "At 03:10 UTC we rolled out ledger-sync v3.2.0 to the staging environment in sa-east-1."
    assert fill_object(schema, text).value == {
        "service": "ledger-sync",
        "region": "sa-east-1",
        "environment": "staging",
        "version": "v3.2.0",
    }
    ci = obj(run_number=I, branch=S, service=S, failed_test=S)
    text = "Run #7781 on the hotfix branch of the quote-engine failed: test_round_trip_csv errored."
    assert fill_object(ci, text).value == {
        "run_number": 7781,
        "branch": "hotfix",
        "service": "quote-engine",
        "failed_test": "test_round_trip_csv",
    }


def test_sentence_initial_verbs_and_prepositions_are_not_names():
    facts = analyse("Delivered 4 crates to Ostrava. Before noon, Scale web-api to 3.")
    names = [s.value for s in facts.of("proper")]
    assert "Delivered" not in names and "Before" not in names and "Scale" not in names
    assert "Ostrava" in names


def test_counted_goods_name_the_item():
    schema = obj(item=S, quantity=I, unit=enum("box", "case", "each"), supplier=S)
    text = "Received 6 cases of sterile swabs from Medline on Monday."
    assert fill_object(schema, text).value == {
        "item": "sterile swabs",
        "quantity": 6,
        "unit": "case",
        "supplier": "Medline",
    }


def test_nationality_from_demonyms_and_citizen_of():
    schema = obj(nationality=S, destination_country=S)
    assert fill_object(schema, "A Peruvian national hoping to visit Norway in May.").value == {
        "nationality": "Peruvian",
        "destination_country": "Norway",
    }
    cited = fill_object(obj(nationality=S), "She is a citizen of Kenya, travelling for work.")
    assert cited.value == {"nationality": "Kenya"}


def test_possessive_names_and_numbered_ids():
    schema = obj(employee=S, hours=N, project=S)
    text = "Please log Tariq Nasser's overtime: 4.5 hours for the Harbourside project."
    value = fill_object(schema, text).value
    assert value["employee"] == "Tariq Nasser" and value["hours"] == 4.5
    assert "Harbourside" in value["project"]
    assert fill_object(obj(po_number=S, quantity=I), "PO 4412: 30 units").value == {
        "po_number": "4412",
        "quantity": 30,
    }


def test_numbers_glued_to_units_ranges_and_sizes():
    flat = obj(bedrooms=I, bathrooms=N, square_feet=I, monthly_rent=N)
    text = "Cosy 1-bedroom, 1.5-bath loft, 720 sq ft, €1,380 per month."
    assert fill_object(flat, text).value == {
        "bedrooms": 1,
        "bathrooms": 1.5,
        "square_feet": 720,
        "monthly_rent": 1380,
    }
    box = obj(dims=obj(length_cm=N, width_cm=N, height_cm=N))
    assert fill_object(box, "Box measures 55 x 35 x 20 cm.").value == {
        "dims": {"length_cm": 55, "width_cm": 35, "height_cm": 20}
    }
    days = obj(days={"type": "integer", "description": "number of days away"})
    assert fill_object(days, "I'm away Tuesday through Thursday.").value == {"days": 3}
    rate = obj(rate_l_per_min=N)
    assert fill_object(rate, "Set the pump to 12.5 l/min please").value == {"rate_l_per_min": 12.5}
    dosage = obj(times_per_day=I, days=I)
    assert fill_object(dosage, "Take it twice a day for 10 days.").value == {
        "times_per_day": 2,
        "days": 10,
    }


def test_booleans_by_meaning_and_switches():
    schema = obj(willing_to_travel=B, has_car=B, remote=B)
    text = "Open to travel up to 30%, no car, prefers remote work."
    assert fill_object(schema, text).value == {
        "willing_to_travel": True,
        "has_car": False,
        "remote": True,
    }
    switches = obj(autopay=B, paper_bills=B)
    value = fill_object(switches, "Switch off paper bills but leave auto-pay on.").value
    assert value == {"autopay": True, "paper_bills": False}
    hazard = fill_object(obj(hazardous=B), "Drum of solvent (hazmat), 200 l.").value
    assert hazard == {"hazardous": True}


def test_rsvp_phrases_count_companions():
    schema = obj(
        attending=B, plus_ones={"type": "integer", "description": "guests besides the sender"}
    )
    yes = "Count me in for the picnic - I'm bringing my wife and my son."
    assert fill_object(schema, yes).value == {"attending": True, "plus_ones": 2}
    no = fill_object(obj(attending=B), "So sorry, I can't make it this time.")
    assert no.value == {"attending": False}


def test_every_item_of_a_list_becomes_an_object():
    schema = obj(runners=array(obj(name=S, minutes=I, place=I)))
    text = "Results: Achterberg ran 41 minutes for place 1; Sato finished in 43 minutes, place 2."
    assert fill_object(schema, text).value == {
        "runners": [
            {"name": "Achterberg", "minutes": 41, "place": 1},
            {"name": "Sato", "minutes": 43, "place": 2},
        ]
    }
    shelf = obj(books=array(obj(title=S, author=S)))
    text = "Borrowed 'Gilead' by Marilynne Robinson and 'Kindred' by Octavia Butler."
    assert fill_object(shelf, text).value == {
        "books": [
            {"title": "Gilead", "author": "Marilynne Robinson"},
            {"title": "Kindred", "author": "Octavia Butler"},
        ]
    }


def test_enums_skip_negated_values_and_read_meaning():
    schema = obj(action=enum("cancel", "pause", "upgrade"))
    assert fill_object(schema, "Please pause my plan (don't cancel it).").value == {
        "action": "pause"
    }
    rather = fill_object(
        obj(resolution=enum("refund", "exchange")), "An exchange rather than a refund"
    )
    assert rather.value == {"resolution": "exchange"}
    cause = obj(cause=enum("fire", "water", "theft", "other"))
    assert fill_object(cause, "The dishwasher leaked overnight and soaked the floor.").value == {
        "cause": "water"
    }
    reason = obj(reason=enum("illness", "travel", "other"))
    assert fill_object(reason, "Home with a fever and a bad cold today.").value == {
        "reason": "illness"
    }


def test_enum_value_descriptions_come_from_the_schema_or_the_prompt():
    described = {
        "type": "string",
        "enum": ["hardware", "access", "other"],
        "description": "hardware: laptops, screens, docks; access: passwords, permissions, "
        "sign-in; other: anything else",
    }
    filled = fill_object(obj(kind=described), "I forgot my password and my sign-in fails.")
    assert filled.value == {"kind": "access"}
    plain = obj(team=enum("facilities", "payroll", "other"))
    notes = "Teams:\n- facilities: broken lights, heating, desks\n- payroll: payslips, tax"
    assert fill_object(plain, "The heating on floor 2 is off again", notes=notes).value == {
        "team": "facilities"
    }


def test_ids_described_by_example_match_by_shape():
    schema = obj(
        serial={"type": ["string", "null"], "description": "device serial, like KX9-002211"},
        order_id={"type": ["string", "null"], "description": "order number like SO-55120"},
    )
    text = "Unit KX7-118204 shows fault F-31; it came with order SO-61007."
    assert fill_object(schema, text).value == {"serial": "KX7-118204", "order_id": "SO-61007"}
    none = fill_object(schema, "Fault F-31 again, and invoice IN-8812 is wrong.")
    assert none.value == {"serial": None, "order_id": None}


def test_about_and_approximately_keep_the_number():
    schema = obj(town=S, residents=I, founded=I)
    text = "Brackwater, a river town of about 12,500 residents, was founded in 1788."
    assert fill_object(schema, text).value == {
        "town": "Brackwater",
        "residents": 12500,
        "founded": 1788,
    }


# ------------------------------------------------ free-text spans and list items
def test_quoted_and_parenthesised_names_stop_at_the_aside():
    schema = obj(handle=S, team={"type": ["string", "null"]}, rank=I)
    text = "Racer 'NightOwl7' (rank 9, team: Copper Hawks) crashed on lap two."
    assert fill_object(schema, text).value == {
        "handle": "NightOwl7", "team": "Copper Hawks", "rank": 9}  # fmt: skip


def test_letter_prefixed_ids_stay_whole_and_heads_name_the_field():
    got = fill_object(obj(awb_number=S, origin=S), "Cargo under AWB 5521-07 leaves from Lisbon.")
    assert got.value["awb_number"] == "5521-07"
    vendor = obj(vendor=obj(name=S, permit_number=S))
    text = "Vendor: Sunny Tacos Inc, permit no. FT-20931. Stall opens at noon."
    assert fill_object(vendor, text).value["vendor"]["permit_number"] == "FT-20931"
    assert fill_object(obj(route=S), "Green Route: Oak Ave stop is closed.").value == {
        "route": "Green Route"}  # fmt: skip


def test_list_items_read_their_own_times_and_tags():
    slot = obj(date=date(), start=S, end=S)
    text = "Thursday 2025-02-06 07:15-09:45"
    assert fill_object(slot, text).value == {"date": "2025-02-06", "start": "07:15", "end": "09:45"}
    shots = obj(shots={"type": "array", "items": obj(number=I, location=S, interior=B)})
    text = "Shot list.\nShot 3: EXT. Harbour wall - dawn.\nShot 4: INT. Bakery kitchen - noon."
    got = fill_object(shots, text).value["shots"]
    assert [s["location"] for s in got] == ["Harbour wall", "Bakery kitchen"]
    assert got[1]["interior"] is True
    log = obj(birds={"type": "array", "items": obj(name=S, time=S, count=I)})
    text = "Count, 2025-04-02. Binoculars: 10x42.\nBirds: Heron at 06:40 (count 3); Kestrel at 07:05 (count 1)."
    got = fill_object(log, text).value["birds"]
    assert [b["name"] for b in got] == ["Heron", "Kestrel"]


def test_traits_become_a_list_for_a_concept_slot():
    schema = obj(dietary_needs={"type": "array", "items": S})
    text = "Hello, I'm Ravi. We are vegan and allergic to sesame. See you soon."
    assert fill_object(schema, text).value == {"dietary_needs": ["vegan", "allergic to sesame"]}
