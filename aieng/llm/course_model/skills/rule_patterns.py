"""The patterns ``rules`` parses a stated policy with: units, subjects, phrasings.

Kept apart from ``rules`` so that each module stays readable: the words a request
uses for an action (``SUBJECTS``), how a prohibition, an escalation, a time window or
a limit is phrased, and the words that name no topic of their own (``GENERIC``).
"""

from __future__ import annotations

import re

from aieng.llm.course_model.text import stem

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
    r"|\bwithout\b|\bor (?:any|anything|other)\b|\bto (?:the|a|any) (?:user|customer)s?\b|\bunder any\b).*$",
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
