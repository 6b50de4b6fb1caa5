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
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.skills.topics import Topic, topic_for
from aieng.llm.course_model.text import STOPWORDS, stem, words

UNITS = {"hour": 1 / 24, "day": 1, "business day": 1.4, "working day": 1.4, "week": 7,
         "month": 30.44, "year": 365.25}  # fmt: skip
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}  # fmt: skip
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90,
                     "a": 1, "an": 1, "a couple of": 2, "a few": 3, "several": 4})  # fmt: skip
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(hour|business day|working day|calendar day|day|week|month|year)s?"

# Subjects of windows and limits: the words a request uses for the same action.
SUBJECTS = {
    "refund": "refund refunds refunded reimburse reimbursement reimbursed repay money chargeback "
    "terugbetaling terugbetalen geld rückerstattung erstattung erstatten remboursement rembourser "
    "remboursé reembolso reembolsar dinero",
    "return": "return returns returned returning send back retour retourneren terugsturen "
    "rücksendung zurückschicken zurücksenden retourner renvoyer devolver devolución",
    "cancellation": "cancel cancels cancelled canceled cancellation cancelling canceling terminate "
    "annuleren annulering stornieren stornierung annuler annulation cancelar cancelación",
    "exchange": "exchange exchanges swap replace replacement",
    "change": "change changes rebook reschedule modify amend amendment",
    "claim": "claim claims report damage",
    "discount": "discount discounts off reduction markdown cheaper rebate",
    "credit": "credit credits voucher goodwill compensation",
    "order": "order orders unit units pieces bulk",
    "loan": "loan loans borrow credit mortgage",
    "transfer": "transfer transfers wire payment send",
    "withdrawal": "withdrawal withdraw cash",
    "booking": "booking bookings book reservation reserve",
}
SUBJECT_STEMS = {
    name: frozenset(stem(w) for w in cues.lower().split()) for name, cues in SUBJECTS.items()
}

_NEG = (
    r"(?:never|do not|don't|dont|must not|mustn't|may not|should not|shouldn't|cannot|can't|"
    r"can not|will not|won't|shall not|(?:you )?are not (?:allowed|permitted|authori[sz]ed) to|"
    r"is not (?:allowed|permitted) to|not allowed to|refuse to|decline to|avoid)"
)
_VERB = (
    r"(?:give|giving|provide|providing|offer|share|sharing|disclose|reveal|discuss|answer|"
    r"help(?: (?:users|customers|people|anyone))?(?: with)?|assist(?: with)?|comment on|"
    r"talk about|speculate (?:about|on)|recommend|issue|grant|promise|guarantee|accept|ask for|"
    r"ask about|request|send|hand out|give out|look up|expose|leak|engage (?:in|with)|handle|"
    r"diagnose|prescribe|quote|predict|express|repeat|read out|process|approve|confirm)"
)
FORBID = re.compile(
    r"\b" + _NEG + r"\s+(?:ever\s+|under any circumstances\s+|directly\s+|yourself\s+)?"
    r"(?P<verb>" + _VERB + r")\b\s*(?P<topic>[^.;:!?\n]+)",
    re.I,
)
REFUSE_ASK = re.compile(
    r"\b(?:refuse|decline|reject|deny|block)\s+(?:(?:any|all|every|politely|to help with)\s+)*"
    r"(?:requests?|questions?|queries|messages|attempts|asks|anything)?\s*(?:that\s+(?:ask|seek)s?"
    r"\s+(?:for|about)|(?:asking|seeking)\s+(?:for|about)|for|about|involving|regarding|"
    r"related to|on|concerning|to)\s+(?P<topic>[^.;:!?\n]+)",
    re.I,
)
IF_ASKS = re.compile(
    r"\bif (?:the |a )?(?:user|customer|client|caller|patient|guest|someone|they|he|she|anyone)"
    r"\s+(?:asks?|requests?|wants?|seeks?|needs?)\s+(?:you\s+)?(?:for|about|to)?\s*"
    r"(?P<topic>[^,.;:!?\n]+),\s*(?:politely\s+)?(?:refuse|decline|say no|do not|don't|reject)",
    re.I,
)
NOT_ALLOWED = re.compile(
    r"^(?P<topic>[^.;:!?\n]{3,80}?)\s+(?:is|are)\s+(?:strictly\s+)?(?:not allowed|forbidden|"
    r"prohibited|off[- ]limits|out of scope|not permitted)",
    re.I,
)
NO_TOPIC = re.compile(r"^\s*no\s+(?P<topic>[a-z][^.;:!?\n]{2,60})[.!]?\s*$", re.I)
ESCALATE = re.compile(
    r"\b(?:escalat\w*|hand(?:ed)? (?:it |them )?(?:over|off)|transfer(?:red)? to|forward(?:ed)? to|"
    r"pass(?:ed)? (?:it |them )?(?:on )?to|refer(?:red)? to|route(?:d)? to|flag(?:ged)? for|"
    r"(?:manager|supervisor|management|senior|human|team lead)(?:'s)? (?:approval|sign[- ]off|"
    r"review|authori[sz]ation)|approv(?:al|ed) (?:by|from) (?:a |the )?(?:\w+ )?(?:manager|"
    r"supervisor|senior|human|team lead)|\b(?:needs?|requires?|need) (?:\w+ )?approval\b)",
    re.I,
)
ESCALATE_TOPIC = re.compile(
    r"\b(?:when|if|whenever|where)\s+(?:the |a )?(?:customer|user|client|caller|patient|guest|"
    r"they|someone|he|she)?\s*(?:mentions?|asks? (?:about|for)|reports?|threatens?|raises?|"
    r"describes?|is|has|wants?|requests?|brings up)?\s*(?P<topic>[^,.;:!?\n]+)"
    r"|\b(?:any|all|every)\s+(?:requests?|cases?|complaints?|messages|questions|tickets|reports)?"
    r"\s*(?:about|involving|mentioning|regarding|related to|that mention|on|for|with)\s+"
    r"(?P<topic2>[^,.;:!?\n]+)",
    re.I,
)
WINDOW = re.compile(
    r"\b(?:within|in the first|no later than|up to|during the first|inside(?: of)?|"
    r"(?:not |no \w+ )?(?:after|beyond|past|later than|older than|more than))\s+"
    + _NUM
    + r"\s*-?\s*(?:calendar\s+)?"
    + _UNIT
    + r"(?:\s+(?P<rel>of|after|from|since|following|before|prior to)\s+(?:the\s+)?"
    r"(?P<anchor>[a-z][\w -]{1,30}?))?"
    r"(?=[\s.,;:!?)]|$)"
    r"|\b" + _NUM + r"[- ]" + _UNIT + r"\s+(?:refund |return |cancellation |money-back )?"
    r"(?:window|period|policy|guarantee|limit)",
    re.I,
)
_ANCHORS = ("delivery", "purchase", "booking", "order", "receipt", "arrival", "departure",
            "invoice", "signing", "start", "check-in", "shipment", "dispatch", "payment")  # fmt: skip
