"""The gate (at or above passes, below fails) and `aieng contracts test` exit codes 0/1/2."""

from __future__ import annotations

import json
import shutil

import pytest

import aieng.llm
from aieng.cli import main
from aieng.contracts import PromptContract, SuiteReport, gate, save_contract
from aieng.contracts.suite import CaseRow
from aieng.errors import UserError
from aieng.settings import repo_root

FILES = repo_root() / "tests" / "contracts" / "files" / "contact"
SCHEMA = json.loads((FILES / "schema.json").read_text(encoding="utf-8"))  # the contact fixture
CONTRACT = PromptContract(
    "contact", "1.0.0", "Extract the sender's name, email and company (null if absent).", SCHEMA
)
ANN = {"name": "Ann Lee", "email": "ann.lee@fernhill.io", "company": "Fernhill Robotics"}


def report(*rows: tuple[bool, dict]) -> SuiteReport:
    made = tuple(
        CaseRow(id=str(i), kind="typical", split="dev", seed=None, scores=scores, passed=ok)
        for i, (ok, scores) in enumerate(rows)
    )
    return SuiteReport("contact", "1.0.0", ("name", "email"), made)


FOUR = report(
    (True, {"name": 1.0, "email": 1.0}),
    (True, {"name": 1.0, "email": 1.0}),
    (True, {"name": 1.0, "email": 1.0}),
    (False, {"name": 1.0, "email": 0.0}),
)  # pass rate 0.75; field accuracy (1.0 + 0.75) / 2 = 0.875


@pytest.mark.parametrize(
    ("threshold", "passed"), [(0.75, True), (0.7, True), (0.0, True), (0.76, False), (1.0, False)]
)
def test_pass_rate_gate_passes_at_the_threshold_and_above(threshold, passed):
    result = gate(FOUR, threshold)
    assert result.passed is passed and bool(result) is passed
    assert result.value == 0.75 and result.threshold == threshold and result.metric == "pass_rate"
    assert ("gate passed" if passed else "gate FAILED") in result.message


def test_field_accuracy_gate_uses_the_mean_of_field_accuracies():
    assert gate(FOUR, 0.875, metric="field_accuracy").passed
    result = gate(FOUR, 0.9, metric="field_accuracy")
    assert not result.passed and result.value == 0.875
    assert "field_accuracy 0.875 < 0.900" in result.message


def test_float_error_does_not_fail_an_exact_threshold():
    three = report(*[(True, {"name": 1.0})] * 1, *[(False, {"name": 0.0})] * 2)
    assert gate(three, 1 / 3).passed


def test_bad_gates_are_user_errors():
    with pytest.raises(UserError, match=r"in \[0, 1\]"):
        gate(FOUR, 80)
    with pytest.raises(UserError, match="unknown gate metric"):
        gate(FOUR, 0.5, metric="accuracy")


@pytest.fixture
def project(tmp_path):
    """A saved contract and a copy of the fixture golden files, all under tmp_path."""
    save_contract(CONTRACT, tmp_path / "contracts")
    shutil.copytree(FILES, tmp_path / "golden")
    return tmp_path


@pytest.fixture
def always_ann(monkeypatch, fake_model):
    """`aieng.llm.client()` answers Ann's contact to every request: case 1 of 4 passes."""
    fake = fake_model(json.dumps(ANN))
    monkeypatch.setattr(aieng.llm, "client", fake.client)
    return fake


def cli(project, *extra: str) -> int:
    return main(
        ["contracts", "test", "contact", "--dir", str(project / "contracts"),
         "--cases", str(project / "golden" / "cases.jsonl"),
         "--spec", str(project / "golden" / "spec.json"), *extra]
    )  # fmt: skip


def test_cli_exits_0_at_the_threshold_and_1_below_it(project, always_ann, capsys):
    assert cli(project, "--split", "all", "--threshold", "0.25") == 0
    out = capsys.readouterr().out
    assert "contact@1.0.0 on 4 all cases" in out
    assert "pass rate: 0.250 (1/4 rows)" in out and "gate passed" in out
    assert "email" in out and "failed contact-002 (typical)" in out
    assert cli(project, "--split", "all", "--threshold", "0.3") == 1
    assert "gate FAILED" in capsys.readouterr().out
    assert cli(project, "--split", "all", "--metric", "field_accuracy", "--threshold", "0.25") == 0


def test_cli_defaults_to_the_dev_split(project, always_ann, capsys):
    assert cli(project, "--threshold", "0.33") == 0
    assert "pass rate: 0.333 (1/3 rows)" in capsys.readouterr().out


def test_cli_usage_errors_exit_2_with_a_message(project, always_ann, capsys):
    assert main(["contracts", "test", "nobody", "--dir", str(project / "contracts")]) == 2
    assert "aieng contracts: no contract 'nobody'" in capsys.readouterr().err
    assert cli(project, "--version", "9.9") == 2
    missing = ["--cases", str(project / "missing.jsonl")]
    assert cli(project, *missing) == 2
    assert "cannot read the cases file" in capsys.readouterr().err
    assert cli(project, "--threshold", "80") == 2
    with pytest.raises(SystemExit) as caught:
        main(["contracts", "test"])
    assert caught.value.code == 2


def test_cli_runs_against_the_course_model(project, course_server, monkeypatch, capsys):
    monkeypatch.setenv("AIENG_COURSE_MODEL_URL", course_server.url)
    assert cli(project, "--threshold", "0") == 0
    assert "contact@1.0.0 on 3 dev cases" in capsys.readouterr().out


def test_cli_diff_prints_the_changes(project, capsys):
    save_contract(
        PromptContract("contact", "1.1.0", "Extract the contact.", SCHEMA), project / "contracts"
    )
    assert (
        main(
            ["contracts", "diff", "contact", "1.0.0", "1.1.0", "--dir", str(project / "contracts")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("--- contact@1.0.0\n+++ contact@1.1.0\n")
    assert '+  "instructions": "Extract the contact.",' in out
