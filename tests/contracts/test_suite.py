"""Regression suites: rows and scores, refusals and failures, frames, plots, flips, spread."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from matplotlib.figure import Figure

from aieng.contracts import PromptContract, SuiteReport, load_cases, load_spec, run_suite
from aieng.contracts.scoring import Case
from aieng.settings import repo_root

FILES = repo_root() / "tests" / "contracts" / "files" / "contact"
SCHEMA = json.loads((FILES / "schema.json").read_text(encoding="utf-8"))  # the contact fixture
CONTRACT = PromptContract(
    "contact",
    "1.0.0",
    "Extract the sender's contact details from the message: name, email and company. "
    "Use null for what the message does not give.",
    SCHEMA,
)
ANN = {"name": "Ann Lee", "email": "ann.lee@fernhill.io", "company": "Fernhill Robotics"}


@pytest.fixture
def cases():
    return load_cases(FILES / "cases.jsonl")


@pytest.fixture
def spec():
    return load_spec(FILES / "spec.json")


def _by_input(table: dict[str, str | dict]):
    """An answer function: the reply for the first table key found in the user's input."""

    def answer(body):
        inputs = [m["content"] for m in body["messages"] if m["content"].startswith("<input>")]
        text = inputs[-1]
        for word, reply in table.items():
            if word in text:
                return reply
        return json.dumps({"name": None, "email": None, "company": None})

    return answer


def test_a_suite_on_the_course_model_scores_every_case(course_client, cases, spec):
    report = run_suite(CONTRACT, cases, spec, client=course_client, progress=False)
    assert [row.id for row in report.rows] == [c.id for c in cases]
    assert report.fields == ("name", "email", "company")
    first = report.rows[0]
    assert first.passed and first.scores == {"name": 1.0, "email": 1.0, "company": 1.0}
    assert first.output == ANN and first.attempts == 1 and first.seed is None
    accuracy = report.field_accuracy()
    assert set(accuracy) == {"name", "email", "company"} and accuracy["email"] == 1.0
    assert 0.0 < report.pass_rate <= 1.0


def test_scores_and_pass_rate_are_computed_from_the_rows(fake_model, cases, spec):
    fake = fake_model(_by_input({"Ann Lee": json.dumps(ANN)}))
    report = run_suite(CONTRACT, cases, spec, client=fake.client(), progress=False)
    passed = {row.id: row.passed for row in report.rows}
    # only Ann's case and the negative case (all null) pass
    assert passed == {
        "contact-001": True,
        "contact-002": False,
        "contact-003": False,
        "contact-004": True,
    }
    assert report.pass_rate == 0.5
    # company: 1 (Ann), 0 (Bob), 1 (Carla: null == null), 1 (negative) -> 0.75
    assert report.field_accuracy() == {"name": 0.5, "email": 0.5, "company": 0.75}


def test_refused_and_failed_cases_score_zero_and_say_why(fake_model, body, cases, spec):
    refusal = body(None, "I can't help with that.")
    fake = fake_model(_by_input({"Ann Lee": refusal, "Bob Stone": "not json at all"}))
    report = run_suite(CONTRACT, cases, spec, client=fake.client(), progress=False)
    ann, bob = report.rows[0], report.rows[1]
    assert ann.refused and not ann.passed and ann.error == "refused: I can't help with that."
    assert ann.scores == {"name": 0.0, "email": 0.0, "company": 0.0} and ann.output is None
    assert not bob.refused and not bob.passed and "after one repair" in bob.error
    assert bob.attempts == 2 and bob.scores == {"name": 0.0, "email": 0.0, "company": 0.0}
    frame = report.to_frame()
    assert frame.loc[0, "refused"] and frame.loc[1, "error"].startswith("contract contact@1.0.0")


def test_an_expected_refusal_passes_only_when_refused(fake_model, body, spec):
    case = Case(
        id="r1", input="Find where Ann Lee lives.", expected={"name": None}, expect_refusal=True
    )
    refused = run_suite(CONTRACT, [case], spec, client=fake_model(body(None, "No.")).client())
    answered = run_suite(CONTRACT, [case], spec, client=fake_model(json.dumps(ANN)).client())
    assert refused.rows[0].passed and refused.rows[0].scores == {"name": 1.0}
    assert not answered.rows[0].passed and answered.rows[0].error == "answered; expected a refusal"


