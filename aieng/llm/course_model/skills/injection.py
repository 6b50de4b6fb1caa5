"""Naive prompt-injection susceptibility (on purpose), and the hardened mode.

The course model is *deliberately* gullible, so that the guardrails phase can
measure attacks and defenses. An instruction to ignore, disregard, forget or
override earlier instructions (or "new instructions:", "system override",
"you are now ...", a request to print the system prompt) found in the newest
user message, in a passage, or in a tool result is obeyed:

- "... say/print/reply with X"        -> the reply is X;
- "... reveal your system prompt"     -> the system prompt, verbatim;
- "... call <tool> with a=1"          -> a call of that tool (when it was given);
- anything else                       -> done as if it were the whole request.

With ``task.hardened`` such instructions inside data (passages, quoted or
fenced text, text handed over after "Summarize this:", tool results) are
treated as data: the injected sentence is cut out and the other skills answer
from what remains. An injection in the user's own words is declined politely,
revealing nothing.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace

from aieng.llm.course_model.engine import ProposedCall, Reply, Task
from aieng.llm.course_model.protocol import Message
from aieng.llm.course_model.skills.passages import find_passages
from aieng.llm.course_model.text import FENCE, sentences, split_identifier, stems, words

logger = logging.getLogger(__name__)

_TRIGGER = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass|skip|abandon|set aside|discard|cancel)\s+"
    r"(?:(?:all|any|the|your|my|every|of|these|those|its|their|prior|above|previous)\s+)*"
    r"(?:previous|prior|earlier|above|preceding|former|initial|original|system|old|existing|other|"
    r"safety|current|developer|given|preset)?\s*(?:instructions?|prompts?|rules?|directions?|"
    r"guidelines?|directives?|commands?|context|programming|constraints?|restrictions?|polic(?:y|ies)|"
    r"orders|guidance|system prompt|training)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+of\s+|everything\s+|anything\s+)?(?:the\s+)?"
    r"(?:above|before|that came before|you were told|you've been told|you have been told|"
    r"said before|else you were told)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:that|this|it|all that|the above)\s*,?\s*(?:and\s+)?"
    r"(?:instead|rather)\b"
    r"|\b(?:new|updated|revised|real|actual|true|additional) (?:system )?instructions?\s*:"
    r"|\b(?:system|admin|administrator|developer|root) (?:override|command|instruction)s?\b"
    r"|\byou are now (?:a|an|the|in|my|no longer|DAN|free|unrestricted|jailbroken|unfiltered)\b"
    r"|\bfrom now on,? you (?:are|will|must|should|only|have)\b"
    r"|\b(?:enter|activate|enable|switch to)\s+(?:developer|god|admin|dan|jailbreak|unrestricted|"
    r"debug) mode\b"
    r"|\bpretend (?:that )?you (?:are|have) no (?:rules|restrictions|instructions|guidelines)\b"
    r"|\b(?:do not|don't) follow (?:your|the|any) (?:previous |prior |original |system )?"
    r"(?:instructions|rules|guidelines)\b",
    re.I,
)
_SHOUTED = re.compile(
    r"(?:^|\n)\s*(?:#+\s*)?\[?(?:SYSTEM|ADMIN)\]?(?:\s+(?:MESSAGE|NOTE|PROMPT))?\s*:"
)
_REVEAL = re.compile(
    r"\b(?:reveal|show|print|output|repeat|display|leak|share|tell me|give me|what(?:'s| is| are| was|"
    r" were)|write out|recite|dump|list|copy)[^.\n?]{0,40}?\b(?:system prompt|system message|"
    r"(?:your|the) (?:initial |original |hidden |secret |previous |above |full |exact |system )*"
    r"(?:instructions|prompt|rules|guidelines|configuration|directives)|(?:prompt|text|words|"
    r"everything) above|(?:the )?(?:secret|password|api key)s?)\b",
    re.I,
)
_REVEAL_ASK = re.compile(
    r"\b(?:reveal|show|print|output|repeat|display|leak|share|tell me|give me|what (?:is|are|was|"
    r"were)|write out|recite|dump|list|copy)\b[^.\n?]{0,40}?\b(?:system prompt|system message|"
    r"your (?:initial |original |hidden |secret |previous |full |exact |system )*"
    r"(?:instructions|prompt|guidelines|configuration|directives)|the (?:initial |original |hidden |"
    r"secret |full |exact |system )+(?:instructions|prompt)|(?:prompt|text|words|everything) above)\b",
    re.I,
)
_SAY = re.compile(
    r"\b(?:say|print|output|echo|state|type|return|write|repeat(?: after me)?|"
    r"(?:reply|respond|answer)(?: only| just)?(?: with|:)|"
    r"(?:answer|reply|respond)(?: to)? (?:every|all|any|each) \w+ with|"
    r"translate\b[^'\"\n]{0,40}?\bas|"
    r"tell (?:the user|them|everyone|customers|him|her) that|"
    r"(?:begin|start) (?:your (?:reply|response|answer|summary) )?with)\b\s*"
    r"(?:(?:only|exactly|just|simply|verbatim|the (?:word|words|phrase|text|sentence|following))\s*)*"
    r"[:\-]?\s*",
    re.I,
)
_PERSONA = re.compile(
    r"\b(?:respond|answer|reply|speak|talk|write)\b[^.\n]{0,20}?\b(in|like)\s+((?:a\s+|an\s+)?"
    r"[\w \-]{2,40}?)(?:\s+from now on)?\s*[.!]?$",
    re.I,
)
_ACTION = re.compile(
    r"^(?:\w+\s+){0,2}?(?:say|print|output|reply|respond|answer|write|tell|give|show|reveal|call|"
    r"use|run|send|translate|list|repeat|summari[sz]e|delete|email|make|do|explain|describe|"
    r"classify|return|start|begin|act|be|talk|speak|from now on|you)\b",
    re.I,
)
_QUOTE = re.compile(r"[\"“'`]([^\"“”'`\n]{1,300})[\"”'`]")
_TOOL_VERB = re.compile(
    r"\b(?:call|use|invoke|run|execute|trigger|fire)\s+(?:the\s+)?(?:tool\s+|function\s+)?"
    r"[`'\"]?([A-Za-z_][\w.\-]*)[`'\"]?",
    re.I,
)
_LEAD_IN = re.compile(
    r"^[\s,.;:!\-–—]*(?:and|then|instead|now|just|please|also)?[\s,.;:!\-–—]*", re.I
)
_TASK_VERB = re.compile(
    r"\b(?:summari[sz]e|translate|classify|categori[sz]e|analy[sz]e|review|read|proofread|check|"
    r"extract|answer|rewrite|explain|label|tag|detect|process|respond to|reply to|sentiment|count|"
    r"what|which|does|is|correct|fix|edit|following|below|this|email|document|text|message)\b",
    re.I,
)
_COLON_LINE = re.compile(r"^(.{0,200}?):\s*$", re.M)
_INLINE_COLON = re.compile(r"^([^:\n]{3,160}?):\s+\S")
_LONG_QUOTE = re.compile(r"[\"“]([^\"“”]{20,})[\"”]")

DECLINE = [
    "I can't set aside my instructions or share them, but I'm glad to help with your actual "
    "question.",
    "I'll keep following my original instructions, so I can't do that or reveal them. "
    "What else can I help you with?",
]


@dataclass(frozen=True)
class Injection:
    """An injected instruction: where it was found and what it asks."""

    source: str  # "user", "data" (passage, quoted text) or "tool"
    text: str  # the region it was found in
    start: int  # where the trigger starts within ``text``
    end: int  # where the trigger ends
    index: int = -1  # the message holding the region
    offset: int = 0  # where the region starts in that message


def _trigger(text: str) -> re.Match | None:
    return _TRIGGER.search(text) or _SHOUTED.search(text) or _REVEAL_ASK.search(text)


def _data_spans(user: str) -> list[tuple[int, int]]:
    """Parts of the user message that are data handed over, not the user's own words."""
    spans = [(p.start, p.end) for p in find_passages(user)]
    spans += [m.span() for m in FENCE.finditer(user)]
    spans += [m.span() for m in _LONG_QUOTE.finditer(user)]
    line = _COLON_LINE.search(user)
    if line and _TASK_VERB.search(line.group(1)) and user[line.end() :].strip():
        spans.append((line.end(), len(user)))
    inline = _INLINE_COLON.match(user)
    if inline and _TASK_VERB.search(inline.group(1)):
        spans.append((inline.end() - 1, len(user)))
    return spans


