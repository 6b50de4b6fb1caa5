"""Whether a request breaks a stated rule: topics asked for, windows passed, limits crossed.

``judge`` reads the final user input (few-shot pairs and delimiters left
out) against the ``rules.Rule`` list of the system prompt:

- a topic rule trips when the request asks for the topic: the vocabulary's
  cues ("sue", "lawyer" for legal advice) or, for a topic it does not know,
  the rule's own words; course-large also asks the embeddings;
- a window rule trips when the request is about its subject (a refund) and the
  time since the anchor is longer than the window: "3 months ago", "bought it
  on 2 Jan" against the conversation's date ("Today is 2026-03-16", a
  ``Date:`` header). Without a date to count from, it does not trip;
- a limit rule trips when an amount of its kind crosses the threshold ("15%"
  against "discounts above 10%").

Refusals outrank escalations; a stated scope is one more rule.

Example:
    >>> from aieng.llm.course_model.skills.rules import stated_rules
    >>> rules = stated_rules("Refunds only within 30 days of delivery.")
    >>> decide(rules, "I bought the toaster 3 months ago and want a refund.").decision
    'refuse'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from aieng.llm.course_model.skills.clauses import THREAT, rank, threat_only
from aieng.llm.course_model.skills.rules import _NUM, _UNIT, NUMBER_WORDS, UNITS, Rule, tokens
from aieng.llm.course_model.skills.topics import asks_for
from aieng.llm.course_model.text import STOPWORDS, expand, stem, words

_QUALIFIER = r"(?:(?:just |a little |a bit |well )?(?:over|more than|about|almost|nearly|roughly|around|under|less than|only|some)\s+)?"
AGO = re.compile(r"\b" + _QUALIFIER + _NUM + r"\s+" + _UNIT + r"\s+ago\b", re.I)
HAD_FOR = re.compile(
    r"\b(?:had|owned|used|using|have had|been using|kept|waited|waiting)\b[^.?!\n]{0,25}?\bfor\s+"
    + _QUALIFIER
    + _NUM
    + r"\s+"
    + _UNIT
    + r"\b"
    r"|\b" + _QUALIFIER + _NUM + r"\s+" + _UNIT + r"\s+(?:after|since|from)\s+(?:the\s+)?"
    r"(?:delivery|purchase|it arrived|it was delivered|i bought|buying|ordering|booking|receiving)",
    re.I,
)
LAST = re.compile(
    r"\b(?:last|past|previous)\s+(week|month|year)\b|\b(yesterday|today|this morning)\b", re.I
)
AHEAD = re.compile(r"\bin\s+" + _QUALIFIER + _NUM + r"\s+" + _UNIT + r"\b"
                   r"|\b(tomorrow|tonight|today|this (?:afternoon|evening|morning))\b", re.I)  # fmt: skip
_FOREIGN_COUNT = r"(\d+|een|twee|drie|vier|vijf|zes|einem|einer|zwei|drei|vier|fünf|sechs|un|une|deux|trois|quatre|cinq|six|una|dos|tres|cuatro|cinco|seis)"
FOREIGN_AGO = re.compile(
    _FOREIGN_COUNT + r"\s+(dag|dagen|week|weken|maand|maanden|jaar)\s+geleden"
    r"|\bvor\s+" + _FOREIGN_COUNT + r"\s+(tag|tagen|woche|wochen|monat|monaten|jahr|jahren)\b"
    r"|\bil y a\s+" + _FOREIGN_COUNT + r"\s+(jours?|semaines?|mois|ans?)\b"
    r"|\bhace\s+" + _FOREIGN_COUNT + r"\s+(días?|dias?|semanas?|mes|meses|años?)\b",
    re.I,
)
_FOREIGN_NUMBERS = dict(zip("een twee drie vier vijf zes einem einer zwei drei vier fünf sechs un une deux trois quatre cinq six una dos tres cuatro cinco seis".split(),
                            [1, 2, 3, 4, 5, 6, 1, 1, 2, 3, 4, 5, 6, 1, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], strict=True))  # fmt: skip
_FOREIGN_UNITS = {"d": 1, "t": 1, "j": 1, "w": 7, "s": 7, "m": 30.44, "a": 365.25}
_AHEAD_UNITS = {"uur": 1 / 24, "uren": 1 / 24, "stunde": 1 / 24, "stunden": 1 / 24,
                "std": 1 / 24, "heure": 1 / 24, "heures": 1 / 24, "h": 1 / 24, "hora": 1 / 24,
                "horas": 1 / 24, "dag": 1, "dagen": 1, "tag": 1, "tagen": 1, "jour": 1,
                "jours": 1, "día": 1, "días": 1, "dia": 1, "dias": 1, "week": 7, "weken": 7,
                "woche": 7, "wochen": 7, "semaine": 7, "semaines": 7, "semana": 7, "semanas": 7}  # fmt: skip
# "het vertrek is over 10 uur", "die Abholung ist in 5 Stunden", "le retrait est dans 12 heures",
# "la salida es en 4 días" / "dentro de 30 horas"
FOREIGN_AHEAD = re.compile(
    r"\b(?:over|in|dans|en|dentro de|binnen|innerhalb von)\s+(?:(?:ca\.?|etwa|environ|ongeveer|unos|unas)\s+)?"
    + _FOREIGN_COUNT
    + r"\s+("
    + "|".join(sorted(_AHEAD_UNITS, key=len, reverse=True))
    + r")\b",
    re.I,
)
TOMORROW = re.compile(
    r"(?<!guten )(?<!goede )\b(?:morgen|demain|mañana|übermorgen|overmorgen|après-demain|"
    r"pasado mañana)\b(?!\s+(?:früh\b)?\s*(?:ist|is)\s+(?:gut|ok))",
    re.I,
)
AWAY = re.compile(r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?:from now|away|to go|left)\b", re.I)
WEEKDAY_AFTER_CUE = re.compile(
    r"(?P<cue>\b(?:today(?:'s date)?|current date|date today)\s*(?:is|:|=)\s*)"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+",
    re.I,
)
DATE_HEADER = re.compile(r"^\s*(?:date|sent|received)\s*:\s*(?P<d>.+)$", re.I | re.M)
ANCHOR_WORDS = re.compile(
    r"\b(?:deliver\w*|bought|buy|purchas\w*|order\w*|receiv\w*|arriv\w*|got|ship\w*|book\w*|"
    r"paid|signed|since|on|from|depart\w*|leav\w*|flight|appointment|starts?)\b",
    re.I,
)
MONEY = re.compile(
    r"(?P<sym>[$€£])\s?(?P<a>\d[\d,]*(?:\.\d+)?)(?P<k>\s?k\b)?"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)(?P<k2>\s?k\b)?\s?(?P<code>eur|usd|gbp|euros?|dollars?|pounds?)\b",
    re.I,
)
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.I)


@dataclass(frozen=True)
class Verdict:
    """What the rules say about a request.

    Attributes:
        decision: "comply", "refuse" or "escalate".
        rule: The rule that decided it (None when nothing is broken).
        said: What the request said that broke it ("3 months ago", "15%").
        within: For a request a window or limit covers and allows ("10 days ago").
    """

    decision: str = "comply"
    rule: Rule | None = None
    said: str = ""
    within: Rule | None = None


def _count(text: str) -> float:
    text = text.lower().strip()
    return float(NUMBER_WORDS.get(text, 0)) if text in NUMBER_WORDS else float(text)


def reference_date(text: str) -> dt.date | None:
    """The date the conversation is written on: "Today is ...", or a ``Date:`` header."""
    from aieng.llm.course_model.skills.entities import analyse
    from aieng.llm.course_model.skills.entities import reference_date as stated

    today = stated(WEEKDAY_AFTER_CUE.sub(r"\g<cue>", text))
    if today is not None:
        return today
    header = DATE_HEADER.search(text)
    if header:
        dates = analyse(header.group("d")).of("date", "datetime")
        if dates:
            return dt.date.fromisoformat(str(dates[0].value)[:10])
    return None


def elapsed(text: str, today: dt.date | None) -> tuple[float, str] | None:
    """Days since the purchase (delivery, booking...) the request speaks of, and how it says so.

    Example:
        >>> elapsed("I bought it 3 months ago", None)
        (91.32, '3 months ago')
    """
    for pattern in (AGO, HAD_FOR):
        found = pattern.search(text)
        if found:
            number, unit = found.group(1), found.group(2).lower()
            return round(_count(number) * UNITS.get(unit, 1), 2), found.group(0).strip()
    foreign = FOREIGN_AGO.search(text)
    if foreign:
        count, unit = [g for g in foreign.groups() if g is not None][:2]
        number = (
            float(_FOREIGN_NUMBERS.get(count.lower(), 0) or count)
            if not count.isdigit()
            else float(count)
        )
        first = unit.lower()[0]
        days = (
            365.25
            if unit.lower() in ("jaar", "jahr", "jahren", "an", "ans")
            else _FOREIGN_UNITS[first]
        )
        if unit.lower().startswith(("maand", "monat", "mois", "mes")):
            days = 30.44
        return round(number * days, 2), foreign.group(0)
    if today is not None:
        dated = _dated(text, today, past=True)
        if dated is not None:
            return dated
    last = LAST.search(text)
    if last:
        unit = (last.group(1) or "").lower()
        days = UNITS.get(unit, 0) if unit else {"yesterday": 1}.get(last.group(2).lower(), 0)
        return float(days), last.group(0)
    return None


def ahead(text: str, today: dt.date | None) -> tuple[float, str] | None:
    """Days until the event (departure, appointment) the request speaks of."""
    found = AHEAD.search(text) or AWAY.search(text)
    if found and found.group(1):
        return _count(found.group(1)) * UNITS.get(found.group(2).lower(), 1), found.group(0)
    if found:
        return (1.0 if found.group(3).lower() == "tomorrow" else 0.25), found.group(0)
    foreign = FOREIGN_AHEAD.search(text)
    if foreign:
        count, unit = foreign.group(1).lower(), foreign.group(2).lower()
        number = float(count) if count.isdigit() else float(_FOREIGN_NUMBERS.get(count, 0))
        return number * _AHEAD_UNITS[unit], foreign.group(0)
    soon = TOMORROW.search(text)
    if soon:
        word = soon.group(0).lower()
        return (2.0 if word.startswith(("über", "over", "après", "pasado")) else 1.0), word
    return _dated(text, today, past=False) if today is not None else None


def _dated(text: str, today: dt.date, past: bool) -> tuple[float, str] | None:
    """The explicit date nearest an anchor word ("delivered on 2 Jan"), counted from today."""
    from aieng.llm.course_model.skills.entities import analyse

    body = DATE_HEADER.sub(" ", text)
    body = re.sub(r"\b(?:today(?:'s date)?|current date|date today)\s*(?:is|:|=)\s*[^.\n]{0,40}",
                  " ", body, flags=re.I)  # fmt: skip
    best = None
    for span in analyse(body, today).of("date", "datetime"):
        day = dt.date.fromisoformat(str(span.value)[:10])
        if past and day > today and day.replace(year=day.year - 1) <= today:
            day = day.replace(year=day.year - 1)  # "2 Dec" said in March is last December
        days = (today - day).days if past else (day - today).days
        if days < 0 or span.text.lower() in ("today", "tomorrow", "yesterday"):
            continue
        near = ANCHOR_WORDS.search(body[max(0, span.start - 40) : span.start])
        key = (0 if near else 1, span.start)
        if best is None or key < best[0]:
            best = (key, float(days), span.text)
    return (best[1], best[2]) if best else None


def _values(text: str, unit: str) -> list[tuple[float, str]]:
    """Amounts in ``text`` of the kind a limit counts ("%", a currency, or a noun)."""
    if unit == "%":
        return [(float(m.group(1)), m.group(0)) for m in PERCENT.finditer(text)]
    if unit and re.match(r"[$€£]|eur|usd|gbp|euro|dollar|pound", unit):
        out = []
        for m in MONEY.finditer(text):
            value = float((m.group("a") or m.group("b")).replace(",", ""))
            out.append((value * (1000 if m.group("k") or m.group("k2") else 1), m.group(0)))
        return out
    if unit:
        pattern = re.compile(
            r"\b" + _NUM + r"\s+(?:\w+\s+)?" + re.escape(stem(unit)) + r"\w*", re.I
        )
        return [(_count(m.group(1)), m.group(0)) for m in pattern.finditer(text)]
    return [(float(m.group(0).replace(",", "")), m.group(0))
            for m in re.finditer(r"\b\d[\d,]*(?:\.\d+)?\b", text)]  # fmt: skip


def _request_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1}


def _shares(rule_stems: frozenset[str], asked: set[str]) -> int:
    """How many of a rule's words the request uses (synonyms and shared word starts count)."""
    wide = expand(asked)
    hits = 0
    for s in rule_stems:
        if s in wide or (len(s) >= 5 and any(len(a) >= 4 and a[:4] == s[:4] for a in asked)):
            hits += 1
    return hits


