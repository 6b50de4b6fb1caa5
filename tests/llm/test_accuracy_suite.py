"""The course model's accuracy suite: varied cases of our own, graded by declared checks.

Each case in ``files/accuracy_cases.json`` is a request (messages, and tools or
a response_format) plus checks on the reply. The runner sends every case at
temperature 0 through the official ``openai`` client and returns one
``CaseResult`` per case, so ``aieng bench`` or the docs can print the same
table:

    results = run_suite(openai_client, model="course-mini")
    print(accuracy_table(results))

Run it directly for a table without pytest: ``python tests/llm/test_accuracy_suite.py``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest

CASES_FILE = Path(__file__).parent / "files" / "accuracy_cases.json"
KINDS = ("extraction", "tools", "grounding", "classification", "summary", "refusal")
MINIMUM_PER_KIND = {
    "extraction": 12,
    "tools": 12,
    "grounding": 8,
    "classification": 8,
    "summary": 4,
    "refusal": 6,
}
TARGET = 0.90

REFUSAL = re.compile(
    r"\b(i can(?:'|’|no)t|i cannot|i won(?:'|’)t|i will not|i(?:'|’)m (?:not able|unable)|"
    r"i am (?:not able|unable)|unable to (?:help|assist)|not able to (?:help|assist)|"
    r"outside (?:of )?(?:my|the|this) (?:scope|remit)|i can only|i only (?:help|answer|assist)|"
    r"(?:sorry|apologi[sz]e),? but)",
    re.IGNORECASE,
)
DECLINE = re.compile(
    r"(do(?:n't|n’t| not) know|not sure|can(?:'|’|no)t (?:find|answer|tell)|"
    r"could(?:n't|n’t| not) find|no information|not (?:mentioned|covered|stated|included|specified)|"
    r"(?:do(?:n't|n’t| not)|does(?:n't|n’t| not)) (?:contain|mention|say|include|cover|state)|"
    r"unable to (?:find|answer)|(?:isn't|is not|aren't|are not) (?:mentioned|covered|in|stated)|"
    r"no (?:passage|source)s? )",
    re.IGNORECASE,
)
CITATION = re.compile(r"\[([^\[\]\n]{1,60})\]")


@dataclass(frozen=True)
class Reply:
    """What the model answered, reduced to what the checks read."""

    content: str = ""
    refusal: str | None = None
    tool_calls: tuple[tuple[str, str], ...] = ()  # (name, arguments JSON text)

    @classmethod
    def from_completion(cls, completion) -> Reply:
        message = completion.choices[0].message
        calls = tuple((c.function.name, c.function.arguments) for c in message.tool_calls or ())
        return cls(message.content or "", message.refusal, calls)


@dataclass(frozen=True)
class CaseResult:
    id: str
    kind: str
    passed: bool
    failures: tuple[str, ...] = ()
    reply: Reply = field(default_factory=Reply)


# --- comparing values --------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).casefold().strip()
    return re.sub(r"\s+", " ", text)


def same(expected, actual) -> bool:
    """Equality as a user of an API would judge it: case and spacing in strings do not count."""
    if expected is None or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, int | float):
        return (
            isinstance(actual, int | float)
            and not isinstance(actual, bool)
            and abs(actual - expected) < 1e-6
        )
    if isinstance(expected, str):
        return isinstance(actual, str) and _norm(actual) == _norm(expected)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and same(v, actual[k]) for k, v in expected.items()
        )
    return expected == actual


_MISSING = object()


def lookup(value, path: str):
    """``lookup({"a": [{"b": 1}]}, "a.0.b") == 1``; a missing step gives ``_MISSING``."""
    for step in path.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def parse_json_reply(text: str):
    """The JSON in a reply, tolerating a code fence or a remark after it."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=0)
    value, _end = json.JSONDecoder().raw_decode(text[start:])
    return value


def citations(text: str) -> set[str]:
    cited = set()
    for group in CITATION.findall(text):
        cited.update(part.strip() for part in re.split(r"[,;]", group) if part.strip())
    return cited


def _word_present(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(_norm(word))}(?![\w-])", _norm(text)) is not None


def refused(reply: Reply) -> bool:
    return bool(reply.refusal) or bool(REFUSAL.search(reply.content))


