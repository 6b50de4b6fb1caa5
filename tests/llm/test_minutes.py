"""Meeting minutes by general rules: due dates, owners, notes, languages and the summary.

Every transcript here is our own (a theatre, a veterinary clinic, a school, a
brewery, a football club...); the checks are the conventions minutes follow,
not any particular meeting.
"""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel, Field

from aieng.llm.catalog import course_models
from aieng.llm.course_model.engine import Task
from aieng.llm.course_model.protocol import Message, ResponseFormat
from aieng.llm.course_model.skills.calendar import due_date, stated_date
from aieng.llm.course_model.skills.dialogue import action_items, decisions, summary
from aieng.llm.course_model.skills.extract import fill_schema
from aieng.llm.course_model.skills.minutes import is_meeting, people, title

FRIDAY = dt.date(2026, 5, 15)  # a Friday


def owners(text: str) -> list[tuple[str | None, str | None]]:
    return [(i.owner, i.due) for i in action_items(text)]


def test_due_date_conventions():
    cases = {
        "by Friday": "2026-05-22",  # "Friday" said on a Friday is a week later
        "this Friday": "2026-05-22",
        "next Tuesday": "2026-05-19",
        "Tuesday next week": "2026-05-19",
        "next week Wednesday at the latest": "2026-05-20",
        "by the end of the week": "2026-05-15",
        "by the end of next week": "2026-05-22",
        "EOD": "2026-05-15",
        "tomorrow": "2026-05-16",
        "in 3 days": "2026-05-18",
        "in two weeks' time": "2026-05-29",
        "by the end of the month": "2026-05-31",
        "by the 28th": "2026-05-28",
        "by 3 June": "2026-06-03",
        "Tomorrow is Saturday, let's say Monday": "2026-05-18",
        "By next Friday - this Friday is today": "2026-05-22",
        "bis zum 20. Mai": "2026-05-20",
        "para el lunes": "2026-05-18",
        "voor donderdag": "2026-05-21",
    }
    assert {k: due_date(k, FRIDAY) for k in cases} == cases
    for vague in ("ASAP", "next week", "soon", "in Q3", "due wk 21", "when you can"):
        assert due_date(vague, FRIDAY) is None, vague
    assert due_date("by Friday", None) is None  # no meeting date: relative dates stay open
    assert due_date("by 2026-06-01", None) == "2026-06-01"


def test_meeting_date_from_header_title_or_a_line_for_the_record():
    assert stated_date("Choir rehearsal notes (week 20, 12/05/2026)\n- x") == dt.date(2026, 5, 12)
    record = "Ana: hi\nBo: hi\nAna: ok\nBo: for the record the meeting date is Tuesday 9 June 2026"
    assert stated_date(record) == dt.date(2026, 6, 9)
    assert stated_date("Ana: hi\nBo: hello") is None


def test_declined_task_goes_to_who_takes_it_and_the_date_set_after():
    text = (
        "Stage crew sync - Monday 4 May 2026\n"
        "Irene: We need someone to repaint the act two backdrop before the dress rehearsal. "
        "Paolo, can you take it?\n"
        "Paolo: Sorry, I can't, I'm on the lighting rig all week.\n"
        "Wendy: I'll do it. When is the dress rehearsal?\n"
        "Irene: The 14th, so have it done by Monday the 11th.\n"
        "Wendy: Fine.\n"
        "Irene: And Paolo, while you're up there, can you check the spotlight cables by Thursday?\n"
        "Paolo: Yes, will do."
    )
    items = action_items(text)
    assert [(i.owner, i.due) for i in items] == [("Wendy", "2026-05-11"), ("Paolo", "2026-05-07")]
    assert "backdrop" in items[0].task


def test_an_answer_is_folded_into_the_request_it_answers():
    text = (
        "Date: Wednesday 6 May 2026\n"
        "Mara: Lukas, can you order more rabies vaccine?\n"
        "Lukas: Sure, I'll place the order today.\n"
        "Mara: Nadia will send the owners the reminder letters.\n"
        "Nadia: I'll send them tomorrow.\n"
        "Mara: Jonas, the kennel rota - Friday?\n"
        "Jonas: Friday I'm off, let's say Monday.\n"
        "Mara: Monday then."
    )
    assert owners(text) == [
        ("Lukas", "2026-05-06"),
        ("Nadia", "2026-05-07"),
        ("Jonas", "2026-05-11"),
    ]


