"""Classification into labels that the prompt names.

``rank_labels`` scores any label set against a text by general rules: the
label's own words and description (stems plus synonyms), a small vocabulary of
cues for common label families (sentiment with negation and intensity,
urgency and severity scales, spam, languages, common topics), and, when
``strong``, the embedding similarity of text and label. ``classify`` finds the
labels a prompt names and answers with the best one, spelled as given.

Example:
    >>> rank_labels("production halted, robots down", ["low", "medium", "high"])[0][0]
    'high'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.signals import (
    NOT_LABEL,
    TOPIC_STEMS,
    evidence,
    family_scores,
    label_family,
    polarity,
    stem_set,
    urgency,
)
from aieng.llm.course_model.text import (
    STOPWORDS,
    content_words,
    expand,
    split_identifier,
    split_instruction,
    stem,
    words,
)

__all__ = ["classify", "find_labels", "labels_in", "polarity", "rank_labels", "urgency"]

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- label scoring


def _lexical_score(text_stems: frozenset[str], label: str, description: str) -> float:
    parts = split_identifier(label)
    label_stems = {stem(w) for w in parts if w not in STOPWORDS} or {stem(w) for w in parts}
    cues: set[str] = set()
    for s in label_stems:
        cues |= TOPIC_STEMS.get(s, frozenset())
    desc = stem_set(description) if description else frozenset()
    score = 0.0
    if label_stems:
        score += 1.0 * len(label_stems & text_stems) / len(label_stems)
        score += 0.5 * len(expand(label_stems) & text_stems) / max(1, len(label_stems))
    if cues:
        score += 0.35 * min(3, len(cues & text_stems))
    if desc:
        score += 0.3 * min(4, len(expand(desc) & text_stems))
    return score


def _lexical_rank(text: str, labels: list[str], descriptions: dict[str, str]) -> list[float]:
    text_stems = stem_set(text)
    families = family_scores(text, labels)
    scores: list[float] = []
    for label, family in zip(labels, families, strict=True):
        negated = NOT_LABEL.match(label.strip())
        base = negated.group(1) if negated else label
        lexical = _lexical_score(text_stems, base, descriptions.get(label, ""))
        if negated:  # "not spam" scores what "spam" does not
            family_value = family_scores(text, [base])[0]
            other = family_value if family_value is not None else lexical
            scores.append(0.8 - 0.5 * min(1.0, other))
            continue
        scores.append(lexical if family is None else family + 0.5 * lexical)
    return scores


@lru_cache(maxsize=256)
def _label_vectors(labels: tuple[str, ...], descriptions: tuple[str, ...]):
    from aieng.llm.embeddings import embed

    prompts = [
        f"{label}: {desc}" if desc else label
        for label, desc in zip(labels, descriptions, strict=True)
    ]
    return embed(prompts)


@lru_cache(maxsize=2048)
def _text_vector(text: str):
    from aieng.llm.embeddings import embed

    return embed([text])[0]


@lru_cache(maxsize=512)
def embed_texts(texts: tuple[str, ...]):
    """Unit embeddings of ``texts`` (cached per tuple; loads the model on first use)."""
    from aieng.llm.embeddings import embed

    return embed(list(texts))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' embeddings (loads the embedding model)."""
    return float(_text_vector(a) @ _text_vector(b))


def topic_cues(stems_: set[str] | frozenset[str]) -> set[str]:
    """Everyday words associated with topic words among ``stems_`` ("billing" -> invoice...)."""
    out: set[str] = set()
    for s in stems_:
        out |= TOPIC_STEMS.get(s, frozenset())
    return out


def _fallback_index(labels: list[str]) -> int | None:
    for i, label in enumerate(labels):
        if label.strip().lower() in ("other", "neutral", "none", "general", "misc", "unknown"):
            return i
    return None


