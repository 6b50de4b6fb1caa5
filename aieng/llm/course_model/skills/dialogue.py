"""Meeting transcripts: who said what, the commitments made, and what was decided.

A transcript is two or more speaker-labelled lines ("Priya: ..."). An action
item is a commitment or a request that was accepted: "I'll send the deck"
(the speaker), "Ana will book the room" (the person named), "Tom, can you fix
the form?" answered "sure" (the person addressed; a refusal followed by "I'll
take it" moves it to whoever took it), "Action: ..." / "TODO: ..." lines. Its
task is the verb phrase, its due date the date the commitment names, resolved
against the transcript's header date (see ``calendar``), else None. Decisions
("we agreed to", "decided", "we'll go with", "dropping") are not action items.

Example:
    >>> items = action_items("Ana: Tom, can you book the room by Friday?\\nTom: sure.")
    >>> [(i.owner, i.task) for i in items]
    [('Tom', 'book the room')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from aieng.llm.course_model.skills.entities import analyse

TURN = re.compile(
    r"(?m)^[ \t]*(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]?[ \t]*[-–]?[ \t]*)?"
    r"(?P<who>[A-Z][\w.'-]*(?:[ \t][A-Z][\w.'-]*){0,2})[ \t]*(?:\([^)\n]*\))?[ \t]*:[ \t]*"
    r"(?P<said>\S[^\n]*)$"
)
NOT_SPEAKERS = frozenset(
    "date time subject from to cc re attendees participants present notes agenda action actions "
    "decision decisions todo location where when title meeting summary minutes next note topic "
    "absent apologies chair host owner due status total subtotal tax vat invoice bill ship fwd "
    "fw balance amount order phone email tel fax customer".split()
)
YES = re.compile(
    r"(?i)^\W*(?:yes|yeah|yep|sure|ok(?:ay)?|of course|absolutely|will do|on it|no problem|"
    r"can do|sounds good|fine|definitely|i(?:'ll| will| can)\b)"
)
NO = re.compile(
    r"(?i)^\W*(?:no\b|nope|sorry|i can(?:'t|not)|can't|i won't|not me|i don't have time|"
    r"i'm (?:out|away|off|busy|swamped)|unfortunately)"
)
TAKE_OVER = re.compile(
    r"(?i)\b(?:i(?:'ll| will| can)\s+(?:take|do|handle|grab|cover|pick\s+up)\s+(?:it|that|this"
    r"|over)|(?:give|pass|hand)\s+(?:it|that)\s+to\s+(?P<to>[A-Z]\w+)|(?P<who>[A-Z]\w+)\s+"
    r"(?:can|will|could)\s+(?:take|do|handle|cover)\s+(?:it|that|this))\b"
)
DECISION = re.compile(
    r"(?i)\b(?:we(?:'ve| have)?\s+(?:also\s+)?(?:agreed|decided)|agreed(?:\s+to|\s+that|:)"
    r"|decided(?:\s+to|\s+that|:)|decision\s*:|we(?:'ll| will)\s+go\s+with|(?:let's|we're)\s+"
    r"go(?:ing)?\s+with|(?:we're|we\s+are|we'll)\s+drop(?:ping)?|settled\s+on|approved"
    r"|(?:slips?|slipping|postponed?|pushed\s+back|moved\s+to|delayed)\b)"
)
COMMIT = re.compile(
    r"(?i)^(?:ok(?:ay)?[,\s]+|so[,\s]+|and[,\s]+|then[,\s]+|sure[,\s]+|yes[,\s]+|yeah[,\s]+)*"
    r"(?:i(?:'ll|\s+will|\s+can|'m\s+going\s+to|\s+am\s+going\s+to)|let\s+me)\s+(?P<task>.+)"
)
NAMED = re.compile(
    r"(?P<who>\b[A-Z][a-z]+)\s+(?:will|is\s+going\s+to|'s\s+going\s+to|to|can|should)\s+"
    r"(?P<task>(?!be\b|have\b|not\b)[a-z].+)"
)
ASK = re.compile(
    r"(?i)^(?:(?P<pre>[A-Z][a-z]+)\s*,\s*)?(?:(?:can|could|would)\s+you|please|will\s+you)\s+"
    r"(?P<task>.+?)(?:\s*,\s*(?P<post>[A-Z][a-z]+))?\s*\??$"
)
LABELLED = re.compile(
    r"(?i)^(?:action(?:\s+item)?|todo|to-do|ai|follow[\s-]?up)\s*[:-]\s*(?P<task>.+)"
)
DUE_PHRASE = re.compile(
    r"(?i)\s*\b(?:by|before|on|until|due|for|no\s+later\s+than)?\s*(?:the\s+)?(?:end\s+of\s+"
    r"(?:the\s+|this\s+)?(?:day|week|month)|eod|eow|eom|today|tonight|tomorrow|next\s+\w+|this\s+"
    r"\w+day|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{4}-\d\d-\d\d|\d{1,2}\s+[A-Z][a-z]+"
    r"(?:\s+\d{4})?|[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?|in\s+\w+\s+(?:days?|weeks?))\b"
)
PRONOUN_TASK = re.compile(r"(?i)^(?:do|handle|take|own|grab|cover|get)\s+(?:it|that|this)\b")


@dataclass(frozen=True)
class Turn:
    who: str
    said: str


@dataclass(frozen=True)
class ActionItem:
    owner: str | None
    task: str
    due: str | None


def turns(text: str) -> list[Turn]:
    """The speaker-labelled lines of a transcript ([] unless two speakers or more)."""
    found = [
        Turn(m.group("who").strip(), m.group("said").strip())
        for m in TURN.finditer(text)
        if m.group("who").split()[0].lower() not in NOT_SPEAKERS
    ]
    lines = [line for line in text.strip().splitlines() if line.strip()]
    body = lines[2:] if len(lines) > 4 else lines  # a title or a date may head the transcript
    spoken_lines = sum(1 for line in body if TURN.match(line))
    if len({t.who for t in found}) < 2 or spoken_lines < 0.6 * len(body):
        return []
    return found


def _first(name: str) -> str:
    return name.split()[0]


def _task(phrase: str, names: set[str]) -> str:
    phrase = re.split(r"(?<=[a-z0-9)])[.;!?](?:\s|$)|\s+(?:and|but)\s+(?=i\b|we\b|[A-Z])", phrase)[
        0
    ]
    phrase = DUE_PHRASE.sub(" ", phrase)
    phrase = re.sub(r"(?i)\b(?:please|for me|for us|asap)\b", " ", phrase)
    words = [w for w in phrase.split() if w.strip(",") not in names]
    return " ".join(words).strip(" ,.?!")


def _due(said: str, today: dt.date | None) -> str | None:
    if today is None and not re.search(r"\d{4}", said):
        return None
    dates = analyse(said, today).of("date", "datetime")
    return str(dates[0].value)[:10] if dates else None


def action_items(text: str, today: dt.date | None = None) -> list[ActionItem]:
    """The transcript's accepted commitments, in order (see the module docstring)."""
    spoken = turns(text)
    names = {_first(t.who) for t in spoken} | {t.who for t in spoken}
    items: list[ActionItem] = []
    for index, turn in enumerate(spoken):
        for sentence in re.split(r"(?<=[.!?])\s+", turn.said):
            found = _read(sentence, turn, spoken[index + 1 :], names, today)
            if found is None:
                continue
            if PRONOUN_TASK.match(found.task) or not found.task:
                if items and found.owner == items[-1].owner and found.due:
                    items[-1] = ActionItem(items[-1].owner, items[-1].task, found.due)
                continue
            if DECISION.search(sentence) and not COMMIT.match(sentence):
                continue
            if all((i.owner, i.task) != (found.owner, found.task) for i in items):
                items.append(found)
    return items


