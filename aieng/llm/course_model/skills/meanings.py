"""What common enum values mean in everyday words: "a burst pipe" is ``water`` damage.

Schemas name their choices with short words (``water``, ``illness``, ``pause``,
``test_timeout``); a message rarely repeats them. ``CONCEPTS`` lists, for
such words, the everyday words that point to them: general knowledge of the
sort a small model has, not answers to any prompt. ``enum_cues`` scores each
value of an enum by the cue words a text holds.

Example:
    >>> enum_cues("He has the flu", ["illness", "travel", "other"])
    {'illness': 0.6}
"""

from __future__ import annotations

import re
from functools import lru_cache

from aieng.llm.course_model.text import STOPWORDS, split_identifier, stem

CONCEPTS = {
    # causes of loss or damage
    "water": "water flood flooded flooding leak leaked leaking pipe pipes burst plumbing wet "
    "overflow overflowed soaked damp moisture sewage drip dripping",
    "fire": "fire smoke burn burned burnt flame flames blaze arson scorched",
    "theft": "theft stolen steal stole burglary burglar robbery robbed break-in broke-in "
    "shoplifting pickpocket missing",
    "wind": "wind storm hurricane tornado gust gale cyclone typhoon blew",
    "hail": "hail hailstorm hailstones",
    "vandalism": "vandal vandalism vandalized graffiti smashed keyed defaced",
    "collision": "collision crash crashed rear-ended hit accident collided bumped",
    "accident": "accident crash crashed collision rear-ended slipped fell fall",
    "weather": "storm hail flood wind hurricane snow ice lightning rain fog blizzard",
    # health and absence
    "illness": "ill illness sick sickness flu fever cold covid virus unwell infection vomiting "
    "stomach migraine disease",
    "sick": "ill illness sick flu fever cold covid virus unwell infection",
    "medical": "doctor hospital surgery appointment dentist clinic medical sick injury",
    "injury": "injury injured hurt broken sprain sprained fracture fractured wound bruise "
    "whiplash concussion",
    "appointment": "appointment doctor dentist orthodontist checkup check-up clinic visit",
    "family": "family wedding funeral birth baby relative grandmother grandfather parent",
    "bereavement": "funeral death died passed bereavement",
    "vacation": "vacation holiday trip leave pto",
    "travel": "travel trip vacation holiday abroad flight flying traveling travelling",
    # legal matters
    "personal": "injury injured accident rear-ended crash hurt slip fall whiplash",
    "employment": "fired dismissed termination terminated employer wages overtime harassment "
    "boss workplace wrongful",
    "real": "property lease landlord tenant house eviction deed",
    "estate": "property lease landlord tenant house eviction deed",
    "criminal": "arrest arrested charged police dui crime prosecution",
    "immigration": "visa green card deportation asylum citizenship",
    # visits and trips
    "tourism": "tourism tourist vacation holiday sightseeing visit leisure",
    "business": "business meeting conference client clients work",
    "study": "study student university course school semester exchange",
    "transit": "transit layover connecting stopover",
    # membership and account requests
    "pause": "pause freeze hold suspend break",
    "cancel": "cancel terminate quit end close",
    "upgrade": "upgrade premium higher more bigger",
    "downgrade": "downgrade cheaper lower basic smaller",
    "refund": "refund money-back reimburse reimbursement",
    "exchange": "exchange swap replace replacement",
    "complaint": "complaint unhappy terrible angry disappointed",
    # builds and software
    "compile": "compile compiler compilation syntax undefined",
    "timeout": "timeout timed hang hung stalled",
    "assertion": "assert assertion expected mismatch",
    "infrastructure": "runner network disk outage node infrastructure agent",
    "flaky": "flaky intermittent sometimes random",
    "reproducible": "always every consistently reliably reproducible repro reproduce reproduced",
    "performance": "slow latency lag sluggish",
    "security": "breach hacked phishing malware vulnerability leak unauthorized",
    "hardware": "laptop screen keyboard battery device printer monitor",
    "software": "app install update crash bug software",
    "network": "wifi vpn internet connection network offline",
    # how things stand
    "degraded": "wrong broken error errors fail failed failing fails declined cracked damaged "
    "stuck missing lost crash crashed bug problem issue faulty defective mismatch overcharged",
    "damaged": "damaged damage cracked broken smashed dented torn shattered scratched crushed "
    "leaking",
    "late": "late delayed delay overdue stuck waiting",
    "problem": "wrong broken error fail failed failing declined cracked damaged stuck missing "
    "crash bug problem issue faulty defective",
    # what a message does
    "question": "? wondering curious",
    "enquiry": "? wondering curious",
    "inquiry": "? wondering curious",
    # enquiries a support desk gets
    "job": "job jobs opening openings vacancy vacancies hiring career careers position apply "
    "recruiter recruiting internship",
    "press": "press article magazine journalist interview media reporter newspaper blog podcast "
    "publication",
    "feedback": "feedback thanks thank great love suggestion praise compliment kudos appreciate",
    "partnership": "partner partnership reseller integrator distributor collaboration "
    "collaborate alliance",
    "sales": "sales quote quotation pricing demo purchase trial",
    "delivery": "delivery delivered shipment tracking courier package parcel customs arrived "
    "arrive",
    "pet": "pet pets dog dogs puppy cat cats kitten animal",
    # animals
    "dog": "dog dogs puppy pup canine beagle labrador retriever poodle terrier bulldog spaniel "
    "husky dachshund collie corgi shepherd",
    "cat": "cat cats kitten kitty feline tabby siamese",
    "bird": "bird parrot budgie canary cockatiel parakeet",
    # goods and food
    "vegetarian": "vegetarian veggie meatless",
    "dietary": "vegetarian vegan allergic allergy halal kosher pescatarian gluten-free "
    "lactose-free intolerant",
    "vegan": "vegan plant-based",
    "electronics": "phone laptop tablet charger headphones camera tv",
    "clothing": "shirt shoes dress jacket jeans",
    "grocery": "milk bread eggs vegetables fruit",
    "furniture": "chair table sofa desk bed shelf",
}


