"""Grounded answers over labelled passages, with citations, or a decline.

When the prompt holds passages labelled with ids (see ``passages.py`` for the
shapes read), the answer is made of the passage sentences that best cover the
question's content words, each followed by the id of its passage in the
citation format the instructions ask for (``[doc-1]`` by default). A fact
spread over two passages cites both. When the question's key words (names,
numbers, the things asked about) are not in the passages, the model declines
with a stable wording that says the answer is "not in the provided documents".
Only ids that were given are ever cited. With ``strong`` quality the sentence
choice also weighs embedding similarity, so paraphrased questions are found.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.classify import labels_in
from aieng.llm.course_model.skills.passages import Passage, find_passages, outside
from aieng.llm.course_model.skills.summarize import parse_length, rank_sentences
from aieng.llm.course_model.text import (
    SYNONYMS,
    content_words,
    sentences,
    stem,
    stems,
)

logger = logging.getLogger(__name__)

DECLINE = [
    "I can't answer that: the answer is not in the provided documents.",
    "Sorry, that information is not in the provided documents, so I can't answer it.",
    "The answer is not in the provided documents, so I won't guess.",
]
_GENERIC = frozenset(
    stem(w)
    for w in """many much long often way thing things information info detail details explain
    describe mean policy policies rule rules work works happen anything something kind type
    available possible document documents passage passages source sources context provided
    according based answer question using cite mention mentioned say says said text below above
    following single each every specific exact exactly actual""".split()
)
_HEADER = re.compile(
    r"^\s*(?:context|documents?|sources?|passages?|knowledge|references?|search results?)\s*:?\s*$",
    re.I,
)
_INSTRUCTION = re.compile(
    r"\b(?:answer|respond|reply)\b[^.?\n]{0,60}\b(?:using|based on|from|with|only)\b|\bcite\b"
    r"|\bcitations?\b|\bif (?:the|you)\b[^.?\n]{0,60}\b(?:not|don't|cannot|can't)\b",
    re.I,
)
_SUMMARY = re.compile(r"\b(?:summari[sz]e|summary|overview|key points|main points|tl;?dr)\b", re.I)
# Names and acronyms inside a question: if no passage mentions one, the passages are about
# something else. (Numbers are not required: "a 60 EUR order" may be compared to "over 50".)
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-zA-Z0-9]+|[A-Z]{2,}\w*)\b")
_STYLE_PLACEHOLDER = re.compile(
    r"(\[\[|\[\^|[\[({<\u3010])\s*((?:source|doc|ref|id|citation)\s*[:=#]?\s*)?"
    r"(?:\{\s*(?:id|doc_id|doc-id|source_id|document_id|passage_id|n|x)\s*\}|<id>|"
    r"(?:doc_id|doc-id|source_id|document_id|passage_id|id|n|N|x|X|number|#|\.\.\.))"
    r"\s*(\]\]|[\])}>\u3011])"
)


_HOW = re.compile(r"\bhow\s+([a-z]+)", re.I)


@dataclass(frozen=True)
class Candidate:
    """One passage sentence, where it came from, and its stems."""

    passage: int
    index: int
    text: str
    stems: frozenset[str]


def _question(task: Task, source: str, passages: tuple[Passage, ...]) -> str:
    if source != "user" or not passages:
        return task.last_user.strip()
    rest = outside(task.last_user, passages)
    explicit = re.search(r"(?:^|\n)\s*(?:question|q|query)\s*:\s*(.+)", rest, re.I)
    if explicit:
        return explicit.group(1).strip()
    lines = [ln for ln in rest.splitlines() if ln.strip() and not _HEADER.match(ln)]
    parts = [p for ln in lines for p in sentences(ln)]
    asked = [p.rsplit(":", 1)[-1].strip() for p in parts if p.rstrip().endswith("?")]
    if asked:
        return " ".join(asked)
    plain = [p for p in parts if not _INSTRUCTION.search(p)]
    return " ".join(plain or parts)


def _locate(task: Task) -> tuple[tuple[Passage, ...], str]:
    """The passages and where they were found: the newest user message, the system prompt,
    or an earlier user message."""
    found = find_passages(task.last_user)
    if found:
        return found, "user"
    found = find_passages(task.system)
    if found:
        return found, "system"
    earlier = [m for m in task.messages[:-1] if m.role == "user"]
    for message in reversed(earlier):  # documents given earlier, a follow-up question now
        found = find_passages(message.content)
        if found:
            return found, "history"
    return (), ""


def citation_style(instructions: str, ids: list[str]) -> tuple[str, str]:
    """The brackets the instructions ask citations to use; ``("[", "]")`` by default.

    Example:
        >>> citation_style("Cite sources like (source: id).", ["a"])
        ('(source: ', ')')
    """
    match = _STYLE_PLACEHOLDER.search(instructions)
    if match:
        return match.group(1) + (match.group(2) or ""), match.group(3)
    for pid in ids:
        example = re.search(
            r"([\[({<]{1,2}\^?)\s*" + re.escape(pid) + r"\s*([\])}>]{1,2})", instructions
        )
        if example:
            return example.group(1), example.group(2)
    lowered = instructions.lower()
    if "parenthes" in lowered:
        return "(", ")"
    if "footnote" in lowered:
        return "[^", "]"
    return "[", "]"


def _candidates(passages: tuple[Passage, ...]) -> list[Candidate]:
    out = []
    for p_index, passage in enumerate(passages):
        for s_index, sentence in enumerate(sentences(passage.text)):
            out.append(Candidate(p_index, s_index, sentence, frozenset(stems(sentence))))
    return out


def _weights(query: set[str], candidates: list[Candidate], entities: set[str]) -> dict[str, float]:
    n = len(candidates)
    weights = {}
    for q in query:
        df = max(1, sum(1 for c in candidates if q in c.stems))  # unseen words: no extra weight
        base = 0.3 if q in _GENERIC else 1.0
        idf = math.log(1.0 + n / (1.0 + df))
        weights[q] = base * (0.5 + idf) * (1.5 if q in entities else 1.0)
    return weights


def _hits(query: set[str], sentence: frozenset[str]) -> dict[str, float]:
    """How well each query stem is matched in a sentence (1 exact, 0.75 synonym, 0.5 prefix)."""
    out = {}
    for q in query:
        if q in sentence:
            out[q] = 1.0
        elif SYNONYMS.get(q, frozenset()) & sentence:
            out[q] = 0.75
        elif len(q) >= 5 and any(s[:5] == q[:5] for s in sentence if len(s) >= 5):
            out[q] = 0.5
    return out


_CALENDAR = frozenset(
    stem(w)
    for w in """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)


