"""Tool use: choosing a tool, its arguments, asking, parallel calls, answering from results.

The tools are invented here (weather, orders, HR leave, calendar, email,
search, currency, shipping, restaurants, a bug tracker); the skills must pick
and fill them from their names, descriptions and parameter schemas alone.
"""

from __future__ import annotations

import json

import jsonschema
import openai
import orjson
import pytest

from aieng.llm.catalog import course_models
from aieng.llm.course_model import BackgroundServer
from aieng.llm.course_model.engine import Task, respond
from aieng.llm.course_model.protocol import Message, ResponseFormat, ToolCall, ToolSpec
from aieng.llm.course_model.skills.tools import answer_from_tool_result, call_tool, score_tool

MINI = course_models()["course-mini"]
S = {"type": "string"}


def tool(name: str, description: str, required: list[str] | None = None, strict=False, **props):
    params = {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }
    return ToolSpec(name, description, params, strict)


WEATHER = tool(
    "get_weather",
    "Get the current weather for a city",
    ["city"],
    city={"type": "string", "description": "City name"},
    unit={"type": "string", "enum": ["celsius", "fahrenheit"]},
)
ORDER = tool("get_order_status", "Look up the status of an order by its id", order_id=S)
CANCEL = tool("cancel_order", "Cancel an order", ["order_id"], order_id=S, reason=S)
SEARCH = tool("search_docs", "Search the company handbook", query=S)
EMAIL = tool(
    "send_email",
    "Send an email to a recipient",
    to={"type": "string", "format": "email"},
    subject=S,
    body=S,
)
LEAVE = tool(
    "request_leave",
    "Submit a leave request for an employee",
    employee_id={"type": "string", "pattern": "^E\\d{4}$"},
    start_date={"type": "string", "format": "date"},
    end_date={"type": "string", "format": "date"},
    leave_type={"type": "string", "enum": ["vacation", "sick", "parental", "unpaid"]},
)
CONVERT = tool(
    "convert_currency",
    "Convert an amount of money from one currency to another",
    amount={"type": "number"},
    from_currency={"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"]},
    to_currency={"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"]},
)
TRACK = tool("track_shipment", "Track a parcel with its tracking number", tracking_number=S)
TABLE = tool(
    "book_table",
    "Reserve a table at a restaurant",
    restaurant=S,
    party_size={"type": "integer", "minimum": 1},
    date={"type": "string", "format": "date"},
    time=S,
)
BUG = tool(
    "create_issue",
    "File a bug in the issue tracker",
    ["title", "severity"],
    title=S,
    severity={"type": "string", "enum": ["low", "medium", "high", "critical"]},
    labels={"type": "array", "items": S},
)
EVENT = tool(
    "create_event",
    "Add an event to the calendar",
    ["title", "start"],
    title=S,
    start={"type": "string", "format": "date-time"},
    attendees={"type": "array", "items": {"type": "string", "format": "email"}},
)
ALL = (WEATHER, ORDER, CANCEL, SEARCH, EMAIL, LEAVE, CONVERT, TRACK, TABLE, BUG, EVENT)


def make_task(*messages: Message, tools=ALL, choice: str = "auto", **kw) -> Task:
    return Task(messages=messages, profile=MINI, tools=tools, tool_choice=choice, **kw)


def user(text: str) -> Message:
    return Message("user", text)


def calls(reply) -> list[tuple[str, dict]]:
    assert reply is not None and reply.tool_calls, reply
    return [(c.name, c.arguments) for c in reply.tool_calls]


def assistant_calls(*pairs: tuple[str, str, dict]) -> Message:
    return Message(
        "assistant",
        "",
        tool_calls=tuple(ToolCall(i, n, json.dumps(a)) for i, n, a in pairs),
    )


def result(call_id: str, value) -> Message:
    content = value if isinstance(value, str) else json.dumps(value)
    return Message("tool", content, tool_call_id=call_id)


# ---------------------------------------------------------------- choosing and filling

