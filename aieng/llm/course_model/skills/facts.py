"""The policy's own facts that answer a request ("hardware is covered for 24 months").

A policy states rules (refuse, escalate) and facts a reply should give when it
answers: warranty terms, opening hours, limits. ``relevant_fact`` picks the
stated sentence that shares the most distinctive words with the request (words
most sentences use count little) and ``fact_sentence`` renders it in the reply's
language: quoted in English, its quantities ("24 months", "12 months") in
Dutch, German, French or Spanish, whose readers would not share the policy's
English words. Sentences about the answer itself (what to refuse, escalate,
reply or output) are no facts.

Example:
    >>> fact = relevant_fact("- Warranty: bikes are covered for 5 years; tyres for 1 year.\\n"
    ...                      "- Delivery: we ship within 3 days.", "How long is my bike covered?")
    >>> fact
    'bikes are covered for 5 years; tyres for 1 year.'
"""

from __future__ import annotations

import math
import re

from aieng.llm.course_model.skills.clauses import codes
from aieng.llm.course_model.skills.rules import LABELLED, _clauses, policy_text
from aieng.llm.course_model.text import STOPWORDS, stem, words

META = re.compile(
    r"\b(?:refus\w*|escalat\w*|repl(?:y|ies)|answer\w*|decision|field|output|json|today is|"
    r"language|precedence|beats|never|do not|don't|must not|cannot|can't)\b",
    re.I,
)
SAY = re.compile(
    r"\b(?:answer|reply|respond|say|explain|tell (?:them|the customer))\s+that\s+"
    r"(?P<x>[^;:.()]{8,160}?)(?:,\s*(?:quoting|citing|naming|with)\b[^.;]*)?(?:[.;]|$)",
    re.I,
)
NOT_THIS = re.compile(r"\b(?:is|are) not (?:a |an )?\w+ (?:request|advice|question)s?\b", re.I)
QUANTITY = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(hours?|days?|weeks?|months?|years?|%|percent)", re.I)
_UNITS = {
    "nl": {"hour": "uur", "day": "dagen", "week": "weken", "month": "maanden", "year": "jaar"},
    "de": {"hour": "Stunden", "day": "Tage", "week": "Wochen", "month": "Monate", "year": "Jahre"},
    "fr": {"hour": "heures", "day": "jours", "week": "semaines", "month": "mois", "year": "ans"},
    "es": {"hour": "horas", "day": "días", "week": "semanas", "month": "meses", "year": "años"},
}
_LEAD = {
    "en": "Under our policy: {x}",
    "nl": "Volgens ons beleid geldt: {x}.",
    "de": "Laut unseren Richtlinien gilt: {x}.",
    "fr": "Selon notre politique : {x}.",
    "es": "Según nuestra política: {x}.",
}


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2}


def _sentences(system: str) -> list[tuple[str, set[str]]]:
    """The policy's fact sentences, each with its words and its bullet's label words: what
    it says to answer ("answer that the team will confirm the date"), else plain facts
    from bullets that define no refusal code."""
    out = []
    for _heading, clause, bullet in _clauses(policy_text(system)):
        labelled = LABELLED.match(bullet)
        label = labelled.group("label") if labelled else ""
        text = re.sub(r"^[^:]{1,60}:\s*", "", clause, count=1) if label and clause.startswith(
            label) else clause  # fmt: skip
        told = SAY.search(text)
        if told:
            text = _to_customer(told.group("x"))
        elif META.search(text) or codes(bullet) or NOT_THIS.search(text):
            continue
        if re.search(r"\w{3}", text):
            out.append((text, _stems(text) | _stems(label)))
    return out


def _to_customer(said: str) -> str:
    """What the policy tells the agent to say, addressed to the customer."""
    said = re.sub(r"\b(?:them|the customer)\b", "you", said.strip(" ,;."), flags=re.I)
    said = re.sub(r"\btheir\b|\bthe customer's\b", "your", said, flags=re.I)
    return said[:1].upper() + said[1:] + "."


def relevant_fact(system: str, text: str, english: bool = True) -> str:
    """The policy sentence that answers ``text`` best, or "" when none shares enough
    distinctive words (two for an English request, one, such as a product name, for a
    request in another language)."""
    sentences = _sentences(system)
    if not sentences:
        return ""
    asked = _stems(text)
    count = len(sentences)
    best, best_score, best_hits = "", 0.0, 0
    for sentence, stems_ in sentences:
        shared = asked & stems_
        seen = {s: sum(s in other for _t, other in sentences) for s in shared}
        rare = [s for s in shared if seen[s] <= max(1, count // 4)]
        score = sum(math.log(1 + count / seen[s]) for s in shared)
        if len(rare) and score > best_score:
            best, best_score, best_hits = sentence, score, len(shared)
    return best if best_hits >= (2 if english else 1) else ""


def fact_sentence(fact: str, language: str) -> str:
    """The fact in the reply's language: quoted in English, its quantities elsewhere."""
    if not fact:
        return ""
    if language == "en" or language not in _UNITS:
        return _LEAD["en"].format(x=fact)
    amounts = []
    for number, unit in QUANTITY.findall(fact):
        base = unit.lower().rstrip("s")
        amounts.append(f"{number}%" if base in ("%", "percent") else
                       f"{number} {_UNITS[language].get(base, unit)}")  # fmt: skip
    if not amounts:
        return ""
    return _LEAD[language].format(x=", ".join(dict.fromkeys(amounts)))