LIMIT = re.compile(
    r"(?P<op>above|over|more than|greater than|exceeding|exceeds?|in excess of|higher than|"
    r"larger than|bigger than|beyond|>=|>|≥|at least|under|below|less than|fewer than|<)\s*"
    r"(?P<value>[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?(?:%|percent\b|per cent\b)|\d[\d,.]*\s?(?:k\b)?"
    r"(?:\s?(?:eur|usd|gbp|euros?|dollars?|pounds?)\b)?(?:\s?(?P<unit>[a-z]+))?)"
    r"|(?P<value2>[$€£]?\s?\d[\d,.]*\s?(?:%|eur|usd|euros?|dollars?)?)\s+(?P<op2>or more|or above|"
    r"and above|or higher|\+)",
    re.I,
)
REFUSAL_HEADING = re.compile(
    r"refus|never|do not|don't|must not|not allowed|forbidden|prohibit|off[- ]limits|out of scope"
    r"|decline|blocked|restricted|do not help|won't help|avoid",
    re.I,
)
ESCALATION_HEADING = re.compile(r"escalat|approval|hand[- ]?off|manager|human", re.I)
_TOPIC_CUT = re.compile(
    r"\s*(?:,|\(|—|--| - |\bunless\b|\beven\b|\bexcept\b|\binstead\b|\bbecause\b|\bif\b|\bbut\b"
    r"|\bor (?:any|anything|other)\b|\bto (?:the|a|any) (?:user|customer)s?\b|\bunder any\b).*$",
    re.I,
)
_TOPIC_LEAD = re.compile(
    r"^(?:(?:any|a|an|the|out|users?|customers?|people|them|anyone|requests? for|questions? "
    r"(?:about|on|regarding)|queries about|help with|information (?:about|on)|details (?:about|"
    r"of)|to|with|in|on|about|for)\s+)+",
    re.I,
)
_STYLE = frozenset(
    stem(w)
    for w in """markdown emoji emojis formatting format bullet bullets jargon slang tone sentence
    sentences word words paragraph paragraphs length apology apologize apologise up fact facts
    assumption assumptions guess guesses thing things stuff anything everything json output
    character characters language english yourself opinion""".split()
)
GENERIC = frozenset(
    stem(w)
    for w in """advice information info question questions request requests query queries data
    detail details help topic topics issue issues case cases matter matters customer customers
    user users client clients people person someone anyone thing things message messages any all
    related regarding about kind sort type mention mentions ask asks""".split()
)


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

    @property
    def label_stems(self) -> frozenset[str]:
        """Words a reason label for this rule may use ("refund_window", "legal_advice")."""
        extra = {
            "window": "window time period late deadline expired days outside policy",
            "limit": "limit threshold amount approval manager escalation above maximum",
            "scope": "scope off topic unrelated out irrelevant",
            "topic": "",
        }[self.kind]
        named = {stem(w) for w in words(self.phrase + " " + self.subject + " " + extra)}
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


def _clauses(text: str) -> list[tuple[str, str]]:
    """(heading, clause) pairs: each sentence, with the heading of the list it sits under."""
    out: list[tuple[str, str]] = []
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
        for part in re.split(r"(?<=[.!?;])\s+(?=[A-Z\"'])", body):
            out.append((heading if bullet else "", part.strip()))
    return out


def _clean_topic(raw: str) -> str:
    topic = _TOPIC_CUT.sub("", raw).strip(" \"'`.")
    topic = _TOPIC_LEAD.sub("", topic).strip(" \"'`.")
    return topic


def _topic_rule(phrase: str, clause: str, action: str) -> Rule | None:
    phrase = _clean_topic(phrase)
    stems_ = frozenset(stem(w) for w in words(phrase) if w not in STOPWORDS and len(w) > 1)
    topic = topic_for(phrase)
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


def _window_rule(clause: str) -> Rule | None:
    match = WINDOW.search(clause)
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


@lru_cache(maxsize=512)
def stated_rules(system: str) -> tuple[Rule, ...]:
    """Every rule the system prompt states, in the order it states them."""
    rules: list[Rule] = []
    for heading, clause in _clauses(policy_text(system)):
        rule = _rule_of(heading, clause)
        if rule is not None and rule not in rules:
            rules.append(rule)
    return tuple(rules)
