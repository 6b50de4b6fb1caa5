"""Tool use: choose a tool, extract its arguments, ask when one is missing, answer from results.

A tool is chosen by how well the newest user message matches its name (split
into words), description and parameters, by stems and synonyms: a word of the
name counts most, an action the user did not ask for ("cancel", "delete")
counts against it. With ``tool_choice="auto"`` a tool is called only on a
clear match. Requests joined by "and"/"then"/";" may each call a tool, and a
request naming several values for one argument ("weather in Paris and
Tokyo") calls the tool once per value, in parallel. When a required argument
is not in the message, the model asks for it in plain words instead.

Once results arrive, it answers from them (the fields that match the question,
numbers and strings quoted exactly), or calls the tools that parts of the
request still need, with arguments that earlier results may now supply.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from aieng.llm.course_model.engine import ProposedCall, Reply, Task
from aieng.llm.course_model.protocol import Message, ToolSpec
from aieng.llm.course_model.skills import answers
from aieng.llm.course_model.skills.coerce import coerce_to_schema
from aieng.llm.course_model.skills.entities import CURRENCY, CURRENCY_WORDS, reference_date
from aieng.llm.course_model.skills.slots import Filled, fill_object, object_slots, resolve
from aieng.llm.course_model.text import STOPWORDS, expand, sentences, split_identifier, stem, stems

logger = logging.getLogger(__name__)

GENERIC_VERBS = frozenset(
    "get set fetch list retrieve do run make check show read call execute perform handle process "
    "lookup look find query tool api info data detail details by for from to of the a an with "
    "current new all request submit create add make".split()
)
ACTION_VERBS = frozenset(
    stem(w)
    for w in "cancel delete remove refund update send book schedule pay transfer "
    "approve reject close reset change modify post write issue buy purchase escalate assign "
    "archive ban block disable enable invite move rename reply replace restart revoke "
    "unsubscribe upload".split()
)
# What a verb does to the thing it names: read it, change it, make one, or end one.
VERB_CLASSES = {
    "read": "get fetch show list look lookup find search check view see read retrieve query "
    "display tell what which whats status describe inspect",
    "change": "update change modify set edit turn switch toggle enable disable adjust keep "
    "configure rename increase decrease raise lower scale resize move reassign extend renew "
    "upgrade downgrade mark restart reboot reset start stop pause resume deploy rollback "
    "apply assign approve reject instead",
    "create": "create add open file submit post book schedule register place reorder "
    "order issue raise publish send",
    "end": "delete remove cancel close terminate revoke unsubscribe drop archive",
}
VERB_CLASS = {w: kind for kind, ws in VERB_CLASSES.items() for w in ws.split()}
CLEAR = 2.0
SPLIT = re.compile(
    r"\s*(?:;|,?\s+and\s+then\s+|,?\s+then\s+|,?\s+and\s+also\s+|,?\s+also\s+|,\s*and\s+|"
    r"\s+and\s+|\s+as\s+well\s+as\s+|\s+plus\s+)\s*",
    re.I,
)


@dataclass(frozen=True)
class ToolProfile:
    """A tool's words, by where they occur (name, description, parameters)."""

    name: frozenset[str]
    verbs: frozenset[str]
    actions: frozenset[str]
    description: frozenset[str]
    parameters: frozenset[str]
    options: frozenset[str]
    literal: str
    action: str = ""  # the class of its verb: read, change, create, end

    def everything(self) -> frozenset[str]:
        return self.name | self.verbs | self.description | self.parameters