def _prefixes(stems_: set[str]) -> set[str]:
    """The six-letter starts of long words ("erstattet" -> "erstat")."""
    return {s[:6] for s in stems_ if len(s) >= 7}


def about_subject(rule: Rule, text: str) -> bool:
    """Whether the request is about a window's or limit's subject (a refund, a discount)."""
    asked = _request_stems(text) | {stem(w) for w in tokens(text)}
    if rule.unit == "%" and PERCENT.search(text) and rule.subject == "discount":
        return True
    if _prefixes(set(rule.stems)) & _prefixes(asked):
        return True
    return bool(asked & rule.stems) or bool(
        rule.subject
        and re.search(r"\bmoney back\b|\bsend (?:it|them) back\b", text, re.I)
        and rule.subject in ("refund", "return")
    )


def topic_asked(rule: Rule, text: str, strong: bool) -> bool:
    """Whether the request asks for a topic rule's topic."""
    if rule.topic is not None and asks_for(rule.topic, text):
        return True
    asked = _request_stems(text)
    need = min(2, len(rule.stems))
    if rule.topic is None and need and _shares(rule.stems, asked) >= need:
        return True
    if strong and not (rule.topic is not None and rule.topic.name == "others_data"):
        # whose data a request is about is no matter of topic: every support message is
        # near "customer data", so only the vocabulary's cues decide that one
        return _near(rule, text)
    return False


