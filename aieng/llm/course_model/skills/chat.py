"""The plain chat reply: what the model says when no other skill applies.

Honest and small: it greets, thanks, does simple arithmetic ("what is 17 * 3?"),
remembers what the user said earlier in the conversation ("my name is Ana"),
restates requests it understood, and for questions it has no knowledge for it
says so plainly instead of inventing facts, and says what it can do instead. A
reply never exceeds a length the request states ("in under 60 characters").
When the system prompt asks for JSON (and no ``response_format`` is set) the
reply is a JSON object.
``task.choose`` varies the phrasing at temperature > 0, never the facts.
"""

from __future__ import annotations

import ast
import json
import logging
import math
import operator
import re

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.text import split_instruction, words

logger = logging.getLogger(__name__)

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|yo)\b"
    r"[\s,!.]*(?:there|everyone|all|friend|again)?[\s,!.]*(?:how are you(?: doing)?(?: today)?)?"
    r"[\s,!.?]*$",
    re.I,
)
_HOW_ARE_YOU = re.compile(
    r"^\s*(?:how are you|how's it going|how do you do)\b[\w\s,]*\??\s*$", re.I
)
_THANKS = re.compile(r"^\s*(?:thanks|thank you|thx|cheers|much appreciated|ty)\b[\w\s,!.]*$", re.I)
_BYE = re.compile(r"^\s*(?:bye|goodbye|see you|see ya|good night|farewell)\b[\w\s,!.]*$", re.I)
_WHO = re.compile(
    r"\b(?:who|what) are you\b|\bwhat can you do\b|\bwhat do you do\b|\bintroduce yourself\b"
    r"|\bwhat (?:model|llm) are you\b|\bare you (?:a bot|an ai|human)\b",
    re.I,
)
_TIME = re.compile(
    r"\bwhat(?:'s| is)? (?:the )?(?:time|date|day|year)\b|\bwhat day is (?:it|today)\b"
    r"|\btoday'?s date\b|\bcurrent (?:time|date)\b",
    re.I,
)
_MY_FACT = re.compile(
    r"\bmy ([a-z][a-z ]{1,30}?) (?:is|are) ([^.,!?\n]{1,60})|\b(?:i'm|i am|call me) ([A-Z][a-z]+)\b",
)
_ASK_FACT = re.compile(
    r"\b(?:what(?:'s| is| are)|do you (?:know|remember)) my ([a-z][a-z ]{1,30}?)\b\s*\??$", re.I
)
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:who|what|when|where|why|which|how|is|are|was|were|do|does|did|can|could|"
    r"should|would|will)\b",
    re.I,
)
_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:can you|could you|would you|will you|i need|i want|i'd like|i would like|"
    r"help me|please)\b\s*(.*)$",
    re.I,
)
_ASKED_OF_ME = re.compile(
    r"^\s*(?:please\s+)?(?:can|could|would|will)\s+you\s+(?:please\s+)?(.+?)[?.!]*\s*$", re.I | re.S
)
_CREATIVE = re.compile(
    r"^\s*(?:please\s+)?(?:write|compose|draft|create|generate|make up|invent|tell me a)\b\s*(.*)$",
    re.I,
)
_JSON_ASK = re.compile(
    r"\b(?:respond|answer|reply|output|return|format|write)\b[^.\n]{0,60}\bjson\b"
    r"|\b(?:in|as) (?:a )?json\b|\bjson (?:object|format|only)\b",
    re.I,
)
_TEXT_KEYS = ("answer", "response", "reply", "message", "text", "content", "output", "result")

# ---------------------------------------------------------------- arithmetic

_WORD_OPS = [
    (r"\bmultiplied by\b|\btimes\b|×|(?<=\d)\s*x\s*(?=\d)", " * "),
    (r"\bdivided by\b|\bover\b|÷", " / "),
    (r"\bplus\b|\badded to\b", " + "),
    (r"\bminus\b|\btake away\b", " - "),
    (r"\bto the power of\b|\braised to\b|\^", " ** "),
    (r"\bsquared\b", " ** 2 "),
    (r"\bcubed\b", " ** 3 "),
    (r"\bmod(?:ulo)?\b", " % "),
    (r"(\d+(?:\.\d+)?)\s*(?:%|percent) of\b", r" \1 / 100 * "),
    (r"\bsquare root of\s*(\d+(?:\.\d+)?)", r" (\1) ** 0.5 "),
]
_WORD_OPS_RX = [(re.compile(p, re.I), r) for p, r in _WORD_OPS]
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORD_RX = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_EXPRESSION = re.compile(r"[\d.(][\d\s.+\-*/%()]*[\d)]")
_MATH_FILLER = frozenset(
    """what whats what's is s calculate compute how much many evaluate solve please the result
    of equals equal can you tell me answer quick question math hey do does make makes give
    get i need know value work out""".split()
)
_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ValueError("exponent too large")
        return _OPS[type(node.op)](left, right)
    raise ValueError("not arithmetic")