def _read(
    sentence: str, turn: Turn, later: list[Turn], names: set[str], today: dt.date | None
) -> ActionItem | None:
    sentence = sentence.strip()
    labelled = LABELLED.match(sentence)
    if labelled:
        body = labelled.group("task")
        owner = re.search(r"(?i)(?:owner|assignee|@)\s*:?\s*(?P<o>[A-Z]\w+)", body)
        named = NAMED.search(body)
        who = owner.group("o") if owner else (named.group("who") if named else None)
        task = named.group("task") if named and not owner else re.sub(r"\(.*?\)|@\w+", "", body)
        return ActionItem(who, _task(task, names), _due(body, today))
    asked = ASK.match(sentence)
    if asked and sentence.rstrip().endswith("?") or (asked and asked.group("pre")):
        who = asked.group("pre") or asked.group("post")
        if who is None or who not in names:
            who = _first(later[0].who) if later else None
        owner, due = _answered(who, later, today)
        if owner is None:
            return None
        return ActionItem(owner, _task(asked.group("task"), names), _due(sentence, today) or due)
    committed = COMMIT.match(sentence)
    if committed:
        return ActionItem(_first(turn.who), _task(committed.group("task"), names),
                          _due(sentence, today))  # fmt: skip
    named = NAMED.search(sentence)
    if named and named.group("who") in names | _capitalised(sentence) - {"I"}:
        return ActionItem(named.group("who"), _task(named.group("task"), names),
                          _due(sentence, today))  # fmt: skip
    return None


