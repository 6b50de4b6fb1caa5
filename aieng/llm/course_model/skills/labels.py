"""Finding the labels a prompt names, their descriptions, and the text to classify.

Shapes read: inline lists ("as positive, negative or neutral", "one of: a, b",
"Categories: a | b", "Is it spam or not_spam?"), bullets ("- label: what it means"),
lines that define labels ("outage - the service is down", "info = no action
needed"), inline definitions ("prospect (no contact yet), closed (deal signed)",
"feat = a new feature, fix = a bug fix"), bare labels listed under a lead-in
line, and few-shot examples ending with an empty ``Label:``. Labels may sit in
the user message or in the system prompt.

Example:
    >>> labels_in("Classify the review as positive, negative or neutral.")[0]
    ['positive', 'negative', 'neutral']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.engine import Task
from aieng.llm.course_model.text import split_instruction

__all__ = ["LabelSet", "find_labels", "labels_in"]

_HEADER = (
    r"\b(?:(?:possible|allowed|valid|available|candidate|the) )?"
    r"(?:categories|category|labels?|classes|class|options|choices|intents?|tags?|topics?"
    r"|departments?|queues?|teams?|buckets?|values)\b"
)
_LIST_BRACKETS = re.compile(r"\b(?:one of|among|from|either)\s*:?\s*[\[({]([^\])}\n]+)[\])}]", re.I)
_LIST_ONE_OF = re.compile(
    r"\b(?:(?:choose|pick|select)\s+(?:exactly\s+)?(?:one\s+)?(?:of|from|between|among)|one of)"
    r"(?:\s+the following|\s+these)?(?:\s+(?:labels|categories|options|values))?\s*:?[ \t]*([^.\n?]+)",
    re.I,
)
_LIST_CHOOSE = re.compile(  # "Choose positive, negative or neutral."
    r"\b(?:choose|pick|select)\s*:?\s+((?:[\w\-]+\s*,\s*)+(?:[\w\-]+,?\s+)?(?:or\s+)?[\w\-]+"
    r"|[\w\-]+\s*,?\s+or\s+[\w\-]+)\s*(?=[.\n;!]|$)",
    re.I,
)
_LIST_HEADER = re.compile(_HEADER + r"[ \t]*(?:are|is|:|=)[ \t]*([^\n.?]+)", re.I)
_FAMILY_HEADER = re.compile(
    r"\b(?:sentiment|emotions?|mood|tone|priority|severity|urgency|intent|topic|category|label|"
    r"class|language|department|team|type|stance|rating|risk|kind)\b\s*\??\s*"
    r"(?:\(([^)\n]+)\)|\[([^\]\n]+)\]|:\s*([^\n.?]+))",
    re.I,
)
_LIST_PAREN = re.compile(
    r"\b(?:classify|categori[sz]e|label|tag|assign|detect|identify|determine|rate|score|mark|"
    r"choose|pick|predict|give|select|return|output)\b[^.\n(:?]{0,60}?[(\[]([^)\]\n]+)[)\]]",
    re.I,
)
_COLON_LIST = re.compile(
    r":[ \t]*([\w][\w \-/]{0,30}(?:[ \t]*(?:,|\bor\b|\|)[ \t]*(?:or[ \t]+)?[\w][\w \-/]{0,30}){1,12})"
    r"[ \t]*(?:[.\n?]|$)",
)
_LIST_QUESTION = re.compile(
    r"\b(?:is|are|was|were|does|do|would you say)\b[^?\n]{0,60}?\b((?:[\w\-]+\s*,\s*)+"
    r"(?:[\w\-]+\s+)?(?:or\s+)?[\w\-]+|(?:an?\s+)?[\w\-]+(?:\s+[\w\-]+)?\s+or\s+(?:an?\s+)?[\w\-]+"
    r"(?:\s+[\w\-]+)?)\s*\?",
    re.I,
)
_LIST_VERB = re.compile(
    r"\b(?:classify|classified|categori[sz]e|label|tag|sort|mark|route|triage|assign|rate|bucket)"
    r"\b[^.\n:?]{0,80}?(?:\b(?:as|into|to|under|with)\s+|:[ \t]*)"
    r"(?:(?:either|exactly|one of|one|the following|the|these|those|categories|labels|a label|"
    r"label)\b\s*:?\s*)*([^.\n?]+)",
    re.I,
)
_LIST_ANSWER = re.compile(
    r"\b(?:answer|reply|respond|output|return|say|write)\s+(?:only\s+)?(?:with\s+)?(?:just\s+)?"
    r"(?:(?:exactly|only)\s+)?(?:(?:one|a single)\s+(?:word|label|category|value|of these)\s*:?\s*)?"
    r"(?:either\s+|one of\s*:?\s*)?([\"'`]?[\w][\w \-]{0,30}[\"'`]?\s*(?:,|\bor\b|/|\|)\s*[^.\n?]+)",
    re.I,
)
_BULLET = re.compile(
    r"^\s*(?:[-*\u2022]|\d+[.)])\s+[`'\"*]*([^:\n\u2014\u2013`'\"*]{1,40}?)[`'\"*]*"
    r"\s*(?:(?::|\u2014|\u2013|\s-\s)\s*(.*))?$",
    re.M,
)
_CUE = re.compile(
    r"\b(?:classify|classif\w+|categori[sz]\w*|label|labels|sentiment|intent|route|triage|tag|"
    r"sort|bucket|assign|belongs?\s+(?:in|to|under)|falls?\s+(?:in|into|under)|file\s+(?:it|this|each)"
    r"|categories|classes|best describes?|is (?:this|it) (?:\w+ )?about|"
    r"detect the language|urgency|priority|(?:which|what)\s+(?:\w+\s+)?(?:category|label|class|"
    r"department|team|queue|topic|language|intent|sentiment|emotion|priority|type|kind|tone))\b",
    re.I,
)
_FAMILY_NOUNS = frozenset(
    "priority urgency severity sentiment category label class intent topic tone language level "
    "risk importance".split()
)
_SPLIT = re.compile(r"\s*(?:,|\||/|;|\bor\b|\band\b)\s*", re.I)
_SPLIT_KEEP_SLASH = re.compile(r"\s*(?:,|\||;|\bor\b|\band\b)\s*", re.I)
_TAIL = re.compile(
    r"\s+(?:based|depending|according|for|given|using|in|with|that|which|where|if|when|"
    r"from|by|to|only|please|:)\b.*$",
    re.I,
)
_FEWSHOT = re.compile(
    r"^[ \t]*(label|sentiment|category|class|intent|answer|output|topic|tag|language|urgency"
    r"|priority)[ \t]*:[ \t]*(.*)$",
    re.I | re.M,
)
_YES_NO = ({"yes", "no"}, {"true", "false"})


@dataclass(frozen=True)
class LabelSet:
    """Labels found in a prompt, their descriptions, and the text to classify."""

    labels: tuple[str, ...]
    descriptions: tuple[tuple[str, str], ...] = ()
    text: str = ""
    question: str = ""


def _clean_items(raw: str) -> list[str]:
    items: list[str] = []
    raw = re.sub(r"\s*\([^()]*\)", "", raw.split(":")[0])  # "billing (money)": the label
    splitter = _SPLIT_KEEP_SLASH if re.search(r",|\||\bor\b", raw, re.I) else _SPLIT
    parts = [p for p in splitter.split(raw) if p and p.strip()]
    for i, part in enumerate(parts):
        item = part.strip().strip("\"'`*.[](){}:").strip()
        if i == len(parts) - 1 and len(item.split()) > 2:
            item = _TAIL.sub("", item).strip().strip("\"'`*.")
        item = re.sub(r"^(?:either|an?|the)\s+", "", item, flags=re.I)
        if not item or len(item.split()) > 4 or len(item) > 40:
            return []
        if item not in items:
            items.append(item)
    if len(items) >= 2:  # "low, medium or high priority": the family noun is not part of a label
        *head, last = items
        parts = last.split()
        if (
            len(parts) > 1
            and parts[-1].lower() in _FAMILY_NOUNS
            and all(not h.lower().endswith(parts[-1].lower()) for h in head)
        ):
            items[-1] = " ".join(parts[:-1])
    return items


_STRONG_LISTS = (
    _LIST_BRACKETS,
    _LIST_ONE_OF,
    _LIST_CHOOSE,
    _LIST_HEADER,
    _LIST_PAREN,
    _LIST_VERB,
    _LIST_ANSWER,
)
_WEAK_LISTS = (_FAMILY_HEADER, _LIST_QUESTION, _COLON_LIST)
_WINDOW = (1000, 500)  # label lists sit in the instruction: the start or the end of a prompt


@lru_cache(maxsize=64)
def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


class _Shifted:
    """A match found in a window of the text, reporting positions in the whole text."""

    def __init__(self, match: re.Match, text: str, offset: int) -> None:
        self._m, self._text, self._offset = match, text, offset
        self.lastindex = match.lastindex

    def start(self, group: int = 0) -> int:
        return self._m.start(group) + self._offset

    def end(self, group: int = 0) -> int:
        return self._m.end(group) + self._offset

    def group(self, group: int = 0) -> str | None:
        if self._m.group(group) is None:
            return None
        return self._text[self.start(group) : self.end(group)]


def _scan(pattern: re.Pattern[str], text: str):
    """``pattern.finditer`` over the prompt's head and tail, matching lower-cased text
    case-sensitively (several times faster than IGNORECASE) with original spellings back."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare character whose lower case has another length
        yield from pattern.finditer(text)
        return
    head, tail = _WINDOW
    windows = [(0, len(text))]
    if len(text) > head + tail:
        windows = [(0, head), (len(text) - tail, len(text))]
    fast = _case_sensitive(pattern)
    for start, end in windows:
        for match in fast.finditer(lowered[start:end]):
            yield _Shifted(match, text, start)