def _format_number(value: float) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValueError("not a finite number")
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def arithmetic(text: str) -> str | None:
    """The answer to a simple arithmetic question, or None if it is not one.

    Example:
        >>> arithmetic("What is 17 * 3?")
        '17 * 3 = 51'
    """
    lowered = _NUMBER_WORD_RX.sub(lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), text.lower())
    for pattern, repl in _WORD_OPS_RX:
        lowered = pattern.sub(repl, lowered)
    lowered = re.sub(r"(?<=\d),(?=\d{3}\b)", "", lowered)
    candidates = [
        m for m in _EXPRESSION.finditer(lowered) if re.search(r"\d\s*[-+*/%]", m.group(0))
    ]
    if not candidates:
        return None
    match = max(candidates, key=lambda m: len(m.group(0)))
    rest = lowered[: match.start()] + " " + lowered[match.end() :]
    if any(w not in _MATH_FILLER for w in words(rest)):
        return None
    expression = re.sub(r"\s+", " ", match.group(0)).strip()
    try:
        value = _evaluate(ast.parse(expression.replace(" ", ""), mode="eval"))
    except ZeroDivisionError:
        return f"{expression} is undefined: you can't divide by zero"
    except (ValueError, SyntaxError, TypeError, OverflowError):
        return None
    try:
        shown = _format_number(value)
    except ValueError:
        return None
    pretty = re.sub(r"\s*(\*\*|[-+*/%])\s*", r" \1 ", expression).replace("( ", "(")
    return f"{pretty.strip()} = {shown}"


# ---------------------------------------------------------------- conversation


def _remembered(task: Task) -> dict[str, str]:
    facts: dict[str, str] = {}
    for message in task.messages[:-1]:
        if message.role != "user":
            continue
        for match in _MY_FACT.finditer(message.content):
            if match.group(3):
                facts["name"] = match.group(3)
            else:
                facts[match.group(1).strip().lower()] = match.group(2).strip()
    return facts


_SWAP = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
    "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "we": "you",
    "us": "you", "our": "your", "ours": "yours", "you": "I", "your": "my", "yours": "mine",
}  # fmt: skip


def restate(text: str) -> str:
    """``text`` from the listener's side: "I need my invoice" -> "you need your invoice"."""
    out = []
    for token in text.strip().rstrip(".!?:;, ").split():
        core = token.strip(",;:!?.\"'()")
        swapped = _SWAP.get(core.lower())
        out.append(token.replace(core, swapped, 1) if swapped and core else token)
    return " ".join(out)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _small_talk(task: Task, text: str, facts: dict[str, str]) -> str | None:
    """Greetings, thanks, goodbyes."""
    if _GREETING.match(text):
        who = f", {facts['name']}" if "name" in facts else ""
        return task.choose(
            [f"Hello{who}! How can I help you today?", f"Hi{who}! What can I do for you?"]
        )
    if _HOW_ARE_YOU.match(text):
        return task.choose(
            [
                "I'm doing well, thanks for asking. How can I help?",
                "All good here, thank you! What can I do for you?",
            ]
        )
    if _THANKS.match(text):
        return task.choose(["You're welcome!", "Happy to help!", "Any time!"])
    if _BYE.match(text):
        return task.choose(["Goodbye! Have a good day.", "Bye for now!"])
    return None


def _memory(task: Task, text: str, facts: dict[str, str]) -> str | None:
    """What the user told earlier ("my name is Ana"), asked back or just stated."""
    asked = _ASK_FACT.search(text)
    if asked:
        key = asked.group(1).strip().lower()
        if key in facts:
            return f"Your {key} is {facts[key]}."
        return f"You haven't told me your {key} yet, so I don't know it."
    mine = _MY_FACT.search(text)
    if mine and mine.group(3):
        name = mine.group(3)
        return task.choose(
            [f"Nice to meet you, {name}! How can I help?", f"Hi {name}, good to meet you."]
        )
    if mine:
        key, value = mine.group(1).strip(), mine.group(2).strip()
        return task.choose([f"Got it: your {key} is {value}.", f"Noted, your {key} is {value}."])
    return None