def test_a_pronoun_with_an_object_of_its_own_is_a_new_task():
    # "send them" refers back to a request; "send them the invoice" is a task by itself
    text = (
        "Date: Thursday 7 May 2026\n"
        "Iris: The caterer is confirmed.\n"
        "Omar: I'll send them the deposit by Monday."
    )
    assert owners(text) == [("Omar", "2026-05-11")]


def test_prose_notes_without_an_attendee_list_and_notes_that_say_no_actions():
    prose = (
        "Choir committee notes, Monday 2024-06-03.\n"
        "We talked about the summer concert. Hana will book the church hall by Friday. "
        "Piet to print the posters tomorrow."
    )
    assert owners(prose) == [("Hana", "2024-06-07"), ("Piet", "2024-06-04")]
    none = (
        "Date: 2025-01-09 (Thursday). Attendees: Rosa Diaz, Ken Ito.\nBudget read. No action items."
    )
    assert owners(none) == []


def test_present_tense_choices_are_decisions():
    from aieng.llm.course_model.skills.dialogue import DECISION

    assert DECISION.search("We go with the cheaper venue.")
    assert DECISION.search("we will go for option B")
    assert not DECISION.search("Where do we go from here?")


def test_done_things_ideas_and_unowned_tasks_are_not_items():
    text = (
        "Date: Thursday 7 May 2026 - School trip\n"
        "Anke: Did the coach company confirm?\n"
        "Bram: Yes, I already booked it last week, that's done.\n"
        "Anke: Someone should ask the museum about a guide.\n"
        "Bram: We could also bring packed lunches.\n"
        "Anke: I'll circulate nothing until the parents reply."
    )
    assert action_items(text) == []


def test_bullet_notes_and_action_point_lines():
    notes = (
        "Brewery ops weekly - 2026-05-12 (Tuesday)\n"
        "Present: Hugo (chair), Rosa, Emil\n\n"
        "* Tank 4 cleaned and back in use.\n"
        "* DECISION: switch the pale ale to the new hop supplier.\n"
        "* Rosa to update the recipe sheet, due tomorrow.\n"
        "* Emil to call the bottling plant by Thursday.\n"
        "* someone should look at the labeller noise\n"
    )
    assert is_meeting(notes)
    assert owners(notes) == [("Rosa", "2026-05-13"), ("Emil", "2026-05-14")]
    assert decisions(notes) == ["Switch the pale ale to the new hop supplier"]
    points = (
        "ACTION POINTS - greenhouse (wk 19 meeting, 05/05/2026)\n\n"
        "A1 Femi: fix the misting valve - ASAP\n"
        "A2 Ola: repot the seedlings - due wk 20\n"
        "A3 Dani: order compost - by Friday\n"
        "Info: the heater was serviced."
    )
    assert owners(points) == [("Femi", None), ("Ola", None), ("Dani", "2026-05-08")]


def test_owners_are_first_names_in_other_languages():
    german = (
        "Protokoll Vereinssitzung FC Nordstern\n"
        "Datum: Montag, 11. Mai 2026\n"
        "Teilnehmer: Karl Weber, Anna Brandt, Otto Lind\n\n"
        "1. Beschluss: Der Mitgliedsbeitrag steigt ab Juli auf 60 EUR.\n"
        "2. Frau Brandt schickt die Einladung zur Versammlung bis Freitag.\n"
        "3. Otto prüft die Flutlichtanlage bis zum 20. Mai.\n"
    )
    assert people(german)["Brandt"] == "Anna"
    assert owners(german) == [("Anna", "2026-05-15"), ("Otto", "2026-05-20")]
    spanish = (
        "Reunión de la biblioteca - martes 12 de mayo de 2026\n"
        "Asistentes: Rocío, Tomás\n\n"
        "Rocío: Yo preparo el catálogo nuevo para el jueves.\n"
        "Tomás: Yo llamo a la imprenta el lunes.\n"
    )
    assert owners(spanish) == [("Rocío", "2026-05-14"), ("Tomás", "2026-05-18")]
    dutch = (
        "Datum: woensdag 13 mei 2026\n"
        "Eva: Sem, kun jij donderdag de kassa tellen?\n"
        "Sem: Ja, donderdag kan ik. I'll bring the spare keys too.\n"
        "Eva: Ik regel de bestelling vrijdag."
    )
    assert owners(dutch) == [("Sem", "2026-05-14"), ("Eva", "2026-05-15")]