def _capitalised(sentence: str) -> set[str]:
    words = re.findall(r"\b[A-Z][a-z]+\b", sentence)
    return set(words[1:])  # a capitalised word inside a sentence may be a person not yet speaking


def _answered(who: str | None, later: list[Turn], today) -> tuple[str | None, str | None]:
    """The final owner of a request to ``who`` and any date the answer gives."""
    if who is None:
        return None, None
    for turn in later[:4]:
        if _first(turn.who) == who:
            if NO.match(turn.said):
                for other in later[later.index(turn) + 1 : later.index(turn) + 4]:
                    took = TAKE_OVER.search(other.said)
                    if took:
                        name = took.group("to") or took.group("who") or _first(other.who)
                        return name, _due(other.said, today)
                return None, None
            return who, _due(turn.said, today)
        took = TAKE_OVER.search(turn.said)
        if took and NO.match(turn.said) is None and took.group("to"):
            return took.group("to"), None
    return who, None


def decisions(text: str) -> list[str]:
    """What the meeting decided, one clause each ("drop the webinar")."""
    out: list[str] = []
    for turn in turns(text):
        for sentence in re.split(r"(?<=[.!?])\s+", turn.said):
            if not DECISION.search(sentence) or sentence.rstrip().endswith("?"):
                continue
            clause = re.sub(
                r"(?i)^(?:(?:ok(?:ay)?|so|and|also|then|great|right)[,\s]+)+", "", sentence.strip()
            )
            clause = re.sub(
                r"(?i)^(?:we(?:'ve| have)?\s+(?:also\s+)?(?:agreed|decided)(?:\s+(?:to|that|on))?"
                r"|(?:it's\s+)?(?:agreed|decided|decision)(?:\s+(?:to|that)|\s*:)?)\s*",
                "",
                clause,
            )
            clause = clause.strip(" .!")
            if clause and clause not in out:
                out.append(clause[0].upper() + clause[1:])
    return out


def summary(text: str, today: dt.date | None = None) -> str:
    """One or two sentences: what was decided, then who does what."""
    decided = decisions(text)
    items = action_items(text, today)
    parts = []
    if decided:
        joined = "; ".join(d[0].lower() + d[1:] for d in decided)
        parts.append(f"The meeting decided: {joined}.")
    if items:
        who = [f"{i.owner or 'someone'} will {i.task}" for i in items[:4]]
        parts.append(("Actions: " + ", ".join(who) + ".") if parts else _cap(", ".join(who) + "."))
    if not parts:
        spoken = turns(text)
        words = " ".join(t.said for t in spoken[:2])
        return f"Discussion between {', '.join(sorted({_first(t.who) for t in spoken}))}: {words}"
    return " ".join(parts)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