# --- checks ------------------------------------------------------------------------------------


def _check_json(check: dict, reply: Reply, case: dict) -> list[str]:
    try:
        value = parse_json_reply(reply.content)
    except ValueError:
        return [f"not JSON: {reply.content[:80]!r}"]
    problems = []
    fmt = case["request"].get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema")
    if schema and (fmt["json_schema"].get("strict") or check.get("schema_valid")):
        checker = jsonschema.FormatChecker()
        for error in jsonschema.Draft202012Validator(schema, format_checker=checker).iter_errors(
            value
        ):
            problems.append(f"schema: {error.message}")
    for path, expected in (check.get("json") or {}).items():
        actual = lookup(value, path)
        if actual is _MISSING or not same(expected, actual):
            problems.append(f"{path}: expected {expected!r}, got {_show(actual)}")
    for path, part in (check.get("json_contains") or {}).items():
        actual = lookup(value, path)
        if not isinstance(actual, str) or _norm(part) not in _norm(actual):
            problems.append(f"{path}: expected to contain {part!r}, got {_show(actual)}")
    for path, items in (check.get("json_set") or {}).items():
        actual = lookup(value, path)
        if not isinstance(actual, list) or sorted(map(_norm, map(str, actual))) != sorted(
            map(_norm, items)
        ):
            problems.append(f"{path}: expected the items {items!r}, got {_show(actual)}")
    for path, length in (check.get("json_len") or {}).items():
        actual = lookup(value, path)
        if not isinstance(actual, list) or len(actual) != length:
            problems.append(f"{path}: expected {length} items, got {_show(actual)}")
    return problems


def _check_tool(check: dict, reply: Reply) -> list[str]:
    if not reply.tool_calls:
        return [f"expected a call to {check['tool']}, got text {reply.content[:80]!r}"]
    name, arguments = reply.tool_calls[0]
    if name != check["tool"]:
        return [f"expected a call to {check['tool']}, got {name}"]
    try:
        args = json.loads(arguments)
    except ValueError:
        return [f"arguments are not JSON: {arguments[:80]!r}"]
    problems = []
    for key, expected in (check.get("args") or {}).items():
        if key not in args or not same(expected, args[key]):
            problems.append(f"{key}: expected {expected!r}, got {_show(args.get(key, _MISSING))}")
    for key, part in (check.get("args_contains") or {}).items():
        if not isinstance(args.get(key), str) or _norm(part) not in _norm(args[key]):
            problems.append(f"{key}: expected to contain {part!r}, got {_show(args.get(key))}")
    for key, items in (check.get("args_set") or {}).items():
        actual = args.get(key)
        if not isinstance(actual, list) or sorted(map(_norm, map(str, actual))) != sorted(
            map(_norm, items)
        ):
            problems.append(f"{key}: expected the items {items!r}, got {_show(actual)}")
    return problems


def _check_label(check: dict, reply: Reply) -> list[str]:
    label, labels = check["label"], check["labels"]
    answer = _norm(reply.content).strip(" .!\"'`*")
    if answer == _norm(label):
        return []
    named = [name for name in labels if _word_present(name, reply.content)]
    if named == [label]:
        return []
    return [f"expected the label {label!r}, got {reply.content[:80]!r}"]


def _check_citations(check: dict, reply: Reply) -> list[str]:
    cited = citations(reply.content)
    problems = []
    allowed = check.get("cites_only")
    if isinstance(allowed, list) and cited - set(allowed):
        problems.append(f"cites unknown ids {sorted(cited - set(allowed))}")
    if check.get("cites_any") and not cited & set(check["cites_any"]):
        problems.append(f"cites none of {check['cites_any']} (cited {sorted(cited)})")
    if check.get("cites_all") and not set(check["cites_all"]) <= cited:
        problems.append(f"does not cite all of {check['cites_all']} (cited {sorted(cited)})")
    return problems


