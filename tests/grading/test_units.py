"""Small pieces of the grading package: public names, rules, kernels, submissions."""

from __future__ import annotations

import io
import zipfile

import pytest

import aieng.grading
from aieng.errors import UserError
from aieng.grading.feedback import redact_outputs
from aieng.grading.rules import LADDER, AssignmentRule, CellResult, certified, rule_for, timeouts
from aieng.grading.sandbox import GradingKernelManager, SandboxPolicy
from aieng.grading.submissions import collect_submissions, learner_id


def test_public_names_are_pinned():
    assert aieng.grading.__all__ == [
        "LADDER",
        "check",
        "grade",
        "inspect_notebook",
        "labs_in_sync",
        "progress",
        "release_labs",
        "rule_for",
    ]
    assert callable(aieng.grading.check) and callable(aieng.grading.progress)


def test_the_ladder_in_order():
    assert [rule.name for rule in LADDER] == [
        "p1-chat-api",
        "p2-prompt-contracts",
        "p3-rag",
        "p4-tool-agent",
        "p5-evals-guardrails",
        "p6-production",
        "c1-knowledge-assistant",
        "c2-support-copilot",
        "c3-data-analyst",
        "c4-code-review",
        "c5-multimodal-intake",
    ]
    assert timeouts()["p1-chat-api"] == rule_for("p1-chat-api").timeout_s
    with pytest.raises(UserError, match="Did you mean 'p3-rag'"):
        rule_for("p3-rga")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([("test-a", "test", 1, 1), ("eval-b", "eval", 1, 1)], True),
        ([("test-a", "test", 1, 1), ("eval-b", "eval", 0, 1), ("eval-c", "eval", 2, 2)], True),
        ([("test-a", "test", 0.5, 1), ("eval-b", "eval", 1, 1)], False),
        ([("test-a", "test", 1, 1), ("eval-b", "eval", 0, 1)], False),
        ([("test-a", "test", 1, 1)], False),  # no eval check: cannot certify
        ([("test-a", "test", 1, 1), ("eval-b", "eval", 1, 1), ("memo", "manual", 0, 3)], True),
    ],
)
def test_certification_rule(cells, expected):
    rule = AssignmentRule("x", "x")
    assert certified(rule, [CellResult(*cell) for cell in cells]) is expected


def test_graded_kernels_get_no_keys_and_the_course_model(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("AIENG_PROVIDER", "openai")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    km = GradingKernelManager()
    km.policy = SandboxPolicy(mode="none", course_model_url="http://127.0.0.1:9")
    env = km._kernel_env(dict(__import__("os").environ))
    assert "OPENAI_API_KEY" not in env and "GITHUB_TOKEN" not in env
    assert env["AIENG_PROVIDER"] == "course"
    assert env["AIENG_COURSE_MODEL_URL"] == "http://127.0.0.1:9"
    assert env["HF_HUB_OFFLINE"] == "1"


def test_redaction_keeps_messages_and_drops_hidden_code():
    hidden = [
        'secret_cases_1 = ["refund ORD-1", "where is ORD-2"]',
        "score = grade(secret_cases_1)",
        'assert score > 0.8, f"score {score:.2f} is below 0.8"',
    ]
    outputs = [
        {
            "output_type": "error",
            "ename": "AssertionError",
            "evalue": "score 0.50 is below 0.8",
            "traceback": [
                "Cell In[3], line 4\n      1 visible_check()\n"
                '----> 4 assert score > 0.8, f"score {score:.2f} is below 0.8"\n',
                "AssertionError: score 0.50 is below 0.8",
            ],
        },
        {"output_type": "stream", "name": "stdout", "text": "checking refund ORD-1\n"},
    ]
    error, stream = redact_outputs(outputs, hidden)
    text = "\n".join(error["traceback"])
    assert "assert score > 0.8" not in text and "visible_check()" in text
    assert error["evalue"] == "score 0.50 is below 0.8"
    assert "refund ORD-1" not in stream["text"] and "[hidden]" in stream["text"]


def test_learner_ids_are_safe():
    assert learner_id("Ana María") == "Ana_Mar_a"
    assert learner_id("=cmd|' /C calc'!A0") == "cmd_C_calc_A0"
    assert learner_id("../../etc") == "etc"
    assert learner_id("...") == "learner"


def test_zip_bombs_and_junk_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x0-fixture.ipynb", b"{" + b" " * (30 * 1024 * 1024) + b"}")
    (tmp_path / "bomb.zip").write_bytes(buffer.getvalue())
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.ipynb").write_text("{}")
    (tmp_path / "two" / "b.ipynb").write_text("{}")
    found = {s.learner: s for s in collect_submissions(tmp_path, "x0-fixture")}
    assert "too big" in found["bomb"].problem
    assert "not a readable zip" in found["junk"].problem
    assert "several notebooks" in found["two"].problem
    with pytest.raises(UserError, match="no submissions folder"):
        collect_submissions(tmp_path / "missing", "x0-fixture")