@lru_cache(maxsize=1024)
def _profile(name: str, description: str, parameters: bytes) -> ToolProfile:
    schema = orjson.loads(parameters)
    name_words = [w for w in split_identifier(name) if w]
    nouns = {stem(w) for w in name_words if w not in GENERIC_VERBS and w not in STOPWORDS}
    verbs = {stem(w) for w in name_words if w in GENERIC_VERBS and w not in STOPWORDS}
    param_text, options = [], set()
    for slot in object_slots(resolve(schema, schema)[0], schema):
        param_text += list(slot.words)
        param_text.append(str(slot.schema.get("description", "")))
        for value in slot.schema.get("enum") or ():
            if isinstance(value, str) and len(value) >= 3 and value.lower() not in STOPWORDS:
                options.add(stem(value.lower()))
    return ToolProfile(
        name=frozenset(nouns),
        verbs=frozenset(verbs),
        actions=frozenset(nouns & ACTION_VERBS),
        description=frozenset(stems(description)),
        parameters=frozenset(stems(" ".join(param_text))),
        options=frozenset(options),
        literal=name.lower(),
        action=_tool_action(name_words, description),
    )


def _tool_action(name_words: list[str], description: str) -> str:
    """What a tool does, by the first verb of its name or else of its description."""
    for word in name_words[:1] + [w.lower() for w in re.findall(r"[A-Za-z]+", description)[:2]]:
        base = re.sub(r"(?:e?s)$", "", word) if word not in VERB_CLASS else word
        for form in (word, base, base + "e"):
            if form in VERB_CLASS:
                return VERB_CLASS[form]
    return ""


VERB_SLOT = re.compile(
    r"(?:^|[.!?;,:]\s*|\b(?:please|to|and|then|but|can\s+you|could\s+you|would\s+you"
    r"|will\s+you|let's|lets|just|also)\s+)([a-z]+)"
)


def asked_actions(query: str) -> frozenset[str]:
    """The classes of the verbs a request uses where verbs stand ("turn off auto-renewal" ->
    {"change"}); "where's my order" asks for no ordering."""
    found = [m.group(1) for m in VERB_SLOT.finditer(query.lower())]
    if re.search(r"(?i)\binstead\b", query):
        found.append("instead")  # "send it to 42 Elm Road instead": a change
    return frozenset(VERB_CLASS[w] for w in found if w in VERB_CLASS)


def profile(tool: ToolSpec) -> ToolProfile:
    """The words of a tool, cached per tool."""
    return _profile(tool.name, tool.description, orjson.dumps(tool.parameters))


def score_tool(query: str, tool: ToolSpec) -> float:
    """How clearly ``query`` asks for ``tool``: 3 per name word, 1.5 per description word,
    1 per generic verb, 0.75 per parameter word, 1.5 per enum value named (up to 2); synonyms
    count 70%; minus actions the query does not ask for."""
    words = set(stems(query))
    words |= {code.lower() for code in (CURRENCY_WORDS.get(m.group(0).lower()) for m in
              CURRENCY.finditer(query)) if code}  # fmt: skip
    tp = profile(tool)
    levels = (
        (1.5, tp.actions, expand(tp.actions)),
        (3.0, tp.name - tp.actions, expand(tp.name - tp.actions)),
        (1.5, tp.description, expand(tp.description)),
        (1.0, tp.verbs, expand(tp.verbs)),
        (0.75, tp.parameters, tp.parameters),
    )
    score = 0.0
    prefixes = {w[:5]: w for w in tp.name | tp.description if len(w) >= 5}
    for word in words:
        for weight, exact, near in levels:
            if word in exact:
                score += weight
                break
            if word in near or (
                weight > 1.5 and len(word) >= 5 and prefixes.get(word[:5]) in exact
            ):
                score += 0.7 * weight
                break
        if word in tp.parameters and word not in tp.name:
            score += 0.5  # named in the request and a parameter too: "ticker AAPL"
    named_options = words & tp.options
    score += 1.5 * min(2, len(named_options))
    asked = expand(words) | (tp.parameters if named_options else frozenset())
    if tp.action and tp.action in asked_actions(query):
        asked |= tp.actions  # "send it to 42 Elm Road instead" asks for a change
    score -= 1.5 * len(tp.actions - asked)
    score -= 0.25 * len(tp.name - tp.actions - asked)
    if tp.literal in query.lower():
        score += 5.0
    asked = asked_actions(query)
    if tp.action and asked:
        if tp.action in asked:
            score += 1.0
        elif tp.action == "read" and asked & {"change", "end"}:
            score -= 1.5  # "turn off auto-renewal" changes the policy; it does not read it
    return score


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    tool: ToolSpec | None