def rank_labels(
    text: str,
    labels: list[str],
    descriptions: dict[str, str] | None = None,
    strong: bool = False,
) -> list[tuple[str, float]]:
    """Rank ``labels`` for ``text``, best first, with scores (higher is better).

    Args:
        text: The text to classify.
        labels: The candidate labels, spelled as the caller wants them back.
        descriptions: Optional label -> description, used as extra cues.
        strong: Blend in embedding similarity (course-large); lexical only otherwise.

    Returns:
        ``(label, score)`` pairs, best first; ties keep the given order.

    Example:
        >>> rank_labels("I am not happy with this", ["positive", "negative"])[0][0]
        'negative'
    """
    if not labels:
        return []
    descriptions = descriptions or {}
    scores = _lexical_rank(text, labels, descriptions)
    if max(scores) <= 0.0:
        fallback = _fallback_index(labels)
        if fallback is not None:
            scores[fallback] = 0.05
    if strong and text.strip():
        vectors = _label_vectors(tuple(labels), tuple(descriptions.get(lb, "") for lb in labels))
        sims = vectors @ _text_vector(text)
        scores = [s + 0.8 * float(sim) for s, sim in zip(scores, sims, strict=True)]
    order = sorted(range(len(labels)), key=lambda i: (-scores[i], i))
    return [(labels[i], round(scores[i], 4)) for i in order]


# ---------------------------------------------------------------- labels in a prompt

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
_LIST_HEADER = re.compile(_HEADER + r"\s*(?:are|is|:|=)\s*([^\n.?]+)", re.I)
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
    r"[ \t]*(?:[.\n]|$)",
)
_LIST_QUESTION = re.compile(
    r"\b(?:is|are|was|were|does|do|would you say)\b[^?\n]{0,60}?\b((?:[\w\-]+\s*,\s*)+"
    r"(?:or\s+)?[\w\-]+|(?:an?\s+)?[\w\-]+(?:\s+[\w\-]+)?\s+or\s+(?:an?\s+)?[\w\-]+"
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
    raw = raw.split(":")[0]
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


_STRONG_LISTS = (_LIST_BRACKETS, _LIST_ONE_OF, _LIST_HEADER, _LIST_PAREN, _LIST_VERB, _LIST_ANSWER)
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
    found = _stated_list(text, _STRONG_LISTS)
    if found:
        return found[0], found[1], {}, False
    bullets = [m for m in _BULLET.finditer(text) if len(m.group(1).split()) <= 4]
    if len(bullets) >= 2 and _CUE.search(text):
        labels = [m.group(1).strip() for m in bullets]
        descriptions = {m.group(1).strip(): (m.group(2) or "").strip() for m in bullets}
        spans = [(bullets[0].start(), bullets[-1].end())]
        return labels, spans, descriptions, False
    found = _stated_list(text, _WEAK_LISTS)
    if found:
        return found[0], found[1], {}, True
    return [], [], {}, False


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
    if not system or not _CUE.search(system + " " + user):
        return None
    labels, _, descriptions, _ = labels_in(system)
    if not labels:
        labels = _labels_from_history(task)
    if not labels:
        return None
    return LabelSet(tuple(labels), tuple(descriptions.items()), user.strip(), "")


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


def _answer_yes_no(found: LabelSet) -> str:
    """Yes/no (or true/false) about the text: a label family if the question
    names one, otherwise whether the text covers the question's key words."""
    yes, no = found.labels[0], found.labels[1]
    if found.labels[0].lower() in ("no", "false"):
        yes, no = no, yes
    question = found.question.lower()
    for word in words(question):
        family = label_family(word)
        if family is None:
            continue
        name, value = family
        if name == "polarity" and value != "mixed":
            p = polarity(found.text)
            agrees = p > 0.1 if value > 0 else p < -0.1 if value < 0 else abs(p) <= 0.1
            return yes if agrees else no
        if name == "level":
            u = urgency(found.text)
            return yes if (u >= 0.6 if value >= 0.5 else u <= 0.35) else no
        return yes if evidence(found.text, name, value) >= 0.3 else no
    generic = {"text", "mention", "email", "review", "message", "ticket", "document", "contain"}
    key = {stem(w) for w in content_words(question)} - {stem(g) for g in generic}
    if not key:
        return no
    covered = len(key & expand(stem_set(found.text))) / len(key)
    return yes if covered >= 0.5 else no


def classify(task: Task) -> Reply | None:
    """Answer with the best of the labels the prompt names, spelled as given."""
    found = find_labels(task)
    if found is None or not found.text:
        return None
    strong = task.profile.quality == "strong"
    lowered = {label.lower() for label in found.labels}
    if len(found.labels) == 2 and lowered in _YES_NO:
        if not found.question:
            return None  # a bare yes/no question: nothing to judge it against
        return Reply(content=_answer_yes_no(found))
    ranked = rank_labels(found.text, list(found.labels), dict(found.descriptions), strong=strong)
    logger.debug("classify %r -> %s", found.text[:60], ranked[:3])
    return Reply(content=ranked[0][0])
