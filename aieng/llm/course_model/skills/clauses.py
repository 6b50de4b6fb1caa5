"""How a stated policy's clauses relate: reason codes, precedence, exceptions, condition lists.

A policy written for a contract says more than "never X":

- ``codes``: the reason code a rule names in parentheses, "Refuse (legal_advice)";
- ``stated_precedence``: which rule wins when several apply, "refuse beats escalate
  beats answer; among refusals, other_customer_data beats legal_advice";
- ``PRECEDENCE``: such a clause is about ranking, never a rule of its own;
- ``exception_stems``: what a rule does not cover, "Correcting a billing error (a
  duplicate charge) is not a refund request";
- ``conditions``: the list an escalation names, "when the customer reports an injury,
  asks for a manager or threatens legal action" -> three conditions;
- ``body_of``: a customer message without its greeting and signature, which hold
  job titles and disclaimers ("Warehouse Manager", "This message is confidential")
  that are no part of the request;
- ``threat_only``: a message whose legal words only threaten action ("we will take
  legal action") rather than ask for advice.

Example:
    >>> stated_precedence("Among refusals, b_rule beats a_rule beats c_rule.")
    (('b_rule', 'a_rule', 'c_rule'),)
"""

from __future__ import annotations

import re
from functools import lru_cache

from aieng.llm.course_model.text import STOPWORDS, stem, words

CODE = re.compile(
    r"\(\s*([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s*\)"
    r"|\b(?i:refuse[sd]?|reason|code|label)\s*\(\s*([a-z][a-z0-9_]*)\s*\)"
)
_RANK = r"\s*(?:>|»|beats|outranks|wins over|over|takes precedence over|comes before|before)\s*"
_NAME = r"[A-Za-z][\w-]*"
CHAIN = re.compile(rf"{_NAME}(?:{_RANK}{_NAME})+", re.I)
PRECEDENCE = re.compile(
    r"\b(?:beats|outranks|takes precedence|precedence|wins over|has priority|priority order)\b"
    r"|\b[a-z_]+\s*>\s*[a-z_]+\s*>",
    re.I,
)
EXCEPTION = re.compile(
    r"^(?P<what>.{3,160}?)\s+(?:is|are)\s+not\s+(?:a|an)?\s*(?P<kind>[\w\s-]{2,40}?)"
    r"(?:\s+requests?|\s+questions?)?(?:\s+and\b.*|,.*)?[.;]?$",
    re.I,
)
_CONDITION_VERB = (
    r"(?:reports?|asks?|complains?|threatens?|mentions?|requests?|demands?|wants?|raises?|"
    r"describes?|says?|claims?|is|has|needs?|refers? to|brings? up|uses?)"
)
_WHEN = re.compile(
    r"\b(?:when|if|whenever|where)\s+(?:the |a )?(?:customer|user|client|caller|patient|guest|"
    r"writer|sender|they|someone|he|she)\s+(?P<rest>[^.;:!?\n]+)",
    re.I,
)
_TO_WHOM = re.compile(
    r"\s+(?:immediately\s+)?(?:to|with)\s+(?:a|an|the|our)?\s*(?:\w+\s+)?(?:human|person|"
    r"supervisor|manager|agent|team|staff|colleague|specialist|desk|department|lead)s?\b.*$",
    re.I,
)
_LIST_LEAD = re.compile(
    r"^\s*(?:(?:any|all|every|each|a|an)\s+)?(?:(?:reports?|cases?|claims?|complaints?|"
    r"requests?|mentions?|messages?)\s+(?:of|about|involving|for|regarding)\s+)",
    re.I,
)
_LIST_HEAD = re.compile(
    r"^\s*(?:escalate|refuse|decline|flag|forward|hand over)\s+(?P<rest>.+)$", re.I
)
CLOSING = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|cheers|best|best regards|kind regards|regards|"
    r"warm regards|sincerely|yours|greetings|groeten|groet|met vriendelijke groet(?:en)?|"
    r"vriendelijke groet(?:en)?|mvg|mit freundlichen grüßen|viele grüße|beste grüße|gruß|"
    r"danke(?: und gruß)?|liebe grüße|saludos|un saludo|atentamente|cordialement|"
    r"bien cordialement|salutations|merci|bien à vous|--|—)\b[^\n]{0,30}$",
    re.I | re.M,
)
GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|beste|geachte|"
    r"goedemorgen|goedemiddag|sehr geehrte[rs]?|guten (?:tag|morgen)|liebe[rs]?|hola|"
    r"estimad[oa]s?|buenos días|bonjour|madame|monsieur|cher|chère)\b[^\n]{0,60}$\n?",
    re.I | re.M,
)
THREATENS = re.compile(r"^\s*threat(?:en)?s?\b", re.I)
THREAT = re.compile(
    r"\b(?:we|i)\s*(?:'ll|will|shall|are going to|am going to|intend to|plan to|may|might|"
    r"would)\s+(?:\w+\s+){0,3}?(?:sue|take (?:legal )?action|go to court|take (?:you|this|it) "
    r"to court|involve (?:our|a) (?:lawyer|solicitor|attorney)s?|call (?:our|a) lawyer|"
    r"start (?:legal )?proceedings|file a (?:claim|lawsuit))"
    r"|\b(?:our|my) (?:lawyers?|solicitors?|attorneys?|legal team) will\b|\bsee you in court\b"
    r"|\b(?:juridische stappen|rechtliche schritte|acciones legales|action en justice)\b",
    re.I,
)


