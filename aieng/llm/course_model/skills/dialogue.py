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

from aieng.llm.course_model.skills import calendar
from aieng.llm.course_model.skills.minutes import Turn, body, people, turns

YES = re.compile(
    r"(?i)^\W*(?:yes|yeah|yep|sure|ok(?:ay)?|of course|absolutely|will do|on it|no problem|"
    r"can do|sounds good|fine|definitely|i(?:'ll| will| can)\b|ja\b|s[ií]\b|oui\b|claro|prima"
    r"|gerne|natuurlijk|doe ik|mach ich)"
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
    r"(?i)\b(?:we(?:'ve| have|'re| are)?\s+(?:also\s+)?(?:agreed|decided)|agreed(?:\s+to|\s+that|:)"
    r"|decided(?:\s+to|\s+that|:)|decision(?:\s+then)?\s*:|that's\s+decided|besloten|besluit"
    r"|beschluss|beschlossen|entschieden|decidimos|acordamos|d[ée]cid[ée]|we(?:'ll| will)?\s+go\s+(?:with|for)|(?:let's|we're)\s+"
    r"go(?:ing)?\s+with|(?:we're|we\s+are|we'll)\s+drop(?:ping)?|settled\s+on|approved"
    r"|(?:slips?|slipping|postponed?|pushed\s+back|moved\s+to|delayed)\b)"
)
COMMIT = re.compile(
    r"(?i)^(?:ok(?:ay)?[,\s]+|so[,\s]+|and[,\s]+|then[,\s]+|sure[,\s]+|yes[,\s]+|yeah[,\s]+)*"
    r"(?:i(?:'ll|\s+will|\s+can|'m\s+going\s+to|\s+am\s+going\s+to)|let\s+me"
    r"|(?:ik|ich|yo|je)(?=\s+(?!heb|hebben|had|habe|hatte|war|was|ben|bin|he|ai|avais|fui)"
    r"[a-zà-ÿ]))\s+(?P<task>(?!(?:\w+\s+)?(?:nothing|not|never)\b).+)"
)
NAMED = re.compile(
    r"(?P<who>\b[A-Z][a-z]+)\s+(?:will|is\s+going\s+to|'s\s+going\s+to|to|can|should)\s+"
    r"(?P<task>(?!be\b|have\b|not\b)[a-z].+)"
)
ASK = re.compile(
    r"^(?:(?:[Aa]nd|[Ss]o|[Oo]k(?:ay)?|[Aa]lso|[Tt]hen)[,\s]+)?(?:(?P<pre>[A-Z][a-z]+)\s*,?\s*)?"
    r"(?:[^,?]{0,30},\s*)?(?i:(?:can|could|would|will)\s+you|please|kun\s+(?:jij|je)|kunt\s+u"
    r"|wil\s+(?:jij|je)|kannst\s+du|k[öo]nn(?:t)?en\s+sie|puedes|podr[ií]as|peux-tu"
    r"|pouvez-vous)\s+"
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
PRONOUN_TASK = re.compile(  # "send them" refers back; "send them the quote" is a task of its own
    r"(?i)^(?:do|handle|take|own|grab|cover|get|have|sort|send|finish)\s+(?:it|that|this|them"
    r"|those)\b(?!\s+(?:the|a|an|our|your|their|my|his|her|some|all|both|every)\b)"
)
NEED = re.compile(
    r"(?i)\b(?:need|needs|want)\s+(?:someone|somebody|a\s+volunteer)\s+to\s+(?P<task>[^.?!]+)"
)
BARE_ASK = re.compile(
    r"^(?:(?:[Aa]nd|[Ss]o)\s+)?(?P<pre>[A-Z][a-z]+)\s*,\s*(?P<task>[^?]{3,80})\?$"
)
FILLER = re.compile(r"(?i)\b(?:um+|uh+|erm|you know)\b,?\s*|\b((?:\w+\s){0,2}\w+)-\s+(?=\1\b)")
NOTE_OWNER = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Frau|Herr|Mevrouw|Meneer|Mevr|Dhr|Sr|Sra|Mme)\.?\s+)?"
    r"(?P<who>[A-Z][\w'-]+)(?:\s*:\s*|\s+)(?P<task>(?:to\s+|will\s+|shall\s+|zal\s+|wird\s+)?"
    r"(?!is\b|was\b|were\b|has\b|had\b|hat\b|ist\b|war\b|heeft\b|said\b|says\b|mentioned\b)"
    r"[a-zà-ÿ][\w-]*(?<!ed)\b.*)$"
)
NO_ACTIONS = re.compile(
    r"(?i)\b(?:no|zero|none\s+of\s+the)\s+(?:new\s+)?(?:action\s+(?:items?|points?)|actions|"
    r"follow[\s-]?ups?|to-?dos?)\b|\bnothing\s+to\s+action\b"
)
ACTION_LINE = re.compile(r"(?i)^[ \t]*(?:[A-Z]{1,3}\d{1,3}\b|action(?:\s+item)?\s*:|todo\s*:)")