def _stems(words: str) -> frozenset[str]:
    out = set()
    for word in words.split():
        out.add(stem(word))
        out |= {stem(p) for p in re.split(r"-", word) if len(p) > 2}
    return frozenset(out)


CONCEPT_STEMS = {stem(k): _stems(v) for k, v in CONCEPTS.items()}


CUE_WORDS = frozenset(w for v in CONCEPTS.values() for w in v.split() if len(w) >= 4)
_COMPOUND = re.compile(
    r"^(?:"
    + "|".join(sorted(CUE_WORDS, key=len, reverse=True))
    + r")|(?:"
    + "|".join(sorted(CUE_WORDS, key=len, reverse=True))
    + r")$"
)


@lru_cache(maxsize=1024)
def _text_stems(text: str) -> frozenset[str]:
    """Stems of a text's words, with their hyphenated parts and compound halves."""
    out = set()
    for word in re.findall(r"[A-Za-z][\w'-]*", text.lower()):
        if word in STOPWORDS:
            continue
        out.add(stem(word))
        if "-" in word:
            out |= {stem(p) for p in word.split("-") if len(p) > 2}
        elif len(word) >= 8 and word not in CUE_WORDS:
            # "snowstorm" holds "snow" and "storm", "rainfall" holds "rain"
            out |= {stem(m.group(0)) for m in _COMPOUND.finditer(word) if len(m.group(0)) >= 4}
    if "?" in text:
        out.add("?")  # a question
    return frozenset(out)


def enum_cues(
    text: str, labels: list[str], descriptions: dict[str, str] | None = None
) -> dict[str, float]:
    """0.6 per everyday cue word a text holds for each value (up to two), by value; 0.4 per
    cue of the words that describe the value ("other: jobs, press" -> "openings", "article")."""
    found = _text_stems(text)
    descriptions = descriptions or {}
    out: dict[str, float] = {}
    for label in labels:
        if not isinstance(label, str):
            continue
        cues: set[str] = set()
        for word in split_identifier(label):
            cues |= CONCEPT_STEMS.get(stem(word), frozenset())
        hits = len(cues & found)
        described = _described_cues(descriptions.get(label, "")) - cues
        near = len(described & found)
        if hits or near:
            out[label] = 0.6 * min(2, hits) + 0.4 * min(2, near)
    return out


@lru_cache(maxsize=512)
def _described_cues(description: str) -> frozenset[str]:
    out: set[str] = set()
    for word in re.findall(r"[a-z]+", description.lower()):
        if word not in STOPWORDS:
            out |= CONCEPT_STEMS.get(stem(word), frozenset())
    return frozenset(out)