def _entities(question: str) -> set[str]:
    """Names in the question that the passages must mention (not days or months)."""
    found = {stem(m.group(0).lower()) for m in _ENTITY.finditer(question.strip())}
    return found - _CALENDAR


def select(question: str, passages: tuple[Passage, ...], strong: bool) -> list[Candidate] | None:
    """The sentences that answer ``question``, or None when the passages do not hold it."""
    candidates = _candidates(passages)
    query = set(stems(question))
    if not candidates:
        return None
    if not query:
        return [candidates[0]]
    entities = _entities(question) & query
    weights = _weights(query, candidates, entities)
    for word in _HOW.findall(question):  # "how fast", "how soon": the asking word, not the topic
        if stem(word.lower()) in weights:
            weights[stem(word.lower())] *= 0.3
    total = sum(weights.values())
    hits = [_hits(query, c.stems) for c in candidates]
    scores = [sum(weights[q] * v for q, v in h.items()) / total for h in hits]
    support: dict[int, float] = {}  # a passage that matches in several sentences is on topic
    for candidate, score in zip(candidates, scores, strict=True):
        support[candidate.passage] = support.get(candidate.passage, 0.0) + score
    scores = [s + 0.1 * support[c.passage] for s, c in zip(scores, candidates, strict=True)]
    if strong:
        from aieng.llm.course_model.skills.classify import embed_texts

        vectors = embed_texts(tuple([question] + [c.text for c in candidates]))
        sims = [float(vectors[0] @ v) for v in vectors[1:]]
        scores = [s + 0.5 * max(0.0, sim) for s, sim in zip(scores, sims, strict=True)]
    else:
        sims = [0.0] * len(candidates)
    everything = frozenset().union(*(c.stems for c in candidates))
    missing = {e for e in entities if not _hits({e}, everything)}
    if missing:
        logger.debug("declining: %s not in the passages", sorted(missing))
        return None
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    covered: dict[str, float] = {}
    for i in order[:12]:
        gain = sum(weights[q] * max(0.0, v - covered.get(q, 0.0)) for q, v in hits[i].items())
        if chosen and gain < 0.15 * total:
            continue
        if not chosen and scores[i] <= 0:
            break
        chosen.append(i)
        for q, v in hits[i].items():
            covered[q] = max(covered.get(q, 0.0), v)
        if len(chosen) >= 3 or sum(weights[q] * v for q, v in covered.items()) >= 0.9 * total:
            break
    coverage = sum(weights[q] * v for q, v in covered.items()) / total
    best_sim = max(sims) if sims else 0.0
    if not chosen or (coverage < 0.5 and not (strong and best_sim >= 0.55)):
        logger.debug("declining: coverage %.2f, similarity %.2f", coverage, best_sim)
        return None
    return [candidates[i] for i in sorted(chosen, key=lambda i: (candidates[i].passage, i))]