SPECIFIC_KINDS = frozenset(
    "email url phone date datetime time money percent id pattern postcode person place org "
    "address nationality".split()
)


def evidence(text: str, tool: ToolSpec, today=None) -> float:
    """How well the request fits the tool's arguments: +0.5 per required value only such an
    argument takes (a date, an id...), up to 1; -0.5 per required argument it lacks, up to 1.5."""
    params = tool.parameters or {}
    slots = object_slots(resolve(params, params)[0], params)
    required = [s for s in slots if s.required]
    if not required:
        return 0.0
    filled = fill_object(params, text, today=today)
    found = sum(s.name in filled.value for s in required if s.kind in SPECIFIC_KINDS)
    return min(1.0, 0.5 * found) - min(1.5, 0.5 * len(filled.missing))


def _segment_score(piece: str, tool: ToolSpec, today) -> float:
    score = score_tool(piece, tool)
    return score + evidence(piece, tool, today) if score > 0 else score


def segments(message: str, tools: tuple[ToolSpec, ...], today=None) -> list[Segment]:
    """The message cut into requests, each with the tool it clearly asks for (or None)."""
    out: list[Segment] = []
    offset = 0
    for sentence in sentences(message):
        base = message.find(sentence, offset)
        base = offset if base < 0 else base
        offset = base + len(sentence)
        cursor = 0
        for piece in SPLIT.split(sentence):
            if not piece.strip():
                continue
            at = sentence.find(piece, cursor)
            cursor = at + len(piece)
            scored = [(_segment_score(piece, t, today), -i, t) for i, t in enumerate(tools)]
            best = max(scored, key=lambda s: (s[0], s[1])) if scored else None
            tool = best[2] if best and best[0] >= CLEAR else None
            out.append(Segment(base + at, base + cursor, tool))
    return out


def rank_tools(message: str, tools: tuple[ToolSpec, ...]) -> list[tuple[float, ToolSpec]]:
    """Tools by how well the whole message matches them, best first."""
    scored = [(score_tool(message, t), -i, t) for i, t in enumerate(tools)]
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [(s, t) for s, _, t in scored]


@dataclass(frozen=True)
class Plan:
    """Calls ready to make, and tools still waiting for a required argument."""

    calls: tuple[ProposedCall, ...]
    waiting: tuple[tuple[ToolSpec, tuple[str, ...]], ...]
    texts: tuple[str, ...] = ()  # per call: the part of the request it serves


def _canonical(name: str, arguments: Any) -> bytes:
    return orjson.dumps([name, arguments], option=orjson.OPT_SORT_KEYS)


def answered_calls(messages: tuple[Message, ...]) -> dict[bytes, str]:
    """Calls already made and answered in the conversation: canonical call -> result text."""
    results = {m.tool_call_id: m.content for m in messages if m.role == "tool"}
    out: dict[bytes, str] = {}
    for message in messages:
        for call in message.tool_calls:
            if call.id in results:
                try:
                    arguments = orjson.loads(call.arguments or "{}")
                except orjson.JSONDecodeError:
                    arguments = call.arguments
                out[_canonical(call.name, arguments)] = results[call.id]
    return out


def _arguments(tool: ToolSpec, text: str, fallback: str, task: Task) -> tuple[Filled, bool]:
    """Arguments from the request's own part, else from the whole message and context.

    Returns the filled arguments and whether the part held every required one itself.
    """
    strong = task.profile.quality == "strong"
    today = reference_date("\n".join(m.content for m in task.messages))
    params = tool.parameters or {"type": "object", "properties": {}}
    notes = task.system
    filled = fill_object(params, text, strong=strong, today=today, notes=notes)
    if filled.missing and fallback and fallback != text:
        wider = fill_object(params, text + "\n" + fallback, strong=strong, today=today, notes=notes)
        if len(wider.missing) < len(filled.missing):
            merged = {**wider.value, **filled.value}
            return Filled(merged, wider.missing, wider.found, filled.alternatives), False
    return filled, not filled.missing