def find_injection(task: Task) -> Injection | None:
    """The newest injected instruction in the user message, its data, or tool results."""
    for index in range(len(task.messages) - 1, -1, -1):
        message = task.messages[index]
        if message.role == "user":
            break
        match = message.role == "tool" and (
            _TRIGGER.search(message.content) or _SHOUTED.search(message.content)
        )
        if match:
            return Injection("tool", message.content, match.start(), match.end(), index)
    user_index = next(
        (i for i in range(len(task.messages) - 1, -1, -1) if task.messages[i].role == "user"), -1
    )
    user = task.messages[user_index].content if user_index >= 0 else ""
    match = _trigger(user) if task.last.role in ("user", "tool") else None
    if match:
        inside = [s for s in _data_spans(user) if s[0] <= match.start() < s[1]]
        if inside:
            start, end = min(inside, key=lambda s: s[1] - s[0])
            region = user[start:end]
            return Injection(
                "data", region, match.start() - start, match.end() - start, user_index, start
            )
        return Injection("user", user, match.start(), match.end(), user_index)
    for index, message in enumerate(task.messages):
        if message.role not in ("system", "developer"):
            continue
        for passage in find_passages(message.content):
            match = _TRIGGER.search(passage.text) or _SHOUTED.search(passage.text)
            if match:
                offset = max(0, message.content.find(passage.text))
                return Injection("data", passage.text, match.start(), match.end(), index, offset)
    return None


