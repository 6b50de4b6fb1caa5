"""Redaction: personal data in a text replaced by a placeholder.

``redact(text)`` finds emails, phone numbers, IBANs and card numbers, social
security and personal ids ("employee ID EMP-04417"), dates of birth, street
addresses and person names (after a title or a cue such as "reported by",
before "said", a known first name with a surname, a signature), then writes
the placeholder over each; a name found once is redacted wherever it recurs.
Product, company and system names, order ids and times ("14:05") are kept.

A schema field asks for redaction by its name or description
(``redacted_report``, "with personal data replaced by [REDACTED]"); the
placeholder is the one the description names, per kind when it names several
("[NAME]", "[EMAIL]").

Example:
    >>> redact("Reported by Dr. Hana Kim (h.kim@clinic.org) at 14:05.")
    'Reported by Dr. [REDACTED] ([REDACTED]) at 14:05.'
"""

from __future__ import annotations

import re

DEFAULT = "[REDACTED]"
WANTS = re.compile(
    r"redact|anonymi[sz]|pseudonymi[sz]|\bmask|scrub|saniti[sz]|de-?identif|depersonali[sz]|censor"
    r"|replaced? (?:by|with) [\[<*]|personal (?:data|details|information) (?:removed|replaced|hidden)"
    r"|without (?:any )?(?:personal|pii)|pii[- ]free|strip(?:ped)? (?:of )?(?:personal|pii)",
    re.I,
)
ASKS = re.compile(
    r"\b(?:redact|anonymi[sz]e|pseudonymi[sz]e|mask|scrub|remove|strip|hide|black out|censor)\b"
    r"[^.:\n]{0,60}\b(?:personal (?:data|details|information|info)|pii|names?|e-?mails?|phone "
    r"numbers?|contact details|identif\w+|sensitive (?:data|information))",
    re.I,
)
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z _-]{1,24}\]|<[A-Z][A-Z _-]{1,24}>|\*{3,}|█+|X{3,}")
_KIND_NAMES = {
    "name": "name person people",
    "email": "email mail",
    "phone": "phone telephone tel mobile number",
    "address": "address location street",
    "id": "id identifier employee ssn passport",
    "iban": "iban account bank card",
    "date": "date dob birth birthday",
}