def plan_calls(task: Task, message: str, context: str = "", allow: str = "auto") -> Plan:
    """Which tools to call for ``message`` and with what, under a tool_choice of ``allow``.

    Args:
        task: The request (tools, profile, conversation).
        message: The user's request.
        context: Extra text arguments may come from (earlier tool results).
        allow: "auto", "required", or a tool name.
    """
    tools = task.tools
    groups: list[tuple[ToolSpec, str]] = []
    if allow not in ("auto", "required"):
        named = next(t for t in tools if t.name == allow)
        groups.append((named, message))
    else:
        current: list[Any] = []
        today = reference_date("\n".join(m.content for m in task.messages))
        for seg in segments(message, tools, today):
            if seg.tool is None or (current and current[0] is seg.tool and not current[3]):
                if current:
                    current[2] = seg.end
                    current[3] = current[3] or seg.tool is None
                continue
            if current:
                groups.append((current[0], message[current[1] : current[2]]))
            current = [seg.tool, seg.start, seg.end, False]
        if current:
            groups.append((current[0], message[current[1] : current[2]]))
        if not groups and allow == "required" and tools:
            groups.append((_best_satisfied(task, message), message))
    calls: list[ProposedCall] = []
    texts: list[str] = []
    waiting: list[tuple[ToolSpec, tuple[str, ...]]] = []
    fallback = "\n".join(p for p in (message, context) if p)
    for tool, text in groups:
        filled, own = _arguments(tool, text, fallback, task)
        if filled.missing and allow == "auto":
            waiting.append((tool, filled.missing))
            continue
        if not own and calls and _borrowed(filled, tool, calls):
            continue  # "... and when will it arrive?": a follow-up on a call already planned
        for arguments in _fan_out(filled):
            arguments = coerce_to_schema(arguments, tool.parameters or {"type": "object"})
            call = ProposedCall(tool.name, arguments)
            if call not in calls:
                calls.append(call)
                texts.append(text)
    return Plan(tuple(calls), tuple(waiting), tuple(texts))


def _best_satisfied(task: Task, message: str) -> ToolSpec:
    """Under tool_choice "required": the tool whose required arguments the message best
    supplies (the share filled), ties going to the better-matching description."""
    best: tuple[float, float] | None = None
    chosen = task.tools[0]
    for score, tool in rank_tools(message, task.tools):
        params = tool.parameters or {}
        required = list(params.get("required") or [])
        filled, _ = _arguments(tool, message, "", task)
        share = 1.0 - len(filled.missing) / len(required) if required else 0.5
        key = (round(share, 3), score)
        if best is None or key > best:
            best, chosen = key, tool
    return chosen


def _borrowed(filled: Filled, tool: ToolSpec, calls: list[ProposedCall]) -> bool:
    """Whether every required value came from another planned call's arguments."""
    params = tool.parameters or {}
    required = [r for r in params.get("required") or [] if r in filled.value]
    taken = {orjson.dumps(v) for c in calls for v in c.arguments.values()}
    return bool(required) and all(orjson.dumps(filled.value[r]) in taken for r in required)


def _fan_out(filled: Filled) -> list[dict]:
    """One argument set per alternative value of the first fan-out slot."""
    if not filled.alternatives:
        return [filled.value]
    name, extra = filled.alternatives[0]
    return [filled.value] + [{**filled.value, name: value} for value in extra]