def labels_in(text: str) -> tuple[list[str], list[tuple[int, int]], dict[str, str], bool]:
    """Labels stated in ``text``, the spans that state them, descriptions, and whether
    the statement is weak (a family noun or a question that only may be a label list)."""
    inline = _inline_definitions(text, cued=bool(_WHICH.search(text)))
    found = _stated_list(text, _STRONG_LISTS)
    if inline is not None:  # "as billing (money), tech (bugs) or other": keep the bare one too
        if found and set(inline[0]) < set(found[0]):
            return found[0], found[1], inline[2], False
        return inline[0], inline[1], inline[2], False
    if found:
        return found[0], found[1], {}, False
    bullets = [m for m in _BULLET.finditer(text) if len(m.group(1).split()) <= 4]
    if len(bullets) >= 2 and _CUE.search(text):
        labels = [m.group(1).strip() for m in bullets]
        descriptions = {m.group(1).strip(): (m.group(2) or "").strip() for m in bullets}
        spans = [(bullets[0].start(), bullets[-1].end())]
        return labels, spans, descriptions, False
    block = _definition_block(text)
    if block is not None:
        return block[0], block[1], block[2], False
    found = _stated_list(text, _WEAK_LISTS)
    if found:
        return found[0], found[1], {}, True
    return [], [], {}, False


