"""The vocabulary of common policy topics: what a request that asks for them says.

A rule names its topic in a few words ("legal advice", "another customer's
data", "passwords"); a request that breaks it rarely uses those words ("Can I
sue my landlord?"). Each ``Topic`` lists the words that select it in a rule
(``triggers``), the cues that show a request asking for it (stems and
phrases), and ``safe`` phrasings that mention it in an allowed way ("how do I
reset my password" is not asking to reveal one). Topics the vocabulary does
not know are matched by their own words (``rules.Rule.stems``).

Example:
    >>> topic_for("Never give legal advice").name
    'legal'
    >>> asks_for(topic_for("legal advice"), "Can I sue my landlord over the deposit?")
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.text import stem, words


@dataclass(frozen=True)
class Topic:
    """A policy topic: how a rule names it and how a request asks for it."""

    name: str
    triggers: frozenset[str]  # stems that select it in a rule's words
    cues: frozenset[str]  # stems that show a request about it
    phrases: re.Pattern[str] | None = None  # multi-word cues
    safe: re.Pattern[str] | None = None  # an allowed mention clears a cue
    weak: frozenset[str] = frozenset()  # cues that count only in a question
    needs: re.Pattern[str] | None = None  # a cue counts only with this too ("tell me")
    cased: re.Pattern[str] | None = None  # cues that need the text's capitals (names)


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in text.split())


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_OTHERS = r"(?:another|other|others|different|a different|some other|the previous|previous|third[- ]party)"
_PEOPLE = (
    r"(?:customer|client|patient|guest|passenger|user|tenant|member|employee|person|people|"
    r"account holder|policyholder|student|traveller|traveler|resident|buyer|caller)s?"
)
_RELATIVE = (
    r"(?:neighbou?r|ex|wife|husband|partner|colleague|co-?worker|boss|friend|brother|sister|"
    r"mother|father|mom|dad|son|daughter|landlord|tenant|roommate|flatmate|girlfriend|boyfriend)"
)
_ORGS = (
    r"(?:companies|businesses|firms|warehouses|sites|stores|shops|clients|customers|"
    r"organi[sz]ations|hotels|clinics|practices|retailers|distributors|sellers|buyers|teams)"
)
_THEIR_DATA = (
    r"(?:discounts?|prices?|paid|pay|orders?|contracts?|rates?|address|contacts?|numbers?|"
    r"emails?|sites?|deals?|terms|invoices?|robots?|fleet)"
)
_NAME = r"(?!(?:We|I|You|It|This|That|The|Our|My|Your)\b)[A-Z][\w&'.-]+"
_DATA = (
    r"(?:address|phone|number|email|e-mail|account|records?|details|data|information|info|"
    r"order|booking|balance|file|history|results?|salary|statement|transactions?|contact)"
)

TOPICS = (
    Topic(
        "legal",
        _stems("legal law laws lawyer attorney lawsuit litigation juridical legally"),
        _stems(
            "sue suing sued lawsuit lawyer attorney solicitor liable liability court courts "
            "litigation legally illegal unlawful lawful judge tribunal evict eviction "
            "injunction damages"
        ),
        _rx(
            r"\b(?:my|our|legal|consumer|tenant'?s?|statutory) rights\b|\bcontract clause|"
            r"\bbreach of contract\b|\btake (?:you|them|him|her|it) to court\b|\bsmall claims\b|"
            r"\bpress charges\b|\bis (?:it|this|that) (?:legal|allowed by law)\b|\blegal action\b"
            # the same questions in Dutch, German, French and Spanish
            r"|\b(?:wat zegt de wet|was sagt das gesetz|que dit la loi|qu[ée] dice la ley)\b"
            r"|\b(?:under|according to|volgens|laut|gemäß|nach|selon|según|conforme a)\s+"
            r"(?:the |de |het |der |dem |das |la |le |el )?(?:law|wet|gesetz|loi|ley|gdpr|avg|"
            r"dsgvo|rgpd)\b|\b(?:aansprakelijk|wettelijk|haftbar|haftet|haftung|verklagen|"
            r"rechtlich|juridiquement|responsabilit[ée] l[ée]gale|demandar|poursuivre|"
            r"legalmente|ilegal|illégal|rechtswidrig|onwettig)\w*"
        ),
    ),
    Topic(
        "medical",
        _stems(
            "medical medicine medication diagnosis diagnoses diagnose diagnosing clinical "
            "health dosage prescription prescriptions treatment"
        ),
        _stems(
            "diagnose diagnosis diagnosed dosage dose doses prescribe prescription medication "
            "medicine medicines antibiotic antibiotics ibuprofen paracetamol aspirin "
            "cancer tumour tumor diabetes contagious"
        ),
        _rx(
            r"\bshould (?:i|he|she|we|my \w+) (?:take|give|use|stop taking)\b|\bside[- ]effects?\b"
            r"|\bwhat (?:could|might|is) (?:it|this|that) be\b|\bdo (?:i|you think i) have\b"
            r"|\bis (?:it|this|that) (?:serious|contagious|cancer|an infection)\b|\bhow much \w+ "
            r"(?:should|can) (?:i|he|she) take\b|\bwhat(?:'s| is) wrong with (?:me|my)\b"
        ),
        _rx(r"\b(?:book|booking|appointment|reschedul\w*|opening hours|parking|invoice|bill)\b"),
        weak=_stems(
            "symptom symptoms rash fever pain cough headache infection illness disease lump "
            "dizzy nausea swollen bleeding"
        ),
    ),
    Topic(
        "others_data",
        _stems("another other others third someone else"),
        frozenset(),
        _rx(
            rf"\b{_OTHERS}\s+(?:\w+\s+)?{_PEOPLE}(?:'s|s'|’s)?\b"
            rf"|\bsomeone else'?s\b|\b(?:my|the|our) {_RELATIVE}(?:'s|’s) (?:\w+ )?{_DATA}\b"
            rf"|\b{_DATA} (?:of|for|belonging to) (?:the|a|another|my|that|this) (?:\w+ )?"
            rf"(?:{_PEOPLE}|{_RELATIVE})\b"
            rf"|\bwho (?:else )?(?:ordered|booked|bought|stayed|rented|lives|lived|owns|sat)\b"
            r"|\b(?:give|tell|send|share)\b[^.?!]{0,20}\b(?:his|her|their) (?:phone |home )?"
            r"(?:number|address|email|details|contact)"
            r"|\b(?:the )?(?:name|address|phone number|email) of (?:the )?(?:person|guest|customer|"
            r"passenger|patient|tenant) (?:who|in|at|that|before)\b"
            # other organisations: "which other warehouses use ...", "andere Kunden"
            rf"|\b{_OTHERS}\s+(?:\w+\s+)?{_ORGS}\b|\b(?:andere|anderen|anderer|otro|otra|otros|"
            r"otras|autre|autres)\s+(?:klant(?:en)?|bedrijf|bedrijven|kunden?|firm(?:a|en)|unternehmen|"
            r"clientes?|empresas?|clients?|entreprises?|sociétés?)\b"
            rf"|\bwhat(?:'s| is| was| are| were)\s+(?:his|her|their)\s+(?:\w+\s+)?{_DATA}\b"
            # a question about what a third party paid, ordered or got
            r"|\b(?:what|which|how much|when|where|did|do|does|have|has)\b[^.?!\n]{0,50}\b(?:they|"
            rf"their|them)\b[^.?!\n]{{0,40}}\b{_THEIR_DATA}\b[^.!\n]*\?"
            # someone else's account: "I'm not on their account"
            r"|\b(?:i'?m|i am|we'?re|we are) not (?:on|part of|the holder of|listed on) (?:their|"
            r"his|her|that|this|the) account\b"
        ),
        cased=re.compile(
            # "Is Acme Ltd (also) a customer?" in five languages
            rf"\b(?:[Ii]s|[Aa]re|[Ii]st|[Ss]ind|[Ee]s|[Ee]st)\s+(?:{_NAME}\s+){{1,4}}(?:also\s+|ook\s+|"
            r"auch\s+|aussi\s+|también\s+)?(?:a\s+|een\s+|ein\s+|un\s+|une\s+)?(?:customer|"
            r"client|klant|Kunde|cliente)\b"
            # a contact, order or account at a named organisation
            r"|\b(?:contact details|contact|Kontaktdaten|Kontakt|Telefonnummer|Adresse|"
            r"contactgegevens|telefoonnummer|adres|datos de contacto|coordonnées|address|phone "
            r"number|email)\b[^.?!\n]{0,40}\b(?:at|bei|bij|chez|of|von|van|del|de)\s+"
            rf"{_NAME}(?:\s+{_NAME})?[^.!\n]*\?"
            rf"|\b(?:[Mm]y|[Oo]ur|[Aa]) (?:colleague|friend|contact|counterpart|partner) (?:at|from|"
            rf"with) {_NAME}[^.?!\n]{{0,60}}\b(?:order|booking|account|invoice|shipment)"
        ),
    ),
    Topic(
        "credentials",
        _stems("password passwords credential credentials passcode pin login logins secret api"),
        _stems("password passwords passcode passcodes credential credentials pin cvv cvc 2fa otp"),
        _rx(
            r"\b(?:login|log-in|sign-in) details\b|\bapi keys?\b|\b(?:verification|security|"
            r"one-time|access) codes?\b|\bsecret keys?\b"
        ),
        _rx(r"\b(?:reset|change|update|set up|set a new|choose a new|create a new|strong)\b"),
        needs=_rx(
            r"\b(?:tell|give|send|share|reveal|show|read|email|text|provide|know|what(?:'s| is| was)"
            r"|look up|disclose|remind|repeat)\b"
        ),
    ),
    Topic(
        "financial",
        _stems("investment investments investing financial finance stock stocks tax"),
        _stems(
            "invest investing investment stock stocks shares crypto bitcoin portfolio etf "
            "etfs fund funds pension"
        ),
        _rx(r"\bshould i (?:buy|sell|invest|put)\b|\bgood investment\b|\btax (?:advice|return)\b"),
        needs=_rx(
            r"\b(?:should|recommend|advise|advice|best|worth|good|which|better|safe|smart)\b"
        ),
    ),
    Topic(
        "safety",
        _stems("safety unsafe hazard hazards danger dangerous injury injuries emergency"),
        _stems(
            "fire smoke smoking burn burned burnt sparks sparked spark shock injury injured "
            "injure hurt bleeding hazard dangerous unsafe accident explode exploded melted "
            "overheat overheating overheated gas leak collapsed collision crashed crash fell "
            "slipped tripped sprained fractured fracture concussion ambulance hospital stitches "
            "wounded wound bruised bruises blessé blessure verletzt verletzung gewond letsel "
            "herido herida lesión"
        ),
    ),
    Topic(
        "damage",
        _stems("damage damages damaged breakage"),
        _stems(
            "damage damaged broken bent scratched scratch scratches dent dented torn ripped "
            "ruined cracked smashed shattered stained destroyed shrunk shrank faded crashed "
            "beschädigt schaden kaputt beschadigd schade kapot endommagé abîmé cassé dañado "
            "roto rota"
        ),
    ),
    Topic(
        "complaint",
        _stems("complaint complaints complain angry unhappy dissatisfied"),
        _stems("complaint complain complaining unacceptable furious angry disgusted terrible"),
    ),
    Topic(
        "competitors",
        _stems("competitor competitors competition rival rivals"),
        _stems("competitor competitors rival rivals"),
        _rx(
            r"\b(?:cheaper|lower|better|higher|more expensive|faster) than (?:yours|you|[\w-]+'s)"
            r"|\bcompared? (?:to|with)\b|\bvs\.?\s|\bversus\b|\bmatch (?:the|their|[\w-]+'s) price"
        ),
    ),
    Topic(
        "system_prompt",
        _stems("instructions prompt internal configuration"),
        frozenset(),
        _rx(
            r"\b(?:system|hidden|initial|original) (?:prompt|instructions?|message)\b|\byour "
            r"(?:instructions|rules|prompt|configuration)\b"
        ),
    ),
)
BY_NAME = {t.name: t for t in TOPICS}
_GENERIC_TRIGGERS = _stems("advice information data details questions requests")


@lru_cache(maxsize=512)
def topic_for(phrase: str) -> Topic | None:
    """The vocabulary's topic that a rule's phrase names, if any ("medical diagnoses")."""
    named = {stem(w) for w in words(phrase)} - _GENERIC_TRIGGERS
    lowered = phrase.lower()
    if re.search(rf"\b{_OTHERS}\b|\bsomeone else|\bthird[- ]part", lowered) and re.search(
        rf"{_PEOPLE}|{_DATA}|personal", lowered
    ):
        return BY_NAME["others_data"]
    best, score = None, 0
    for topic in TOPICS:
        if topic.name == "others_data":
            continue
        hits = len(named & topic.triggers)
        if hits > score:
            best, score = topic, hits
    return best


def asks_for(topic: Topic, text: str) -> bool:
    """Whether ``text`` asks for (or is about) ``topic`` by its cues, not merely near it."""
    lowered = text.lower()
    found = {stem(w) for w in words(text)}
    cue = bool(found & topic.cues) or bool(topic.phrases and topic.phrases.search(lowered))
    cue = cue or bool(topic.cased and topic.cased.search(text))
    if not cue and found & topic.weak:
        cue = "?" in text or bool(re.search(r"\b(?:what|is it|should i|could it)\b", lowered))
    if not cue:
        return False
    if topic.needs is not None and not topic.needs.search(lowered):
        return False
    return not (
        topic.safe is not None
        and topic.safe.search(lowered)
        and not _strong_cue(topic, found, lowered)
    )


def _strong_cue(topic: Topic, found: set[str], lowered: str) -> bool:
    """A cue that holds even beside a safe phrasing ("book an appointment to get a
    diagnosis" still asks for a diagnosis only when the cue is a phrase, not a word)."""
    return topic.name == "medical" and bool(topic.phrases and topic.phrases.search(lowered))