UP = "A-ZÀ-ÖØ-Þ"
CAP = rf"[{UP}][a-zß-öø-ÿ'’-]+"
FIRST_NAMES = frozenset(
    """aaron adam adrian ahmed aisha alan albert alex alexander alexandra ali alice alicia amanda
    amelia amir ana andrea andreas andrew angela anna anne annika anton antonio arjen arthur aya
    barbara bart ben benjamin bernard bram brian bruno carla carlos carmen caroline catherine
    charles charlotte chen chloe chris christian christina claire clara daan daniel daniela
    david dennis diana diego dimitri dirk dominik edward elena eli elif elisa elizabeth ella
    emily emma eric erik eva fatima felix femke fleur florian francesca francesco frank franz
    fred freya gabriel george gerard gert giulia grace greta hana hannah hans harry helen
    henk henry hugo ian ines ingrid isabel isabella jack jacob james jan jana jane jason javier
    jean jennifer jens jeroen jessica joanna joe johan johannes john jonas jordan jorge jose
    josé joseph juan julia julian julie kai karen karin kate katie kevin kim klaus kofi laura
    lars laura lea leo leon lena linda lisa liam lotte louis lucas lucia lucy luis luka lukas
    maria marie mark marco marcus marek maria mariana marta martin mary mateo matteo max maya mehmet
    mia michael michel michelle miguel mike mila mohamed mohammed nadia naomi nathan nina noah noor
    nora olga oliver olivia omar oscar pablo patricia paul paula pedro peter petra philip pierre
    pieter priya rachel rafael rahul raj ravi rebecca richard rob robert roberto robin rosa ruben
    ruth ryan sam samuel sandra sara sarah sebastian sem simon sofia sophie stefan stefanie
    stephen steven susan sven tanja tara thomas tim tobias tom tomas tony ursula valentina vera
    victor viktor wei willem william xavier yasmin yusuf zoe zara abdul abdullah adebayo adriana
    agnieszka ahmad aiko akira alejandro alma amina amit ananya anders andrei anil anita anjali
    arash arno astrid ayesha bilal björn camille chidi chinedu chiara dalia dana deepak dmitri
    elias emre esther fabian farah fatma fernando filip gabriela hamza hassan heidi hiroshi hussein
    ibrahim igor ilse imran irina ivan jakub jasmin jiho joost joris juliette jun kamal karim
    katarzyna kenji khalid kwame laila leila lina lucía magnus malik manon mariam marta mateusz
    mei mehdi milan min mustafa nikolai nils noa olga oluwaseun omar pavel pedro pooja quentin
    rania rashid reza riya rohan rui sana sanjay santiago seo shira siddharth sina sipho sofía
    sunita svetlana tariq thijs timo ugo valeria vikram wouter yara yuki yusuf zainab zeynep
    ahmet ali aleksander bogdan cem darius ewa femi grzegorz hiba ines jovana kaveh lars""".split()
)
ORG_WORDS = frozenset(
    """gmbh ltd inc bv nv llc plc ag sa corp co company bank solar robotics systems labs airlines
    airline air hotel hotels clinic hospital group services software technologies technology
    university school insurance logistics energy foods motors studio studios partners capital
    health pharma media network networks cloud app team support desk department office store
    shop distribution distributie handel fulfilment fulfillment retail consulting warehousing
    transport""".split()
)
NOT_PEOPLE = frozenset(
    """the we he she they it support team management it hr finance sales security customer
    everyone nobody someone somebody user admin system server service monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september
    october november december today yesterday tomorrow this that our my your their his her
    please hi hello dear thanks regards best order ticket invoice policy note mr mrs ms miss mx
    dr prof sir dame herr frau mme mlle not no none nothing nobody there all both each date time
    subject from to sent cc re fw fwd de het een die der das den el la le les los las un une
    vendor supplier staff engineer agent""".split()
)
TITLE = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Mevr|Dhr|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.?\s+"
    rf"(?P<n>{CAP}(?:\s+(?:(?:van|de|der|den|von|da|di|del|la|le)\s+)*{CAP})?)"
)
STRONG_CUE = re.compile(
    rf"\b(?i:reported by|submitted by|signed(?: by)?|written by|contact(?:ed)?|called|named|attn\.?"
    rf"|attention|cc|dear|hi|hello|regards,?|thanks,?|cheers,?|best,?|sincerely,?|patient|employee"
    rf"|tenant|colleague|nurse|driver|guest|passenger|technician|applicant|caller|customer|client"
    rf"|name(?: is)?|i am|i'm|this is)\s*:?\s*,?\s+(?P<n>{CAP}(?:\s+(?:(?:van|de|der|den|von|da|di"
    rf"|del|la|le)\s+)*{CAP})?)"
)
FULL = re.compile(rf"\b(?P<n>{CAP}(?:\s+(?:(?:van|de|der|den|von|da|di|del|la|le)\s+)*{CAP})+)")
_NAME2 = rf"{CAP}(?:\s+(?:(?:van|de|der|den|von|da|di|del|la|le)\s+)*{CAP})+"
# A full name (two words or more) after a role or "by": "on-call engineer Aled Pryce",
# "fixed by Nikhil Sharma", "Engineer: Tomasz Lewandowski", "From: Ruud Hendriks".
ROLE_CUE = re.compile(
    r"(?:\b(?i:by|door|von|par|por|engineer|agent|driver|technician|director|lead|officer|"
    r"analyst|developer|specialist|supervisor|coordinator|colleague|collega|kollege|kollegin|"
    r"teamleider|contact|owner|operator|manager|nurse|advisor|adviser|consultant|inspector|"
    r"from)|^(?i:from|to|cc|van|aan|von|an|de))\s*:?\s*,?[ \t]+"
    rf"(?P<n>{_NAME2})",
    re.M,
)
# A full name set next to its personal data: "Megan Price (megan.price@...)", "Harriet Osei
# (EMP-02291)", "Tomasz Lewandowski, mobile 07700 900512", or set off by commas ", Sanne de
# Vries, who ..."
BESIDE_DATA = re.compile(
    rf"(?P<n>{_NAME2})(?=\s*[(<]\s*(?:[\w.+-]+@|(?:EMP|EMPL|STAFF|PAT|PID|NID|HR|EE)-?\d|\+\d|0\d)"
    r"|,?\s+(?i:mobile|phone|tel\.?|telephone|email|e-mail|ext\.?|gsm|handy)\b)"
    rf"|,\s+(?P<m>{_NAME2}),\s+(?i:who|die|der|qui|que|which|the|a|an|our|was)\b"
)
SPEECH = re.compile(
    rf"\b(?P<n>{CAP})\s+(?:said|says|told|asked|wrote|reported|called|mentioned|explained|noticed"
    rf"|complained|confirmed|replied|added|saw|found|emailed|phoned|rang|signed|approved)\b"
)
SIGNATURE = re.compile(
    rf"(?:^|\n)\s*(?:(?:best|kind|warm)?\s*regards|thanks|thank you|cheers|sincerely|best|--|—)"
    rf"[,!.]?\s*\n?\s*(?P<n>{CAP}(?:\s+{CAP})?)\s*$",
    re.I,
)
EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
PHONE = re.compile(
    r"(?<![\w/.:+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,5}(?:[\s.-]\d{2,8}){1,4}"
    r"(?![\w/:-]|\.\d)|(?<![\w/+])\+\d{7,15}\b|(?<![\w-])0\d{9,10}\b"
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
CARD = re.compile(r"(?<![\w-])(?:\d{4}[\s-]){3}\d{1,4}(?![\w-])")
SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    r"[A-Z][a-z]{2,8}\.?,?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)
BIRTH = re.compile(
    r"\b(?:born(?: on)?|date of birth|dob|d\.o\.b\.?|birth ?date|birthday|geboren(?: am| op)?"
    r"|née? le|nacid[oa] el)\s*[:\-]?\s*(?P<d>" + _DATE + ")",
    re.I,
)
STREET = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|Square"
    r"|Sq|Terrace|Close|Crescent|Parkway|Highway|Hwy|Row|Gardens"
)
ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[{UP}][\w'’-]*\s+){{1,3}}(?:{STREET})\b\.?"
    rf"(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*\w+)?(?:,\s*[{UP}][a-z]+(?:\s[{UP}][a-z]+)?)?"
    rf"(?:,?\s+[A-Z]{{2}}\s+\d{{5}}|\s+[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}\b)?"
    rf"|\b[{UP}][a-zäöüß]+(?:straat|straße|strasse|gracht|weg|laan|plein|kade|singel|gasse|allee"
    rf"|platz|dijk|steeg)\s+\d{{1,4}}[a-zA-Z]?(?:[-\s]\d{{1,3}}\b)?(?:,\s*\d{{4,5}}\s?(?:[A-Z]{{2}}\s)?"
    rf"\s*[{UP}][a-z]+)?"
    rf"|\b\d{{1,4}},?\s+(?:rue|avenue|boulevard|place|chemin|allée|calle|avenida|plaza|paseo|via"
    rf"|viale|rua)\s+(?:(?:de|du|des|la|le|del|da|do|dos)\s+)*[{UP}][\w'’-]+(?:\s+[{UP}][\w'’-]+)?"
    rf"|\b(?:Calle|Avenida|Rua|Via|Rue|Plaza)\s+(?:(?:de|del|la|da|do)\s+)*[{UP}][\w'’-]+"
    rf"(?:\s+[{UP}][\w'’-]+)?,?\s+\d{{1,4}}"
)
PERSONAL_ID = re.compile(
    r"\b(?:employee|staff|badge|personnel|passport|national|social security|ssn|bsn|tax|"
    r"driver'?s licen[cs]e|licen[cs]e|patient|member(?:ship)?|insurance|student|citizen)"
    r"(?:\s+(?:id|no\.?|number|nr\.?|code|card))?\s*(?:is|:|#)?\s*(?P<id>[A-Z]{0,6}-?\d[\dA-Z-]{3,})",
    re.I,
)
ID_PREFIX = re.compile(r"\b(?:EMP|EMPL|STAFF|PAT|PID|NID|BSN|SSN|EE|HR)-?\d{3,}\b")