def _cite(text: str, pid: str, style: tuple[str, str]) -> str:
    mark = f"{style[0]}{pid}{style[1]}"
    text = text.rstrip()
    if text and text[-1] in ".!?":
        return f"{text[:-1]} {mark}{text[-1]}"
    return f"{text} {mark}"


def render(chosen: list[Candidate], passages: tuple[Passage, ...], style: tuple[str, str]) -> str:
    """Sentences with the id of their passage after each run from the same passage."""
    out: list[str] = []
    run: list[str] = []
    for i, candidate in enumerate(chosen):
        run.append(candidate.text)
        nxt = chosen[i + 1] if i + 1 < len(chosen) else None
        if nxt is None or nxt.passage != candidate.passage:
            out.append(_cite(" ".join(run), passages[candidate.passage].id, style))
            run = []
    return " ".join(out)


def _summarize_passages(
    passages: tuple[Passage, ...], instruction: str, strong: bool
) -> list[Candidate]:
    candidates = _candidates(passages)
    scores = rank_sentences([c.text for c in candidates], strong)
    length = parse_length(instruction)
    count = length.sentences or length.bullets or min(len(passages), 3)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    seen: set[int] = set()
    for i in order:  # one sentence per passage first, for coverage
        if candidates[i].passage not in seen:
            chosen.append(i)
            seen.add(candidates[i].passage)
    chosen = chosen[:count]
    if length.words:
        while (
            len(chosen) > 1 and sum(len(candidates[i].text.split()) for i in chosen) > length.words
        ):
            chosen.pop()
    return [candidates[i] for i in sorted(chosen)]


def answer_from_passages(task: Task) -> Reply | None:
    """Answer from labelled passages with citations, or decline when they do not hold it."""
    if task.last.role != "user":
        return None
    passages, source = _locate(task)
    if not passages:
        return None
    question = _question(task, source, passages)
    if labels_in(question)[0]:
        return None  # a classification over items, not a question about them
    if source == "history" and not set(stems(question)) - _GENERIC:
        return None  # "thanks!" after a document question: not a question about them
    strong = task.profile.quality == "strong"
    asked_in = outside(task.last_user, passages) if source == "user" else task.last_user
    instructions = task.system + "\n" + asked_in
    style = citation_style(instructions, [p.id for p in passages])
    if (_SUMMARY.search(question) and len(content_words(question)) <= 8) or not stems(question):
        chosen = _summarize_passages(passages, question, strong)
    else:
        chosen = select(question, passages, strong)
    if not chosen and source == "history":
        return None  # documents from earlier turns: let the other skills answer
    if not chosen:
        return Reply(content=task.choose(DECLINE))
    return Reply(content=render(chosen, passages, style))
