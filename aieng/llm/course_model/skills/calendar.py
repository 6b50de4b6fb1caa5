"""Dates and clock times as documents write them: header dates and "HH:MM" times.

A transcript or a report often states its date once, at the top ("Date:
2026-03-04", "Standup - 4 March 2026"); relative phrases below it ("by Friday",
"tomorrow", "end of month") resolve against that date (the rules live in
``entities``: a bare weekday is its next occurrence after the date, "next
week" is seven days on, "end of month" the month's last day, "end of week"
its Friday). Clock times fill ``HH:MM`` fields from "at 14:05", "2.30pm" or
"around 9".

Example:
    >>> header_date("Weekly sync - 4 March 2026\\nAna: hi")
    datetime.date(2026, 3, 4)
    >>> clock_time("The alarm went off around 9 and again at 2.30pm")
    '09:00'
"""

from __future__ import annotations

import datetime as dt
import re

from aieng.llm.course_model.skills.entities import analyse

DATE_LABEL = re.compile(r"(?im)^[ \t]*(?:date|meeting date|datum|fecha|when)[ \t]*[:=-]")
LOOSE_TIME = re.compile(
    r"(?i)\b(?:at|around|about|approx(?:imately)?|~|from|since|by|after|before|until)\s+"
    r"(?P<h>[01]?\d|2[0-3])(?:[.:h](?P<m>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\w:.%/-]|\.\d)"
)
DOTTED_TIME = re.compile(r"(?i)\b(?P<h>[01]?\d)\.(?P<m>[0-5]\d)\s*(?P<ampm>[ap]\.?m\.?)(?![a-z])")


def header_date(text: str) -> dt.date | None:
    """The date a document's header states: a "Date:" line near the top, or a short
    title line (at most ten words) holding an explicit date."""
    lines = [line for line in text.strip().splitlines() if line.strip()][:4]
    for index, line in enumerate(lines):
        labelled = DATE_LABEL.match(line)
        short = len(line.split()) <= 10 and index <= 1
        if not (labelled or short):
            continue
        if not labelled and re.match(r"[ \t]*[A-Z][\w .'-]{0,30}:[ \t]+\S", line):
            continue  # "Priya: see you on 5 March": a speaker's words, not a header
        dates = analyse(line).of("date", "datetime")
        if dates:
            return dt.date.fromisoformat(str(dates[0].value)[:10])
    return None


def clock_time(text: str) -> str | None:
    """The first clock time in ``text`` as "HH:MM" ("2.30pm" -> "14:30", "around 9" -> "09:00")."""
    found: list[tuple[int, str]] = []
    for span in analyse(text).of("time", "datetime"):
        value = str(span.value)
        found.append((span.start, value[11:16] if span.kind == "datetime" else value[:5]))
    for pattern in (DOTTED_TIME, LOOSE_TIME):
        for match in pattern.finditer(text):
            hour, minute = int(match.group("h")), int(match.group("m") or 0)
            ampm = (match.group("ampm") or "").lower()
            if ampm.startswith("p") and hour < 12:
                hour += 12
            elif ampm.startswith("a") and hour == 12:
                hour = 0
            if pattern is LOOSE_TIME and _not_a_time(text, match):
                continue
            found.append((match.start("h"), f"{hour:02d}:{minute:02d}"))
    return min(found)[1] if found else None


def _not_a_time(text: str, match: re.Match) -> bool:
    """ "at 40 %", "from 3 servers", "by 2 people": a count, not an hour."""
    after = text[match.end() : match.end() + 12].lower()
    if match.group("m") or match.group("ampm"):
        return False
    fine = r"\s*(?:o'?clock\b|[,.;]|$|\n|and\b|on\b|in\b|the\b|this\b|that\b|today\b|local\b|utc\b)"
    return not re.match(fine, after)


def wants_clock(slot_words: tuple[str, ...], description: str, schema: dict) -> bool:
    """Whether a string slot wants a bare clock time: "HH:MM" described or patterned."""
    desc = (description + " " + str(schema.get("pattern", ""))).lower()
    if "hh:mm" in desc or re.search(r"\\d\{2\}:\\d\{2\}", desc) or "24-hour" in desc:
        return "yyyy" not in desc and "date" not in slot_words
    return False


def shape_clock(value: str, schema: dict) -> str:
    """A clock time in the shape a schema asks ("HH:MM" or "HH:MM:SS")."""
    desc = (str(schema.get("description", "")) + str(schema.get("pattern", ""))).lower()
    seconds = "ss" in desc or ":\\d{2}:" in desc
    return value[:8] if seconds and len(value) >= 8 else value[:5]