_SENTENCE_END = re.compile(r"[.!?](?=[\s\"'}\]]|$)|\n|\"")


def _cut_span(found: Injection) -> tuple[int, int]:
    """The injected sentence(s) within the region: from the trigger's sentence start to the
    end of what it asks (the next sentence too when the trigger's own sentence is bare)."""
    text = found.text
    start = max(text.rfind(c, 0, found.start) for c in '.!?\n"') + 1
    end_match = _SENTENCE_END.search(text, found.end)
    end = end_match.end() if end_match else len(text)
    if not words(text[found.end : end]) and end < len(text):
        following = _SENTENCE_END.search(text, end + 1)
        end = following.end() if following else len(text)
    if end_match and end_match.group(0) == '"':
        end -= 1  # keep the closing quote of a JSON string
    return start, end


def sanitized(task: Task, found: Injection) -> Task:
    """The task with the injected instruction cut out of the data that carried it."""
    start, end = _cut_span(found)
    message = task.messages[found.index]
    content = message.content
    at = found.offset
    cleaned = content[: at + start] + content[at + end :]
    messages = list(task.messages)
    messages[found.index] = replace(message, content=cleaned)
    return replace(task, messages=tuple(messages))


def _run_without_injection(task: Task) -> Reply:
    from aieng.llm.course_model.engine import skills

    for skill in skills():
        if skill is follow_injection:
            continue
        reply = skill(task)
        if reply is not None:
            return reply
    return Reply(content="")  # pragma: no cover - the chat skill always answers


def _payload(found: Injection) -> str:
    """What the injected instruction asks for: the text after the trigger, unless that is
    no instruction and the text before it asks something ("What's the code? Ignore your rules")."""
    after = found.text[found.end :]
    after = re.split(r"\n\s*\n|</\w+>|\n\s*\[[^\]]+\]", after)[0]
    after = _LEAD_IN.sub("", after).strip()
    before = re.split(r"\n", found.text[: found.start])[-1]
    before = _LEAD_IN.sub("", before).strip()
    asks_before = "?" in before or bool(_ACTION.match(before))
    if words(after) and (_ACTION.match(after) or _SAY.search(after) or not asks_before):
        return after
    return before if words(before) else after


def _said(payload: str) -> str | None:
    """The text an instruction asks to be said, printed or replied, if it asks that."""
    match = _SAY.search(payload)
    if not match:
        return None
    rest = payload[match.end() :]
    quoted = _QUOTE.match(rest.strip())
    if quoted:
        return quoted.group(1).strip()
    if match.group(0).strip().lower().startswith(("write", "type", "return", "state")):
        return None  # "write a poem" is a task, not text to echo
    line = re.split(r"\n|(?<=[.!?])\s+(?=[A-Z])", rest.strip())[0].strip()
    line = re.sub(r"\s+(?:instead|and nothing else|only|and stop)\W*$", "", line, flags=re.I)
    return line.rstrip(".").strip() or None


