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
    "gas leak leaking scalded flood flooded flooding pouring dripping sinking",
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
    "damaged": "damaged cracked broken smashed dented torn shattered scratched crushed leaking "
    "dripping pouring flooded flooding soaked",
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
SENSES.update(
    {
        "frustration": "frustrated frustrating fed-up annoyed annoying ridiculous unacceptable "
        "ignored chasing again sick tired disappointed useless",
        "anger": "angry furious outraged livid unacceptable disgrace",
        "worry": "worried worrying worries concerned concerning anxious scared afraid alarming",
        "distress": "distressed desperate panic help",
        "complain": "complain complaint complaining unacceptable disappointed ridiculous ignored",
        "sarcasm": "sarcasm sarcastic thanks-for-nothing",
        "praise": "great excellent amazing fantastic brilliant wonderful perfect superb "
        "outstanding impressed awesome",
        "thanks": "thanks thank grateful appreciate appreciated",
        "fully": "fully completely entire entirely whole all totally everyone everything none",
        "collision": "collision collided collide hit reversed bumped",
        "wrong": "wrong broken fault faults error errors faulty failing fails failed incorrect "
        "crash crashes crashed crashing stuck damaged snapped crushed delayed",
        "deadline": "deadline today tonight cutoff closes eod",
        "near": "near nearly almost inches narrowly",
        "exposed": "exposed leaked sent emailed shared disclosed visible saw lost",
        "unavailable": "unavailable down outage offline unreachable 503 500",
        "workaround": "workaround manually by-hand instead meanwhile",
        # time and immediacy: "happening now", "today", "tomorrow", "blocked"
        "now": "now currently ongoing right-now immediately at-the-moment",
        "happening": "now currently ongoing right-now immediately happening",
        "progress": "now currently ongoing right-now",
        "today": "today tonight now this-morning this-afternoon this-evening",
        "tomorrow": "tomorrow tomorrow's",
        "blocked": "blocked cannot can't unable locked stuck stopped down outage offline failing",
        "delay": "delay delayed late overdue waited waiting slow",
    }
)
SENSE_STEMS = {stem(k): frozenset(stem(w) for w in v.split()) for k, v in SENSES.items()}
TRUE_WHEN = re.compile(
    r"(?i)\b(?:true|yes|set\s+(?:it\s+)?to\s+true)\s+(?:only\s+)?(?:when|if|for)\b\s*:?\s*"
    r"(?P<conds>[^.\n]+)"
)
NEGATORS = frozenset(
    "no not never without nobody none nothing neither nor isn't wasn't weren't aren't don't "
    "didn't doesn't won't cannot niemand geen kein keine nadie ningún personne aucun".split()
)
CLAUSE_END = re.compile(r"[.;!?\n]|,\s*(?:but|and|so)\b|\bbut\b")
SHOUTING = re.compile(r"\b[A-Z]{2,}(?:\W+[A-Z]{2,}){2,}\b")
SHOUT_WORDS = frozenset(stem(w) for w in "shout shouting capitals caps uppercase".split())


def _same(a: str, b: str) -> bool:
    """Stems that name the same word: equal, or one the other's prefix of 5+ letters."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 5 and long_.startswith(short) and long_[len(short) :] in SUFFIXES


SUFFIXES = frozenset(
    "e s es y ies ed ing ion ions ation ations lation ment ments ur ure t ly al ive ous ity "
    "ness".split()
)  # "cancel" ~ "cancellation", "injur" ~ "injury"; not "custom" ~ "customer"


def _sense(word: str) -> frozenset[str]:
    found: frozenset[str] = frozenset()
    for key, members in SENSE_STEMS.items():
        if _same(word, key):
            found |= members | {key}
    return found


def _words(text: str) -> list[tuple[str, int]]:
    return [
        (stem(m.group(0).lower()), m.start())
        for m in re.finditer(r"[A-Za-z0-9][\w'-]*|\?", text)
        if m.group(0).lower() not in STOPWORDS or m.group(0) == "?"
    ]


def _negated_at(text: str, start: int) -> bool:
    """Whether a negator ("no", "nobody", "not") governs the word at ``start`` in its clause."""
    before = text[max(0, start - 40) : start]
    cut = list(CLAUSE_END.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    words = re.findall(r"[\w']+", before.lower())[-4:]
    return any(w in NEGATORS or w.endswith("n't") for w in words)


@lru_cache(maxsize=1024)
def _parts(condition: str) -> tuple[frozenset[str], ...]:
    """The content words of a condition, each as the stems that show it (its sense)."""
    kept = []
    for raw in re.findall(r"[A-Za-z0-9?][\w'-]*", condition):
        word = raw.lower()
        if word in NEGATORS:
            break  # "a near miss with no injury": what follows a negator is not a cue
        named = raw[0].isupper() or raw[0].isdigit()  # "Bay 3": short names count too
        if word in TIME_WORDS:
            kept.append(stem(word))
            continue
        if word in STOPWORDS or stem(word) in GENERIC or (len(word) < 4 and not named):
            continue
        kept.append(stem(word))
    return tuple(_sense(w) | {w} for w in dict.fromkeys(kept))


TIME_WORDS = frozenset("now today tonight tomorrow".split())
GENERIC = frozenset(stem(w) for w in "risk threat asking explicitly issue problem any other "
                    "anything something request message messages report reports "
                    "asks threatens threaten mentions says writer text shows show including "
                    "counts count action main point every".split())  # fmt: skip


def _hits(parts: tuple[frozenset[str], ...], text: str) -> int:
    """How many of a condition's parts the text shows, each by a word of its own, not negated."""
    words = [(w, start) for w, start in _words(text) if not _negated_at(text, start)]
    used: set[int] = set()
    hits = 0
    for cues in parts:
        for k, (word, _) in enumerate(words):
            if k not in used and any(_same(word, cue) for cue in cues):
                used.add(k)
                hits += 1
                break
    return hits


