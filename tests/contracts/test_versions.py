"""Contract versions as files: round trip, latest version, immutability, diffs."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from pydantic import BaseModel

from aieng.contracts import (
    PromptContract,
    diff_contracts,
    list_versions,
    load_contract,
    save_contract,
)
from aieng.contracts.store import version_key
from aieng.errors import UserError


class Contact(BaseModel):
    name: str
    email: str | None = None


V1 = PromptContract(
    "contact",
    "1.0.0",
    "Extract the sender's contact details.",
    Contact,
    examples=[("I'm Bob", {"name": "Bob"})],
    refusal_rules=["Refuse to guess home addresses."],
    max_output_tokens=200,
)


def test_save_writes_sorted_indented_json_at_name_version(tmp_path):
    path = save_contract(V1, tmp_path)
    assert path == tmp_path / "contact" / "1.0.0.json"
    text = path.read_text()
    assert text.endswith("}\n") and text.startswith('{\n  "examples"')
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data["output_schema"] == Contact.model_json_schema()
    assert data["examples"] == [{"input": "I'm Bob", "output": {"name": "Bob"}}]
    for key in ("name", "version", "instructions", "refusal_rules", "recovery_prompt", "model"):
        assert data[key] == getattr(V1, key) or data[key] == list(getattr(V1, key))
    assert data["temperature"] == 0.0


def test_round_trip_keeps_everything_but_the_pydantic_class(tmp_path):
    save_contract(V1, tmp_path)
    loaded = load_contract(tmp_path, "contact", "1.0.0")
    assert loaded.to_json() == V1.to_json()
    assert loaded.schema == Contact.model_json_schema()
    assert not loaded.output_schema.is_model


def test_latest_version_by_natural_order(tmp_path):
    for version in ("1.2.9", "1.10.0", "1.2.10", "v2"):
        save_contract(replace(V1, version=version), tmp_path)
    assert list_versions(tmp_path, "contact") == ["1.2.9", "1.2.10", "1.10.0", "v2"]
    assert load_contract(tmp_path, "contact").version == "v2"
    assert list_versions(tmp_path, "nobody") == []
    assert version_key("v10") > version_key("v9")


def test_versions_are_immutable_but_saving_the_same_again_is_fine(tmp_path):
    path = save_contract(V1, tmp_path)
    assert save_contract(V1, tmp_path) == path
    loaded = load_contract(tmp_path, "contact")
    assert save_contract(loaded, tmp_path) == path  # identical serialised form
    changed = replace(V1, instructions="Extract the contact, politely.")
    with pytest.raises(UserError, match="versions are immutable, so bump the version"):
        save_contract(changed, tmp_path)
    assert json.loads(path.read_text())["instructions"] == V1.instructions


def test_missing_contracts_and_versions_are_clear_user_errors(tmp_path):
    with pytest.raises(UserError, match="no contract 'contact'"):
        load_contract(tmp_path, "contact")
    save_contract(V1, tmp_path)
    with pytest.raises(UserError, match="no version '9.9': choose one of 1.0.0"):
        load_contract(tmp_path, "contact", "9.9")
    (tmp_path / "contact" / "2.0.0.json").write_text("{not json")
    with pytest.raises(UserError, match="not readable JSON"):
        load_contract(tmp_path, "contact")
    (tmp_path / "contact" / "2.0.0.json").write_text('{"name": "contact"}')
    with pytest.raises(UserError, match="not a prompt contract record"):
        load_contract(tmp_path, "contact")


def test_diff_shows_what_changed_between_versions():
    v2 = replace(V1, version="1.1.0", temperature=0.2, refusal_rules=("Refuse minors.",))
    diff = diff_contracts(V1, v2)
    lines = diff.splitlines()
    assert lines[0] == "--- contact@1.0.0" and lines[1] == "+++ contact@1.1.0"
    assert '-  "temperature": 0.0,' in lines and '+  "temperature": 0.2,' in lines
    assert '-  "version": "1.0.0"' in lines and '+  "version": "1.1.0"' in lines
    assert '+    "Refuse minors."' in lines
    assert diff_contracts(V1, V1) == ""