@dataclass(frozen=True)
class ActionItem:
    owner: str | None
    task: str
    due: str | None


def _first(name: str) -> str:
    return name.split()[0]


def _clean(said: str) -> str:
    """A transcript line without fillers and restarts ("can you- can you" -> "can you")."""
    return re.sub(r"\s+", " ", FILLER.sub("", said)).strip()


def _task(phrase: str, names: set[str]) -> str:
    phrase = re.split(r"(?<=[a-z0-9)])[.;!?](?:\s|$)|\s+(?:and|but)\s+(?=i\b|we\b|[A-Z])", phrase)[
        0
    ]
    phrase = DUE_PHRASE.sub(" ", phrase)
    phrase = re.sub(r"(?i)\b(?:please|for me|for us|asap)\b|\s+-\s+.*$", " ", phrase)
    words = [w for w in phrase.split() if w.strip(",") not in names]
    return " ".join(words).strip(" ,.?!-")


def _due(said: str, today: dt.date | None) -> str | None:
    return calendar.due_date(said, today)


def action_items(text: str, today: dt.date | None = None) -> list[ActionItem]:
    """The meeting's accepted commitments, in order (see the module docstring)."""
    today = calendar.stated_date(text) or today
    spoken = [Turn(t.who, _clean(t.said)) for t in turns(text)]
    known = people(text)
    if not spoken:
        return _noted(text, known, today)
    names = set(known) | {_first(t.who) for t in spoken} | {t.who for t in spoken}
    items: list[ActionItem] = []
    folded: set[int] = set()
    for index, turn in enumerate(spoken):
        if index in folded:
            continue
        sentences = re.split(r"(?<=[.!?])\s+", turn.said)
        for number, sentence in enumerate(sentences):
            found = _read(sentence, turn, spoken[index + 1 :], names, today, index, folded)
            if found is None:
                continue
            if PRONOUN_TASK.match(found.task) or not found.task:
                need = NEED.search(" ".join(sentences[:number]))
                if need is not None:
                    found = ActionItem(found.owner, _task(need.group("task"), names), found.due)
                elif not (found.task and (ASK.match(sentence) or BARE_ASK.match(sentence))):
                    continue  # "I'll do it" on its own: no task to own
            if DECISION.search(sentence) and not COMMIT.match(sentence):
                continue
            if all((i.owner, i.task) != (found.owner, found.task) for i in items):
                items.append(found)
    return items