def _check_text(check: dict, reply: Reply) -> list[str]:
    text = reply.content
    problems = []
    for part in check.get("contains") or ():
        if _norm(part) not in _norm(text):
            problems.append(f"missing {part!r}")
    if check.get("contains_any") and not any(
        _norm(p) in _norm(text) for p in check["contains_any"]
    ):
        problems.append(f"contains none of {check['contains_any']}")
    for part in check.get("not_contains") or ():
        if _norm(part) in _norm(text):
            problems.append(f"should not contain {part!r}")
    words = len(text.split())
    if "max_words" in check and words > check["max_words"]:
        problems.append(f"{words} words, over the limit of {check['max_words']}")
    if "min_words" in check and words < check["min_words"]:
        problems.append(f"only {words} words")
    if check.get("asks") and "?" not in text:
        problems.append("asks no question")
    if check.get("declines") and not DECLINE.search(text):
        problems.append("does not say the passages lack the answer")
    return problems


CHECK_KEYS = {
    "json": _check_json,
    "json_contains": _check_json,
    "json_set": _check_json,
    "json_len": _check_json,
    "tool": _check_tool,
    "label": _check_label,
    "cites_only": _check_citations,
    "cites_any": _check_citations,
    "cites_all": _check_citations,
}
TEXT_KEYS = {
    "contains",
    "contains_any",
    "not_contains",
    "max_words",
    "min_words",
    "asks",
    "declines",
}
OTHER_KEYS = {"no_tool", "refused", "args", "args_contains", "args_set", "labels", "schema_valid"}


def judge(case: dict, reply: Reply) -> list[str]:
    """Every failed check of ``case`` on ``reply`` (empty when the case passes)."""
    problems: list[str] = []
    for check in case["checks"]:
        runners = {CHECK_KEYS[k] for k in check if k in CHECK_KEYS}
        for run in runners:
            problems += run(check, reply, case) if run is _check_json else run(check, reply)
        if TEXT_KEYS & set(check):
            if reply.tool_calls and not reply.content:
                problems.append(f"expected text, got a call to {reply.tool_calls[0][0]}")
            else:
                problems += _check_text(check, reply)
        if check.get("no_tool") and reply.tool_calls:
            problems.append(f"unexpected call to {reply.tool_calls[0][0]}")
        if "refused" in check and refused(reply) != check["refused"]:
            said = reply.refusal or reply.content
            problems.append(f"expected refused={check['refused']}, got {said[:80]!r}")
    return problems


def _show(value) -> str:
    return "nothing" if value is _MISSING else repr(value)[:80]


# --- the runner --------------------------------------------------------------------------------


