"""Other phrasings at temperature > 0: free-text fields of a structured answer.

At temperature 0 nothing here runs. Above it, the prose a model writes itself
(a summary, a reply, a title, an explanation) comes out in slightly different
words from seed to seed, as a sampled model's does: common words and phrases
swap for ones that mean the same ("because" ~ "since", "issue" ~ "problem",
"get back to you" ~ "follow up with you"). Values copied from the input (ids,
names, enum values, dates, redacted text, the customer's own words) never
change, so the answer stays valid and its facts stay the same.

Example:
    A ``reply`` "Sorry for the issue. We will get back to you soon." may come
    back at temperature 0.7 as "Sorry for the problem. We will follow up with
    you shortly."
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from aieng.llm.course_model.engine import Task
from aieng.llm.course_model.text import split_identifier

# Words of a property's name that mark prose the model writes itself.
PROSE_NAMES = frozenset(
    "summary summaries title headline subject reply response answer draft explanation "
    "rationale justification comment comments note notes message abstract overview gist "
    "description recap synopsis tldr".split()
)
SWAPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"because", ("since", "as")),
    (r"however,", ("that said,", "still,")),
    (r"thank you", ("thanks",)),
    (r"thanks", ("thank you",)),
    (r"cannot", ("can't",)),
    (r"can't", ("cannot",)),
    (r"issue", ("problem",)),
    (r"issues", ("problems",)),
    (r"problem", ("issue",)),
    (r"problems", ("issues",)),
    (r"soon", ("shortly",)),
    (r"quickly", ("promptly",)),
    (r"get back to you", ("follow up with you", "reply to you")),
    (r"let you know", ("keep you posted", "update you")),
    (r"i'm sorry", ("I am sorry", "sorry")),
    (r"we're", ("we are",)),
    (r"we are", ("we're",)),
    (r"stopped", ("halted",)),
    (r"about your", ("regarding your",)),
    (r"looking into", ("investigating",)),
    (r"as soon as possible", ("as quickly as we can", "right away")),
    (r"unfortunately,", ("regrettably,", "sadly,")),
)
SWAP = re.compile(r"(?i)(?<![\w'])(" + "|".join(re.escape(a) for a, _ in SWAPS) + r")(?![\w'])")
ALTERNATIVES = {a: b for a, b in SWAPS}


def _is_prose(name: str, sub: dict) -> bool:
    from aieng.llm.course_model.skills import redact
    from aieng.llm.course_model.skills.contract import QUOTES_INPUT

    if sub.get("type") not in ("string", ["string", "null"]) and "string" not in str(
        sub.get("type")
    ):
        return False
    if any(k in sub for k in ("enum", "const", "pattern", "format")):
        return False
    description = str(sub.get("description", ""))
    if redact.wants_redaction(name, description) or QUOTES_INPUT.search(description):
        return False
    return bool(set(split_identifier(name)) & PROSE_NAMES)


def rephrase(text: str, task: Task) -> str:
    """``text`` with some common phrases swapped for others that mean the same; each
    phrase found is swapped with a chance that grows with the temperature."""
    chance = min(0.8, 0.6 * task.temperature)

    def swap(found: re.Match) -> str:
        said = found.group(0)
        options = ALTERNATIVES.get(said.lower())
        if not options or task.rng.random() >= chance:
            return said
        new = options[task.rng.randrange(len(options))]
        if said[:1].isupper():
            new = new[:1].upper() + new[1:]
        return new

    return SWAP.sub(swap, text)


def vary_object(value: Any, schema: dict, task: Task) -> Any:
    """The object with its prose fields rephrased (top-level properties of the schema)."""
    from aieng.llm.course_model.skills.schemas import resolve

    if not isinstance(value, dict):
        return value
    resolved, _ = resolve(schema, schema)
    out = dict(value)
    for name, raw in (resolved.get("properties") or {}).items():
        sub, _ = resolve(raw, schema)
        if isinstance(out.get(name), str) and out[name] and _is_prose(name, sub):
            out[name] = rephrase(out[name], task)
    return out


def vary_content(content: str, schema: dict, task: Task) -> str:
    """A JSON reply's text with its prose fields rephrased (unchanged if nothing swapped)."""
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        return content
    varied = vary_object(value, schema, task)
    return content if varied == value else orjson.dumps(varied).decode()