def codes(text: str) -> list[str]:
    """The reason codes a clause names in parentheses ("(refund_window)")."""
    return list(dict.fromkeys(a or b for a, b in CODE.findall(text)))


@lru_cache(maxsize=256)
def stated_precedence(system: str) -> tuple[tuple[str, ...], ...]:
    """The rankings a prompt states, highest first: ("refuse", "escalate", "answer"),
    ("other_customer_data", "legal_advice", ...)."""
    chains = []
    for sentence in re.split(r"[;\n]|(?<=\.)\s", system):
        if not PRECEDENCE.search(sentence):
            continue
        for found in CHAIN.finditer(sentence):
            names = re.split(_RANK, found.group(0), flags=re.I)
            names = [n.strip().lower() for n in names if n.strip()]
            if len(names) >= 2 and all(n not in STOPWORDS for n in names):
                chains.append(tuple(names))
    return tuple(chains)


def rank(label: str, chains: tuple[tuple[str, ...], ...]) -> int:
    """A label's place in the stated rankings (0 first; unranked labels last)."""
    for chain in chains:
        if label.lower() in chain:
            return chain.index(label.lower())
    return 99


def exception_stems(clause: str) -> frozenset[str] | None:
    """The words of what a clause says a rule does not cover ("Correcting a billing error
    (a duplicate charge, a wrong amount) is not a refund request" -> correct, billing,
    error, duplicate, charge, wrong, amount), or None for another clause."""
    found = EXCEPTION.match(clause.strip())
    if not found:
        return None
    what = found.group("what")
    stems_ = {stem(w) for w in words(what) if w not in STOPWORDS and len(w) > 2}
    return frozenset(stems_) if len(stems_) >= 2 else None


def conditions(clause: str) -> list[str]:
    """The cases an escalation (or refusal) clause lists: "when the customer reports an
    injury, asks for a manager or threatens legal action" -> each condition."""
    found = _WHEN.search(clause)
    rest = found.group("rest") if found else ""
    if not rest:
        head = _LIST_HEAD.match(clause)
        if not head:
            return []
        rest = re.sub(r"^(?:to (?:a |the )?\w+\s+)?(?:also\s+)?", "", head.group("rest"))
        rest = _TO_WHOM.sub("", rest)
        parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+(?=\w+s\b)", rest)
        if len(parts) == 1 and not re.search(r"\b(?:when|if|that|who|which)\b", rest, re.I):
            parts = re.split(r"\s+(?:and|or|as well as)\s+", rest)  # "injuries and damage claims"
        parts = [_LIST_LEAD.sub("", p) for p in parts]
        return [p.strip(" .") for p in parts if len(p.strip(" .")) > 2]
    rest = re.sub(r"\s+without\b.*$", "", rest)
    parts = re.split(rf",\s*(?:or\s+|and\s+)?(?={_CONDITION_VERB}\b)|\s+(?:or|and)\s+"
                     rf"(?={_CONDITION_VERB}\b)", rest, flags=re.I)  # fmt: skip
    return [p.strip(" .") for p in parts if len(p.strip(" .")) > 2]


def body_of(text: str) -> str:
    """A message without its greeting line and everything from its closing on."""
    lines = text.strip().splitlines()
    if len(lines) < 3:
        return text
    kept = text.strip()
    greeting = GREETING.match(kept)
    if greeting and len(kept) - greeting.end() > 20:
        kept = kept[greeting.end() :]
    closing = None
    for found in CLOSING.finditer(kept):
        if found.start() > len(kept) * 0.3:
            closing = found
            break
    if closing is not None:
        kept = kept[: closing.start()]
    return kept.strip() or text


def threat_only(text: str) -> bool:
    """Whether the message threatens legal action without asking a legal question."""
    if not THREAT.search(text):
        return False
    rest = " ".join(s for s in re.split(r"(?<=[.!?])\s+", text) if not THREAT.search(s))
    return not re.search(
        r"\b(?:liable|liability|lawful|legal(?:ly)?|law|sue|clause)\b[^.!]*\?", rest, re.I
    )
