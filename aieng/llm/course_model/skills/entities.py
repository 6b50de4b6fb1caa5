"""Typed values found in free text: the recognizers behind slot filling.

``analyse(text)`` finds, once per text, every email, url, phone number, date,
time, amount of money, percentage, plain number (digits or words), id,
quoted string and capitalised name, each as a ``Span`` with its position, so
that ``slots`` can match values to schema properties by what surrounds them.

Example:
    >>> [s.value for s in analyse("Ship 3 boxes to Lyon by 1 Dec 2026").of("date")]
    ['2026-12-01']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from aieng.llm.course_model.text import STOPWORDS, stem

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            # English, then German, Dutch, French and Spanish spellings (with and without accents)
            "january jan januar januari janvier enero ene",
            "february feb februar februari février fevrier febrero",
            "march mar märz maerz marz maart mrt mars marzo",
            "april apr avril abril",
            "may mai mei mayo",
            "june jun juni juin junio",
            "july jul juli juillet julio",
            "august aug augustus août aout agosto",
            "september sep sept septembre septiembre setiembre",
            "october oct oktober okt octobre octubre",
            "november nov novembre noviembre",
            "december dec dezember dez décembre decembre diciembre dic",
        )
    )
    for name in names.split()
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|\.(?=\s))?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
COURSE_CLOCK_YEAR = 2026  # the year of the course model's frozen clock (app.FROZEN_CLOCK)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+)?"

DATE_PATTERNS = (
    re.compile(r"\b" + _YEAR + r"-(?P<m>[01]?\d)-(?P<day>[0-3]?\d)(?![\d-])"),
    re.compile(r"\b" + _YEAR + r"/(?P<m>[01]?\d)/(?P<day>[0-3]?\d)\b"),
    # "4 Mar 26": a short year after a short month name, at the end of a header cell
    re.compile(
        r"(?im)\b" + _DAY + r"[ \t]+(?P<mon>[a-z]{3})\.?[ \t]+'?(?P<year>\d\d)"
        r"(?=[ \t]{2,}|[ \t]*$|[ \t]*[|·,;)])"
    ),
    re.compile(r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?\b", re.I),
    re.compile(
        r"\b"
        + _WEEKDAY
        + _DAY
        + r"(?:\s+(?:of|de))?\s+"
        + _MONTH
        + r"(?:,?\s+(?:de\s+)?"
        + _YEAR
        + r")?\b",
        re.I,
    ),
    re.compile(r"\b(?P<a>[0-3]?\d)(?P<sep>/)(?P<b>[0-3]?\d)/(?P<year>\d{4}|\d\d)\b"),
    re.compile(r"\b(?P<a>[0-3]?\d)(?P<sep>\.)(?P<b>[0-3]?\d)\.(?P<year>(?:19|20)\d\d)\b"),
    # "12-03-2026": dashes between day, month and year are written day first
    re.compile(r"(?<![\w-])(?P<a>[0-3]?\d)(?P<sep>-)(?P<b>[0-3]?\d)-(?P<year>(?:19|20)\d\d)\b"),
)
TIME = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<min>[0-5]\d))?(?::(?P<sec>[0-5]\d))?\s*"
    r"(?P<ampm>[ap]\.?m\.?)(?![a-z])"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<min24>[0-5]\d)(?::(?P<sec24>[0-5]\d))?"
    r"(?P<tz>Z|\+[01]\d:?[0-5]\d)?\b"
    r"|\b(?P<word>noon|midday|midnight)\b",
    re.I,
)
ISO_DATETIME = re.compile(
    r"\b(?P<date>(?:19|20)\d\d-[01]\d-[0-3]\d)[T ](?P<time>[0-2]\d:[0-5]\d(?::[0-5]\d)?)"
    r"(?:\.\d+)?(?P<tz>Z|[+-][01]\d:?[0-5]\d)?"
)
RELATIVE = re.compile(
    r"\b(?:(?P<word>today|tonight|tomorrow|yesterday)"
    r"|(?P<which>next|this|last|coming)\s+(?P<wd>monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|week|month)"
    r"|in\s+(?P<n>\d+|one|two|three|four|five|six|seven|ten)\s+(?P<unit>days?|weeks?)"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<period>month|week|day)|(?P<eo>eod|eow|eom)"
    r"|(?P<bare>monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)
TODAY_CUE = re.compile(
    r"\b(?:today(?:'s date)?\s*(?:is|:|=)|current date\s*(?:is|:|=)|date today\s*(?:is|:))\s*",
    re.I,
)
EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
URL = re.compile(
    r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|co|edu|gov|app|info|uk|de|fr)(?:/[^\s<>\"')\]]*)?\b",
    re.I,
)
PHONE = re.compile(
    r"(?<![\w/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,5}){1,4}(?![\w/-])"
    r"|(?<![\w/])\+\d{7,15}\b"
)
MONEY = re.compile(
    r"(?P<sym>[$€£¥₹])\s?(?P<a>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<mult>k|m|bn|million|billion|thousand)\b)?"
    r"|\b(?P<code>USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|CNY|SEK|NOK|DKK)\s?(?P<b>\d[\d,]*(?:\.\d+)?)"
    r"|\b(?P<c>\d[\d,]*(?:\.\d+)?)\s?(?P<mult2>k|million|billion|thousand)?\s?"
    r"(?P<word>USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|CNY|dollars?|bucks|euros?|pounds?|yen|francs?"
    r"|rupees?)\b",
    re.I,
)
PERCENT = re.compile(r"(?P<a>-?\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b|pct\b)", re.I)
RATING = re.compile(r"(?<![\w/.])(?P<a>\d+(?:\.\d+)?)\s?/\s?(?P<b>5|10|100)(?![\w/])")
NUMBER = re.compile(
    r"(?<![\w.])(?P<a>[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?:\s?(?P<mult>k|million|thousand|bn|billion)\b)?"
)
WORD_NUMBER = re.compile(
    r"\b(?:(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?P<unit>one|two"
    r"|three|four|five|six|seven|eight|nine))?|(?P<small>zero|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen)|(?P<other>a dozen|dozen|a couple of|a couple|a pair of|a hundred|one hundred"
    r"|a thousand|single|twice|half a dozen))\b",
    re.I,
)
ID = re.compile(
    r"#\s?(?P<hash>[A-Za-z0-9][\w-]*\d[\w-]*|\d+)|\b(?P<hex>0x[0-9A-Fa-f]{2,})\b"
    r"|\b(?P<code>(?=[A-Za-z0-9_/-]*\d)[A-Za-z]+\d*(?:[-_/][A-Za-z0-9]+)+)\b"
    r"|\b(?P<caps>[A-Z]{1,6}\d[A-Z0-9]*|(?=[A-Z0-9]*[A-Z])\d[A-Z0-9]{5,})\b"
)
IDENT = re.compile(
    r"(?<![\w@./-])(?=[a-z0-9_./-]*[a-z]{2})[a-z][a-z0-9]*(?:[-_./][a-z0-9]+)+(?![\w@/-]|\.\w)"
)
VERSION = re.compile(
    r"(?<![\w.-])(?:v\d+(?:\.\d+)*|\d+\.\d+\.\d+)(?:-[0-9A-Za-z.]+)?(?![\w-]|\.\d)"
)
WEEKDAY_RANGE = re.compile(
    r"\b(?P<a>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*(?:through|thru|to|until|till|-|–)\s*"
    r"(?P<b>mon|tue|wed|thu|fri|sat|sun)[a-z]*\b",
    re.I,
)
HANDLE = re.compile(r"(?<![\w@#])[#@][A-Za-z][\w.-]*[A-Za-z0-9]")
PAREN = re.compile(r"(?<=[\w.])\s*\(([^()\n]{1,40})\)")
QUOTED = re.compile(
    r"\"(?P<a>[^\"\n]{1,400})\"|“(?P<b>[^”\n]{1,400})”|(?<![\w])'(?P<c>[^'\n]{1,200})'(?![\w])"
    r"|`(?P<d>[^`\n]{1,200})`"
)
UP, LOW = "A-ZÀ-ÖØ-ÞĀ-Ž", "a-zß-öø-ÿā-ž"
_CAP_WORD = f"[{UP}][{UP}{LOW}'’.-]*[{LOW}][{UP}{LOW}'’-]*"
PROPER = re.compile(
    r"\b(?:(?:Dr|Mr|Mrs|Ms|Prof|Sr|Jr|Rev|Capt|Sgt)\.?[ \t]+(?=[A-Z]))?"
    rf"(?:{_CAP_WORD}|[A-Z]{{2,5}}(?![{LOW}]))"
    r"(?:(?:[ \t]+|[ \t]*-[ \t]*)(?:(?:van|de|da|von|del|la|le|du|di|dos|of|the|&)[ \t]+)?"
    rf"(?:{_CAP_WORD}|[A-Z]\.|[A-Z]{{2,5}}(?![{LOW}])))*"
)
WORD = re.compile(r"[^\W\d_][\w'’\-²³]*|\d+(?:[.,]\d+)*|[$€£¥#@%]")
ADDRESS = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][\w.'-]*\s+){0,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd"
    r"|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Parkway|Pkwy|Highway|Hwy|Close"
    r"|Crescent|Strasse|Straße|Rue|Calle|Via)\b\.?"
    r"|\b\d{1,6}[A-Za-z]?,?[ \t]+(?:Rua|Rue|Calle|Via|Avenida|Av\.|Avenue|Boulevard|Piazza|Plaza"
    r"|Place|Platz|Carrer|Viale|Corso)[ \t]+(?:(?:de|da|do|del|di|la|le|du|des|dos)[ \t]+)?"
    r"[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*){0,3}"
    r"|\b[A-Z][\w'-]*(?:straße|strasse|weg|gasse|platz|laan|straat|gatan|vej)[ \t]+\d{1,5}[a-z]?\b",
)
POSTCODE = re.compile(r"\b\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
CURRENCY_WORDS = {
    "$": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD",
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "£": "GBP", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "sterling": "GBP",
    "¥": "JPY", "yen": "JPY", "jpy": "JPY", "₹": "INR", "rupee": "INR", "rupees": "INR",
    "inr": "INR", "franc": "CHF", "francs": "CHF", "chf": "CHF", "cad": "CAD", "aud": "AUD",
    "cny": "CNY", "yuan": "CNY", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
}  # fmt: skip
CURRENCY = re.compile(
    r"[$€£¥₹]|\b(?:usd|eur|gbp|jpy|chf|cad|aud|inr|cny|sek|nok|dkk|dollars?|bucks|euros?"
    r"|pounds?|sterling|yen|yuan|francs?|rupees?)\b",
    re.I,
)
SMALL_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}  # fmt: skip
OTHER_NUMBERS = {
    "a dozen": 12, "dozen": 12, "a couple of": 2, "a couple": 2, "a pair of": 2,
    "a hundred": 100, "one hundred": 100, "a thousand": 1000, "single": 1, "twice": 2,
    "half a dozen": 6,
}  # fmt: skip
MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
# Capitalised words that start sentences or name times rather than people or places.
NOT_NAMES = (
    frozenset(
        """i i'm i've i'd i'll please hi hello hey dear thanks thank regards best cheers sincerely
    yes no ok okay can could would will should shall may might must do does did is are was
    were what when where why how who which whose book send find get show check schedule create
    cancel add search look tell email call reserve order buy set update delete remove need want
    let make give list open close help compare convert translate calculate write draft reply
    note fyi also but and or so if then the a an my our your their his her its this that these
    those there here today tomorrow yesterday tonight morning evening afternoon night
    asap urgent re fw fwd subject from to cc attn ps he she they we you it him them us
    honestly actually unfortunately sure great""".split()
    )
    | frozenset(
        # function words and imperative verbs that start sentences ("At 14:05", "Scale x to 6")
        """at in on for with by of about after before during since until as within without per
    via into onto upon around near between among across through last next every each all some
    any both few many several another other such same scale restart reorder deploy redeploy
    post put publish file log record register reset apply assign approve reject archive ban
    block disable enable invite move rename replace revoke upload download run rerun start stop
    pause resume refund pay transfer track ship report submit share print export import flag
    review rebook reschedule renew upgrade downgrade turn switch increase decrease raise lower
    notify remind provision rollback merge install uninstall configure generate summarize
    summarise extract classify fetch pull push retry escalate mute unmute suspend activate
    deactivate rotate revert trigger drain purge clear sync restore keep hold sell return
    refill restock receive ping confirm place count""".split()
    )
    | frozenset(MONTHS)
    | frozenset(WEEKDAYS)
)
NON_NAME_CAPS = frozenset(
    "USD EUR GBP JPY CHF CAD AUD INR CNY AM PM ASAP FYI OK ETA PTO ID API URL PDF FAQ CEO CTO CFO "
    "HR IT QA UTC GMT EST PST CET TV AI ML".split()
)


@dataclass(frozen=True)
class Span:
    """One value found in a text.

    Attributes:
        kind: "email", "url", "phone", "date", "datetime", "time", "money", "percent",
            "number", "id", "quoted", "paren", "handle", "ident", "proper", "address",
            "postcode", "currency".
        value: The normalised value: an ISO date, a number, a currency code, a string.
        start: Character offset where the surface form starts.
        end: Character offset where it ends.
        text: The surface form.
        cue: The lower-cased word just before it ("in", "from", "to", ...).
        unit: For numbers, the stem of the word just after it ("night", "guest").
        initial: A name at a sentence start whose first word may be a verb ("Meet Ana Li").
    """

    kind: str
    value: Any
    start: int
    end: int
    text: str
    cue: str = ""
    unit: str = ""
    initial: bool = False  # a sentence-initial name that may start with a verb


@dataclass(frozen=True)
class Token:
    """A word of the text with its stem and position."""

    word: str
    stem: str
    start: int
    end: int


@dataclass(frozen=True)
class Facts:  # not slotted: cached_property needs __dict__
    """Everything the recognizers found in one text."""

    text: str
    tokens: tuple[Token, ...]
    spans: tuple[Span, ...]
    bounds: tuple[int, ...]  # character offsets where sentences start
    ranks: tuple[int, ...] = ()  # per token: how many content words come before it

    @cached_property
    def by_stem(self) -> dict[str, tuple[int, ...]]:
        """Token indices per stem."""
        index: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            index.setdefault(token.stem, []).append(i)
        return {k: tuple(v) for k, v in index.items()}

    def of(self, *kinds: str) -> list[Span]:
        """The spans of the given kinds, in text order."""
        return [s for s in self.spans if s.kind in kinds]

    def token_index(self, offset: int) -> int:
        """Index of the first token that starts at or after ``offset``."""
        lo, hi = 0, len(self.tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.tokens[mid].start < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def sentence_of(self, offset: int) -> int:
        """Number of the sentence holding ``offset``."""
        count = 0
        for bound in self.bounds:
            if bound <= offset:
                count += 1
        return count


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def reference_date(text: str) -> dt.date | None:
    """The date a text says is today ("Today is 2026-03-02"), if it says so."""
    for cue in TODAY_CUE.finditer(text):
        window = text[cue.end() : cue.end() + 40]
        for pattern in DATE_PATTERNS[:5]:
            found = pattern.match(window)
            if found and found.group("year"):
                value = _date_value(found, None)
                if value:
                    return dt.date.fromisoformat(value)
    return None


DAY_FIRST_CUES = re.compile(
    r"[€£]|\b(?:EUR|GBP|VAT|MwSt|USt|TVA|IVA|BTW|GmbH|Ltd|B\.V\.|BV|plc|S\.L\.|SAS|SARL|S\.A\."
    r"|S\.r\.l\.|AG|NHS|UK|EU|Europe|Australia|India)\b"
)
SLASH_DATE = re.compile(r"\b([0-3]?\d)/([0-3]?\d)/(?:\d{4}|\d\d)\b")


def day_first(text: str) -> bool:
    """Whether "03/04/2026" in ``text`` reads day first (3 April).

    Another slash date settles it ("25/03/2026" is day first, "03/25/2026" month first);
    else European or Commonwealth cues (€, £, VAT, GmbH, Ltd...) make it day first; the
    default is month first, as in US English.
    """
    pairs = [(int(a), int(b)) for a, b in SLASH_DATE.findall(text)]
    if any(a > 12 >= b for a, b in pairs):
        return True
    if any(b > 12 >= a for a, b in pairs):
        return False
    return DAY_FIRST_CUES.search(text) is not None


def _date_value(match: re.Match, default_year: int | None, first_day: bool = False) -> str | None:
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else default_year
    if year is None:
        return None
    if year < 100:
        year += 2000
    if groups.get("mon"):
        month = MONTHS.get(groups["mon"].lower().rstrip("."))
        return _valid_date(year, month, int(groups["day"])) if month else None
    if groups.get("m"):
        return _valid_date(year, int(groups["m"]), int(groups["day"]))
    a, b = int(groups["a"]), int(groups["b"])
    if groups["sep"] in ".-" or a > 12 or (first_day and b <= 12):  # 01.12.2026, 25/12/2026
        return _valid_date(year, b, a)
    return _valid_date(year, a, b)


def _relative(match: re.Match, today: dt.date) -> str | None:
    word = (match.group("word") or "").lower()
    if word in ("today", "tonight"):
        return today.isoformat()
    if word == "tomorrow":
        return (today + dt.timedelta(days=1)).isoformat()
    if word == "yesterday":
        return (today - dt.timedelta(days=1)).isoformat()
    period = (match.group("period") or match.group("eo") or "").lower()
    if period:
        return _period_end(period[-1] if len(period) == 3 else period[0], today)
    if match.group("bare"):
        ahead = (WEEKDAYS.index(match.group("bare").lower()) - today.weekday()) % 7
        return (today + dt.timedelta(days=ahead or 7)).isoformat()
    if match.group("wd"):
        which, target = match.group("which").lower(), match.group("wd").lower()
        if target in ("week", "month"):
            step = 7 if target == "week" else 30
            sign = -1 if which == "last" else (0 if which == "this" else 1)
            return (today + dt.timedelta(days=sign * step)).isoformat()
        ahead = (WEEKDAYS.index(target) - today.weekday()) % 7
        if which == "next" and ahead == 0:
            ahead = 7
        if which == "last":
            ahead = ahead - 7 if ahead else -7
        return (today + dt.timedelta(days=ahead)).isoformat()
    amount = match.group("n").lower()
    count = int(amount) if amount.isdigit() else SMALL_NUMBERS.get(amount, 10)
    days = count * (7 if match.group("unit").lower().startswith("week") else 1)
    return (today + dt.timedelta(days=days)).isoformat()


def _period_end(period: str, today: dt.date) -> str:
    """The last day of today's month ("m"), the Friday of its week ("w"), or today ("d")."""
    if period == "m":
        following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return (following - dt.timedelta(days=1)).isoformat()
    if period == "w":
        return (today + dt.timedelta(days=(4 - today.weekday()) % 7)).isoformat()
    return today.isoformat()