ALL_COND = re.compile(r"(?i)\b(?:all|every|everyone|everybody|entire|whole)\b")
SOME_COND = re.compile(
    r"(?i)\b(?:some|a\s+few|few|one|single|several|a\s+subset|partial|partly|certain)\b"
)
ALL_TEXT = re.compile(
    r"(?i)\b(?:all|every|everyone|everybody|entire|whole|completely|totally|fully|full"
    r"|(?:nobody|no\s+one|none\s+of\s+\w+|no\s+\w+)\s+(?:[\w-]+\s+){0,2}?(?:can|could"
    r"|is\s+able|are\s+able|was\s+able|were\s+able))\b"
)
SOME_TEXT = re.compile(
    r"(?i)\b(?:some|a\s+few|few|several|a\s+couple|one\s+of|a\s+handful|certain|partial"
    r"|partly|intermittent\w*|a\s+single|only\s+(?:one|a\s+few|some))\b"
)
NO_IMPACT_COND = re.compile(
    r"(?i)(?:\b(?:no|not|without|zero|never)\b|n't)(?:\s+[\w-]+){0,3}?\s*"
    r"\b(?:impact\w*|effect\w*|affect\w*|disrupt\w*)\b|\bunaffected\b"
)
NO_IMPACT_TEXT = re.compile(
    r"(?i)(?:\b(?:no|zero|without|nil)\s+(?:[\w-]+\s+){0,3}?(?:impact|effect|disruption"
    r"|downtime)\b|(?:\b(?:not|never)|n't)\s+(?:[\w-]+\s+){0,2}?(?:affected|impacted"
    r"|disrupted|noticed)\b|\bunaffected\b|\bunimpacted\b|\b(?:left|ran|went|arrived"
    r"|shipped|dispatched|departed|sailed|delivered|opened|continued|carried\s+on|went\s+out)"
    r"\s+(?:[\w-]+\s+){0,3}?(?:on\s+time|as\s+normal|as\s+usual|as\s+planned|normally)\b"
    r"|\bbusiness\s+as\s+usual\b|\bas\s+normal\b)"
)


def no_impact_condition(condition: str) -> bool:
    """ "no customer impact", "clients not affected": a condition that an effect is absent."""
    return NO_IMPACT_COND.search(condition) is not None


def shows_no_impact(text: str) -> bool:
    """The text says the effect is absent: "no customer impact", "orders left on time"."""
    return NO_IMPACT_TEXT.search(text) is not None


def _scope(condition: str) -> str | None:
    if ALL_COND.search(condition):
        return "all"
    if SOME_COND.search(condition):
        return "some"
    return None