def _read(sentence, turn, later, names, today, index, folded) -> ActionItem | None:
    sentence = sentence.strip()
    labelled = LABELLED.match(sentence)
    if labelled:
        body_ = labelled.group("task")
        owner = re.search(r"(?i)(?:owner|assignee|@)\s*:?\s*(?P<o>[A-Z]\w+)", body_)
        named = NAMED.search(body_)
        who = owner.group("o") if owner else (named.group("who") if named else None)
        task = named.group("task") if named and not owner else re.sub(r"\(.*?\)|@\w+", "", body_)
        return ActionItem(who, _task(task, names), _due(body_, today))
    asked = ASK.match(sentence)
    bare = BARE_ASK.match(sentence)
    if (
        asked
        and (sentence.rstrip().endswith("?") or asked.group("pre"))
        or (bare and bare.group("pre") in names)
    ):
        match = asked or bare
        who = match.group("pre") or (asked.group("post") if asked else None)
        if who is None or who not in names:
            who = _first(later[0].who) if later else None
        owner, due = _answered(who, later, today, index, folded, _due(sentence, today))
        if owner is None:
            return None
        return ActionItem(owner, _task(match.group("task"), names), due)
    committed = COMMIT.match(sentence)
    if committed:
        return ActionItem(_first(turn.who), _task(committed.group("task"), names),
                          _due(sentence, today))  # fmt: skip
    named = NAMED.search(sentence)
    if named and named.group("who") in names | _capitalised(sentence) - {"I"}:
        who, task = named.group("who"), _task(named.group("task"), names)
        due = _due(sentence, today)
        for offset, other in enumerate(later[:3]):
            if _first(other.who) == who:  # the person named answers: "I'll send them tomorrow"
                said = COMMIT.match(other.said)
                if YES.match(other.said) or (
                    said and PRONOUN_TASK.match(_task(said.group("task"), names))
                ):
                    folded.add(index + 1 + offset)
                    due = _due(other.said, today) or due
                break
        return ActionItem(who, task, due)
    return None


def _capitalised(sentence: str) -> set[str]:
    words = re.findall(r"\b[A-Z][a-z]+\b", sentence)
    return set(words[1:])  # a capitalised word inside a sentence may be a person not yet speaking


def _answered(who, later: list[Turn], today, index: int, folded: set[int], asked_due=None):
    """The final owner of a request to ``who`` and the due date the exchange settles on; the
    answer (and a take-over) is folded into the request, a date named right after it wins."""
    if who is None:
        return None, None
    for offset, turn in enumerate(later[:4]):
        if _first(turn.who) == who:
            folded.add(index + 1 + offset)
            if NO.match(turn.said):
                for step, other in enumerate(later[offset + 1 : offset + 4], offset + 1):
                    took = TAKE_OVER.search(other.said)
                    if took:
                        folded.add(index + 1 + step)
                        name = took.group("to") or took.group("who") or _first(other.who)
                        due = _due(other.said, today) or asked_due
                        return name, _settled(later[step:], due, today)
                return None, None
            return who, _settled(later[offset:], _due(turn.said, today) or asked_due, today)
        took = TAKE_OVER.search(turn.said)
        if took and NO.match(turn.said) is None and took.group("to"):
            return took.group("to"), asked_due
    return who, asked_due


def _settled(exchange: list[Turn], due: str | None, today) -> str | None:
    """A date the next two turns set for the task just answered ("Monday then.")."""
    for turn in exchange[1:3]:
        said = turn.said
        if (
            "?" in said
            or len(said.split()) > 12
            or DECISION.search(said)
            or any(
                COMMIT.match(part) or NAMED.search(part)
                for part in re.split(r"(?<=[.!?])\s+", said)
            )
        ):
            break
        due = _due(turn.said, today) or due
    return due


