"""Custom label names defined by conditions: time cues, scope words and negated effects."""

from __future__ import annotations

from aieng.llm.course_model.skills.conditions import (
    by_definition,
    conditional_boolean,
    conditions_met,
    shows_no_impact,
)
from aieng.llm.course_model.skills.definitions import read_definitions
from aieng.llm.course_model.skills.slots import fill_object

FERRY = (
    "You triage messages to a ferry operator's help desk.\n"
    "- urgency: high = a safety risk or damage happening right now, or a sailing today or "
    "tomorrow; medium = a change to a booking more than a day away; low = general questions "
    "and feedback.\n"
    "- needs_human: true when there is a safety risk, an injury, or a legal threat."
)
FERRY_SCHEMA = {
    "type": "object",
    "properties": {
        "urgency": {"type": "string", "enum": ["low", "medium", "high"]},
        "needs_human": {"type": "boolean"},
    },
    "required": ["urgency", "needs_human"],
}
COWORK = {
    "type": "object",
    "properties": {
        "severity": {
            "type": "string",
            "enum": ["sev1", "sev2", "sev3"],
            "description": "sev1 = all members blocked or member data exposed; sev2 = a "
            "feature degraded for some members; sev3 = internal only, no member impact",
        }
    },
    "required": ["severity"],
}
FOOD = (
    "Classify food bank incidents. tier-1: all clients unable to collect food, or a food "
    "safety hazard. tier-2: some clients affected or a delay to some collections. "
    "tier-3: back-office only, clients not affected."
)
FOOD_SCHEMA = {
    "type": "object",
    "properties": {"tier": {"type": "string", "enum": ["tier-1", "tier-2", "tier-3"]}},
    "required": ["tier"],
}
SCHOOL = (
    "You sort tickets for a school IT desk. priority:\n"
    "P1 = every student or every teacher blocked, or pupil data exposed\n"
    "P2 = one classroom or a few users degraded\n"
    "P3 = internal to the IT team only, no effect on students or staff"
)


def _one(schema, text, notes=""):
    return fill_object(schema, text, notes=notes).value


def test_custom_label_names_are_read_from_definition_lines():
    d = read_definitions(["P1", "P2", "P3"], "", SCHOOL)
    assert set(d.conditions) == {"P1", "P2", "P3"}
    assert "pupil data exposed" in d.conditions["P1"]
    d = read_definitions(["tier-1", "tier-2", "tier-3"], "", FOOD)
    assert "back-office" in d.conditions["tier-3"]


def test_damage_happening_right_now_is_high_and_needs_a_human():
    out = _one(FERRY_SCHEMA, "Sea water is pouring into the car deck right now!", FERRY)
    assert out == {"urgency": "high", "needs_human": True}
    assert conditions_met("Water dripping onto the computers right now!", "damage happening now")


def test_a_sailing_tomorrow_is_high_by_the_tasks_own_definition():
    out = _one(FERRY_SCHEMA, "Can I move my ticket to the 7am sailing tomorrow?", FERRY)
    assert out["urgency"] == "high"
    later = _one(FERRY_SCHEMA, "I'd like to change my booking from 12 August to 19 August.", FERRY)
    assert later == {"urgency": "medium", "needs_human": False}


def test_severity_by_scope_and_negated_impact():
    assert _one(COWORK, "Door access is down: all members are blocked.")["severity"] == "sev1"
    assert _one(COWORK, "The member list was leaked; member data exposed.")["severity"] == "sev1"
    assert _one(COWORK, "Internal staff email is delayed by an hour.")["severity"] == "sev3"
    quiet = "The staff invoice scanner is offline; member bookings left on time."
    assert _one(COWORK, quiet)["severity"] == "sev3"
    assert _one(COWORK, "Wi-Fi is slow for some members.")["severity"] == "sev2"


def test_some_is_not_all_and_as_normal_is_no_impact():
    late = "The Tuesday van was late so some clients waited an extra hour."
    assert _one(FOOD_SCHEMA, late, FOOD)["tier"] == "tier-2"
    synced = "The rota spreadsheet failed to sync; all collections went ahead as normal."
    assert _one(FOOD_SCHEMA, synced, FOOD)["tier"] == "tier-3"
    assert (
        _one(FOOD_SCHEMA, "No client can collect food today: the door is jammed.", FOOD)["tier"]
        == "tier-1"
    )


def test_negated_effect_conditions_need_the_text_to_say_so():
    assert shows_no_impact("Customer orders left on time.")
    assert shows_no_impact("Students and staff not affected.")
    assert not shows_no_impact("Customers are affected across the region.")
    # naming the subject of "clients not affected" does not meet it
    assert conditions_met("Some clients waited an hour.", "clients not affected") == []
    defs = {"P1": "every student blocked", "P3": "internal only, no effect on students"}
    text = "The IT team's backup job ran late; students and staff not affected."
    assert by_definition(text, defs) == "P3"


def test_boolean_safety_condition_catches_water_on_equipment():
    desc = "true when there is a safety risk or an injury"
    assert conditional_boolean(("needs", "human"), desc, "", "Water is dripping onto the server!")
    assert not conditional_boolean(("needs", "human"), desc, "", "Can I book a desk for Friday?")
