"""Per-field scoring: every kind, with hand-computed values; golden files loaded and checked."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aieng.contracts import load_cases, load_spec, score_fields
from aieng.contracts.scoring import FieldSpec, Spec, score_value
from aieng.errors import UserError
from aieng.settings import repo_root

FILES = repo_root() / "tests" / "contracts" / "files" / "contact"


def kind(name: str, **extra) -> FieldSpec:
    return FieldSpec(score=name, **extra)


@pytest.mark.parametrize(
    ("expected", "got", "score"),
    [
        ("Ann  Lee", "ann lee", 1.0),
        ("Ann Lee", "Ann Leigh", 0.0),
        (None, None, 1.0),
        (None, "x", 0.0),
        ("x", None, 0.0),
        (True, True, 1.0),
        (True, 1, 0.0),
        (False, None, 0.0),
        (3, 3.0, 1.0),
    ],
)
def test_exact(expected, got, score):
    assert score_value(kind("exact"), expected, got) == score


@pytest.mark.parametrize(
    ("expected", "got", "score"),
    [
        (10, 10.009, 1.0),
        (10, 10.02, 0.0),
        (1234.56, "1234.56", 1.0),
        (None, None, 1.0),
        (0, None, 0.0),
    ],
)
def test_number_within_a_hundredth(expected, got, score):
    assert score_value(kind("number"), expected, got) == score


@pytest.mark.parametrize(
    ("expected", "got", "score"),
    [
        ("2026-03-03", "2026-03-03", 1.0),
        ("2026-03-03", dt.date(2026, 3, 3), 1.0),
        ("2026-03-03", dt.datetime(2026, 3, 3, 17, 5), 1.0),
        ("2026-03-03", "2026-03-03T09:00:00Z", 1.0),
        ("2026-03-03", "2026-03-04", 0.0),
        ("2026-03-03", "3 March 2026", 0.0),
        (None, None, 1.0),
        (None, "2026-03-03", 0.0),
    ],
)
def test_date(expected, got, score):
    assert score_value(kind("date"), expected, got) == score


def test_keywords_score_the_share_present_case_insensitively():
    summary = "The team chose the Tug FT2 and will order it in March."
    assert score_value(kind("keywords"), ["tug", "MARCH", "budget", "order"], summary) == 0.75
    assert score_value(kind("keywords"), [], summary) == 1.0
    assert score_value(kind("keywords"), ["tug"], None) == 0.0
    assert score_value(kind("keywords"), ["ft2"], ["Tug FT2"]) == 1.0


def test_absent_scores_the_share_not_present():
    text = "Call Ann on +44 113 496 0000."
    assert score_value(
        kind("absent"), ["+44 113 496 0000", "ann@lee.io", "password"], text
    ) == pytest.approx(2 / 3)
    assert score_value(kind("absent"), ["secret"], None) == 1.0


def test_set_is_f1_of_normalised_items():
    # matched 2 of expected 3 and of output 4: P = 1/2, R = 2/3, F1 = 4/7
    got = ["alpha", "BETA ", "delta", "epsilon"]
    assert score_value(kind("set"), ["Alpha", "beta", "gamma"], got) == pytest.approx(4 / 7)
    assert score_value(kind("set"), [], []) == 1.0
    assert score_value(kind("set"), [], None) == 1.0
    assert score_value(kind("set"), ["a"], []) == 0.0


def test_items_match_by_key_containment_and_listed_fields():
    spec = kind("items", key="description", fields=["quantity", "amount"])
    expected = [
        {"description": "Drive motor DM-40", "quantity": 12, "amount": 2220.0},
        {"description": "Motor mount bracket MB-7", "quantity": 12, "amount": 174.0},
        {"description": "Freight", "quantity": 1, "amount": 95.0},
    ]
    got = [
        {"description": "drive motor dm-40 24V", "quantity": 12, "amount": 2220.004},  # contains
        {"description": "Bracket", "quantity": 12, "amount": 174.0},  # contained in the expected
        {"description": "Freight (1 pallet)", "quantity": 2, "amount": 95.0},  # quantity differs
        {"description": "Insurance", "quantity": 1, "amount": 10.0},
    ]
    # 2 matches of expected 3 and output 4: P = 2/4, R = 2/3, F1 = 4/7
    assert score_value(spec, expected, got) == pytest.approx(4 / 7)
    assert score_value(spec, expected, expected) == 1.0
    assert score_value(spec, [], []) == 1.0
    assert score_value(spec, expected, []) == 0.0


def test_items_match_one_to_one_greedily():
    spec = kind("items", key="owner", fields=["due"])
    expected = [{"owner": "Tom", "due": "2026-03-06"}, {"owner": "Tom", "due": None}]
    got = [{"owner": "tom", "due": "2026-03-06"}]
    # one output item cannot match both expected items: P = 1, R = 1/2, F1 = 2/3
    assert score_value(spec, expected, got) == pytest.approx(2 / 3)


def test_score_fields_skips_ignored_and_unexpected_fields_and_zeroes_no_output():
    spec = load_spec(FILES / "spec.json")
    expected = {"name": "Ann Lee", "email": None}
    output = {"name": "ann lee", "email": "x@y.z", "company": "Acme", "note": "whatever"}
    assert score_fields(spec, expected, output) == {"name": 1.0, "email": 0.0}
    assert score_fields(spec, expected, None) == {"name": 0.0, "email": 0.0}


def test_golden_files_load_with_split_filter():
    assert [c.id for c in load_cases(FILES / "cases.jsonl")][:2] == ["contact-001", "contact-002"]
    assert len(load_cases(FILES / "cases.jsonl", split="dev")) == 3
    assert [c.id for c in load_cases(FILES / "cases.jsonl", split="test")] == ["contact-004"]
    spec = load_spec(FILES / "spec.json")
    assert spec.task == "contact" and spec.scored_fields == ["name", "email", "company"]


@pytest.mark.parametrize("task", ["invoice_extraction", "meeting_actions", "ticket_triage"])
def test_the_course_golden_sets_load(task):
    folder = repo_root() / "datasets" / "contracts" / task
    if not folder.exists():
        pytest.skip(f"{folder} is not there yet")
    spec = load_spec(folder / "spec.json")
    cases = load_cases(folder / "cases.jsonl")
    assert cases and spec.scored_fields
    for case in cases:  # expected values score 1.0 against themselves
        scores = score_fields(spec, case.expected, case.expected)
        assert all(s == 1.0 for s in scores.values()), (case.id, scores)


def test_bad_golden_files_are_user_errors_naming_the_line(tmp_path):
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"id": "a", "input": "x"}\n{"id": "b"}\n')
    with pytest.raises(UserError, match=r"cases.jsonl:2: not a golden case"):
        load_cases(bad)
    bad.write_text('{"id": "a", "input": "x"}\n{"id": "a", "input": "y"}\n')
    with pytest.raises(UserError, match="appears twice"):
        load_cases(bad)
    with pytest.raises(UserError, match="cannot read the cases file"):
        load_cases(tmp_path / "missing.jsonl")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"task": "t", "fields": {"a": {"score": "fuzzy"}}}))
    with pytest.raises(UserError, match="not a scoring spec"):
        load_spec(spec)
    spec.write_text(json.dumps({"task": "t", "fields": {"a": {"score": "items"}}}))
    with pytest.raises(UserError, match='needs "key"'):
        load_spec(spec)


def test_a_spec_is_a_pydantic_record():
    spec = Spec.model_validate({"task": "t", "fields": {"a": {"score": "ignore"}}})
    assert spec.scored_fields == []


def test_a_spec_reads_as_a_labelling_guide():
    spec = Spec.model_validate(
        {
            "task": "returns",
            "description": "Read a return request.",
            "rules": ["wants: refund or replacement"],
            "policy": ["Refunds within 30 days."],
            "fields": {"wants": {"score": "exact", "values": ["refund", "replacement"]}},
        }
    )
    guide = spec.guide()
    assert guide.startswith("returns: Read a return request.")
    assert "wants: scored exact one of ['refund', 'replacement']" in guide
    assert "rules:\n  - wants: refund or replacement" in guide
    assert "policy:\n  - Refunds within 30 days." in guide