_INLINE_PAREN = re.compile(
    r"(?:^|[:,;]|\b(?:or|and|as|into|either|between)\b)\s*[`'\"*]?([A-Za-z][\w\-]*(?: [\w\-]+){0,2})[`'\"*]?\s*\(([^()\n]{2,80})\)"
)
_INLINE_EQUALS = re.compile(
    r"(?:^|[:,;]|\bor\b|\band\b)\s*[`'\"*]?([A-Za-z][\w\-]*(?: [\w\-]+){0,2})[`'\"*]?\s*(?:=|->|\u2192)\s*"
    r"([^,;=\n]{2,80}?)(?=\s*(?:[,;.]\s*(?:or\s+|and\s+)?[`'\"*]?[A-Za-z][\w\-]*(?: [\w\-]+){0,2}"
    r"[`'\"*]?\s*(?:=|->|\u2192)|[.\n]|$))"
)


def _inline_definitions(
    text: str, cued: bool = False
) -> tuple[list[str], list[tuple[int, int]], dict[str, str]] | None:
    """Labels described in one line: "prospect (no contact yet), qualified (budget
    confirmed)" or "feat = a new feature, fix = a bug fix" (``cued``: the caller has
    already seen that the text asks for a label)."""
    if not ("(" in text or "=" in text or "->" in text or "\u2192" in text):
        return None
    if not cued and not _CUE.search(text):
        return None
    for pattern in (_INLINE_PAREN, _INLINE_EQUALS):
        for line_match in re.finditer(r"[^\n]+", text):
            line = line_match.group(0)
            found = list(pattern.finditer(line))
            if len(found) < 2:
                continue
            labels = [m.group(1).strip() for m in found]
            if len({lb.lower() for lb in labels}) != len(labels) or any(
                lb.lower() in _FIELDS for lb in labels
            ):
                continue
            start = line_match.start() + found[0].start(1)
            end = line_match.start() + found[-1].end()
            return labels, [(start, end)], {m.group(1).strip(): m.group(2).strip() for m in found}
    return None