def _time_value(match: re.Match) -> str:
    groups = match.groupdict()
    if groups.get("word"):
        return "00:00:00" if groups["word"].lower() == "midnight" else "12:00:00"
    if groups.get("ampm"):
        hour = int(groups["h"]) % 12 + (12 if groups["ampm"].lower().startswith("p") else 0)
        minute, second = int(groups["min"] or 0), int(groups["sec"] or 0)
    else:
        hour, minute, second = int(groups["h24"]), int(groups["min24"]), int(groups["sec24"] or 0)
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _number(text: str) -> int | float:
    value = float(text.replace(",", "").replace("−", "-"))
    return int(value) if value.is_integer() and "." not in text else value


def _scaled(amount: str, mult: str | None) -> int | float:
    value = _number(amount)
    if mult:
        value = value * MULTIPLIERS[mult.lower()]
        value = int(value) if float(value).is_integer() else value
    return value


def _word_number(match: re.Match) -> int:
    groups = match.groupdict()
    if groups.get("tens"):
        return TENS[groups["tens"].lower()] + SMALL_NUMBERS.get((groups["unit"] or "").lower(), 0)
    if groups.get("small"):
        return SMALL_NUMBERS[groups["small"].lower()]
    return OTHER_NUMBERS[" ".join(groups["other"].lower().split())]


