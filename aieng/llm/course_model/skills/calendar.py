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