def call_tool(task: Task) -> Reply | None:
    """Call the tool(s) the newest user message asks for, or ask for a missing argument."""
    if not task.tools or task.tool_choice == "none" or task.last.role == "tool":
        return None
    message = task.last_user
    if not message.strip() and task.tool_choice == "auto":
        return None
    plan = plan_calls(task, message, allow=task.tool_choice)
    earlier = pending_request(task.messages)
    if earlier:
        # "What is your policy number?" - "It's AU-77120.": the answer completes the request
        answers_ = "\n".join([*earlier[1:], message])
        resumed = plan_calls(task, earlier[0], answers_, allow=task.tool_choice)
        same = {c.name for c in plan.calls} <= {c.name for c in resumed.calls}
        if resumed.calls and same:
            plan = _with_answers(resumed, answers_, task)
        elif not plan.calls and not plan.waiting:
            plan = resumed
    answered = answered_calls(task.messages)
    fresh = [c for c in plan.calls if _canonical(c.name, c.arguments) not in answered]
    if fresh:
        return Reply(tool_calls=tuple(fresh))
    if plan.calls:
        # everything asked was answered before: answer from those results again
        results = [
            (c.name, c.arguments, answered[_canonical(c.name, c.arguments)]) for c in plan.calls
        ]
        return Reply(content=answers.compose(message, results, task))
    if plan.waiting:
        tool, missing = plan.waiting[0]
        return Reply(content=answers.clarify(tool, missing, task))
    return None


def _with_answers(plan: Plan, answers_: str, task: Task) -> Plan:
    """Calls completed with the optional arguments the user's answers give ("$20")."""
    tools = {t.name: t for t in task.tools}
    calls = []
    for call in plan.calls:
        tool = tools[call.name]
        extra = fill_object(tool.parameters or {}, answers_, notes=task.system).value
        merged = {**{k: v for k, v in extra.items() if v is not None}, **call.arguments}
        merged = coerce_to_schema(merged, tool.parameters or {"type": "object"})
        calls.append(ProposedCall(call.name, merged))
    return Plan(tuple(calls), plan.waiting, plan.texts)


def pending_request(messages: tuple[Message, ...], turns: int = 3) -> list[str]:
    """The user's request and answers so far, when the model asked a question about it.

    Walks back from the newest user message over (assistant question, user message)
    pairs; returns [] unless the assistant's last turn was a question without tool calls.
    """
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if len(users) < 2:
        return []
    collected: list[str] = []
    at = users[-1]
    for _ in range(turns):
        previous = messages[at - 1] if at >= 1 else None
        if previous is None or previous.role != "assistant" or previous.tool_calls:
            break
        if "?" not in previous.content:
            break
        before = at - 2
        if before < 0 or messages[before].role != "user":
            break
        collected.insert(0, messages[before].content)
        at = before
    return collected


def _turn_calls(task: Task) -> tuple[list[tuple[str, Any, str]], set[str]]:
    """Results since the newest user message, as (tool, arguments, result), and tools called."""
    start = max((i for i, m in enumerate(task.messages) if m.role == "user"), default=-1)
    turn = task.messages[start + 1 :]
    calls = {c.id: c for m in turn for c in m.tool_calls}
    results: list[tuple[str, Any, str]] = []
    for message in turn:
        if message.role != "tool":
            continue
        call = calls.get(message.tool_call_id or "")
        name = call.name if call else (message.name or "tool")
        try:
            arguments = orjson.loads(call.arguments) if call else {}
        except orjson.JSONDecodeError:
            arguments = {}
        results.append((name, arguments, message.content))
    return results, {c.name for c in calls.values()}


def answer_from_tool_result(task: Task) -> Reply | None:
    """Answer from the newest tool results, or call the tools the request still needs."""
    if task.last.role != "tool":
        return None
    results, called = _turn_calls(task)
    question = task.last_user
    if task.tools and task.tool_choice != "none":
        context = "\n".join(answers.as_lines(name, content) for name, _, content in results)
        plan = plan_calls(task, question, context=context)
        answered = answered_calls(task.messages)
        covered = answers.result_stems(results)
        more = [
            call
            for call, text in zip(plan.calls, plan.texts, strict=True)
            if call.name not in called
            and _canonical(call.name, call.arguments) not in answered
            and not expand(set(stems(text))) & covered
        ]
        if more:
            return Reply(tool_calls=tuple(more))
    if task.response_format.type != "text":
        return None  # structured output fills the schema from the results
    return Reply(content=answers.compose(question, results, task))