class _Collector:
    """Collects spans, refusing any that overlaps one already taken."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[Span] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.taken)

    def add(self, kind: str, value: Any, start: int, end: int, mode: str = "claim") -> bool:
        """Keep a span. ``mode``: "claim" takes its place, "soft" only needs a free place,
        "overlay" neither (a quotation or a currency may wrap or touch other values)."""
        if value is None or (mode != "overlay" and not self.free(start, end)):
            return False
        self.spans.append(Span(kind, value, start, end, self.text[start:end]))
        if mode == "claim":
            self.taken.append((start, end))
        return True


def _dates(col: _Collector, text: str, today: dt.date | None) -> None:
    for found in ISO_DATETIME.finditer(text):
        time = found.group("time")
        tz, end = found.group("tz") or "", found.end()
        if tz.startswith("-") and text[found.start("time") - 1] == " " and len(time) == 5:
            tz, end = "", found.end("time")  # "2024-07-10 08:00-10:30": a time range, no offset
        time = time if len(time) > 5 else time + ":00"
        col.add("datetime", f"{found.group('date')}T{time}{tz}", found.start(), end)
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)]
    # No year stated: the conversation's "today", another year in the text, or the
    # course clock's year. Never the wall clock: the same request gives the same bytes.
    default_year = today.year if today else (years[0] if years else COURSE_CLOCK_YEAR)
    first_day = day_first(text) if "/" in text else False
    for pattern in DATE_PATTERNS:
        for found in pattern.finditer(text):
            col.add("date", _date_value(found, default_year, first_day), *found.span())
    if today is not None:
        for found in RELATIVE.finditer(text):
            col.add("date", _relative(found, today), *found.span())
    for found in TIME.finditer(text):
        start, end = found.start(), found.start() + len(found.group(0).rstrip("."))
        col.add("time", _time_value(found) + (found.groupdict().get("tz") or ""), start, end)


def _numbers(col: _Collector, text: str) -> None:
    for found in MONEY.finditer(text):
        amount = found.group("a") or found.group("b") or found.group("c")
        mult = found.group("mult") or found.group("mult2")
        unit = found.group("sym") or found.group("code") or found.group("word")
        if col.add("money", _scaled(amount, mult), *found.span()):
            col.spans[-1] = _with(
                col.spans[-1], unit=CURRENCY_WORDS.get(unit.lower(), unit.upper())
            )
    for found in RATING.finditer(text):
        col.add("number", _number(found.group("a")), found.start(), found.end("b"))
    for found in PERCENT.finditer(text):
        col.add("percent", _number(found.group("a")), *found.span())
    for found in PHONE.finditer(text):
        digits = re.sub(r"\D", "", found.group(0))
        if 7 <= len(digits) <= 15:
            col.add("phone", found.group(0).strip(), *found.span())


LABEL_BEFORE = re.compile(r"(?:\b(?P<abbr>[A-Z]{2,5})|\bNo\.?|\bnr\.?)[ \t]*$")
ID_LABEL = re.compile(
    r"(?i)\b(?:order|invoice|ticket|account|case|policy|reference|ref|booking|confirmation"
    r"|claim|member|customer|number|no\.?|#)[ \t]*(?:number|no\.?|id|#)?[ \t:]*$"
)
HYPHEN_NUMBER = re.compile(r"(?<![\w.-])\d+(?:-\d+)+(?![\w-])")


def _plain_numbers(col: _Collector, text: str) -> None:
    for found in HYPHEN_NUMBER.finditer(text):
        label = LABEL_BEFORE.search(text, max(0, found.start() - 8), found.start())
        if ID_LABEL.search(text, max(0, found.start() - 24), found.start()) or (
            label and label.group("abbr") and label.group("abbr") not in NON_NAME_CAPS
        ):
            col.add("id", found.group(0), *found.span())  # "Order 77-1042", "BOL 7781-22"
    for found in NUMBER.finditer(text):
        label = LABEL_BEFORE.search(text, max(0, found.start() - 8), found.start())
        if label and (label.group("abbr") or "") not in NON_NAME_CAPS and "." not in found.group(0):
            col.add("id", found.group("a"), *found.span())  # "PO 7781", "No. 12": an id
            continue
        col.add("number", _scaled(found.group("a"), found.group("mult")), *found.span())
    for found in WORD_NUMBER.finditer(text):
        col.add("number", _word_number(found), *found.span())


def _idents(col: _Collector, text: str) -> None:
    """Technical names ("api-gateway", "test_refund_flow") and day spans ("Mon through Wed")."""
    for found in IDENT.finditer(text):
        parts = re.split(r"[-_./]", found.group(0))
        if any(p in STOPWORDS for p in parts) or len(parts[0]) < 2:
            continue  # "on-call", "e-mail", "follow-up": words, not names
        if re.search(r"(?:ed|ing)$", parts[-1]) and not re.search(r"[\d_]", found.group(0)):
            continue  # "water-damaged", "long-lasting": adjectives
        col.add("ident", found.group(0), *found.span(), mode="soft")
    for found in WEEKDAY_RANGE.finditer(text):
        days = [w[:3] for w in WEEKDAYS]
        first, last = days.index(found.group("a").lower()), days.index(found.group("b").lower())
        if col.add("number", (last - first) % 7 + 1, *found.span(), mode="soft"):
            col.spans[-1] = _with(col.spans[-1], unit="day")


def _names(col: _Collector, text: str) -> None:
    for found in ADDRESS.finditer(text):
        col.add("address", found.group(0).rstrip("."), *found.span(), mode="overlay")
    for found in PROPER.finditer(text):
        parts = [
            (found.start() + m.start(), found.start() + m.end(), m.group(0))
            for m in re.finditer(r"[^\s-]+", found.group(0))
        ]
        # drop sentence-initial verbs and greetings ("Book Paris" -> "Paris")
        while parts and (_not_name(parts[0][2]) or _initial_verb(text, parts[0])):
            parts.pop(0)
        while parts and (_not_name(parts[-1][2]) or parts[-1][2] in ("of", "the")):
            parts.pop()
        if not parts or (len(parts) == 1 and parts[0][2] in NON_NAME_CAPS):
            continue
        initial = len(parts) > 2 and not text[: parts[0][0]].strip(" \t\"'(").endswith(
            tuple(",;:") + tuple("abcdefghijklmnopqrstuvwxyz")
        )
        _add_proper(col, text, parts[0][0], parts[-1][1], initial)
        if initial:
            # "Meet Maria Lopez" at a sentence start: the name may begin one word later
            _add_proper(col, text, parts[1][0], parts[-1][1])


def _add_proper(col: _Collector, text: str, start: int, end: int, initial: bool = False) -> None:
    phrase = re.sub(r"['’]s$", "", text[start:end]).rstrip(".")
    if (
        phrase
        and phrase[0].isupper()
        and col.add("proper", phrase, start, start + len(phrase), mode="soft")
    ):
        if initial:
            col.spans[-1] = _with(col.spans[-1], initial=True)


INFLECTED = re.compile(r"[A-Z][a-z]{2,}(?:ed|ing)$")


def _initial_verb(text: str, part: tuple[int, int, str]) -> bool:
    """ "Received 3 boxes", "Checked out by": an inflected verb that starts a sentence."""
    before = text[: part[0]].rstrip(" \t\"'(")
    return bool(INFLECTED.fullmatch(part[2])) and (not before or before[-1] in ".!?:;\n")


def _not_name(word: str) -> bool:
    low = re.sub(r"['’](?:s|re|ll|ve|d|m)$", "", word.lower().strip(".,'’"))
    return low in NOT_NAMES


def _with(span: Span, **changes: Any) -> Span:
    fields = {**span.__dict__, **changes}
    return Span(**fields)


def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(
        Token(m.group(0).lower(), stem(m.group(0).lower()), m.start(), m.end())
        for m in WORD.finditer(text)
    )


def _sentence_bounds(text: str) -> tuple[int, ...]:
    return tuple(m.end() for m in re.finditer(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])|\n", text))


def _annotate(span: Span, tokens: tuple[Token, ...], facts_index, facts_text: str) -> Span:
    """Add the word before (cue) and, for numbers, the word after (unit)."""
    i = facts_index(span.start)
    cue = ""
    j = i - 1
    while j >= 0 and tokens[j].word in ("the", "a", "an", "our", "my", "your", "their"):
        j -= 1
    if j >= 0 and span.start - tokens[j].end < 12:
        gap = facts_text[tokens[j].end : span.start]
        cue = "" if re.search(r"[.!?\n]", gap) else tokens[j].word
        if re.fullmatch(r"\s*[-–—]\s*", gap) and tokens[j].word[:1].isdigit():
            cue = "to"  # "14:00-17:00", "10-15": the end of a range
    unit = span.unit
    if span.kind == "number" and not unit:
        k = facts_index(span.end)
        while k < len(tokens) and tokens[k].word in ("more", "extra", "additional", "total"):
            k += 1
        if k < len(tokens) and tokens[k].start - span.end < 4 and tokens[k].word[0].isalpha():
            word = tokens[k].word
            word = word.replace("²", "2").replace("³", "3")
            unit = stem(word) if word not in STOPWORDS or word in ("people",) else ""
    return _with(span, cue=cue, unit=unit)


@lru_cache(maxsize=512)
def analyse(text: str, today: dt.date | None = None) -> Facts:
    """Find every typed value in ``text`` (cached: texts repeat across slots).

    Args:
        text: Free text (a message, a tool result rendered as lines).
        today: The conversation's stated date, to resolve "tomorrow" or "next Friday";
            relative dates are left out without it.

    Returns:
        The text's tokens, sentence bounds and spans, spans in text order.
    """
    col = _Collector(text)
    for found in EMAIL.finditer(text):
        col.add("email", found.group(0).rstrip("."), found.start(), found.end())
    for found in URL.finditer(text):
        value = found.group(0).rstrip(".,;:!?")
        col.add("url", value, found.start(), found.start() + len(value))
    _dates(col, text, today)
    for found in VERSION.finditer(text):
        col.add("ident", found.group(0), *found.span())
    _numbers(col, text)
    for found in ID.finditer(text):
        value = (
            found.group("hash") or found.group("hex") or found.group("code") or found.group("caps")
        )
        if value.upper() not in NON_NAME_CAPS and not re.fullmatch(r"\d+(?:st|nd|rd|th)", value):
            col.add("id", value, *found.span())
    _plain_numbers(col, text)
    for found in HANDLE.finditer(text):
        col.add("handle", found.group(0), *found.span())
    _idents(col, text)
    for found in PAREN.finditer(text):
        col.add("paren", found.group(1).strip(), found.start(1), found.end(1), mode="overlay")
    for found in QUOTED.finditer(text):
        inner = next(g for g in found.groups() if g is not None).strip()
        if inner:
            col.add("quoted", inner, found.start(), found.end(), mode="overlay")
    for found in CURRENCY.finditer(text):
        code = CURRENCY_WORDS.get(found.group(0).lower())
        if code:
            col.add("currency", code, *found.span(), mode="overlay")
    for found in POSTCODE.finditer(text):
        col.add("postcode", found.group(0), *found.span(), mode="overlay")
    _names(col, text)
    tokens = _tokens(text)

    def index(offset: int) -> int:
        lo, hi = 0, len(tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if tokens[mid].start < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo

    spans = sorted(
        (_annotate(s, tokens, index, text) for s in col.spans), key=lambda s: (s.start, s.kind)
    )
    spans = _chain_cues(spans, text)
    ranks, count = [], 0
    for token in tokens:
        ranks.append(count)
        count += token.word not in STOPWORDS
    return Facts(text, tokens, tuple(spans), _sentence_bounds(text), tuple(ranks))


def _chain_cues(spans: list[Span], text: str) -> list[Span]:
    """ "in Paris and Tokyo": a name joined by 'and'/'or'/',' inherits the cue before it."""
    out: list[Span] = []
    previous: Span | None = None
    for span in spans:
        if span.kind == "proper":
            joined = previous is not None and re.fullmatch(
                r"\s*(?:,|,?\s*(?:and|or|&|vs\.?|versus))\s*", text[previous.end : span.start]
            )
            if joined and span.cue in ("and", "or", "vs", "versus", "") and previous.cue:
                span = _with(span, cue=previous.cue)
            previous = span
        out.append(span)
    return out