def _met(condition: str, text: str) -> bool:
    if no_impact_condition(condition):  # met by a text that says there was no effect
        return shows_no_impact(text)
    parts = _parts(condition)
    if not parts:
        return False
    if any(p & SHOUT_WORDS for p in parts) and SHOUTING.search(text):
        return True
    scope = _scope(condition)
    hits = _hits(parts, text)
    if scope is not None:
        wide, narrow = ALL_TEXT.search(text) is not None, SOME_TEXT.search(text) is not None
        said = "all" if wide and not narrow else "some" if narrow and not wide else None
        if said is not None and said != scope:
            return False  # "some clients waited" is no "all clients blocked"
        if said == scope == "some":  # "some clients" shows "some clients affected" in part;
            parts, hits = parts + (frozenset(),), hits + 1  # "all" needs its effect shown
        elif scope == "all" and shows_no_impact(text):
            return False
    need = 1 if len(parts) == 1 else max(2, -(-len(parts) * 3 // 5))
    return hits >= need


def _sensed(piece: str) -> bool:
    return any(len(p) > 1 for p in _parts(piece))


def split_conditions(conds: str) -> list[str]:
    """A condition list cut into conditions; "a site or a system fully down" gives both
    "a site fully down" and "a system fully down" (a short alternative with no cue word of
    its own takes the longer one's last words, position for position)."""
    out = []
    for chunk in re.split(r"\s*(?:[,;/()]|\bor\b(?=\s*[,;(]))\s*", conds):
        pieces = [p.strip(" .") for p in re.split(r"\s+(?:or|and)\s+", chunk) if p.strip(" .")]
        for k, piece in enumerate(pieces[:-1]):
            last = pieces[-1].split()
            own = piece.split()
            if len(own) <= 3 and len(last) > len(own) + 1 and not _sensed(piece):
                pieces[k] = " ".join(own + last[len(own) :])
        out += pieces
    return [p for p in out if p]


def conditions_met(text: str, conds: str) -> list[str]:
    """The conditions of a list ("legal threat, safety risk") that ``text`` meets."""
    return [c for c in split_conditions(conds) if _met(c, text)]


def _weight(condition: str) -> float:
    """A condition shown only by a question mark ("a question") is weak evidence: a problem
    report often ends with a question."""
    parts = _parts(condition)
    return 0.5 if parts and all(p <= {"?"} or "?" in p for p in parts) else 1.0


def conditional_boolean(name_words: tuple[str, ...], description: str, notes: str, text: str):
    """True/False for a boolean whose description (or the prompt) says when it is true;
    None when no condition is written. The description's and the prompt's conditions
    both count."""
    stated = _stated(name_words, description, notes)
    if not stated:
        return None
    return any(conditions_met(text, conds) for conds in stated)


def boolean_doubt(
    name_words: tuple[str, ...], description: str, notes: str, text: str, decided: bool
) -> float:
    """How close a conditional boolean came to the other answer (0: clear, 1: a toss-up).

    False with a condition half shown (some of its words, not enough) is in doubt by the
    share shown; true with every met condition only just met (the fewest words needed,
    two or more) is in some doubt. A condition met outright, or none touched, is clear.
    """
    doubt = 0.0
    for conds in _stated(name_words, description, notes):
        for condition in split_conditions(conds):
            parts = _parts(condition)
            if not parts:
                continue
            need = 1 if len(parts) == 1 else max(2, -(-len(parts) * 3 // 5))
            hits = _hits(parts, text)
            if not decided and 0 < hits < need:
                doubt = max(doubt, 0.8 * hits / need)
            if decided and hits >= need:
                if need == 1 or hits > need:
                    return 0.0
                doubt = max(doubt, 0.4)
    return doubt


def _stated(name_words: tuple[str, ...], description: str, notes: str) -> list[str]:
    stated = [m.group("conds") for m in TRUE_WHEN.finditer(description)]
    if notes:
        name = r"[\s_-]*".join(re.escape(w) for w in name_words)
        for line in re.split(r"\n|;(?=\s*\w+\s*[:=])", notes):
            if re.search(r"(?i)\b" + name + r"\b", line):
                found = TRUE_WHEN.search(line)
                if found:
                    stated.append(found.group("conds"))
                    break
    return stated


def _level(label: str) -> float | None:
    from aieng.llm.course_model.skills.signals import label_family

    family = label_family(label)
    return family[1] if family and family[0] == "level" else None  # type: ignore[return-value]


def by_definition(
    text: str, definitions: dict[str, str], denied=frozenset(), highest_first: bool = False
) -> str | None:
    """The label whose definition the text meets best (most conditions met), if one leads.

    With ``highest_first`` ("the highest level that applies") the highest label with a
    condition met wins: levels by their meaning (low < medium < high < critical), else the
    order the definitions are written in, first highest.
    """
    scores = {}
    calm = shows_no_impact(text)
    for label, definition in definitions.items():
        if label in denied or not definition.strip():
            continue
        # "internal only, no customer impact" met by a text that says so counts extra
        met = conditions_met(text, definition)
        bonus = 0.5 if calm and any(no_impact_condition(c) for c in met) else 0.0
        scores[label] = sum(_weight(c) for c in met) + bonus
    if not scores:
        return None
    if highest_first:
        met = [label for label, score in scores.items() if score > 0]
        if not met:
            return None
        levels = {label: _level(label) for label in met}
        if all(v is not None for v in levels.values()):
            return max(met, key=lambda label: levels[label])  # type: ignore[arg-type,return-value]
        return met[0]
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
