"""Labels and yes/no fields defined by conditions: "high = safety risk, injury, ...".

A prompt contract defines each label by the situations it covers, and a
boolean by when it is true ("needs_human: true when legal threat, cancellation
threat, safety risk..."). A small model matches the input against each
condition's words and the everyday words it knows for them (``SENSES``: a
"lawyer" is a legal threat, "cracked" and "leaking" are damage): a label wins
by the most conditions met; a boolean is true when any condition is met and
not denied, false when none is.

Example:
    >>> conditions_met("Our lawyer will be in touch.", "legal threat, safety risk")
    ['legal threat']
"""

from __future__ import annotations

import re
from functools import lru_cache

from aieng.llm.course_model.text import STOPWORDS, stem

SENSES = {
    "legal": "lawyer lawyers solicitor attorney sue suing lawsuit court legal action small-claims "
    "ombudsman trading-standards litigation",
    "cancel": "cancel cancelling canceling cancellation terminate close-my-account leave leaving "
    "switch switching competitor unsubscribe quit",
    "safety": "burn burned burnt fire smoke smoking sparks spark shock electrocuted injury injured "
    "hurt cut bleeding dangerous unsafe hazard hazardous exploded explosion overheating melted "
    "gas leak leaking scalded",
    "injury": "injury injured hurt burn burned burnt cut bleeding scalded hospital wound fracture",
    "breach": "breach hacked hack unauthorized unauthorised compromised phishing stolen "
    "leaked intrusion",
    "security": "breach hacked hack unauthorized unauthorised compromised phishing stolen leaked "
    "intrusion malware",
    "escalation": "manager supervisor escalate escalating escalation ceo head complaint director",
    "management": "manager supervisor escalate escalation ceo director head",
    "person": "human person someone agent representative real call phone speak talk",
    "human": "human person someone agent representative real call phone speak talk",
    "broken": "broken cracked crack snapped bent leaking leak smashed shattered dead faulty defective "
    "malfunction malfunctioning stopped scratched dented damaged torn rusted",
    "faulty": "faulty broken defective malfunction cracked leaking dead stopped",
    "damaged": "damaged cracked broken smashed dented torn shattered scratched crushed leaking",
    "defect": "defect defective faulty broken cracked leaking malfunction",
    "delivery": "delivery delivered courier parcel package tracking shipped shipment dispatch "
    "arrive arrived postage",
    "tracking": "tracking track courier parcel package shipment",
    "lost": "lost missing never-arrived disappeared",
    "late": "late delayed overdue waiting still",
    "charges": "charged charge billed bill overcharged twice payment card debit",
    "refunds": "refund refunded money-back reimburse",
    "invoices": "invoice invoices receipt billing",
    "login": "login log sign locked password 2fa account access",
    "password": "password reset locked login",
    "outage": "down outage offline unavailable unreachable 500 503 crash",
    "stopped": "stopped halted down blocked cannot can't unable standstill",
    "operations": "production operations store shop line warehouse business",
    "down": "down outage offline unavailable unreachable crashed",
    "degraded": "slow slowness latency lag intermittent partial degraded timeouts",
    "internal": "internal staff employees team only",
    "customers": "customers customer users clients public",
    "data": "data records database personal",
    "question": "? how wondering curious question",
    "feedback": "feedback suggestion idea thanks praise",
}
SENSE_STEMS = {stem(k): frozenset(stem(w) for w in v.split()) for k, v in SENSES.items()}
TRUE_WHEN = re.compile(
    r"(?i)\b(?:true|yes|set\s+(?:it\s+)?to\s+true)\s+(?:only\s+)?(?:when|if|for)\b\s*:?\s*"
    r"(?P<conds>[^.\n]+)"
)
NEGATION = re.compile(
    r"(?i)\b(?:no|not|never|without|isn't|wasn't|don't|didn't|nobody|n't)\s+(?:\w+\s+)?$"
)


def _words(text: str) -> list[tuple[str, int]]:
    return [
        (stem(m.group(0).lower()), m.start())
        for m in re.finditer(r"[A-Za-z][\w'-]*|\?", text)
        if m.group(0).lower() not in STOPWORDS or m.group(0) == "?"
    ]


@lru_cache(maxsize=512)
def _cues(condition: str) -> frozenset[str]:
    """The stems that show a condition: its senses' words, else its own content words."""
    own = [stem(w) for w in re.findall(r"[a-z?][\w'-]*", condition.lower()) if w not in STOPWORDS]
    sensed = frozenset().union(*(SENSE_STEMS.get(w, frozenset()) for w in own))
    if sensed:
        return sensed | frozenset(w for w in own if len(w) >= 5 and w not in GENERIC)
    return frozenset(w for w in own if len(w) >= 4 and w not in GENERIC)


GENERIC = frozenset(stem(w) for w in "risk threat asking explicitly issue problem any other "
                    "anything something request customer".split())  # fmt: skip


def _met(condition: str, text: str) -> bool:
    cues = _cues(condition)
    if not cues:
        return False
    for word, start in _words(text):
        if word in cues and not NEGATION.search(text[max(0, start - 24) : start]):
            return True
    return False


def split_conditions(conds: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\bor\b|\band\b|/)\s*", conds)
    return [p.strip(" .()") for p in parts if p.strip(" .()")]


def conditions_met(text: str, conds: str) -> list[str]:
    """The conditions of a list ("legal threat, safety risk") that ``text`` meets."""
    return [c for c in split_conditions(conds) if _met(c, text)]


def conditional_boolean(name_words: tuple[str, ...], description: str, notes: str, text: str):
    """True/False for a boolean whose description (or the prompt) says when it is true;
    None when no condition is written."""
    stated = TRUE_WHEN.search(description)
    if stated is None and notes:
        name = r"[\s_-]*".join(re.escape(w) for w in name_words)
        for line in re.split(r"\n|;(?=\s*\w+\s*[:=])", notes):
            if re.search(r"(?i)\b" + name + r"\b", line):
                stated = TRUE_WHEN.search(line)
                if stated:
                    break
    if stated is None:
        return None
    return bool(conditions_met(text, stated.group("conds")))


def by_definition(text: str, definitions: dict[str, str], denied=frozenset()) -> str | None:
    """The label whose definition the text meets best (most conditions met), if one leads."""
    scores = {}
    for label, definition in definitions.items():
        if label in denied or not definition.strip():
            continue
        scores[label] = len(conditions_met(text, definition))
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