# ------------------------------------------------------------------ due dates in minutes
# The conventions minutes follow (in English, Dutch, German, Spanish and French): a bare
# or "this" weekday is its first occurrence after the meeting date (so "Friday" said on a
# Friday is a week on); "next <weekday>" and "<weekday> next week" fall in the calendar
# week after the meeting's; "end of the week" is its Friday; vague times have no date.

_WEEKDAY_NAMES = (
    "monday|mon|maandag|montag|lunes|lundi",
    "tuesday|tues|tue|dinsdag|dienstag|martes|mardi",
    "wednesday|wed|woensdag|mittwoch|miércoles|miercoles|mercredi",
    "thursday|thurs|thu|donderdag|donnerstag|jueves|jeudi",
    "friday|fri|vrijdag|freitag|viernes|vendredi",
    "saturday|sat|zaterdag|samstag|sábado|sabado|samedi",
    "sunday|sun|zondag|sonntag|domingo|dimanche",
)
_MONTH_NAMES = (
    "january|jan|januari|januar|jänner|enero|janvier",
    "february|feb|februari|februar|febrero|février|fevrier",
    "march|mar|maart|märz|maerz|marzo|mars",
    "april|apr|abril|avril",
    "may|mei|mai|mayo",
    "june|jun|juni|junio|juin",
    "july|jul|juli|julio|juillet",
    "august|aug|augustus|agosto|août|aout",
    "september|sept|sep|septiembre|septembre",
    "october|oct|oktober|octubre|octobre",
    "november|nov|noviembre|novembre",
    "december|dec|dezember|diciembre|décembre|decembre",
)
WEEKDAY = {n: i for i, names in enumerate(_WEEKDAY_NAMES) for n in names.split("|")}
MONTH = {n: i + 1 for i, names in enumerate(_MONTH_NAMES) for n in names.split("|")}
_WD = "(?P<wd>" + "|".join(sorted(WEEKDAY, key=len, reverse=True)) + r")\.?"
_MO = "(?P<mo>" + "|".join(sorted(MONTH, key=len, reverse=True)) + r")\.?"
_NEXT = r"(?:next|volgende|nächste[nr]?|naechste[nr]?|próximo|proximo|prochain)"
_NEXT_WEEK = (
    r"(?:next\s+week|volgende\s+week|nächste\s+woche|la\s+semana\s+que\s+viene"
    r"|la\s+próxima\s+semana|la\s+semaine\s+prochaine)"
)
_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twee": 2, "drie": 3, "zwei": 2,
          "drei": 3, "dos": 2, "tres": 3, "deux": 2, "trois": 3}  # fmt: skip
_BY = re.compile(
    r"(?i)(?:\bby|\bbefore|\buntil|\btill|\bdue|\bno\s+later\s+than|\bbis(?:\s+zum)?|\bvoor"
    r"|\buiterlijk|\bpara|\bantes\s+del?|\bavant|\bsay)\s+(?:the\s+|el\s+|le\s+)?$"
)
# (name, pattern) in order: a more specific reading masks the text it covers
_DUE_PATTERNS = [
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    ("dmy", r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})\b"),
    (
        "day_month",
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+|of\s+)?"
        + _MO
        + r"(?:\s+(?:de\s+)?(?P<y>\d{4}))?(?!\w)",
    ),
    ("month_day", r"\b" + _MO + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4}))?"),
    ("nth", r"(?:\b" + _WD + r",?\s+)?\b(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b"),
    ("end_next_week", r"\bend\s+of\s+(?:the\s+)?next\s+week\b"),
    ("end_week", r"\b(?:end\s+of\s+(?:the\s+|this\s+)?week|eow)\b"),
    ("end_month", r"\b(?:end\s+of\s+(?:the\s+|this\s+)?month|eom|month[\s-]end)\b"),
    (
        "in_days",
        r"\b(?:in|over|within|en|dans)\s+(?P<n>\d+|[a-z]+)\s+(?P<u>days?|dagen|tagen"
        r"|días|dias|jours|weeks?|weken|wochen|semanas|semaines)\b",
    ),
    (
        "wd_next_week",
        r"\b(?:"
        + _NEXT_WEEK
        + r"\s+"
        + _WD
        + r"|"
        + _WD.replace("wd", "wd2")
        + r"\s+"
        + _NEXT_WEEK
        + r"|"
        + _NEXT.replace("(?:", "(?:")
        + r"\s+"
        + _WD.replace("wd", "wd3")
        + r")\b",
    ),
    ("weekday", r"\b(?:this\s+|coming\s+|el\s+|le\s+|am\s+|op\s+)?" + _WD + r"(?!\w)"),
    (
        "today",
        r"\b(?:today|tonight|eod|cob|end\s+of\s+(?:the\s+)?day|heute|vandaag|hoy"
        r"|aujourd'hui|this\s+(?:morning|afternoon|evening))\b",
    ),
    ("tomorrow", r"\b(?:tomorrow|morgen|mañana|manana|demain)\b"),
    (
        "vague",
        r"\b(?:asap|soon|next\s+week|later|sometime|someday|eventually|q[1-4]|wk\s*\d+"
        r"|week\s+\d+|when\s+(?:you|we)\s+can|no\s+(?:hard\s+)?(?:deadline|date|rush)"
        r"|before\s+the\s+\w+|" + _NEXT_WEEK[3:-1] + r")\b",
    ),
]
_DUE = [(name, re.compile("(?i)" + pattern)) for name, pattern in _DUE_PATTERNS]