def test_auto_transcript_fillers_and_a_date_stated_at_the_end():
    text = (
        "[00:00:02] Lia Moreau: um so the, uh, beehive count is down\n"
        "[00:00:07] Sam Ortiz: yeah we lost two colonies over winter\n"
        "[00:00:12] Lia Moreau: ok. Sam can you- can you order two new queens\n"
        "[00:00:15] Sam Ortiz: yep, no date on that yet\n"
        "[00:00:19] Lia Moreau: and I'll call the bee inspector, uh, tomorrow\n"
        "[00:00:24] Lia Moreau: meeting date for the record is Friday 15 May 2026. bye"
    )
    assert owners(text) == [("Sam", None), ("Lia", "2026-05-16")]


def test_summary_names_the_topic_the_decision_and_keeps_names_from_other_languages():
    text = (
        "Date: Monday 18 May 2026\nTopic: Harbour festival stage plan\n\n"
        "Greta: The main stage moves to pier 7 this year.\n"
        "Hans: We decided to drop the fireworks because of the permit cost.\n"
        "Greta: I'll tell the Rotterdam brass band by Friday."
    )
    out = summary(text)
    assert "Harbour festival" in out and "fireworks" in out and "pier 7" in out
    assert out.count(".") <= 4
    dutch = (
        "Datum: dinsdag 19 mei 2026\nAanwezig: Joris, Lotte\n\n"
        "Joris: De koelcel bij Bakkerij Smit is weer kapot.\n"
        "Lotte: Ik bel morgen de monteur van Koeltech."
    )
    out = summary(dutch)
    assert "Bakkerij Smit" in out and "kapot" not in out


def test_title_and_roster():
    assert title("Date: Tuesday 5 May 2026 - Archive move\nAna: hi\nBo: hi") == "Archive move"
    assert title("Topic: Roof repair\nAna: hi\nBo: hi") == "Roof repair"
    roster = people("Client call - Acme\nUs: Ana, Bo. Acme: Cy, Di.\nAna: hi\nCy: hello")
    assert {"Ana", "Bo", "Cy", "Di"} <= set(roster.values())


class Item(BaseModel):
    task: str
    owner: str = Field(description="the person's first name")
    due: str | None = Field(description="ISO date, else null")


class Minutes(BaseModel):
    summary: str
    decisions: list[str]
    action_items: list[Item]


def test_notes_end_to_end_through_a_schema():
    from openai.lib._pydantic import to_strict_json_schema

    notes = (
        "Allotment committee - Thursday 21 May 2026\n"
        "Present: Iris, Mo, Quentin\n\n"
        "- Water bill up 30% on last year.\n"
        "- Decision: install two rain barrels per plot row.\n"
        "- Mo to get quotes for the barrels by Monday.\n"
        "- Quentin will email the members tomorrow.\n"
    )
    task = Task(
        messages=(Message("system", "Turn meeting notes into minutes."), Message("user", notes)),
        profile=course_models()["course-mini"],
        response_format=ResponseFormat("json_schema", to_strict_json_schema(Minutes), "M", True),
    )
    out = json.loads(fill_schema(task).content)
    assert [(i["owner"], i["due"]) for i in out["action_items"]] == [
        ("Mo", "2026-05-25"),
        ("Quentin", "2026-05-22"),
    ]
    assert "rain barrels" in out["summary"] and "Allotment" in out["summary"]