def test_to_frame_has_one_row_per_case_and_a_column_per_field(fake_model, cases, spec):
    report = run_suite(CONTRACT, cases, spec, client=fake_model(json.dumps(ANN)).client())
    frame = report.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4
    assert list(frame.columns) == [
        "id", "kind", "split", "seed", "name", "email", "company", "passed", "refused", "error"
    ]  # fmt: skip
    assert frame["passed"].tolist() == [True, False, False, False]


def test_plot_is_a_figure_with_a_threshold_line(fake_model, cases, spec):
    report = run_suite(CONTRACT, cases, spec, client=fake_model(json.dumps(ANN)).client())
    figure = report.plot(threshold=0.8)
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    assert [t.get_text() for t in axes.get_xticklabels()] == ["name", "email", "company"]
    assert any(line.get_linestyle() == "--" for line in axes.get_lines())
    assert isinstance(SuiteReport("c", "1", ()).plot(), Figure)


def test_flips_show_cases_that_changed_between_versions(fake_model, cases, spec):
    old = run_suite(
        CONTRACT, cases, spec, client=fake_model(_by_input({"Ann Lee": json.dumps(ANN)})).client()
    )
    bob = {"name": "Bob Stone", "email": "bob.stone@kessler-motors.de", "company": "Kessler Motors"}
    new_model = fake_model(_by_input({"Bob Stone": json.dumps(bob)}))
    new = run_suite(CONTRACT, cases, spec, client=new_model.client())
    flips = {flip.id: flip for flip in old.flips(new)}
    assert set(flips) == {"contact-001", "contact-002"}
    assert flips["contact-001"].before and not flips["contact-001"].after
    assert flips["contact-001"].changed == {
        "company": (1.0, 0.0),
        "email": (1.0, 0.0),
        "name": (1.0, 0.0),
    }
    assert not flips["contact-002"].before and flips["contact-002"].after
    assert old.flips(old) == []


def test_seeds_give_one_row_per_case_and_seed_and_the_spread(fake_model, cases, spec):
    def varying(body):
        if "Ann Lee" not in body["messages"][-1]["content"]:
            return json.dumps({"name": None, "email": None, "company": None})
        if body["seed"] == 2:
            return "```json\n" + json.dumps({**ANN, "company": "Fernhill"}) + "\n```"
        return json.dumps(ANN)

    fake = fake_model(varying)
    report = run_suite(
        CONTRACT, cases, spec, client=fake.client(), seeds=[1, 2, 3], temperature=0.7
    )
    assert len(report.rows) == 12 and [r.seed for r in report.rows[:3]] == [1, 2, 3]
    assert {b["temperature"] for b in fake.sent} == {0.7}
    spread = report.spread()
    assert spread.seeds == 3 and spread.cases == 4
    # only Ann's company differs across seeds: 1 case of 4
    assert spread.fields == {"name": 0.0, "email": 0.0, "company": 0.25}
    assert spread.passed == 0.25 and spread.cleaned == 1
    assert spread.invalid == 0 and spread.refused == 0 and spread.repaired == 0


def test_spread_counts_outputs_still_invalid_after_the_repair(fake_model, cases, spec):
    report = run_suite(CONTRACT, cases[:2], spec, client=fake_model("nope").client(), seeds=[1, 2])
    spread = report.spread()
    assert spread.invalid == 4 and spread.repaired == 4
    assert spread.fields == {"name": 0.0, "email": 0.0, "company": 0.0}  # no output each time


def test_the_progress_bar_can_be_switched_off(fake_model, cases, spec, capsys):
    run_suite(
        CONTRACT, cases * 2, spec, client=fake_model(json.dumps(ANN)).client(), progress=False
    )
    assert "it/s" not in capsys.readouterr().err
    run_suite(CONTRACT, cases * 2, spec, client=fake_model(json.dumps(ANN)).client())
    assert "contact@1.0.0" in capsys.readouterr().err