def due_date(text: str, today: dt.date | None) -> str | None:
    """The deadline a phrase sets, as an ISO date, resolved against the meeting date.

    A date after "by", "until", "bis", "voor"... wins over others; else the last one
    named ("tomorrow is Saturday, let's say Monday" -> Monday). Vague times ("ASAP",
    "next week", "Q2") and relative dates without a meeting date give None.

    Example:
        >>> due_date("I'll do it by Friday", dt.date(2026, 3, 13))  # said on a Friday
        '2026-03-20'
    """
    found = due_mentions(text, today)
    if not found:
        return None
    by = [f for f in found if _BY.search(text[: f[0]])]
    value = (by or found)[-1][1]
    return value.isoformat() if value else None


def due_mentions(text: str, today: dt.date | None) -> list[tuple[int, dt.date | None]]:
    """Every time expression in ``text``: (start, its date or None when vague)."""
    masked = text
    out: list[tuple[int, dt.date | None]] = []
    for name, pattern in _DUE:
        for m in pattern.finditer(masked):
            out.append((m.start(), _resolve(name, m, today)))
            masked = masked[: m.start()] + "\x00" * (m.end() - m.start()) + masked[m.end() :]
    return sorted(out, key=lambda f: f[0])


def _resolve(name: str, m: re.Match, today: dt.date | None) -> dt.date | None:
    groups = {k: v for k, v in m.groupdict().items() if v}
    try:
        if name in ("iso", "dmy"):
            return dt.date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        if name in ("day_month", "month_day"):
            year = int(groups["y"]) if "y" in groups else (today.year if today else None)
            return dt.date(year, MONTH[groups["mo"].lower()], int(groups["d"])) if year else None
        if today is None or name == "vague":
            return None
        if name == "nth":
            return today.replace(day=int(groups["d"]))
    except (ValueError, KeyError):
        return None
    monday = today - dt.timedelta(days=today.weekday())
    if name == "end_next_week":
        return monday + dt.timedelta(days=11)
    if name == "end_week":
        return monday + dt.timedelta(days=4)
    if name == "end_month":
        first_next = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return first_next - dt.timedelta(days=1)
    if name == "in_days":
        n = groups["n"].lower()
        count = int(n) if n.isdigit() else _COUNT.get(n)
        if count is None:
            return None
        weeks = (
            groups["u"].lower()[0] in "ws"
            and not groups["u"].lower().startswith("sem")
            or (groups["u"].lower().startswith("sem"))
        )
        return today + dt.timedelta(days=count * (7 if weeks else 1))
    if name == "wd_next_week":
        wd = WEEKDAY[(groups.get("wd") or groups.get("wd2") or groups.get("wd3")).lower()]
        return monday + dt.timedelta(days=7 + wd)
    if name == "weekday":
        ahead = (WEEKDAY[groups["wd"].lower()] - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    if name == "today":
        return today
    if name == "tomorrow":
        return today + dt.timedelta(days=1)
    return None


_RECORD_DATE = re.compile(r"(?i)\b(?:meeting\s+)?date\b[^\n]{0,30}?\b(?:is|was|:)\s")


def stated_date(text: str) -> dt.date | None:
    """A meeting's date: its header's, else a full date in the first lines, else one a line
    states for the record ("meeting date for the record is Thursday 12 March 2026")."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    candidates = lines[:3] + [line for line in lines[3:] if _RECORD_DATE.search(line)]
    for index, line in enumerate(candidates):
        if index == min(3, len(lines)) and header_date(text):
            return header_date(text)
        for name, pattern in _DUE[:4]:
            m = pattern.search(line)
            if m and (name in ("iso", "dmy") or m.group("y")):
                value = _resolve(name, m, None)
                if value:
                    return value
    return header_date(text)