CHOICES = [
    ("What's the weather in Paris?", [("get_weather", {"city": "Paris"})]),
    ("Where is my order A-1042?", [("get_order_status", {"order_id": "A-1042"})]),
    ("Please cancel order ORD-77", [("cancel_order", {"order_id": "ORD-77"})]),
    (
        "Search the handbook for the parental leave policy",
        [("search_docs", {"query": "parental leave policy"})],
    ),
    (
        "Email bob@x.com with subject Lunch saying see you at noon",
        [("send_email", {"to": "bob@x.com", "subject": "Lunch", "body": "see you at noon"})],
    ),
    (
        "I'm E1234 and I'd like vacation from 2026-07-01 to 2026-07-10",
        [
            (
                "request_leave",
                {
                    "employee_id": "E1234",
                    "start_date": "2026-07-01",
                    "end_date": "2026-07-10",
                    "leave_type": "vacation",
                },
            )
        ],
    ),
    (
        "How much is 250 USD in EUR?",
        [("convert_currency", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})],
    ),
    (
        "Can you track parcel 1Z999AA10123456784?",
        [("track_shipment", {"tracking_number": "1Z999AA10123456784"})],
    ),
    (
        "Book a table for 4 at Chez Panisse on Dec 24, 2026 at 7:30pm",
        [
            (
                "book_table",
                {
                    "restaurant": "Chez Panisse",
                    "party_size": 4,
                    "date": "2026-12-24",
                    "time": "19:30:00",
                },
            )
        ],
    ),
    (
        "File a critical bug: checkout page returns 500 after login",
        [
            (
                "create_issue",
                {"title": "checkout page returns 500 after login", "severity": "critical"},
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CHOICES, ids=[c[0][:30] for c in CHOICES])
def test_chooses_the_tool_and_fills_its_arguments(text, expected):
    assert calls(call_tool(make_task(user(text)))) == expected


def test_nested_arguments_and_leftover_messages():
    ship = tool("create_shipment", "Create a shipment for a parcel", ["recipient", "weight_kg"],
                recipient={"type": "object", "properties": {"name": S, "address": S, "city": S},
                           "required": ["name", "city"]},
                weight_kg={"type": "number"}, express={"type": "boolean"})  # fmt: skip
    got = calls(
        call_tool(
            make_task(
                user("Ship a 3.2 kg parcel express to Ana Silva, 5 Rua Augusta, Lisbon"),
                tools=(ship,),
            )
        )
    )
    assert got == [
        (
            "create_shipment",
            {
                "recipient": {"name": "Ana Silva", "address": "5 Rua Augusta", "city": "Lisbon"},
                "weight_kg": 3.2,
                "express": True,
            },
        )
    ]
    remind = tool("create_reminder", "Set a reminder for the user", message=S,
                  remind_at={"type": "string", "format": "date-time"})  # fmt: skip
    got = calls(
        call_tool(make_task(user("Remind me to call mom on 2026-12-24 at 6pm"), tools=(remind,)))
    )
    assert got == [
        ("create_reminder", {"message": "call mom", "remind_at": "2026-12-24T18:00:00Z"})
    ]


def test_tools_without_parameters():
    clock = tool("get_current_time", "Get the current time")
    assert calls(call_tool(make_task(user("What time is it?"), tools=(clock,)))) == [
        ("get_current_time", {})
    ]


def test_specific_names_beat_synonyms_and_units_fill_in():
    slack = tool("post_slack_message", "Post a message to a Slack channel", channel=S, text=S)
    mail = tool("send_email", "Send an email", to=S, body=S)
    got = calls(
        call_tool(
            make_task(
                user("Send a Slack message to #eng-oncall saying the deploy is paused"),
                tools=(mail, slack),
            )
        )
    )
    assert got == [
        ("post_slack_message", {"channel": "#eng-oncall", "text": "the deploy is paused"})
    ]
    units = tool(
        "convert_units",
        "Convert a value between units",
        value={"type": "number"},
        from_unit=S,
        to_unit=S,
    )
    got = calls(call_tool(make_task(user("Convert 3 miles to kilometers"), tools=(units,))))
    assert got == [("convert_units", {"value": 3, "from_unit": "miles", "to_unit": "kilometers"})]
    cart = tool(
        "add_to_shopping_list",
        "Add items to the user's shopping list",
        items={"type": "array", "items": S},
    )
    got = calls(
        call_tool(
            make_task(
                user("Add milk, rye bread and blueberries to my shopping list."),
                tools=(cart, SEARCH),
            )
        )
    )
    assert got == [("add_to_shopping_list", {"items": ["milk", "rye bread", "blueberries"]})]


def test_auto_leaves_unrelated_messages_to_other_skills():
    for text in ("Tell me a joke", "Thanks, that's all!", "What is the capital of Peru?"):
        assert call_tool(make_task(user(text))) is None


def test_the_name_counts_more_than_shared_words():
    assert score_tool("cancel my order", CANCEL) > score_tool("cancel my order", ORDER)
    assert score_tool("where is my order", ORDER) > score_tool("where is my order", CANCEL)


def test_required_always_calls_the_best_tool():
    got = calls(
        call_tool(make_task(user("Tell me a joke"), tools=(SEARCH, WEATHER), choice="required"))
    )
    assert len(got) == 1 and got[0][0] in ("search_docs", "get_weather")
    jsonschema.validate(
        got[0][1], SEARCH.parameters if got[0][0] == "search_docs" else WEATHER.parameters
    )


def test_a_named_choice_calls_that_tool():
    got = calls(call_tool(make_task(user("Look into order A-9 in Oslo"), choice="get_weather")))
    assert got == [("get_weather", {"city": "Oslo"})]


def test_none_never_calls():
    assert call_tool(make_task(user("What's the weather in Paris?"), choice="none")) is None


def test_strict_tool_arguments_always_validate():
    strict = tool("lookup_sku", "Look up a product by SKU", strict=True,
                  sku={"type": "string", "pattern": "^[A-Z]{3}-\\d{3}$"},
                  warehouse={"anyOf": [{"type": "string"}, {"type": "null"}]})  # fmt: skip
    got = calls(call_tool(make_task(user("Look up product XYZ-123 please"), tools=(strict,))))
    assert got == [("lookup_sku", {"sku": "XYZ-123", "warehouse": None})]


# ---------------------------------------------------------------- asking


def test_asks_for_a_missing_required_argument_in_plain_words():
    reply = call_tool(make_task(user("What's the weather like?")))
    assert reply.tool_calls == ()
    assert reply.content == "Which city should I use to get the current weather?"


def test_asks_for_every_missing_argument():
    reply = call_tool(make_task(user("Can you book a table for two at Nopa?")))
    assert reply.tool_calls == ()
    assert "date" in reply.content and "time" in reply.content
    assert "reserve a table at a restaurant" in reply.content


def test_asking_names_enum_options():
    reply = call_tool(make_task(user("Please file a bug about the broken login button"),
                                tools=(tool("create_issue", "File a bug", title=S,
                                            team={"type": "string", "enum": ["web", "ios"]}),)))  # fmt: skip
    assert reply.content is not None
    assert "team" in reply.content and "web or ios" in reply.content


def test_required_choice_calls_even_with_missing_arguments():
    got = calls(call_tool(make_task(user("What's the weather like?"), choice="required")))
    assert got[0][0] == "get_weather"
    jsonschema.validate(got[0][1], WEATHER.parameters)


# ---------------------------------------------------------------- several calls


def test_one_call_per_value_when_a_request_names_several():
    got = calls(call_tool(make_task(user("What's the weather in Paris and Tokyo?"))))
    assert got == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo"})]


def test_independent_requests_call_different_tools():
    got = calls(
        call_tool(make_task(user("Check order A-1 and cancel order B-2 because I changed my mind")))
    )
    assert got == [
        ("get_order_status", {"order_id": "A-1"}),
        ("cancel_order", {"order_id": "B-2", "reason": "I changed my mind"}),
    ]


def test_never_calls_again_with_arguments_already_answered():
    first = user("Weather in Rome?")
    history = (
        first,
        assistant_calls(("c1", "get_weather", {"city": "Rome"})),
        result("c1", {"temp_c": 21, "sky": "clear"}),
        Message("assistant", "It is 21°C and clear in Rome."),
        user("Weather in Rome?"),
    )
    reply = call_tool(make_task(*history))
    assert reply.tool_calls == ()
    assert "21°C" in reply.content and "clear" in reply.content


# ---------------------------------------------------------------- answering from results


def test_answers_from_the_fields_that_match_the_question():
    history = (
        user("Where is order A-1042 and when will it arrive?"),
        assistant_calls(("c1", "get_order_status", {"order_id": "A-1042"})),
        result(
            "c1",
            {
                "order_id": "A-1042",
                "status": "shipped",
                "estimated_delivery": "2026-12-03",
                "carrier": "UPS",
                "warehouse_code": "W-7",
                "weight_g": 1200,
                "insured": False,
                "notes": "left at dock",
            },
        ),  # fmt: skip
    )
    reply = answer_from_tool_result(make_task(*history))
    assert reply.tool_calls == ()
    assert reply.content.startswith("For order A-1042")
    assert "2026-12-03" in reply.content


def test_quotes_numbers_exactly_with_units():
    history = (
        user("What's the weather in Paris?"),
        assistant_calls(("c1", "get_weather", {"city": "Paris"})),
        result(
            "c1",
            {"city": "Paris", "temperature_c": 18.5, "condition": "cloudy", "humidity_pct": 70},
        ),
    )
    reply = answer_from_tool_result(make_task(*history))
    assert reply.content == (
        "For Paris, the temperature is 18.5°C, the condition is cloudy and the humidity is 70%."
    )


def test_answers_lists_errors_and_plain_text():
    history = (
        user("Search the handbook for expenses and what's the weather in Oslo?"),
        assistant_calls(
            ("c1", "search_docs", {"query": "expenses"}),
            ("c2", "get_weather", {"city": "Oslo"}),
        ),
        result(
            "c1",
            [{"title": "Expense policy", "id": "DOC-3"}, {"title": "Travel rules", "id": "DOC-9"}],
        ),
        result("c2", {"error": "weather service unavailable"}),
    )
    content = answer_from_tool_result(make_task(*history, tools=())).content
    assert "Expense policy" in content and "Travel rules" in content
    assert "weather service unavailable" in content
    plain = (
        user("Track 1Z999AA10123456784"),
        assistant_calls(("c1", "track_shipment", {"tracking_number": "1Z999AA10123456784"})),
        result("c1", "Out for delivery, expected by 6pm."),
    )
    assert (
        "Out for delivery, expected by 6pm." in answer_from_tool_result(make_task(*plain)).content
    )


def test_calls_the_tool_that_a_result_unlocks():
    find = tool(
        "find_customer", "Find a customer by email", email={"type": "string", "format": "email"}
    )
    orders = tool("list_orders", "List the orders of a customer", customer_id=S)
    history = [user("Look up the customer jane@acme.com and list her orders")]
    first = respond(make_task(*history, tools=(find, orders)))
    assert calls(first) == [("find_customer", {"email": "jane@acme.com"})]
    history += [
        assistant_calls(("c1", "find_customer", {"email": "jane@acme.com"})),
        result("c1", {"id": "C-9", "name": "Jane Roe"}),
    ]
    second = respond(make_task(*history, tools=(find, orders)))
    assert calls(second) == [("list_orders", {"customer_id": "C-9"})]
    history += [
        assistant_calls(("c2", "list_orders", {"customer_id": "C-9"})),
        result("c2", [{"id": "A-1", "status": "shipped"}, {"id": "A-2", "status": "pending"}]),
    ]
    final = respond(make_task(*history, tools=(find, orders)))
    assert final.tool_calls == ()
    assert "A-1" in final.content and "pending" in final.content


def test_structured_output_after_results_is_left_to_extraction():
    schema = {"type": "object", "properties": {"status": S, "eta": {"type": "string", "format": "date"}},
              "required": ["status", "eta"], "additionalProperties": False}  # fmt: skip
    history = (
        user("Status of order A-7 as JSON"),
        assistant_calls(("c1", "get_order_status", {"order_id": "A-7"})),
        result("c1", {"status": "delayed", "eta": "2026-11-30"}),
    )
    task = make_task(*history, response_format=ResponseFormat("json_schema", schema, "s", True))
    assert answer_from_tool_result(task) is None
    assert orjson.loads(respond(task).content) == {"status": "delayed", "eta": "2026-11-30"}


def test_same_task_same_reply():
    task = make_task(user("Email ana@x.org and raj@y.in about the offsite"))
    assert respond(task) == respond(task)


# ---------------------------------------------------------------- general patterns
# New tools and wordings: the action a verb asks for, named values, goods, demonyms,
# answers given after a question, and results that are lists or errors.

PLAN = tool("get_plan", "Look up a subscription plan's settings.", ["plan_id"], plan_id=S)
CHANGE_PLAN = tool(
    "update_plan",
    "Change subscription settings.",
    ["plan_id"],
    plan_id=S,
    auto_renew={"type": "boolean"},
    email_receipts={"type": "boolean"},
)
STOCK = tool("check_stock", "Look up how many units of a part are in stock.", part=S)
REORDER = tool(
    "reorder_part",
    "Place a purchase order for a part.",
    ["part", "quantity"],
    part={"type": "string", "description": "part name"},
    quantity={"type": "integer"},
    vendor={"type": "string", "description": "vendor name"},
)
DEPLOY = tool("restart_service", "Restart every instance of a service.", ["service"],
              service=S, region=S)  # fmt: skip
CLUSTER = tool(
    "resize_cluster", "Change the node count of a cluster.", ["cluster", "nodes"],
    cluster=S, nodes={"type": "integer"}, region=S,
)  # fmt: skip
SCREEN = tool(
    "screen_party",
    "Search current clients for a conflict of interest with a new client.",
    party_name=S,
)
ENTRY = tool(
    "entry_rules",
    "Whether a citizen of one country needs a visa to enter another.",
    nationality={"type": "string", "description": "traveller's citizenship"},
    destination=S,
)
CLAIM = tool(
    "open_claim", "Open an insurance claim on a policy.", ["policy_id", "details"],
    policy_id=S, details={"type": "string"},
)  # fmt: skip


def test_the_verb_picks_between_reading_and_changing():
    tools = (PLAN, CHANGE_PLAN)
    change = make_task(user("On plan PL-310, turn off auto-renew but keep email receipts on."),
                       tools=tools)  # fmt: skip
    assert calls(call_tool(change)) == [
        ("update_plan", {"plan_id": "PL-310", "auto_renew": False, "email_receipts": True})
    ]
    read = make_task(user("What are the settings of plan PL-310?"), tools=tools)
    assert calls(call_tool(read)) == [("get_plan", {"plan_id": "PL-310"})]


def test_named_things_technical_names_and_goods_fill_arguments():
    order = make_task(user("Reorder 12 boxes of nitrile swabs from Medline."),
                      tools=(STOCK, REORDER))  # fmt: skip
    assert calls(call_tool(order)) == [
        ("reorder_part", {"part": "nitrile swabs", "quantity": 12, "vendor": "Medline"})
    ]
    ops = make_task(user("Resize search-prod to 7 nodes in ap-northeast-1."),
                    tools=(DEPLOY, CLUSTER))  # fmt: skip
    assert calls(call_tool(ops)) == [
        ("resize_cluster", {"cluster": "search-prod", "nodes": 7, "region": "ap-northeast-1"})
    ]
    restart = make_task(user("Restart the billing-svc in eu-central-2."), tools=(DEPLOY, CLUSTER))
    assert calls(call_tool(restart)) == [
        ("restart_service", {"service": "billing-svc", "region": "eu-central-2"})
    ]
    party = make_task(user("Before we sign Vantor Mining as a client, screen for conflicts."),
                      tools=(SCREEN, CLAIM))  # fmt: skip
    assert calls(call_tool(party)) == [("screen_party", {"party_name": "Vantor Mining"})]


def test_required_choice_reads_nationality_from_a_demonym():
    task = make_task(user("Do Chilean citizens need a visa for Thailand?"), tools=(ENTRY,),
                     choice="required")  # fmt: skip
    assert calls(call_tool(task)) == [
        ("entry_rules", {"nationality": "Chilean", "destination": "Thailand"})
    ]


def test_an_answer_to_a_clarifying_question_completes_the_call():
    history = (
        user("Please open a claim: a branch fell on my shed during last night's gale."),
        Message("assistant", "I can do that. Which policy is it for?"),
        user("Policy HM-40921."),
    )
    got = calls(call_tool(make_task(*history, tools=(CLAIM, PLAN))))
    assert got[0][0] == "open_claim"
    assert got[0][1]["policy_id"] == "HM-40921"
    assert "branch fell on my shed" in got[0][1]["details"]
    optional = (
        user("Reorder hex keys."),
        Message("assistant", "How many, and from which vendor?"),
        user("40 of them from Wurth"),
    )
    assert calls(call_tool(make_task(*optional, tools=(STOCK, REORDER)))) == [
        ("reorder_part", {"part": "hex keys", "quantity": 40, "vendor": "Wurth"})
    ]


def test_results_with_lists_and_errors_are_summarised():
    history = (
        user("Why does the queue-worker keep crashing?"),
        assistant_calls(("c1", "restart_service", {"service": "queue-worker"})),
        result("c1", {"events": [{"at": "02:14", "msg": "out of memory: heap limit reached"},
                                 {"at": "02:19", "msg": "worker killed by supervisor"}]}),
    )  # fmt: skip
    content = answer_from_tool_result(make_task(*history, tools=(DEPLOY,))).content
    assert "out of memory" in content and "worker killed" in content
    failed = (
        user("Restart ghost-api"),
        assistant_calls(("c1", "restart_service", {"service": "ghost-api"})),
        result("c1", {"status": "error", "message": "service ghost-api does not exist"}),
    )
    content = answer_from_tool_result(make_task(*failed, tools=(DEPLOY,))).content
    assert "error" in content and "does not exist" in content
    rows = (
        user("Lab values for sample Q-7?"),
        assistant_calls(("c1", "get_results", {"sample": "Q-7"})),
        result("c1", [{"test": "ferritin", "value": 41}, {"test": "b12", "value": 380}]),
    )
    content = answer_from_tool_result(make_task(*rows, tools=())).content
    assert "ferritin" in content and "41" in content and "380" in content


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def tools_client():
    with BackgroundServer() as server:
        with openai.OpenAI(base_url=server.url + "/v1", api_key="course", max_retries=0) as c:
            yield c


def wire(spec: ToolSpec) -> dict:
    return {"type": "function", "function": {"name": spec.name, "description": spec.description,
                                             "parameters": spec.parameters}}  # fmt: skip


def test_streamed_tool_call_through_the_official_client(tools_client):
    with tools_client.chat.completions.stream(
        model="course-mini",
        messages=[{"role": "user", "content": "What's the weather in Lima and in Quito?"}],
        tools=[wire(WEATHER), wire(ORDER)],
    ) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    message = final.choices[0].message
    assert final.choices[0].finish_reason == "tool_calls"
    got = [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls]
    assert got == [("get_weather", {"city": "Lima"}), ("get_weather", {"city": "Quito"})]


def test_a_full_tool_loop_through_the_official_client(tools_client):
    messages = [{"role": "user", "content": "How much is 99.5 GBP in JPY?"}]
    first = tools_client.chat.completions.create(
        model="course-mini", messages=messages, tools=[wire(CONVERT), wire(WEATHER)]
    )
    call = first.choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments) == {
        "amount": 99.5,
        "from_currency": "GBP",
        "to_currency": "JPY",
    }
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {
            "role": "tool",
            "tool_call_id": call.id,
            "content": json.dumps({"converted": 18890.25, "rate": 189.85}),
        },
    ]
    second = tools_client.chat.completions.create(
        model="course-mini", messages=messages, tools=[wire(CONVERT), wire(WEATHER)]
    )
    answer = second.choices[0].message
    assert answer.tool_calls is None
    assert "18890.25" in answer.content and "189.85" in answer.content