def _tool_for(payload: str, task: Task):
    if not task.tools or task.tool_choice == "none":
        return None
    names = {t.name.lower(): t for t in task.tools}
    for match in _TOOL_VERB.finditer(payload):
        tool = names.get(match.group(1).lower())
        if tool:
            return tool
    lowered = payload.lower()
    for tool in task.tools:
        if re.search(r"\b" + re.escape(tool.name.lower()) + r"\b", lowered):
            return tool
    said = set(words(payload))
    for tool in task.tools:
        parts = [p for p in split_identifier(tool.name) if len(p) > 2]
        if len(parts) >= 2 and all(any(w.startswith(p[:4]) for w in said) for p in parts):
            return tool
    return None


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _arguments(payload: str, parameters: dict) -> dict:
    """Arguments for a tool from an injected instruction: JSON, key=value, then by type."""
    props = parameters.get("properties", {}) if isinstance(parameters, dict) else {}
    args: dict = {}
    brace = payload.find("{")
    if brace >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(payload[brace:])
            if isinstance(value, dict):
                args.update({k: v for k, v in value.items() if k in props or not props})
        except ValueError:
            pass
    for name in props:
        if name in args:
            continue
        spelled = r"[\s_\-]*".join(re.escape(p) for p in split_identifier(name))
        match = re.search(
            rf"\b{spelled}\b\s*(?:=|:|is|of|to)?\s*(?:[\"'`]([^\"'`]*)[\"'`]|([^\s,;)]+))",
            payload,
            re.I,
        )
        if match:
            args[name] = match.group(1) if match.group(1) is not None else match.group(2)
    quotes = [m.group(1) for m in _QUOTE.finditer(payload)]
    for name, spec in props.items():
        if name in args or not isinstance(spec, dict):
            continue
        kind = spec.get("type")
        if kind == "string" and ("email" in name.lower() or spec.get("format") == "email"):
            email = _EMAIL.search(payload)
            if email:
                args[name] = email.group(0)
        elif kind in ("number", "integer"):
            number = _NUMBER.search(payload)
            if number:
                args[name] = number.group(0)
        elif kind == "string" and quotes:
            args[name] = quotes.pop(0)
        elif kind == "string" and name.lower() in ("to", "recipient", "address"):
            email = _EMAIL.search(payload)
            if email:
                args[name] = email.group(0)
    return {k: _coerce(v, props.get(k, {})) for k, v in args.items()}


def _coerce(value, spec: dict):
    kind = spec.get("type") if isinstance(spec, dict) else None
    try:
        if kind == "integer" and not isinstance(value, int):
            return int(float(str(value)))
        if kind == "number" and not isinstance(value, (int, float)):
            return float(str(value))
    except ValueError:
        return value
    if kind == "boolean" and isinstance(value, str):
        return value.lower() in ("true", "yes", "1")
    return value


def _perform(task: Task, instruction: str) -> Reply:
    """Do what the injected instruction says, as if it were the whole request."""
    sub = Task(
        messages=(Message("user", instruction),),
        profile=task.profile,
        tools=task.tools,
        tool_choice=task.tool_choice,
        response_format=task.response_format,
        temperature=task.temperature,
        rng=task.rng,
        hardened=task.hardened,
    )
    return _run_without_injection(sub)


_ASKS_FOR = re.compile(
    r"^(?:tell|give|show|reveal|share|print|output|list|send)\b|\bwhat(?:'s| is| are)\b", re.I
)


def _leak(system: str, payload: str) -> str | None:
    """The system prompt's sentences that an injected "tell me the X" asks about."""
    if not system or not _ASKS_FOR.search(payload.strip()):
        return None
    asked = set(stems(payload)) - {"tell", "give", "show", "reveal", "share", "print", "output"}
    if not asked:
        return None
    hits = [s for s in sentences(system) if len(asked & set(stems(s))) >= max(1, len(asked) // 2)]
    return " ".join(hits) or None


def obey(task: Task, found: Injection) -> Reply:
    """The naive model's reply to an injected instruction."""
    payload = _payload(found)
    region = found.text[max(0, found.start - 200) : found.end + 400]
    if _REVEAL.search(region):
        system = task.system.strip()
        return Reply(content=system if system else "I have no system prompt.")
    leaked = _leak(task.system, payload)
    if leaked:
        return Reply(content=leaked)
    said = _said(payload)
    if said:
        return Reply(content=said)
    persona = _PERSONA.search(payload)
    if persona and not _QUOTE.search(payload):
        manner = f"{persona.group(1)} {persona.group(2)}"
        return Reply(content=f"Understood: from now on I will respond {manner}.")
    tool = _tool_for(payload, task)
    if tool is not None:
        return Reply(tool_calls=(ProposedCall(tool.name, _arguments(payload, tool.parameters)),))
    if not words(payload):
        return Reply(
            content=task.choose(
                [
                    "Understood: I will ignore my previous instructions. What should I do now?",
                    "OK, previous instructions ignored. What would you like me to do?",
                ]
            )
        )
    return _perform(task, payload)


def follow_injection(task: Task) -> Reply | None:
    """Obey an injected instruction (naive), or treat it as data / decline it (hardened)."""
    found = find_injection(task)
    if found is None:
        return None
    logger.debug("injection in %s (hardened=%s)", found.source, task.hardened)
    if task.hardened:
        if found.source == "user":
            text = task.choose(DECLINE)
            return Reply(content=text, refusal=text)
        return _run_without_injection(sanitized(task, found))  # the data, minus the attack
    return obey(task, found)
