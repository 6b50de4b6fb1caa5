"""What the model says around tools: answers from results, and clarifying questions.

An answer picks the fields of a JSON result whose names match the question
(stems and synonyms), quotes their values exactly, and names what they are
about from the call's arguments: "For order A-1042, the status is shipped and
the eta is 2026-12-03." A clarifying question names the missing argument in
plain words and what it is for: "Which city should I use to get the current
weather?"
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import orjson

from aieng.llm.course_model.text import STOPWORDS, expand, sentences, split_identifier, stem, stems

if TYPE_CHECKING:
    from aieng.llm.course_model.engine import Task
    from aieng.llm.course_model.protocol import ToolSpec

logger = logging.getLogger(__name__)

UNITS = {
    "c": "°C", "celsius": "°C", "f": "°F", "fahrenheit": "°F", "pct": "%", "percent": "%",
    "usd": "USD", "eur": "EUR", "gbp": "GBP", "kg": "kg", "km": "km", "mi": "miles",
    "ms": "ms", "kmh": "km/h", "mph": "mph", "cm": "cm", "mm": "mm", "min": "minutes",
    "mins": "minutes", "minutes": "minutes", "hours": "hours", "days": "days", "sec": "s",
    "seconds": "seconds", "lbs": "lb", "kb": "KB", "mb": "MB", "gb": "GB",
}  # fmt: skip
NAME_FIELDS = ("name", "title", "label", "id", "sku", "code", "subject")
ID_WORDS = frozenset("id ids number no num code ref reference".split())
ENTITY_KINDS = frozenset("place person org id enum email url phone language currency".split())
VERBS = frozenset(
    "get fetch look retrieve return find search list create add send book schedule cancel "
    "delete remove update check convert calculate compute translate show give make open close "
    "reset lookup query read write post submit pay transfer order buy track estimate compare "
    "summarize summarise generate draft reply assign escalate approve reject refund issue set "
    "change modify save store upload download run execute start stop restart notify email call "
    "invite register subscribe unsubscribe validate verify analyze analyse classify detect "
    "predict recommend reserve log file report record apply request raise".split()
)
GENERIC_VERBS = frozenset("get set fetch list retrieve lookup look find query check show".split())


def parse(content: str) -> Any:
    """A tool result as JSON if it is JSON, else the text."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return content