_DEFINITION = re.compile(
    r"^[ \t]*[`'\"*]*([A-Za-z][\w&/'\- ]{0,39}?)[`'\"*]*[ \t]*"
    r"(?:=|:|->|\u2192|\u2014|\u2013|[ \t]-[ \t]|\()[ \t]*(\S.*?)\)?[ \t]*$"
)
_BARE = re.compile(r"^[ \t]*[`'\"*]*([A-Za-z][\w&/'\- ]{0,39}?)[`'\"*]*[ \t]*\.?[ \t]*$")
_LEAD_IN = re.compile(_HEADER + r"|\b(?:one of|into|as|following|these)\b[^\n]*:[ \t]*$", re.I)
# Field names of a prompt ("Text: ...", "Review: ..."): lines that hold input, not labels.
_FIELDS = frozenset(
    """text input output review message email ticket question answer label labels category
    categories class classes example examples note notes format task instructions instruction
    rules context sentence document query user assistant system response reply result subject
    from to date title body comment feedback tweet post headline item items options choices tags
    intent sentiment topic headline report alert request complaint description""".split()
)


def _definition_block(text: str) -> tuple[list[str], list[tuple[int, int]], dict[str, str]] | None:
    """Two or more adjacent lines that each name a label and describe it
    ("outage - the service is down", "info = routine, no action") or, after a lead-in
    line ending in a colon, two or more lines that each hold a bare label."""
    if not _CUE.search(text):
        return None
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    run: list[tuple[int, str, str]] = []
    runs: list[list[tuple[int, str, str]]] = []
    for i, line in enumerate(lines + [""]):
        match = _DEFINITION.match(line) if i < len(lines) else None
        label = match.group(1).strip() if match else ""
        if match and len(label.split()) <= 4 and label.lower() not in _FIELDS:
            run.append((i, label, match.group(2).strip()))
            continue
        if len(run) >= 2:
            runs.append(run)
        run = []
    for i, line in enumerate(lines[:-1]):
        if not line.rstrip().endswith(":") or not _LEAD_IN.search(line):
            continue
        bare = []
        for j in range(i + 1, len(lines)):
            match = _BARE.match(lines[j])
            if not match or len(match.group(1).split()) > 3:
                break
            bare.append((j, match.group(1).strip(), ""))
        if len(bare) >= 2:
            runs.append(bare)
    if not runs:
        return None
    best = max(runs, key=len)
    labels = [label for _, label, _ in best]
    if len(set(label.lower() for label in labels)) != len(labels):
        return None
    span = (offsets[best[0][0]], offsets[best[-1][0]] + len(lines[best[-1][0]]))
    return labels, [span], {label: desc for _, label, desc in best}


def _balanced(items: list[str]) -> list[str]:
    """ "message spam or not_spam": the question's noun is not part of the first option."""
    first, second = items
    extra = len(first.split()) - len(second.split())
    return [" ".join(first.split()[extra:]), second] if extra > 0 else items


def _stated_list(text: str, patterns) -> tuple[list[str], list[tuple[int, int]]] | None:
    for pattern in patterns:
        if pattern is _COLON_LIST and not _CUE.search(text):
            continue
        for match in _scan(pattern, text):
            group = next(g for g in range(1, (match.lastindex or 1) + 1) if match.group(g))
            items = _clean_items(match.group(group))
            if pattern is _LIST_QUESTION and len(items) == 2:
                items = _balanced(items)
            if len(items) >= 2:
                end = match.start(group) + len(match.group(group).split(":")[0])
                if pattern is _LIST_PAREN or pattern is _FAMILY_HEADER:
                    end = max(end, match.end() if match.group(0).rstrip()[-1] in ")]" else end)
                return items, [(match.start(), end)]
    return None