# ------------------------------------------- arguments not written as "name value"
DISPOSE = tool(
    "record_disposal",
    "Record a liquid poured into a disposal drum.",
    substance_name={"type": "string", "description": "Substance"},
    litres={"type": "number"},
    drum_id={"type": "string", "description": "Drum label"},
)
FAN = tool(
    "set_fan",
    "Switch the ceiling fan in a room on or off.",
    room={"type": "string", "description": "Room name"},
    on={"type": "boolean"},
)
VALVE = tool(
    "set_valve",
    "Open or close an irrigation valve.",
    zone={"type": "string"},
    open={"type": "boolean"},
)


def test_the_noun_after_a_quantity_and_switch_verbs_fill_arguments():
    got = calls(call_tool(make_task(user("Pour 12 litres of ethanol rinse into drum D-4."),
                                    tools=(DISPOSE, FAN))))  # fmt: skip
    assert got == [("record_disposal", {"substance_name": "ethanol", "litres": 12,
                                        "drum_id": "D-4"})]  # fmt: skip
    got = calls(
        call_tool(make_task(user("Switch off the bedroom fan, thanks."), tools=(DISPOSE, FAN)))
    )
    assert got == [("set_fan", {"room": "bedroom", "on": False})]
    got = calls(call_tool(make_task(user("Please turn on the office fan"), tools=(DISPOSE, FAN))))
    assert got == [("set_fan", {"room": "office", "on": True})]
    got = calls(call_tool(make_task(user("Close the valve for zone B3"), tools=(VALVE,))))
    assert got == [("set_valve", {"zone": "B3", "open": False})]


def test_required_choice_prefers_the_tool_the_message_can_fill():
    signup = tool("register_member", "Register a new gym member", full_name=S, email=S,
                  birth_date={"type": "string", "format": "date"})  # fmt: skip
    kit = tool("issue_kit", "Issue kit items to a member",
               member_email=S, items={"type": "array", "items": S})  # fmt: skip
    text = "Please hand out a towel, a lock and a water bottle to pia.lund@gym.se"
    got = calls(call_tool(make_task(user(text), tools=(signup, kit), choice="required")))
    assert got and got[0][0] == "issue_kit"
    assert got[0][1]["member_email"] == "pia.lund@gym.se"