def _noted(text: str, known: dict[str, str], today) -> list[ActionItem]:
    """Action items of notes: "Grace to write the article, due tomorrow", "AP2 Ines: order
    cups", "Frau Vogel sendet die Preisliste bis Freitag" (a listed person, or any name on
    an action line)."""
    from aieng.llm.course_model.skills.minutes import NOT_SPEAKERS
    from aieng.llm.course_model.skills.redact import FIRST_NAMES

    if NO_ACTIONS.search(text):
        return []  # notes that say so have none, whatever "X: ..." header lines look like
    items: list[ActionItem] = []
    raw = [line for line in text.strip().splitlines() if line.strip()]
    labelled = {minutes_line(line) for line in raw if ACTION_LINE.match(line)}
    for line in body(text):
        for sentence in re.split(r"(?<=[a-z)])[.!?]\s+(?=[A-Z])", line):
            if DECISION.search(sentence) or re.match(
                r"(?i)(?:some(?:one|body)|we|nobody)\b", sentence
            ):
                continue
            found = NOTE_OWNER.match(sentence)
            if not found:
                continue
            who = found.group("who")
            # Without an attendee list, "Tom will ..." / "Lena to ..." still names an owner
            # when the word is a first name (not "We", "Date", "Budget").
            committed = re.match(r"(?:to|will|shall)\s+(?!be\b|have\b|need\b)", found.group("task"))
            named = who.lower() not in NOT_SPEAKERS and (
                who.lower() in FIRST_NAMES or _looks_like_a_name(who)
            )
            if who not in known and line not in labelled and not (committed and named):
                continue
            task = re.sub(r"^(?:to|will|shall|zal|wird)\s+", "", found.group("task"))
            items.append(
                ActionItem(known.get(who, who), _task(task, set(known)), _due(sentence, today))
            )
    return items


NOT_NAMES = frozenset(
    "we they it this that these those the a an all everyone everybody someone somebody nobody "
    "team staff management marketing finance sales support legal hr it ops board committee "
    "next then also finally first last budget plan project".split()
)


def _looks_like_a_name(word: str) -> bool:
    """A capitalised word that is not a common noun or pronoun: "Piet", not "Marketing"."""
    lowered = word.lower()
    return (
        lowered not in NOT_NAMES
        and 2 <= len(word) <= 12
        and not re.search(r"(?:ing|tion|ment|ness|ers|ies)$", lowered)
    )


def minutes_line(line: str) -> str:
    from aieng.llm.course_model.skills.minutes import BULLET

    return BULLET.sub("", line, count=1).strip()


def decisions(text: str) -> list[str]:
    """What the meeting decided, one clause each ("drop the webinar"); a bare "Agreed." or
    "That's decided." makes the statement before it the decision."""
    out: list[str] = []
    spoken = [_clean(t.said) for t in turns(text)] or body(text)
    previous = ""
    for said in spoken:
        for sentence in re.split(r"(?<=[.!?])\s+", said):
            bare = re.fullmatch(
                r"(?i)\W*(?:ok(?:ay)?,?\s*)?(?:agreed|that's\s+decided|decided)\W*", sentence
            )
            if bare and previous:
                sentence = previous
            elif not DECISION.search(sentence) or sentence.rstrip().endswith("?"):
                previous = sentence
                continue
            previous = sentence
            clause = re.sub(
                r"(?i)^(?:(?:ok(?:ay)?|so|and|also|then|great|right)[,\s]+)+", "", sentence.strip()
            )
            clause = re.sub(
                r"(?i)^.*?\b(?:we(?:'ve| have|'re| are)?\s+(?:also\s+)?(?:agreed|decided)"
                r"(?:\s+(?:then|to|that|on))?|(?:it's\s+)?(?:agreed|decided|decision|besloten"
                r"|beschluss|decidimos)(?:\s+(?:then|to|that)|\s*:)?)\s*:?\s*",
                "",
                clause,
            )
            clause = re.sub(r"(?i)\s*\bthat's decided\b", "", clause).strip(" .!")
            if clause and clause[0].upper() + clause[1:] not in out:
                out.append(clause[0].upper() + clause[1:])
    return out


def summary(text: str, today: dt.date | None = None) -> str:
    """Two or three sentences: the topic and first points, the decisions, the actions."""
    from aieng.llm.course_model.skills.recap import recap

    return recap(text, today)