def _few_shot(text: str) -> LabelSet | None:
    """``Text: ... / Label: x`` examples ending with an empty ``Label:``."""
    lines = list(_FEWSHOT.finditer(text))
    if len(lines) < 3 or lines[-1].group(2).strip():
        return None
    key = lines[-1].group(1).lower()
    examples = [m for m in lines[:-1] if m.group(1).lower() == key and m.group(2).strip()]
    if len(examples) < 2:
        return None
    labels: list[str] = []
    cues: dict[str, list[str]] = {}
    start = 0
    for m in examples:
        label = m.group(2).strip().strip("\"'`.")
        if label not in labels:
            labels.append(label)
        cues.setdefault(label, []).append(_strip_field(text[start : m.start()]))
        start = m.end()
    query = _strip_field(text[start : lines[-1].start()])
    if len(labels) < 2 or not query:
        return None
    descriptions = tuple((lb, " ".join(cues[lb])) for lb in labels)
    return LabelSet(tuple(labels), descriptions, query)


_LEFTOVER = re.compile(r"^[\s\W]*$", re.M)
_FIELD = re.compile(r"^\s*[A-Za-z][\w ]{0,20}:\s*", re.M)


def _strip_field(chunk: str) -> str:
    lines = [ln for ln in chunk.strip().splitlines() if ln.strip()]
    return _FIELD.sub("", lines[-1]).strip() if lines else ""


def find_labels(task: Task) -> LabelSet | None:
    """The labels a prompt names and the text to classify, or None."""
    user = task.last_user
    shot = _few_shot(user)
    if shot:
        return shot
    labels, spans, descriptions, weak = labels_in(user)
    if labels:
        outside = user
        for start, end in reversed(spans):
            outside = outside[:start] + " " + outside[end:]
        outside = _LEFTOVER.sub("\n", outside).strip()
        instruction, body = split_instruction(outside)
        tail = re.split(r"[?:]", outside)[-1].strip()
        if weak and len(tail.split()) < 2:
            return None  # "Is Python better, Java or Go?" names options, not labels for a text
        text = body if len(body) > 3 else tail if weak else outside
        question = instruction if "?" in instruction else ""
        return LabelSet(
            tuple(labels), tuple(descriptions.items()), _strip_field_all(text), question
        )
    system = task.system
    if not system or not (_CUE.search(system + " " + user) or _explicit_list(system)):
        return None
    labels, _, descriptions, _ = labels_in(system)
    if not labels:
        labels = _labels_from_history(task)
    if not labels:
        return None
    return LabelSet(tuple(labels), tuple(descriptions.items()), user.strip(), "")


_WHICH = re.compile(r"\b(?:which|what)\b[^?\n]{0,80}\?", re.I)


def _explicit_list(text: str) -> bool:
    """A question with choices ("Which genre is this? Choose from: a, b"; "What stage is the
    lead in? Options: a (...), b (...)"): labels even without a word such as "classify".
    A bare "your options are: ..." in an assistant's instructions is not."""
    if not _WHICH.search(text):
        return False
    return (
        _stated_list(text, (_LIST_BRACKETS, _LIST_ONE_OF, _LIST_CHOOSE, _LIST_HEADER)) is not None
        or _inline_definitions(text, cued=True) is not None
    )


def _strip_field_all(text: str) -> str:
    text = re.sub(
        r"\b(?:classify|categori[sz]e|label|tag)\b[^:\n]{0,60}?(?:as|into)?\s*[:.]?\s*$", "", text
    )
    return _FIELD.sub("", text.strip(" \t\n.,;:"), count=1).strip()


def _labels_from_history(task: Task) -> list[str]:
    answers = [m.content.strip() for m in task.messages if m.role == "assistant" and m.content]
    labels: list[str] = []
    for answer in answers:
        if len(answer.split()) > 3:
            return []
        if answer not in labels:
            labels.append(answer)
    return labels if len(labels) >= 2 else []
