"""The phase 2 contract datasets: five task folders, each a spec and golden cases.

Every case's ``expected`` must fit the spec: the same fields, enum values from
the spec's ``values``, ids and times matching its ``pattern``, valid ISO dates,
item lists with their key subfield. Task-specific checks keep the labels
meaningful: redacted strings occur in the report, refusals carry a reason, a
text that is not an invoice has nothing extracted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "datasets" / "contracts"
TASKS = (
    "ticket_triage",
    "invoice_extraction",
    "meeting_actions",
    "policy_reply",
    "incident_report",
)
SCORES = {"exact", "number", "date", "keywords", "absent", "set", "items", "ignore"}
CASE_KEYS = {"id", "split", "kind", "input", "expected", "note"}
SPLITS = {"dev", "test"}
KINDS = {"typical", "edge", "negative"}
MINIMUM = {"cases": 36, "dev": 26, "test": 10, "negative": 3, "edge": 3}


@cache
def spec(task: str) -> dict:
    return json.loads((CONTRACTS / task / "spec.json").read_text(encoding="utf-8"))


@cache
def cases(task: str) -> tuple[dict, ...]:
    lines = (CONTRACTS / task / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def is_iso_date(value) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_the_task_folders_are_exactly_the_five_tasks():
    folders = {p.name for p in CONTRACTS.iterdir() if p.is_dir()}
    assert folders == set(TASKS)
    assert (CONTRACTS / "README.md").is_file()
    for task in TASKS:
        assert (CONTRACTS / task / "spec.json").is_file(), task
        assert (CONTRACTS / task / "cases.jsonl").is_file(), task


@pytest.mark.parametrize("task", TASKS)
def test_spec_is_well_formed(task):
    s = spec(task)
    assert s["task"] == task
    assert s["description"].strip() and s["rules"]
    assert all(isinstance(rule, str) and rule.strip() for rule in s["rules"])
    assert s["fields"]
    for name, field in s["fields"].items():
        assert field["score"] in SCORES, (name, field["score"])
        if field["score"] == "items":
            assert isinstance(field["key"], str) and field["fields"], name
            assert field["key"] not in field["fields"], name
        if "values" in field:
            assert field["values"] and len(field["values"]) == len(set(map(str, field["values"])))
        if "pattern" in field:
            re.compile(field["pattern"])


@pytest.mark.parametrize("task", TASKS)
def test_every_line_parses_into_a_case_with_the_schema(task):
    path = CONTRACTS / task / "cases.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{task}: blank line {number}"
        case = json.loads(line)
        assert set(case) == CASE_KEYS, (task, number, set(case) ^ CASE_KEYS)
        assert case["split"] in SPLITS and case["kind"] in KINDS, case["id"]
        assert isinstance(case["input"], str) and case["input"].strip(), case["id"]
        assert isinstance(case["note"], str) and case["note"].strip(), case["id"]
        assert set(case["expected"]) == set(spec(task)["fields"]), case["id"]


@pytest.mark.parametrize("task", TASKS)
def test_ids_are_unique_and_well_formed(task):
    ids = [case["id"] for case in cases(task)]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(rf"{task}-\d{{3}}", i) for i in ids), ids


@pytest.mark.parametrize("task", TASKS)
def test_counts_per_split_and_kind(task):
    records = cases(task)
    splits = Counter(case["split"] for case in records)
    kinds = Counter(case["kind"] for case in records)
    assert len(records) >= MINIMUM["cases"], len(records)
    assert splits["dev"] >= MINIMUM["dev"] and splits["test"] >= MINIMUM["test"], splits
    assert kinds["negative"] >= MINIMUM["negative"] and kinds["edge"] >= MINIMUM["edge"], kinds
    test_kinds = {case["kind"] for case in records if case["split"] == "test"}
    assert test_kinds == KINDS, f"the test split lacks {KINDS - test_kinds}"


def check_value(case_id: str, name: str, field: dict, value) -> None:
    where = f"{case_id}.{name}"
    score = field["score"]
    if "values" in field and score in ("exact", "set"):
        allowed = field["values"]
        members = value if score == "set" else [value]
        assert all(member in allowed for member in members), (where, value, allowed)
    if "pattern" in field:
        if value is None:
            assert field.get("nullable"), where
        else:
            assert isinstance(value, str) and re.fullmatch(field["pattern"], value), (where, value)
    if score == "exact":
        assert value is None or isinstance(value, str | bool), (where, value)
        if value is None:
            assert field.get("nullable") or None in field.get("values", []), where
    elif score == "number":
        assert value is None or is_number(value), (where, value)
    elif score == "date":
        assert value is None or is_iso_date(value), (where, value)
    elif score in ("keywords", "absent", "set"):
        assert isinstance(value, list), where
        assert all(isinstance(item, str) and item.strip() for item in value), (where, value)
        assert len({item.lower() for item in value}) == len(value), (where, "duplicates")
        if score == "keywords":
            assert 1 <= len(value) <= 4, (where, value)
    elif score == "items":
        assert isinstance(value, list), where
        subfields = set(field.get("subfields", [field["key"], *field["fields"]]))
        for item in value:
            assert isinstance(item, dict) and set(item) == subfields, (where, item)
            assert isinstance(item[field["key"]], str) and item[field["key"]].strip(), (where, item)


@pytest.mark.parametrize("task", TASKS)
def test_expected_values_fit_the_spec(task):
    fields = spec(task)["fields"]
    for case in cases(task):
        for name, field in fields.items():
            check_value(case["id"], name, field, case["expected"][name])


def test_triage_order_ids_come_from_the_message():
    for case in cases("ticket_triage"):
        order_id = case["expected"]["order_id"]
        if order_id is not None:
            assert order_id.lower() in case["input"].lower(), case["id"]


def test_invoice_items_and_non_invoices():
    for case in cases("invoice_extraction"):
        expected = case["expected"]
        for item in expected["line_items"]:
            assert is_number(item["quantity"]) and is_number(item["amount"]), case["id"]
        if expected["vendor"] is None:
            assert expected["line_items"] == [], case["id"]
            others = {k: v for k, v in expected.items() if k != "line_items"}
            assert all(v is None for v in others.values()), case["id"]
        else:
            assert expected["currency"] and is_iso_date(expected["invoice_date"]), case["id"]
            assert is_number(expected["total"]) and expected["line_items"], case["id"]
            if expected["due_date"] is not None:
                assert expected["due_date"] >= expected["invoice_date"], case["id"]
    negatives = [c for c in cases("invoice_extraction") if c["kind"] == "negative"]
    assert all(c["expected"]["vendor"] is None for c in negatives)


def test_invoice_amounts_add_up():
    for case in cases("invoice_extraction"):
        e = case["expected"]
        if e["subtotal"] is not None and e["tax"] is not None:
            assert abs(e["subtotal"] + e["tax"] - e["total"]) < 0.01, case["id"]


def test_meeting_owners_are_named_in_the_transcript():
    for case in cases("meeting_actions"):
        for item in case["expected"]["action_items"]:
            assert item["owner"].lower() in case["input"].lower(), (case["id"], item["owner"])
            assert item["task"].strip(), case["id"]
    assert any(not c["expected"]["action_items"] for c in cases("meeting_actions"))
    assert any(
        item["due"] is None
        for c in cases("meeting_actions")
        for item in c["expected"]["action_items"]
    )


def test_policy_refusal_reason_is_none_exactly_when_not_refused():
    records = cases("policy_reply")
    for case in records:
        expected = case["expected"]
        assert (expected["refusal_reason"] == "none") == (expected["decision"] != "refuse"), case[
            "id"
        ]
    assert spec("policy_reply")["policy"], "the policy is written into the spec"
    refused = Counter(
        c["expected"]["refusal_reason"] for c in records if c["expected"]["decision"] == "refuse"
    )
    assert sum(refused.values()) >= 12, refused
    assert set(refused) == {"refund_window", "legal_advice", "other_customer_data"}, refused
    assert any(c["expected"]["decision"] == "escalate" for c in records)


def test_incident_redactions_occur_in_the_report():
    records = cases("incident_report")
    for case in records:
        for secret in case["expected"]["redacted_report"]:
            assert secret in case["input"], (case["id"], secret)
    assert any(not c["expected"]["redacted_report"] for c in records), (
        "a report without personal data"
    )