def _what_it_knows(task: Task, text: str) -> str | None:
    """Who it is, arithmetic, and the honest limits (no clock)."""
    if _WHO.search(text):
        return (
            f"I'm {task.profile.name}, the course's small offline model. I can classify text, "
            "summarize, extract structured data, call tools and answer from documents you give "
            "me, but I have no general world knowledge."
        )
    maths = arithmetic(text)
    if maths:
        return task.choose([f"{maths}.", f"The answer is {maths.split(' = ')[-1]} ({maths})."])
    if _TIME.search(text):
        return "I don't have a clock or calendar, so I can't tell you the current date or time."
    return None


_CAN_DO = (
    "I can answer from documents you share, summarize or rewrite text, classify it, extract "
    "fields, do arithmetic, or call the tools you give me."
)


def _gist(text: str, limit: int = 20) -> str:
    """The instruction part of a request, restated and kept short."""
    instruction, _ = split_instruction(text)
    said = restate(instruction or text)
    tokens = said.split()
    return said if len(tokens) <= limit else " ".join(tokens[:limit]) + "..."


def _honest_fallback(task: Task, text: str) -> str:
    """Requests it cannot do, questions it cannot know, statements it restates; each
    reply says what it can do instead."""
    if _CREATIVE.match(text) and not _QUESTION.search(text):
        wish = _lower_first(_gist(text))
        return task.choose(
            [
                f"I understand you'd like me to {wish}. I'm a small offline model and can't "
                f"write that well from scratch. {_CAN_DO}",
                f"You're asking me to {wish}, but writing that from scratch is beyond a small "
                f"offline model like me. {_CAN_DO}",
            ]
        )
    if _QUESTION.search(text) and not _REQUEST.match(text):
        return task.choose(
            [
                "I don't know the answer to that. I'm a small offline model without general "
                f"knowledge, and I'd rather not guess. {_CAN_DO}",
                "I don't have that knowledge and would rather not make it up. Paste a source and I'll "
                f"answer from it. {_CAN_DO}",
            ]
        )
    asked = _ASKED_OF_ME.match(text)
    if asked:  # "Can you help me write a cover letter?"
        wish = _lower_first(_gist(asked.group(1)))
        return task.choose(
            [
                f"You'd like me to {wish}. That's more than a small offline model like me can do "
                f"well. {_CAN_DO}",
                f"I understand you'd like me to {wish}, but I can't do that well. {_CAN_DO}",
            ]
        )
    return task.choose(
        [
            f"I understand: {_gist(text, 30)}. Tell me what you'd like done with it: {_CAN_DO}",
            f"Got it, {_gist(text, 30)}. Tell me what you'd like me to do with that.",
        ]
    )


def _within_stated_limit(task: Task, text: str) -> str:
    """A reply never longer than a limit the request states ("under 100 characters")."""
    from aieng.llm.course_model.skills.summarize import fit_chars, parse_length

    length = parse_length(task.last_user + "\n" + task.system)
    if length.words and len(text.split()) > length.words:
        text = " ".join(text.split()[: length.words])
    return fit_chars(text, length.chars)


def _plain(task: Task) -> str:
    text = task.last_user.strip()
    if not text:
        return task.choose(["Hello! How can I help?", "Hi! What can I do for you?"])
    facts = _remembered(task)
    return (
        _small_talk(task, text, facts)
        or _memory(task, text, facts)
        or _what_it_knows(task, text)
        or _honest_fallback(task, text)
    )


def _json_keys(system: str) -> dict[str, object]:
    brace = system.find("{")
    while brace >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(system[brace:])
            if isinstance(value, dict) and value:
                return value
        except ValueError:
            pass
        brace = system.find("{", brace + 1)
    listed = re.search(
        r"\b(?:keys?|fields?|properties)\b\s*(?:named|called|:)?\s*([^.\n]+)", system, re.I
    )
    if listed:
        names = re.findall(r"[`'\"]?([A-Za-z_]\w*)[`'\"]?", listed.group(1))
        names = [n for n in names if n.lower() not in ("and", "or", "with", "the", "a", "an")]
        if names:
            return {n: None for n in names}
    return {"answer": ""}


def _as_json(task: Task, text: str) -> str:
    keys = _json_keys(task.system)
    out: dict[str, object] = {}
    placed = False
    for key in keys:
        if not placed and key.lower() in _TEXT_KEYS:
            out[key] = text
            placed = True
        else:
            out[key] = None
    if not placed:
        out = {"answer": text, **out} if "answer" not in out else out
    return json.dumps(out, ensure_ascii=False)


def reply(task: Task) -> Reply:
    """A plain, honest reply (as a JSON object when the system prompt asks for JSON)."""
    text = _within_stated_limit(task, _plain(task))
    if task.response_format.type == "text" and _JSON_ASK.search(task.system):
        return Reply(content=_as_json(task, text))
    return Reply(content=text)