def _near(rule: Rule, text: str) -> bool:
    """Embeddings: the request is close in meaning to the rule's topic."""
    from aieng.llm.course_model.skills.classify import similarity

    described = rule.phrase
    if rule.topic is not None:
        described += ": " + " ".join(sorted(rule.topic.cues)[:12])
    return similarity(text, described) >= 0.235


def _broken(rule: Rule, text: str, today: dt.date | None, strong: bool) -> tuple[bool, str]:
    """Whether ``rule`` is broken by ``text`` (and what it says that breaks it); a window or
    limit the request is about but keeps gives (False, what it says)."""
    if any(len(_request_stems(text) & exception) >= 2 for exception in rule.exceptions):
        return False, ""  # what the policy says the rule does not cover
    if rule.kind == "topic":
        if re.match(r"threat", rule.phrase, re.I):
            return bool(THREAT.search(text)), ""
        if rule.action == "refuse" and rule.topic is not None and rule.topic.name == "legal":
            if threat_only(text):
                return False, ""
        return topic_asked(rule, text, strong), ""
    if not about_subject(rule, text):
        return False, ""
    if rule.kind == "window":
        before = rule.op == ">="
        timing = ahead(text, today) if before else elapsed(text, today)
        if timing is None:
            return False, ""
        days, said = timing
        return (days < rule.amount if before else days > rule.amount + 1e-9), said
    if rule.kind == "limit":
        for value, said in _values(text, rule.unit):
            over = {">": value > rule.amount, ">=": value >= rule.amount,
                    "<": value < rule.amount, "<=": value <= rule.amount}[rule.op]  # fmt: skip
            if over:
                return True, said
        values = _values(text, rule.unit)
        return False, values[0][1] if values else ""
    return False, ""


