"""A meeting's summary in two or three English sentences: topic, decisions, actions.

The first sentence names the meeting's subject (its topic line or title) and the
first points raised; the second what was decided; the third who does what. A
point made in another language keeps only what carries across languages: its
proper nouns, numbers and product codes ("De Tug bij Van Dijk ..." -> "Tug,
Van Dijk"). Small talk ("Thanks!", "Good morning all") is not a point.

Example:
    >>> recap("Bakery sync - 4 May 2026\\nAna: The rye oven broke again.\\n"
    ...       "Tom: We decided to buy a new oven.\\nAna: I'll call the supplier today.")
    'Bakery sync: the rye oven broke again. Decided: buy a new oven. Actions: Ana will call the supplier.'
"""

from __future__ import annotations

import datetime as dt
import re

from aieng.llm.course_model.skills import dialogue
from aieng.llm.course_model.skills.language import detect_language
from aieng.llm.course_model.skills.minutes import body, title, turns

SMALL_TALK = re.compile(
    r"(?i)^\W*(?:hi|hello|hey|thanks|thank you|great|perfect|cool|good|ok(?:ay)?|fine|noted"
    r"|right|bye|goedemorgen|guten|buenos|bonjour|hola|top)\b"
)
FIRST_PERSON = re.compile(r"(?i)\b(?:i|i'm|i've|i'll|me|my|we|we've|we're|our|us)\b")


def recap(text: str, today: dt.date | None = None) -> str:
    topic = title(text)
    points = _points(text, 2)
    decided = dialogue.decisions(text)
    items = dialogue.action_items(text, today)
    parts = []
    opening = "; ".join(points)
    if topic and opening:
        parts.append(f"{topic}: {_lower(opening)}.")
    elif topic or opening:
        parts.append(_cap(topic or opening) + ".")
    if decided:
        parts.append("Decided: " + "; ".join(_english(_lower(d)) for d in decided[:3]) + ".")
    if items:
        who = [f"{i.owner or 'someone'} will {i.task}" for i in items[:4]]
        parts.append("Actions: " + ", ".join(who) + ".")
    elif not decided:
        parts.append("No action items were agreed.")
    return re.sub(r"\.\.+", ".", " ".join(parts))


def _points(text: str, count: int) -> list[str]:
    """The first statements with content, speaker-attributed when said in the first person."""
    spoken = turns(text)
    lines = [(t.who.split()[0], dialogue._clean(t.said)) for t in spoken] or [
        ("", line) for line in body(text)
    ]
    out: list[str] = []
    for who, said in lines:
        for sentence in re.split(r"(?<=[.!?])\s+", said):
            sentence = re.sub(
                r"(?i)^(?:(?:so|ok(?:ay)?|then|and|well|right)[,\s]+)+", "", sentence.strip()
            ).rstrip(".!")
            words = sentence.split()
            content = re.search(r"\d|(?<!^)(?<![.!?]\s)\b[A-Z][\w-]+", sentence)
            if sentence.endswith("?") or SMALL_TALK.match(sentence) and len(words) < 5:
                continue
            if len(words) < 4 or not (content or len(words) >= 5):
                continue
            if dialogue.DECISION.search(sentence) or dialogue.COMMIT.match(sentence):
                continue  # decisions and actions have sentences of their own
            sentence = _english(sentence)
            if who and FIRST_PERSON.search(sentence):
                sentence = f"{who} said {_lower(sentence)}"
            if sentence and sentence not in out:
                out.append(sentence)
            if len(out) >= count:
                return out
    return out


def _english(sentence: str) -> str:
    """The sentence, or for another language the names, numbers and codes it holds."""
    if len(sentence.split()) < 4 or detect_language(sentence) in ("en", None):
        return sentence
    kept = re.findall(
        r"(?<!^)\b(?:[A-Z][\w-]*(?:\s+(?:van|de|der|von)?\s*[A-Z][\w-]*)*|\d[\w.,-]*)", sentence
    )
    kept = [k.strip() for k in kept if k.strip()]
    return "points on " + ", ".join(dict.fromkeys(kept)) if kept else sentence


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """The text with a sentence-initial capital dropped, but not "I" or a name's."""
    first = text.split(" ", 1)[0]
    if first in ("I", "I'm", "I've", "I'll") or first[1:2].isupper():
        return text
    return (
        text[:1].lower() + text[1:]
        if first.lower() in _COMMON or first.isalpha() and len(first) < 4
        else text
    )


_COMMON = frozenset("the a an we our it this that there they he she what two three".split())
