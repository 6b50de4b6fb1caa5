"""Rules a system prompt states, parsed into forbidden topics, time windows and limits.

A prompt contract states its policy in any phrasing: "Never give legal
advice", "Do not share another customer's data", "Refunds only within 30
days of delivery", "Discounts above 10% require manager approval",
"Escalate to a human when the customer mentions a safety issue", or bullets
under a heading such as "Refusal rules:". Each becomes a ``Rule``:

- ``topic``: a forbidden (or escalated) subject, named by words and, when the
  vocabulary knows it, a ``topics.Topic`` ("legal advice" -> legal);
- ``window``: an action allowed only within N days/weeks/months of an anchor
  ("refund", 30 days, "delivery");
- ``limit``: an amount compared to a threshold ("discount", ">", 10, "%").

Each rule refuses or escalates. Only the system and developer messages are
read, minus the passages, examples and delimited texts they quote: an
instruction inside the user's input is data, never a rule.

Example:
    >>> [r.kind for r in stated_rules("Refunds only within 30 days of delivery. "
    ...                               "Never give legal advice.")]
    ['window', 'topic']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from aieng.llm.course_model.skills import clauses as relations
from aieng.llm.course_model.skills.rule_patterns import (  # noqa: F401 (re-exported)
    _ANCHORS,
    _NEG,
    _NUM,
    _STYLE,
    _TOPIC_CUT,
    _TOPIC_LEAD,
    _UNIT,
    _VERB,
    ESCALATE,
    ESCALATE_TOPIC,
    ESCALATION_HEADING,
    FORBID,
    GENERIC,
    IF_ASKS,
    LIMIT,
    NO_TOPIC,
    NOT_ALLOWED,
    NUMBER_WORDS,
    REFUSAL_HEADING,
    REFUSE_ASK,
    SUBJECT_STEMS,
    SUBJECTS,
    UNITS,
    WINDOW,
)
from aieng.llm.course_model.skills.topics import Topic, topic_for
from aieng.llm.course_model.text import STOPWORDS, stem, words


@dataclass(frozen=True)
class Rule:
    """One rule of a stated policy.

    Attributes:
        kind: "topic", "window" or "limit" (and "scope" for a stated scope).
        action: "refuse" or "escalate".
        phrase: The rule's key words as written ("legal advice", "refunds", "discounts").
        text: The whole clause, for replies that quote the rule.
        stems: Content stems of ``phrase`` (what a request must share).
        topic: The vocabulary's topic for ``phrase``, if it knows one.
        subject: For windows and limits, the action or amount ("refund", "discount").
        amount: For windows, the length in days; for limits, the threshold.
        unit: For windows, the unit as written ("days"); for limits "%", a currency or a noun.
        op: For limits, ">", ">=", "<" or "<=".
        anchor: For windows, what the time counts from ("delivery").
        span: For windows, the length as written ("30 days").
        label: The reason code the policy names for it ("refund_window"), if any.
        exceptions: Word sets of what the policy says the rule does not cover.
    """

    kind: str
    action: str
    phrase: str
    text: str
    stems: frozenset[str] = frozenset()
    topic: Topic | None = None
    subject: str = ""
    amount: float = 0.0
    unit: str = ""
    op: str = ""
    anchor: str = ""
    span: str = ""
    label: str = ""
    exceptions: tuple[frozenset[str], ...] = ()

    @property
    def label_stems(self) -> frozenset[str]:
        """Words a reason label for this rule may use ("refund_window", "legal_advice")."""
        extra = {
            "window": "window time period late deadline expired days outside policy",
            "limit": "limit threshold amount approval manager escalation above maximum",
            "scope": "scope off topic unrelated out irrelevant",
            "topic": "",
        }[self.kind]
        said = f"{self.phrase} {self.subject} {self.label.replace('_', ' ')} {extra}"
        named = {stem(w) for w in words(said)}
        if self.topic is not None:
            named |= {stem(w) for w in self.topic.name.split("_")} | set(self.topic.triggers)
        return frozenset(named - STOPWORDS)


def tokens(text: str) -> list[str]:
    """Lower-cased words, letters of any alphabet ("rückerstattung")."""
    return re.findall(r"[^\W\d_]+", text.lower())


def _number(text: str) -> float:
    text = text.lower().strip()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    return float(re.sub(r"[^\d.]", "", text) or 0)


def policy_text(system: str) -> str:
    """The part of a system prompt that states rules: quoted passages, examples, JSON and
    delimited inputs removed."""
    text = re.sub(r"```.*?```|\"\"\".*?\"\"\"|<(\w+)>.*?</\1>", " ", system, flags=re.S)
    text = re.sub(r"\{.*?\}", " ", text, flags=re.S)
    kept = []
    for line in text.splitlines():
        if re.match(
            r"\s*(?:\[[\w.-]{1,20}\]|(?:example|input|output|user|assistant)\b.*:)", line, re.I
        ):
            continue
        if re.match(r"\s*(?:passages|documents|context|sources|examples?)\s*:\s*$", line, re.I):
            break
        kept.append(line)
    return "\n".join(kept)


FIELD_HEADING = re.compile(r"^(?:fields?|output|schema|format|keys|json|answer fields)\b", re.I)
LABELLED = re.compile(r"^(?P<label>[A-Z][^:.!?\n]{1,40}?)(?:\s*\([^)]{0,40}\))?:\s+(?P<rest>\S.*)$")


def _clauses(text: str, semicolons: bool = False) -> list[tuple[str, str, str]]:
    """(heading, clause, bullet) triples: each sentence, with the heading of the list it sits
    under and the whole bullet (or line) it comes from; with ``semicolons`` a "; " ends a
    clause too ("changes are free up to 24 hours before; cancellations later are refused")."""
    cut = r"(?<=[.!?;])\s+(?=[A-Z\"'])" + (r"|;\s+" if semicolons else "")
    out: list[tuple[str, str, str]] = []
    heading = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            heading = "" if not out else heading
            continue
        bullet = re.match(r"^(?:[-*•·]|\d+[.)])\s+(.*)$", line)
        body = bullet.group(1) if bullet else line.lstrip("#").strip()
        if not bullet and (line.endswith(":") or line.startswith("#")):
            heading = body.rstrip(":")
            continue
        if not bullet:
            heading = "" if not re.match(r"^[^.!?]{0,60}:\s*$", line) else heading
        if FIELD_HEADING.match(heading or ""):
            continue  # what each answer field holds, not a rule
        for part in re.split(cut, body):
            out.append((heading if bullet else "", part.strip(), body))
    return out


def _clean_topic(raw: str) -> str:
    topic = _TOPIC_CUT.sub("", raw).strip(" \"'`.")
    topic = _TOPIC_LEAD.sub("", topic).strip(" \"'`.")
    return topic


def _topic_rule(phrase: str, clause: str, action: str, hint: Topic | None = None) -> Rule | None:
    phrase = _clean_topic(phrase)
    stems_ = frozenset(stem(w) for w in words(phrase) if w not in STOPWORDS and len(w) > 1)
    topic = hint or topic_for(phrase)
    if not phrase or len(phrase.split()) > 12:
        return None
    if topic is None and (not stems_ - GENERIC or stems_ & _STYLE):
        return None
    return Rule("topic", action, phrase, clause, stems_ - GENERIC or stems_, topic)


def _subject(before: str) -> tuple[str, frozenset[str]]:
    """The action or amount a window or limit is about: a known subject, else the clause's
    last content words before it."""
    found = {stem(w) for w in tokens(before)}
    for name, cues in SUBJECT_STEMS.items():
        if stem(name) in found or (found & cues and name not in ("order", "transfer")):
            return name, cues
    content = [w for w in words(before) if w not in STOPWORDS and stem(w) not in GENERIC]
    if not content:
        return "", frozenset()
    return content[-1], frozenset({stem(content[-1])})


# "cancellations less than 24 hours before pickup are refused", "no changes within 2 days of
# the concert": a window that closes before an upcoming event.
BEFORE_EVENT = re.compile(
    r"\b(?:less than|fewer than|under|within|inside(?: of)?|closer than|in the (?:last|final))\s+"
    r"(?P<n>" + _NUM[1:-1] + r")\s*-?\s*(?P<u>(?:hour|business day|working day|calendar day|day|"
    r"week|month)s?)\s+(?P<rel>before|prior to|ahead of|of)\s+(?:the\s+|your\s+|their\s+|its\s+)?"
    r"(?P<anchor>[^\W\d_][\w-]{1,25})",
    re.I,
)
_PAST_ANCHORS = ("delivery", "purchase", "booking", "order", "receipt", "invoice", "signing",
                 "shipment", "dispatch", "payment", "buying", "ordering", "move-out", "return")  # fmt: skip
_REFUSED = re.compile(
    r"\b(?:refus\w*|not|no|never|cannot|can't|impossible|declined|rejected|forfeit\w*|"
    r"non-refundable|charged|fee)\b",
    re.I,
)


def _before_event_rule(clause: str) -> Rule | None:
    """A window closing before an event: allowed only while the event is further away than
    the span (``op`` ">="); "within N of" counts only for an event still to come."""
    match = BEFORE_EVENT.search(clause)
    if not match:
        return None
    anchor = match.group("anchor").lower()
    if match.group("rel").lower() == "of" and (
        anchor.startswith(_PAST_ANCHORS) or not _REFUSED.search(clause)
    ):
        return None
    subject, cues = _subject(clause[: match.start()])
    if not subject or subject not in SUBJECTS:
        subject, cues = _subject(clause.replace("money-back", "refund"))
    if not subject:
        return None
    number, unit = match.group("n"), match.group("u").lower().rstrip("s")
    amount = _number(number) * UNITS.get(unit, 1)
    span = f"{number} {unit}{'s' if _number(number) != 1 else ''}"
    phrase = f"{subject} less than {span} before {anchor}"
    return Rule("window", "refuse", phrase, clause, cues | {stem(subject)}, None, subject,
                amount, unit, ">=", anchor, span)  # fmt: skip


def _window_rule(clause: str) -> Rule | None:
    early = _before_event_rule(clause)
    match = WINDOW.search(clause)
    if early is not None and (not match or match.group("rel") is None
                              or match.group("rel").lower() not in ("before", "prior to")):  # fmt: skip
        return early
    if not match:
        return None
    before = clause[: match.start()]
    subject, cues = _subject(before)
    if not subject or subject not in SUBJECTS:
        subject, cues = _subject(clause.replace("money-back", "refund"))
    policy = re.search(
        r"\b(?:only|must|allowed|accepted|eligible|possible|can|may|no|not|within|valid)\b",
        clause,
        re.I,
    )
    if not subject or not (subject in SUBJECTS or policy):
        return None
    number = match.group(1) or match.group(5)
    unit = (match.group(2) or match.group(6) or "day").lower()
    before = (match.group("rel") or "").lower() in ("before", "prior to")
    amount = _number(number) * UNITS.get(unit, 1)
    anchor = (match.group("anchor") or "").strip()
    anchor = next(
        (a for a in _ANCHORS if a in anchor.lower()), anchor.split(" ")[0] if anchor else ""
    )
    span = f"{number} {unit}{'s' if _number(number) != 1 else ''}"
    if before:
        phrase = f"{subject} up to {span} before {anchor}".strip()
    else:
        phrase = f"{subject} within {span}" + (f" of {anchor}" if anchor else "")
    return Rule("window", "refuse", phrase, clause, cues | {stem(subject)}, None, subject,
                amount, unit, ">=" if before else "<=", anchor, span)  # fmt: skip


def _limit_rule(clause: str, escalate: bool) -> Rule | None:
    match = LIMIT.search(clause)
    if not match or not (escalate or re.search(_NEG + r"|\bonly\b|\bnot\b|\bno\b", clause, re.I)):
        return None
    raw = match.group("value") or match.group("value2")
    op_word = (match.group("op") or match.group("op2") or "").lower()
    op = "<" if op_word in ("under", "below", "less than", "fewer than", "<") else ">"
    if op_word in ("at least", ">=", "≥", "or more", "or above", "and above", "or higher", "+"):
        op = ">="
    unit = "%" if re.search(r"%|percent|per cent", raw, re.I) else ""
    currency = re.search(r"[$€£]|eur|usd|gbp|euro|dollar|pound", raw, re.I)
    if currency:
        unit = currency.group(0).lower()
    elif not unit and match.group("unit") and match.group("unit").lower() not in STOPWORDS:
        unit = match.group("unit").lower()
    value = float(re.sub(r"[^\d.]", "", raw.replace(",", "")) or 0)
    if re.search(r"\d\s?k\b", raw, re.I):
        value *= 1000
    subject, cues = _subject(clause[: match.start()] or clause)
    if not subject and unit not in ("", "%"):
        subject, cues = unit, frozenset({stem(unit)})
    action = "escalate" if escalate else "refuse"
    phrase = f"{subject} {op_word} {raw.strip()}".strip()
    return Rule("limit", action, phrase, clause, cues | ({stem(subject)} if subject else set()),
                None, subject, value, unit, op)  # fmt: skip


def _rule_of(heading: str, clause: str) -> Rule | None:
    if relations.PRECEDENCE.search(clause):
        return None  # which rule wins, not a rule
    escalate = bool(ESCALATE.search(clause))
    if re.search(r"\b(?:set|mark|return|output|answer with|choose|use)\b[^.]{0,40}\b(?:decision|"
                 r"field|label|status|to refuse|as refuse|\"refuse)", clause, re.I):  # fmt: skip
        return None  # instructions about the answer's fields, not a rule
    window = _window_rule(clause)
    if window is not None:
        return window
    limit = _limit_rule(clause, escalate)
    if limit is not None:
        return limit
    if escalate:
        found = ESCALATE_TOPIC.search(clause)
        phrase = (found.group("topic") or found.group("topic2")) if found else ""
        if not phrase:  # "Account closures require manager approval"
            phrase = clause[: ESCALATE.search(clause).start()]
            phrase = re.sub(r"\b(?:must|should|will|always|be|need|needs|require|requires)\b", " ",
                            phrase, flags=re.I)  # fmt: skip
        if not phrase.strip(" -:,."):  # "Escalate injuries and damage claims to a human"
            cases = relations.conditions(clause)
            phrase = " ".join(cases) if cases else ""
        return _topic_rule(phrase, clause, "escalate")
    for pattern in (FORBID, REFUSE_ASK, IF_ASKS, NOT_ALLOWED):
        found = pattern.search(clause)
        if found:
            return _topic_rule(found.group("topic"), clause, "refuse")
    found = NO_TOPIC.match(clause)
    if found:
        return _topic_rule(found.group("topic"), clause, "refuse")
    if heading and ESCALATION_HEADING.search(heading):
        return _topic_rule(clause, clause, "escalate")
    if heading and REFUSAL_HEADING.search(heading):
        return _topic_rule(clause, clause, "refuse")
    return None


def _rules_of(heading: str, clause: str, bullet: str) -> list[Rule]:
    """The rules of one sentence: a labelled bullet ("No legal advice: never say ...") falls
    back on its label, a window or limit without a subject takes the label's, and an
    escalation listing several cases gives one rule per case."""
    labelled = LABELLED.match(bullet)
    label = labelled.group("label") if labelled else ""
    first = bool(label) and clause.startswith(label)
    if first:
        clause = re.sub(r"^[^:]{1,60}:\s*", "", clause, count=1)
    rule = _rule_of(heading, label) if first else None  # "No legal advice: ..."
    rule = rule or _rule_of(heading, clause)
    if rule is not None and rule.kind in ("window", "limit") and not rule.subject and label:
        rule = _rule_of(heading, f"{label}: {clause}") or rule
    if rule is None or rule.kind != "topic" or rule.action != "escalate":
        return [rule] if rule is not None else []
    out = []
    for case in relations.conditions(clause):
        part = _rule_of(heading, case) if LIMIT.search(case) else None
        if part is None or part.kind != "limit":
            said = _case_words(case)
            part = _topic_rule(said, clause, "escalate", topic_for(case[: len(case) - len(said)]))
            if part is not None and relations.THREATENS.match(case):
                part = replace(part, phrase=case)  # "threatens legal action": a threat trips it
        elif part.action != "escalate":
            part = _limit_rule(case, True)
        if part is not None:
            out.append(part)
    return out or [rule]


def _case_words(case: str) -> str:
    """A listed case without its verb: "asks for a manager" -> "a manager"."""
    return re.sub(r"^(?:reports?|asks? (?:for|about)|complains? about|threatens?|mentions?|"
                  r"requests?|demands? (?:for)?|wants?|raises?|describes?|says?|is|has)\s+", "",
                  case.strip(), flags=re.I)  # fmt: skip


def _merge(rules: list[Rule], rule: Rule) -> None:
    """Add ``rule`` unless the same rule is already there (then keep its label)."""
    for i, old in enumerate(rules):
        same_topic = old.topic is not None and old.topic == rule.topic and old.kind == "topic"
        same = (old.kind, old.action, old.subject, old.amount) == (
            rule.kind, rule.action, rule.subject, rule.amount)  # fmt: skip
        if old.action == rule.action and (
            same_topic or (same and (old.kind != "topic" or old.stems == rule.stems))
        ):
            if rule.label and not old.label:
                rules[i] = replace(old, label=rule.label)
            return
    rules.append(rule)


@lru_cache(maxsize=512)
def stated_rules(system: str) -> tuple[Rule, ...]:
    """Every rule the system prompt states, in the order it states them, with the reason
    codes and exceptions its bullets name."""
    rules: list[Rule] = []
    found = _clauses(policy_text(system), semicolons=True)
    for heading, clause, bullet in found:
        own = relations.codes(clause)
        # a code another sentence of the bullet names for its own rule is not this one's
        siblings = [c for h, c, b in found if b == bullet and c != clause and _rules_of(h, c, b)]
        taken = {code for c in siblings for code in relations.codes(c)}
        for rule in _rules_of(heading, clause, bullet):
            named = own or ([] if taken else relations.codes(bullet))
            if len(named) == 1 and rule.action == "refuse":
                rule = replace(rule, label=named[0])
            _merge(rules, rule)
    for _heading, clause, bullet in found:
        stems_ = relations.exception_stems(clause)
        if stems_ is None:
            continue
        for i, rule in enumerate(rules):
            if rule.text in bullet or _covers(rule, clause):
                rules[i] = replace(rule, exceptions=(*rule.exceptions, stems_))
    return tuple(rules)


def _covers(rule: Rule, clause: str) -> bool:
    """Whether an exception clause names the rule ("is not a refund request")."""
    said = {stem(w) for w in words(clause.split(" not ", 1)[-1])}
    return bool(said & ({stem(rule.subject)} | set(rule.stems)) - GENERIC)