def decide(
    rules: tuple[Rule, ...],
    text: str,
    today: dt.date | None = None,
    strong: bool = False,
    precedence: tuple[tuple[str, ...], ...] = (),
) -> Verdict:
    """The verdict of ``rules`` on a request: a refusal broken, else an escalation, else
    comply (remembering a window or limit that the request keeps). Among several broken
    rules the stated ``precedence`` decides (reason codes ranked "other_customer_data
    beats legal_advice"), else the order the rules are stated in; refusals beat
    escalations unless the precedence ranks "escalate" first."""
    broken_: list[Verdict] = []
    within: tuple[Rule, str] | None = None
    for rule in rules:
        broken, said = _broken(rule, text, today, strong)
        if broken:
            broken_.append(Verdict("refuse" if rule.action == "refuse" else "escalate", rule, said))
        elif said and within is None:
            within = (rule, said)
    if broken_:
        first = {"refuse": rank("refuse", precedence), "escalate": rank("escalate", precedence)}
        if first["refuse"] == first["escalate"]:
            first = {"refuse": 0, "escalate": 1}

        def key(i: int) -> tuple[int, int, int]:
            label = broken_[i].rule.label if broken_[i].rule is not None else ""
            return first[broken_[i].decision], rank(label, precedence) if label else 99, i

        return broken_[min(range(len(broken_)), key=key)]
    if within is not None:
        return Verdict("comply", None, within[1], within[0])
    return Verdict("comply", None, "", None)
