"""The shape of a meeting's record: its title, its date, who attended, and its entries.

A meeting comes as a transcript ("Priya: ..." lines, see ``turns``), as notes
(bullets, numbered points, "AP1 Tom: ..." action lines) or as a short prose
note. Its title is a "Topic:"/"Subject:" line, else the first line minus its
date; its people are the speakers and the names an attendee line lists
("Present: Ana (chair), Tom Berg" -> Ana, Tom; "Berg" maps to "Tom"); its
entries are what was said or noted, each with its speaker when there is one.

Example:
    >>> title("Date: 4 May 2026 - Studio move\\nAna: hi\\nTom: hi")
    'Studio move'
    >>> people("Weekly sync\\nPresent: Ana Ruiz (chair), Tom\\n- Ana to book the van")["Ruiz"]
    'Ana'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aieng.llm.course_model.skills.calendar import _DUE

TURN = re.compile(
    r"(?m)^[ \t]*(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]?[ \t]*[-–]?[ \t]*)?"
    r"(?P<who>[A-Z][\w.'-]*(?:[ \t][A-Z][\w.'-]*){0,2})[ \t]*(?:\([^)\n]*\))?[ \t]*:[ \t]*"
    r"(?P<said>\S[^\n]*)$"
)
NOT_SPEAKERS = frozenset(
    "date time subject from to cc re attendees participants present notes agenda action actions "
    "decision decisions todo location where when title meeting summary minutes next note topic "
    "absent apologies chair host owner due status total subtotal tax vat invoice bill ship fwd "
    "fw balance amount order phone email tel fax customer info fyi datum aanwezig teilnehmer "
    "asistentes participantes onderwerp betreff asunto sujet beschluss besluit".split()
)
ROSTER = re.compile(
    r"(?i)^[ \t]*(?:attendees|participants|present|aanwezig|deelnemers|teilnehmer|anwesend"
    r"|asistentes|participantes|présents|presents|invited|people)[ \t]*[:=-][ \t]*(?P<rest>.+)$"
)
TOPIC = re.compile(
    r"(?i)^[ \t]*(?:topic|subject|re|onderwerp|betreff|thema|asunto|tema|sujet|agenda)[ \t]*:"
    r"[ \t]*(?P<rest>.+)$"
)
DATE_LABEL = re.compile(r"(?i)^[ \t]*(?:date|meeting date|datum|fecha|when)[ \t]*[:=-][ \t]*")
BULLET = re.compile(r"^[ \t]*(?:[-*•–]|\d{1,2}[.)]|[A-Z]{1,3}\d{1,3}\b[.:)]?)[ \t]*")
MEETING_WORDS = re.compile(
    r"(?i)\b(?:meeting|sync|stand-?up|minutes|review|retro(?:spective)?|call|kick-?off|1:1"
    r"|one-on-one|check-in|brainstorm|planning|workshop|huddle|go/no-go|action\s+points"
    r"|weekly|protokoll|besprechung|vergadering|overleg|notulen|reuni[óo]n|r[ée]union"
    r"|compte[\s-]rendu)\b"
)
TITLES = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Frau|Herr|Mevrouw|Meneer|Mevr|Dhr|Sr|Sra|Mme)\.?$")


@dataclass(frozen=True)
class Turn:
    who: str
    said: str


def turns(text: str) -> list[Turn]:
    """The speaker-labelled lines of a transcript ([] unless two speakers or more)."""
    found = [
        Turn(m.group("who").strip(), m.group("said").strip())
        for m in TURN.finditer(text)
        if m.group("who").split()[0].lower() not in NOT_SPEAKERS
        and not re.match(r"[A-Z]{1,3}\d+\b", m.group("who"))  # "AP1 Tom:": an action line
        and not (m.start() < 300 and _names(m.group(0), strict=True))  # an attendee line
    ]
    lines = [line for line in text.strip().splitlines() if line.strip()]
    body = lines[2:] if len(lines) > 4 else lines  # a title or a date may head the transcript
    spoken_lines = sum(1 for line in body if TURN.match(line))
    if len({t.who for t in found}) < 2 or spoken_lines < 0.6 * len(body):
        return []
    return found


def is_meeting(text: str) -> bool:
    """A transcript, or notes whose first lines name a meeting or list its attendees."""
    lines = text.strip().splitlines()
    if turns(text) or any(ROSTER.match(line) for line in lines[:5]):
        return True
    money = re.search(r"(?i)\b(?:invoice|subtotal|total|amount\s+due|receipt)\b", text)
    return MEETING_WORDS.search("\n".join(lines[:2])) is not None and money is None


def people(text: str) -> dict[str, str]:
    """Every name a person goes by (first name, surname, full name) -> their first name."""
    out: dict[str, str] = {}
    lines = text.strip().splitlines()
    listed: list[str] = []
    for index, line in enumerate(lines):
        roster = ROSTER.match(line)
        if roster:
            listed += _names(roster.group("rest"))
        elif index < 4 and not TURN.match(line) or index < 4 and _names(line, strict=True):
            listed += _names(line, strict=True)
    listed += [t.who for t in turns(text)]
    for name in listed:
        words = [w for w in name.split() if not TITLES.match(w)]
        if not words:
            continue
        first = words[0]
        out.setdefault(first, first)
        out.setdefault(" ".join(words), first)
        if len(words) > 1:
            out.setdefault(words[-1], first)
    return out


def _names(line: str, strict: bool = False) -> list[str]:
    """The person names a list line holds ("Ruth (HR), Ahmed" -> Ruth, Ahmed)."""
    line = re.sub(r"\([^)]*\)", " ", line)
    parts = [
        re.sub(r"^[^:]*:\s*", "", p).strip()
        for p in re.split(r"[,;|/]|\.\s|\s+(?:and|und|en|y|et)\s+", line)
    ]
    parts = [p.strip(" .") for p in parts if p.strip(" .")]
    good = [
        p
        for p in parts
        if re.fullmatch(r"[A-Z][\w'-]+(?:\s+(?:[a-z]{1,3}\s+)?[A-Z][\w'-]+){0,2}", p)
    ]
    if strict and (len(parts) < 2 or len(good) < len(parts)):
        return []
    return good


def title(text: str) -> str:
    """The meeting's subject: a topic line, else the first line without its date."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    for line in lines[:6]:
        topic = TOPIC.match(line)
        if topic:
            return _undated(topic.group("rest"))
    for line in lines[:3]:
        said = TURN.match(line)
        if ROSTER.match(line) or (said and said.group("who").lower() not in NOT_SPEAKERS):
            continue
        rest = _undated(DATE_LABEL.sub("", line))
        if len(re.findall(r"[^\W\d_]{2,}", rest)) >= 1 and not _names(line, strict=True):
            return rest
    return ""


def _undated(line: str) -> str:
    for _, pattern in _DUE[:5] + _DUE[-4:-1]:
        line = pattern.sub(" ", line)
    line = re.sub(r"\(\s*(?:\w+\s*)?\)|\(\s*,?\s*\)", " ", line)
    line = re.sub(r"\s+", " ", line)
    return line.strip(" -–,:|()")


def body(text: str) -> list[str]:
    """The lines after the header (title, date, attendees), bullets and numbers removed."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    start = 0
    for index, line in enumerate(lines[:5]):
        if (
            index == 0
            and not TURN.match(line)
            or ROSTER.match(line)
            or TOPIC.match(line)
            or DATE_LABEL.match(line)
            or _names(line, strict=True)
        ):
            start = index + 1
    out = []
    for line in lines[start:]:
        out.append(BULLET.sub("", line, count=1).strip())
    return [line for line in out if line]
