"""Labels and booleans defined by conditions in a prompt's rules or a field's description."""

from __future__ import annotations

from aieng.llm.course_model.skills.conditions import (
    by_definition,
    conditional_boolean,
    conditions_met,
    split_conditions,
)
from aieng.llm.course_model.skills.definitions import read_definitions
from aieng.llm.course_model.skills.slots import fill_object

LEVEL_RULES = (
    "You grade reports from a chain of bakeries.\n"
    "- risk: the highest level that applies. severe = a burn or scald; gas smell in a shop; "
    "an oven fire. moderate = a freezer warm; a delivery van broken down. minor = cosmetic "
    "or a drill that went as planned.\n"
    "- mood: upset when the writer complains or shows anger or worry; pleased when thanks "
    "is the main point; calm otherwise."
)
SCHEMA = {
    "type": "object",
    "properties": {
        "risk": {"type": "string", "enum": ["minor", "moderate", "severe"]},
        "mood": {"type": "string", "enum": ["calm", "pleased", "upset"]},
        "brand": {"anyOf": [{"type": "string", "enum": ["CrumbOS", "Ovenix"]}, {"type": "null"}]},
    },
    "required": ["risk", "mood", "brand"],
}


def test_definitions_run_over_semicolons_until_the_next_label():
    d = read_definitions(["minor", "moderate", "severe"], "", LEVEL_RULES, ("risk",))
    assert d.conditions["severe"] == "a burn or scald; gas smell in a shop; an oven fire"
    assert d.conditions["moderate"].startswith("a freezer warm; a delivery van")
    assert d.highest_first


def test_when_shape_and_otherwise_default():
    d = read_definitions(["calm", "pleased", "upset"], "", LEVEL_RULES, ("mood",))
    assert d.default == "calm"
    assert set(d.conditions) == {"pleased", "upset"}
    assert "complains" in d.conditions["upset"]


def test_description_and_rules_are_both_read():
    d = read_definitions(
        ["low", "high"],
        "high = lab closed; low = a question",
        "- level: high = a spill",
        ("level",),
    )
    assert "a spill" in d.conditions["high"] and "lab closed" in d.conditions["high"]


def test_the_highest_level_that_applies_wins():
    defs = {"severe": "a burn", "moderate": "a freezer warm"}
    text = "The freezer was warm all night and a baker got a burn from the tray."
    assert by_definition(text, defs, highest_first=True) == "severe"
    assert by_definition("The freezer was warm overnight.", defs, highest_first=True) == "moderate"


def test_negated_conditions_are_not_met():
    assert conditions_met("A tray slipped; nobody was hurt.", "an injury") == []
    assert conditions_met("A tray slipped and a baker was hurt.", "an injury") == ["an injury"]
    # a negator inside the condition: "with no injury" is no cue
    assert conditions_met("A near miss with the van, no injury.", "a near miss with no injury")


def test_word_forms_and_shared_tails():
    assert conditions_met("We will terminate and cancel the lease.", "cancellation")
    assert conditions_met("The customer list was emailed to a stranger.", "customer data exposed")
    parts = split_conditions("a bakery or a warehouse fully down")
    assert parts == ["a bakery fully down", "a warehouse fully down"]
    # "custom" is no form of "customer", "charges" none of "chargers"
    assert conditions_met("Our customer called.", "customs") == []


def test_boolean_conditions_from_description_and_prompt():
    desc = "true when the message threatens legal action or cancellation, or asks for a person"
    assert conditional_boolean(("escalate",), desc, "", "We will cancel our plan next week.")
    assert not conditional_boolean(("escalate",), desc, "", "How do I change my plan?")


def test_fill_object_uses_levels_defaults_and_named_values():
    out = fill_object(
        SCHEMA, "Gas smell in the Elm Street shop this morning. Ovenix 3 showed error 12.",
        notes=LEVEL_RULES,
    ).value  # fmt: skip
    assert out["risk"] == "severe" and out["brand"] == "Ovenix"
    calm = fill_object(SCHEMA, "Please send the new price list for rye loaves.", notes=LEVEL_RULES)
    assert calm.value["mood"] == "calm" and calm.value["brand"] is None
    upset = fill_object(SCHEMA, "I complain again: the crumbos screen is WRONG AGAIN TODAY.",
                        notes=LEVEL_RULES)  # fmt: skip
    assert upset.value["mood"] == "upset" and upset.value["brand"] == "CrumbOS"