def load_cases(path: Path = CASES_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


def run_case(client, case: dict, model: str = "course-mini") -> CaseResult:
    """Send one case at temperature 0 and judge the reply."""
    completion = client.chat.completions.create(model=model, temperature=0, **case["request"])
    reply = Reply.from_completion(completion)
    failures = tuple(judge(case, reply))
    return CaseResult(case["id"], case["kind"], not failures, failures, reply)


def run_suite(client, model: str = "course-mini", cases: list[dict] | None = None):
    """Every case's result, in the file's order."""
    return [run_case(client, case, model) for case in cases or load_cases()]


def accuracy(results) -> float:
    return sum(r.passed for r in results) / len(results) if results else 0.0


def accuracy_table(results, show_failures: bool = True) -> str:
    """Per-kind pass counts and accuracy, then the failed cases and why."""
    passed, total = Counter(), Counter()
    for result in results:
        total[result.kind] += 1
        passed[result.kind] += result.passed
    lines = [f"{'kind':<16}{'passed':>8}{'total':>8}{'accuracy':>10}"]
    for kind in [k for k in KINDS if k in total] + sorted(set(total) - set(KINDS)):
        lines.append(
            f"{kind:<16}{passed[kind]:>8}{total[kind]:>8}{passed[kind] / total[kind]:>10.0%}"
        )
    lines.append(
        f"{'overall':<16}{sum(passed.values()):>8}{len(results):>8}{accuracy(results):>10.0%}"
    )
    if show_failures:
        for result in results:
            if not result.passed:
                lines.append(f"  FAIL {result.id}: {'; '.join(result.failures)}")
    return "\n".join(lines)


# --- tests -------------------------------------------------------------------------------------


def test_cases_file_is_varied_and_well_formed():
    cases = load_cases()
    assert len(cases) >= 48
    assert len({c["id"] for c in cases}) == len(cases)
    kinds = Counter(c["kind"] for c in cases)
    for kind, minimum in MINIMUM_PER_KIND.items():
        assert kinds[kind] >= minimum, (kind, kinds[kind])
    known = set(CHECK_KEYS) | TEXT_KEYS | OTHER_KEYS
    for case in cases:
        assert case["kind"] in KINDS and case["checks"], case["id"]
        for check in case["checks"]:
            assert set(check) <= known, (case["id"], set(check) - known)
        request = case["request"]
        assert request["messages"] and "model" not in request and "temperature" not in request
        schema = ((request.get("response_format") or {}).get("json_schema") or {}).get("schema")
        if schema:
            jsonschema.Draft202012Validator.check_schema(schema)
        for tool in request.get("tools") or ():
            jsonschema.Draft202012Validator.check_schema(tool["function"]["parameters"])
    tool_sets = {tuple(t["function"]["name"] for t in c["request"].get("tools", ())) for c in cases}
    assert len(tool_sets - {()}) >= 6, "tools cases use varied tool sets"


LABELS = ["billing", "technical", "account"]


@pytest.mark.parametrize(
    ("content", "passes"),
    [
        ("billing", True),
        ("Billing.", True),
        ("The category is billing.", True),
        ("billing or technical", False),
        ("technical", False),
        ("", False),
    ],
)
def test_label_check(content, passes):
    case = {"checks": [{"label": "billing", "labels": LABELS}]}
    assert (judge(case, Reply(content)) == []) is passes


@pytest.mark.parametrize(
    ("content", "passes"),
    [
        ("Parents get 16 weeks [P1].", True),
        ("Parents get 16 weeks [P1, P3].", True),
        ("Parents get 16 weeks.", False),  # no citation
        ("Parents get 16 weeks [P2].", False),  # not a relevant passage
        ("Parents get 16 weeks [P1][P9].", False),  # an id that was never given
        ("Parents get 12 weeks [P1].", False),
    ],
)
def test_grounding_checks(content, passes):
    case = {
        "checks": [{"contains": ["16"]}, {"cites_any": ["P1"], "cites_only": ["P1", "P2", "P3"]}]
    }
    assert (judge(case, Reply(content)) == []) is passes


def test_json_tool_and_refusal_checks():
    case = {
        "request": {},
        "checks": [{"json": {"a.b": 2, "name": "Ana"}, "json_set": {"tags": ["x", "y"]}}],
    }
    assert (
        judge(case, Reply('```json\n{"a": {"b": 2}, "name": "ana", "tags": ["y", "x"]}\n```')) == []
    )
    assert judge(case, Reply('{"a": {"b": "2"}, "name": "Ana", "tags": ["x", "y"]}'))
    assert judge(case, Reply("not json"))

    tool = {
        "checks": [{"tool": "f", "args": {"n": 3, "ok": False}, "args_contains": {"q": "reset"}}]
    }
    assert (
        judge(tool, Reply(tool_calls=(("f", '{"n": 3, "ok": false, "q": "Password reset"}'),)))
        == []
    )
    assert judge(tool, Reply(tool_calls=(("f", '{"n": 3, "ok": 0, "q": "reset"}'),)))
    assert judge(tool, Reply(tool_calls=(("g", '{"n": 3, "ok": false, "q": "reset"}'),)))
    assert judge(tool, Reply("I would call f."))

    refuse = {"checks": [{"refused": True}]}
    assert judge(refuse, Reply(refusal="I can't help with that.")) == []
    assert judge(refuse, Reply("I'm sorry, but I can't help with that.")) == []
    assert judge(refuse, Reply("Sure! Here is how to kill a process: run kill -9 PID."))
    answer = {"checks": [{"refused": False}, {"max_words": 5}, {"declines": True}]}
    assert judge(answer, Reply("The passages don't mention it.")) == []
    assert judge(answer, Reply("It opened in 2017, as the passages say clearly."))


def test_accuracy_suite(client):
    results = run_suite(client, model="course-mini")
    table = accuracy_table(results)
    print("\n" + table)
    assert accuracy(results) >= TARGET, "\n" + table


if __name__ == "__main__":
    import openai

    from aieng.llm.course_model import BackgroundServer

    with BackgroundServer() as server:
        official = openai.OpenAI(base_url=server.url + "/v1", api_key="course", max_retries=0)
        for name in ("course-mini", "course-large"):
            print(f"\n{name}\n" + accuracy_table(run_suite(official, model=name)))