def wants_redaction(name: str, description: str = "") -> bool:
    """Whether a field's name or description asks for redacted text."""
    return bool(WANTS.search(name.replace("_", " ") + " " + description))


def placeholders(description: str) -> dict[str, str]:
    """The placeholder per kind of data a description names ("[NAME]" for names), with the
    general one under "" ("[REDACTED]" by default)."""
    found = list(dict.fromkeys(_PLACEHOLDER.findall(description)))
    out = {"": found[0] if len(found) == 1 else DEFAULT}
    for token in found:
        inner = token.strip("[]<> ").lower().replace("_", " ")
        for kind, names in _KIND_NAMES.items():
            if any(w in names.split() for w in inner.split()):
                out.setdefault(kind, token)
    return out


class _Named:
    """A match seen through one of its groups, as ``add`` reads it."""

    def __init__(self, match: re.Match, group: str) -> None:
        self.match, self.group_name = match, group

    def group(self, _name: str) -> str:
        return self.match.group(self.group_name)

    def start(self, _name: str = "") -> int:
        return self.match.start(self.group_name)

    def end(self, _name: str = "") -> int:
        return self.match.end(self.group_name)


def _people(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    names: set[str] = set()

    def add(match: re.Match, strong: bool) -> None:
        value = match.group("n")
        parts = value.split()
        if parts[0].lower() in NOT_PEOPLE or parts[-1].lower() in NOT_PEOPLE:
            return
        after = text[match.end("n") : match.end("n") + 20].split()
        if any(p.lower() in ORG_WORDS for p in parts) or (
            after and after[0].lower().strip(".,") in ORG_WORDS
        ):
            return
        start = match.start("n")
        if not strong:  # "Ask Anna Berg": the name starts at its first name
            first = next((i for i, p in enumerate(parts) if p.lower() in FIRST_NAMES), None)
            if first is None or first == len(parts) - 1 and first > 0:
                return
            start += value.find(parts[first])
            parts = parts[first:]
        spans.append((start, match.end("n")))
        names.update(
            p for p in parts if len(p) > 2 and p.lower() not in ("van", "der", "den", "von")
        )

    for match in TITLE.finditer(text):
        add(match, True)
    for match in ROLE_CUE.finditer(text):
        add(match, True)
    for match in BESIDE_DATA.finditer(text):
        named = match if match.group("n") else _Named(match, "m")
        known = any(p.lower() in FIRST_NAMES for p in named.group("n").split())
        add(named, not known)  # a known first name marks where the name starts ("Ask Anna")
    for match in STRONG_CUE.finditer(text):
        if match.group("n")[0].isupper():
            add(match, True)
    for match in FULL.finditer(text):
        add(match, False)
    for match in SPEECH.finditer(text):
        add(match, match.group("n").lower() in FIRST_NAMES or match.start() > 0)
    for match in SIGNATURE.finditer(text):
        add(match, True)
    for name in names:
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            after = text[match.end() : match.end() + 30]
            company = re.match(r"\s*(?:&|\+|(?:and|und|en|et|y)\s+[A-Z])|\s+(\w+)", after)
            if company and (company.group(1) is None or company.group(1).lower() in ORG_WORDS):
                continue  # "Walsh & Byrne", "Walsh Logistics": a company named after someone
            spans.append((match.start(), match.end()))
    return spans


def find_personal(text: str) -> list[tuple[int, int, str]]:
    """Spans of personal data in ``text``: (start, end, kind), overlaps merged."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in (("email", EMAIL), ("iban", IBAN), ("iban", CARD), ("id", SSN),
                          ("address", ADDRESS), ("id", ID_PREFIX)):  # fmt: skip
        found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    for m in BIRTH.finditer(text):
        found.append((m.start("d"), m.end("d"), "date"))
    for m in PERSONAL_ID.finditer(text):
        found.append((m.start("id"), m.end("id"), "id"))
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        dated = re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", m.group(0))
        if len(digits) >= 8 or (len(digits) >= 7 and re.search(r"[+(]", m.group(0))):
            if not dated:
                found.append((m.start(), m.end(), "phone"))
    found += [(s, e, "name") for s, e in _people(text)]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def redact(text: str, placeholder: str | dict[str, str] = DEFAULT) -> str:
    """``text`` with each piece of personal data replaced by the placeholder (a dict gives
    one per kind: "name", "email", "phone", "address", "id", "iban", "date"; "" is the rest)."""
    marks = placeholder if isinstance(placeholder, dict) else {"": placeholder}
    out = text
    for start, end, kind in reversed(find_personal(text)):
        out = out[:start] + marks.get(kind, marks.get("", DEFAULT)) + out[end:]
    return out


def redaction_request(text: str) -> str | None:
    """The text a plain request asks to redact ("Redact the personal data in: ..."), or None."""
    from aieng.llm.course_model.text import split_instruction

    asked = ASKS.search(text)
    if not asked:
        return None
    instruction, body = split_instruction(text)
    if body and ASKS.search(instruction):
        return body
    rest = text[asked.end() :]
    cut = re.search(r"[:\n]", rest)
    return rest[cut.end() :].strip() if cut and rest[cut.end() :].strip() else None