def flatten(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(key path, value) leaves of a JSON value; lists stay whole."""
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            out += flatten(item, (*path, str(key)))
        return out
    return [(path, value)]


def _nouns(tool_name: str) -> list[str]:
    return [w for w in split_identifier(tool_name) if w not in GENERIC_VERBS and w not in VERBS]


def as_lines(tool_name: str, content: str) -> str:
    """A result as "key: value" lines that slot filling can read ("customer id: C-9")."""
    value = parse(content)
    if not isinstance(value, dict | list):
        return str(value)
    nouns = _nouns(tool_name)
    items = value if isinstance(value, list) else [value]
    lines = []
    for item in items[:20]:
        for path, leaf in flatten(item):
            words = [w for p in path for w in split_identifier(p)]
            if nouns and not set(nouns) & set(words):
                words = nouns + words
            if isinstance(leaf, dict | list):
                leaf = orjson.dumps(leaf).decode()
            lines.append(f"{' '.join(words) or 'value'}: {leaf}")
    return "\n".join(lines)


def result_stems(results: list[tuple[str, Any, str]]) -> set[str]:
    """Stems of the field names in results: what the results already answer."""
    out: set[str] = set()
    for _name, _arguments, content in results:
        value = parse(content)
        items = value if isinstance(value, list) else [value]
        for item in items[:20]:
            for path, _leaf in flatten(item):
                out |= {stem(w) for p in path for w in split_identifier(p) if w not in STOPWORDS}
    return out - {"id", "name", "value", "result", "data"}


def render(value: Any) -> str:
    """A value as the answer quotes it: strings as-is, numbers exactly, lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "not available"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return orjson.dumps(value).decode()
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return join([render(v) for v in value]) if value else "none"
        if all(isinstance(v, dict) for v in value):
            shown = "; ".join(describe_item(v) for v in value[:5])
            return shown + (f"; and {len(value) - 5} more" if len(value) > 5 else "")
        return f"{len(value)} items"
    return orjson.dumps(value).decode()


TEXT_FIELDS = ("msg", "message", "error", "detail", "details", "description", "summary", "text",
               "reason", "status", "title", "name")  # fmt: skip


def describe_item(item: dict) -> str:
    """One object of a result list in a line: its name or message first, then its other fields.

    Example:
        >>> describe_item({"ts": "14:02", "level": "error", "msg": "disk full"})
        'disk full (ts 14:02, level error)'
    """
    leaves = [(p, v) for p, v in flatten(item) if not isinstance(v, dict | list) and v is not None]
    head = next((render(item[f]) for f in TEXT_FIELDS if isinstance(item.get(f), str)), None)
    if head is None:
        head = next((v for p, v in leaves if isinstance(v, str) and len(p) == 1), None)
    rest = [
        f"{_label(p)[0]} {_with_unit(render(v), _label(p)[1])}"
        for p, v in leaves
        if not (head is not None and render(v) == head)
    ][:4]
    if head is None:
        return ", ".join(rest)
    return f"{head} ({', '.join(rest)})" if rest else head


def join(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _label(path: tuple[str, ...]) -> tuple[str, str]:
    words = [w for p in path[-2:] for w in split_identifier(p)]
    unit = ""
    if len(words) > 1 and words[-1] in UNITS:
        unit = UNITS[words.pop()]
    label = " ".join("ID" if w == "id" else w for w in words) or "result"
    return label, unit


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("°C", "°F", "%") else f"{text} {unit}"


def _relevant(question: str, leaves: list[tuple[tuple[str, ...], Any]], known: set[str]) -> list:
    """The fields that answer ``question``; all of a small result when few names match."""
    asked = expand(set(stems(question)))
    fresh = [(p, v) for p, v in leaves if not isinstance(v, dict) and render(v) not in known]
    scored = []
    for index, (path, _value) in enumerate(fresh):
        keys = {stem(w) for p in path for w in split_identifier(p) if w not in STOPWORDS}
        score = len(keys & asked) + 0.5 * len(expand(keys) & asked - keys)
        if score > 0:
            scored.append((score, index))
    best = [i for _, i in sorted(scored, key=lambda s: (-s[0], s[1]))[:4]]
    if len(best) < 2 and len(fresh) <= 6:
        best += [i for i in range(len(fresh)) if i not in best]
        return [fresh[i] for i in best[:6]]
    return [fresh[i] for i in sorted(best)]


def _subject(arguments: Any, tool_name: str) -> str:
    """What a call was about, from its arguments: "order A-1042", "Paris"."""
    if not isinstance(arguments, dict):
        return ""
    for key, value in arguments.items():
        if isinstance(value, str) and value and len(value) <= 60:
            words = split_identifier(key)
            if set(words) & ID_WORDS:
                nouns = [w for w in words if w not in ID_WORDS] or _nouns(tool_name)[:1]
                return " ".join([*nouns, value]).strip()
            if len(value.split()) <= 5:
                return value
    return ""


def _error(value: Any) -> str | None:
    if isinstance(value, dict):
        error = value.get("error") or value.get("errors")
        if error:
            if isinstance(error, dict):
                error = error.get("message") or orjson.dumps(error).decode()
            return render(error)
        failed = str(value.get("status", "")).lower() in ("error", "failed", "failure", "fail")
        if value.get("ok") is False or value.get("success") is False or failed:
            return render(value.get("message") or value.get("detail") or "failed")
    if isinstance(value, str) and re.match(r"(?i)\s*(?:error|exception|failed)\b[:\s]", value):
        return value.strip().rstrip(".")
    return None


def _sentence(question: str, name: str, arguments: Any, content: str, task: Task) -> str:
    value = parse(content)
    subject = _subject(arguments, name)
    lead = f"For {subject}, " if subject else ""
    failure = _error(value)
    if failure is not None:
        return f"The {' '.join(split_identifier(name))} tool reported an error: {failure}."
    if isinstance(value, list):
        return _list_sentence(question, value, subject)
    if isinstance(value, dict):
        known = {str(v) for v in arguments.values()} if isinstance(arguments, dict) else set()
        chosen = _relevant(question, flatten(value), known)
        if not chosen:
            return (
                f"{lead}the result is empty.".capitalize()
                if not lead
                else f"{lead}the result is empty."
            )
        parts = []
        for path, leaf in chosen:
            label, unit = _label(path)
            verb = "are" if label.endswith("s") and not label.endswith("ss") else "is"
            parts.append(f"the {label} {verb} {_with_unit(render(leaf), unit)}")
        text = f"{lead}{join(parts)}."
        return text[0].upper() + text[1:]
    text = render(value).strip()
    if len(text) > 600:
        text = " ".join(sentences(text)[:3])
    if text and text[-1] not in ".!?":
        text += "."
    if subject:
        return f"For {subject}: {text}" if text else f"I found nothing for {subject}."
    return task.choose([f"Here is what I found: {text}", f"The result: {text}"])


def _list_sentence(question: str, items: list, subject: str) -> str:
    where = f" for {subject}" if subject else ""
    if not items:
        return f"I found no results{where}."
    if all(not isinstance(i, dict | list) for i in items):
        return (
            f"I found {len(items)} result{'s' if len(items) != 1 else ''}{where}: {render(items)}."
        )
    described = [describe_item(i) if isinstance(i, dict) else render(i) for i in items[:5]]
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    count = f"{len(items)} result{'s' if len(items) != 1 else ''}"
    return f"I found {count}{where}: {'; '.join(described)}{more}."


def compose(question: str, results: list[tuple[str, Any, str]], task: Task) -> str:
    """An answer to ``question`` from ``(tool name, arguments, result text)`` triples."""
    if not results:
        return "The tool returned nothing."
    return " ".join(_sentence(question, n, a, c, task) for n, a, c in results)


# ---------------------------------------------------------------- clarifying questions


def _third_person_to_base(word: str) -> str:
    low = word.lower()
    if low.endswith(("ches", "shes", "xes", "sses", "zes")):
        return low[:-2]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith("s") and not low.endswith("ss") and len(low) > 3:
        return low[:-1]
    return low


def purpose(tool: ToolSpec, missing_words: set[str]) -> str | None:
    """What the tool does, as a verb phrase: "get the current weather"."""
    first = re.split(r"(?<=[.!?])\s|;|\s-\s|\n", tool.description.strip(), maxsplit=1)[0]
    first = first.strip().rstrip(".")
    words = first.split()
    if words:
        verb = _third_person_to_base(words[0])
        if verb in VERBS:
            phrase = " ".join([verb, *words[1:]])
            for word in sorted(missing_words):
                cut = re.search(
                    r"\s+(?:for|by|of|with|in|from|to|using|given|at)\s+(?:(?:a|an|the|its|their"
                    r"|given|specified|specific|one|some)\s+)?(?:[\w-]+\s+){0,2}?"
                    + re.escape(word)
                    + r"\b.*$",
                    phrase,
                    re.I,
                )
                if cut and cut.start() > len(verb):
                    phrase = phrase[: cut.start()]
            return phrase
    name_words = split_identifier(tool.name)
    if name_words and name_words[0] in VERBS:
        return " ".join(name_words)
    return None


def _missing_label(name: str, slot) -> str:
    words = [w for part in name.split(".") for w in split_identifier(part)]
    if slot is not None and (len(words) == 1 and len(words[0]) <= 2):
        description = str(slot.schema.get("description", "")).strip().rstrip(".")
        if description and len(description.split()) <= 6:
            return description[0].lower() + description[1:]
    if len(words) > 1 and words[-1] in UNITS:
        words = [*words[:-1], "in", words[-1]]
    return " ".join("ID" if w == "id" else w for w in words)


def clarify(tool: ToolSpec, missing: tuple[str, ...], task: Task) -> str:
    """A question asking for the missing required arguments, in plain words."""
    from aieng.llm.course_model.skills.slots import object_slots, resolve

    params = tool.parameters or {}
    slots = {s.name: s for s in object_slots(resolve(params, params)[0], params)}
    labels, words = [], set()
    for name in missing:
        slot = slots.get(name.split(".")[0])
        label = _missing_label(name, slot if "." not in name else None)
        if slot is not None and slot.kind == "enum" and "." not in name:
            options = [str(v) for v in slot.schema.get("enum", [])][:6]
            if options:
                label += " (" + join(options).replace(" and ", " or ") + ")"
        labels.append(label)
        words |= set(split_identifier(name.split(".")[-1])) | {label.split()[0]}
    does = purpose(tool, {w for w in words if w not in STOPWORDS})
    if len(labels) == 1:
        slot = slots.get(missing[0].split(".")[0])
        which = "Which" if slot is not None and slot.kind in ENTITY_KINDS else "What"
        if does:
            return task.choose(
                [
                    f"{which} {labels[0]} should I use to {does}?",
                    f"Could you tell me the {labels[0]}? I need it to {does}.",
                ]
            )
        return f"{which} {labels[0]} should I use? I need it to call {tool.name}."
    if does:
        return task.choose(
            [
                f"To {does}, I need the {join(labels)}. Could you tell me?",
                f"Could you give me the {join(labels)}? I need them to {does}.",
            ]
        )
    return f"I need the {join(labels)} to call {tool.name}. Could you tell me?"
