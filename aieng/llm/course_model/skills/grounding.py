"""Grounded answers over labelled passages, with citations, or a decline.

When the prompt holds passages labelled with ids (see ``passages.py`` for the
shapes read), the answer is made of the passage sentences that best cover the
question's content words, each followed by the id of its passage in the
citation format the instructions ask for (``[doc-1]`` by default). Words match
exactly, as synonyms, by a shared prefix, as a place and its adjective
("Canadian" ~ "Canada"), or as a thing and its general kind ("laptop" ~
"electronics"). A sentence of the type asked for ("how long" -> a duration,
"when" -> a time) is preferred. A fact spread over two passages cites both; a
passage that shares only a word with the question is not cited. The model
declines, with a stable wording that says the answer is "not in the provided
documents", when the question's key words are not covered, when a name it asks
about is in no passage, or when it asks about a year or code ("2021",
"TX-250") that no passage names: a passage about another year is about
something else. Only ids that were given are ever cited. With ``strong``
quality, embeddings also match words and sentences close in meaning (never
opposites such as "open" and "closed"); a paraphrase is trusted only when one
passage stands out, so passages merely on the same subject do not answer.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.classify import labels_in
from aieng.llm.course_model.skills.passages import Passage, find_passages, outside
from aieng.llm.course_model.skills.signals import KIND_MEMBERS
from aieng.llm.course_model.skills.summarize import parse_length, rank_sentences
from aieng.llm.course_model.text import (
    OPPOSITES,
    SYNONYMS,
    content_words,
    place_stem,
    sentences,
    stem,
    stems,
    words,
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
    following single each every specific exact exactly actual take takes took tell find allowed
    able""".split()
)
# Common verbs the shared stopword list drops that still carry a question's meaning
# ("what do guests need to show?").
_KEPT = frozenset("show shows shown use uses used using give gives keep keeps".split())


def _stems(text: str) -> set[str]:
    return set(stems(text)) | {stem(w) for w in words(text) if w in _KEPT}


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


_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]{2,}\b")


def _sentence_stems(sentence: str) -> frozenset[str]:
    """Stems of a sentence, with the parts of joined words ("visa-free" -> visa, free) and
    the place stems of its names ("Canada" -> canad), so "Canadian" finds it."""
    out = _stems(sentence)
    for word in content_words(sentence):
        if "-" in word:
            out.update(stem(p) for p in word.split("-") if len(p) > 1)
    out.update("@" + place_stem(m.group(0)) for m in _CAPITALISED.finditer(sentence))
    return frozenset(out)


def _candidates(passages: tuple[Passage, ...]) -> list[Candidate]:
    out = []
    for p_index, passage in enumerate(passages):
        for s_index, sentence in enumerate(sentences(passage.text)):
            out.append(Candidate(p_index, s_index, sentence, _sentence_stems(sentence)))
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
    """How well each query stem is matched in a sentence: 1 exact, 0.75 synonym, 0.6 when
    the sentence names its general kind ("pH meter" ~ "equipment"), 0.5 shared prefix
    ("Canadian" ~ "Canada")."""
    out = {}
    for q in query:
        if q in sentence:
            out[q] = 1.0
        elif SYNONYMS.get(q, frozenset()) & sentence:
            out[q] = 0.75
        elif any(q in KIND_MEMBERS.get(s, ()) for s in sentence):
            out[q] = 0.6
        elif len(q) >= 5 and any(s[:5] == q[:5] for s in sentence if len(s) >= 5):
            out[q] = 0.5
    return out


# Specific qualifiers: a year or a code ("2021", "MX-400", "A320") asked about must be the
# one a passage speaks of; a passage naming another year or code is about something else.
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_CODE = re.compile(
    r"\b(?=[A-Za-z0-9\-]*\d)(?=[A-Za-z0-9\-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
)
_UNITS = re.compile(
    r"^\d+(?:st|nd|rd|th|am|pm|h|hr|hrs|m|min|mins|s|ms|k|kg|g|mg|km|cm|mm|ml|l|gb|mb|tb|x|d)$",
    re.I,
)


def _qualifiers(text: str) -> set[str]:
    """Years and codes named in ``text``, lower-cased ("2021", "mx-400")."""
    found = {m.group(0) for m in _YEAR.finditer(text)}
    found |= {m.group(0).lower() for m in _CODE.finditer(text) if not _UNITS.match(m.group(0))}
    return found


def _kind_of(value: str) -> str:
    return "year" if _YEAR.fullmatch(value) else "code"


# What a question asks for, and what an answer of that type looks like.
_ASKS = (
    (re.compile(r"\bwhen\b|\bwhat (?:time|day|date)\b|\bhow soon\b", re.I),
     re.compile(r"\b(?:when|before|after|until|by|once|during|at \d|on (?:mon|tue|wed|thu|fri|sat|"
                r"sun)\w*)\b|\d{1,2}[:.]\d{2}|\b(?:\d{1,2} ?(?:am|pm))\b|\b(?:january|february|"
                r"march|april|may|june|july|august|september|october|november|december)\b", re.I)),
    (re.compile(r"\bhow long\b|\bhow many (?:days|weeks|months|years|hours|minutes)\b", re.I),
     re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:-\s*\d+\s*)?(?:business |working |calendar )?"
                r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b|\bwithin\b", re.I)),
    (re.compile(r"\bhow much\b|\bcost\b|\bprice\b|\bfee\b", re.I),
     re.compile(r"[$€£¥]\s?\d|\d\s?(?:%|percent|euros?|dollars?|usd|eur|gbp)\b|\bfree\b", re.I)),
    (re.compile(r"\bhow old\b|\bwhat age\b|\b(?:minimum|maximum) age\b", re.I),
     re.compile(r"\b(?:over|under|at least|aged?|older than|younger than)\s+\d+|\b\d+\s*"
                r"(?:years?|yrs?)\b|\b\d+\+", re.I)),
    (re.compile(r"\bhow many\b|\bwhat (?:is the )?(?:number|maximum|minimum|limit)\b", re.I),
     re.compile(r"\d")),
)  # fmt: skip


_ASKING_WORDS = re.compile(
    r"\b(?<=how )(?:long|much|many|soon|often|old)\b|\b(?<=what )(?:time|day|date|age)\b|\bcost\b"
    r"|\bprice\b"
)
_TWO_PARTS = re.compile(
    r"\?.*\?|\b(?:and|also)\s+(?:how|what|when|where|who|which|why|do|does|"
    r"is|are|can|should|will)\b",
    re.I | re.S,
)


def _answer_types(question: str) -> list[re.Pattern[str]]:
    return [answer for asks, answer in _ASKS if asks.search(question)]


_CALENDAR = frozenset(
    stem(w)
    for w in """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)


def _entities(question: str) -> dict[str, str]:
    """Names in the question that the passages must mention (not days or months), as
    stem -> place stem ("canadian" -> "@canad")."""
    found = {}
    for m in _ENTITY.finditer(question.strip()):
        key = stem(m.group(0).lower())
        if key not in _CALENDAR:
            found[key] = "@" + place_stem(m.group(0))
    return found


def _plain_code(value: str) -> str:
    return value.replace("-", "")


def _off_qualifier(question: str, passages: tuple[Passage, ...]) -> set[int] | None:
    """Passages that name another year or code than the one asked about ("2023" for a
    question on 2021); None when no passage names an asked one at all (decline)."""
    asked = {_plain_code(q) for q in _qualifiers(question)}
    if not asked:
        return set()
    held = [{_plain_code(q) for q in _qualifiers(p.text)} for p in passages]
    if asked - set().union(*held):
        return None
    off = set()
    for i, named in enumerate(held):
        for q in asked - named:
            if any(_kind_of(x) == _kind_of(q) for x in named):
                off.add(i)
    return off


def _semantic_hits(
    question: str, candidates: list[Candidate], hits: list[dict[str, float]], query: set[str]
) -> None:
    """For the strong model: a question word with no lexical match counts as matched
    (0.6) by a sentence word close in meaning (cosine >= 0.6), e.g. "weeks" ~ "days"."""
    from aieng.llm.course_model.skills.classify import word_similarity

    asked = {}
    for word in content_words(question):
        if stem(word) in query and len(word) > 2:
            asked.setdefault(stem(word), word)
    sentence_words = [[w for w in content_words(c.text) if len(w) > 2] for c in candidates]
    vocabulary = sorted({w for ws in sentence_words for w in ws})
    left = sorted(set(asked.values()))
    if not left or not vocabulary:
        return
    sims = word_similarity(left, vocabulary)
    row = {w: i for i, w in enumerate(left)}
    col = {w: j for j, w in enumerate(vocabulary)}
    for h, ws in zip(hits, sentence_words, strict=True):
        for q, word in asked.items():
            if h.get(q, 0.0) >= 0.6 or not ws:
                continue
            near = [sims[row[word], col[w]] for w in ws if (q, stem(w)) not in OPPOSITES]
            if near and float(max(near)) >= 0.6:  # "open" is near "closed", yet its opposite
                h[q] = 0.6


def _scores(
    question: str,
    candidates: list[Candidate],
    hits: list[dict[str, float]],
    weights: dict[str, float],
    strong: bool,
) -> tuple[list[float], list[float]]:
    """A score per sentence (matched words, its passage's support, the answer type, and for
    ``strong`` the meaning) and each sentence's embedding similarity to the question."""
    total = sum(weights.values())
    sims = [0.0] * len(candidates)
    if strong:
        from aieng.llm.course_model.skills.classify import embed_texts

        vectors = embed_texts(tuple([question] + [c.text for c in candidates]))
        sims = [float(vectors[0] @ v) for v in vectors[1:]]
        lexical = [sum(weights[q] * v for q, v in h.items()) / total for h in hits]
        top = sorted(range(len(candidates)), key=lambda i: -(lexical[i] + sims[i]))[:8]
        _semantic_hits(question, [candidates[i] for i in top], [hits[i] for i in top], set(weights))
    scores = [sum(weights[q] * v for q, v in h.items()) / total for h in hits]
    support: dict[int, float] = {}  # a passage that matches in several sentences is on topic
    for candidate, score in zip(candidates, scores, strict=True):
        support[candidate.passage] = support.get(candidate.passage, 0.0) + score
    scores = [s + 0.1 * support[c.passage] for s, c in zip(scores, candidates, strict=True)]
    answer_types = _answer_types(question)
    if answer_types:  # "how long" prefers a sentence that states a duration, which answers
        asking = {stem(w) for w in _ASKING_WORDS.findall(question.lower())} & set(weights)
        for i, c in enumerate(candidates):  # the asking words ("long", "time") too
            if scores[i] > 0 and any(a.search(c.text) for a in answer_types):
                scores[i] += 0.15
                hits[i].update({q: 1.0 for q in asking})
    scores = [s + 0.5 * max(0.0, sim) for s, sim in zip(scores, sims, strict=True)]
    return scores, sims


def _choose(
    question: str,
    scores: list[float],
    hits: list[dict[str, float]],
    weights: dict[str, float],
) -> tuple[list[int], float]:
    """The best sentence, then others that add to the answer; and the share of the
    question's weight they cover."""
    total = sum(weights.values())
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    covered: dict[str, float] = {}
    # a second sentence must add to the answer and be about the question itself, not share
    # one word with it; a question in two parts ("... and do I need ...?") lowers the bar
    share = 0.3 if _TWO_PARTS.search(question) else 0.6
    for i in order[:12]:
        gain = sum(weights[q] * max(0.0, v - covered.get(q, 0.0)) for q, v in hits[i].items())
        if chosen and (gain < 0.15 * total or scores[i] < share * scores[chosen[0]]):
            continue
        if not chosen and scores[i] <= 0:
            break
        chosen.append(i)
        for q, v in hits[i].items():
            covered[q] = max(covered.get(q, 0.0), v)
        if len(chosen) >= 3 or sum(weights[q] * v for q, v in covered.items()) >= 0.9 * total:
            break
    return chosen, sum(weights[q] * v for q, v in covered.items()) / total


def select(question: str, passages: tuple[Passage, ...], strong: bool) -> list[Candidate] | None:
    """The sentences that answer ``question``, or None when the passages do not hold it."""
    off = _off_qualifier(question, passages)
    if off is None:
        logger.debug("declining: a year or code asked about is in no passage")
        return None
    candidates = [c for c in _candidates(passages) if c.passage not in off]
    query = _stems(question)
    if not candidates:
        return None
    if not query:
        return [candidates[0]]
    names = {e: p for e, p in _entities(question).items() if e in query}
    weights = _weights(query, candidates, set(names))
    for word in _HOW.findall(question):  # "how fast", "how soon": the asking word, not the topic
        if stem(word.lower()) in weights:
            weights[stem(word.lower())] *= 0.3
    hits = [_hits(query, c.stems) for c in candidates]
    for h, c in zip(hits, candidates, strict=True):  # "Canadian" names "Canada"
        for e, place in names.items():
            if h.get(e, 0.0) < 0.75 and place in c.stems:
                h[e] = 0.75
    everything = frozenset().union(*(c.stems for c in candidates))
    missing = {e for e, p in names.items() if not _hits({e}, everything) and p not in everything}
    if missing:
        logger.debug("declining: %s not in the passages", sorted(missing))
        return None
    scores, sims = _scores(question, candidates, hits, weights, strong)
    if names:  # a passage about another name ("India" for a question on Canada) counts less
        named = {c.passage for c, h in zip(candidates, hits, strict=True) if set(names) & set(h)}
        scores = [
            s if c.passage in named else s * 0.5 for s, c in zip(scores, candidates, strict=True)
        ]
    chosen, coverage = _choose(question, scores, hits, weights)
    if not chosen or (coverage < 0.5 and not (strong and _stands_out(sims, candidates, coverage))):
        logger.debug("declining: coverage %.2f", coverage)
        return None
    return [candidates[i] for i in sorted(chosen, key=lambda i: (candidates[i].passage, i))]


def _stands_out(sims: list[float], candidates: list[Candidate], coverage: float) -> bool:
    """A paraphrase the strong model may trust: one passage clearly closest in meaning
    (similarity >= 0.55, ahead of every other passage by 0.1) that covers some of the
    question. Passages that are merely on the same subject sit close together."""
    best: dict[int, float] = {}
    for candidate, sim in zip(candidates, sims, strict=True):
        best[candidate.passage] = max(best.get(candidate.passage, -1.0), sim)
    ranked = sorted(best.values(), reverse=True)
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    return coverage >= 0.1 and ranked[0] >= 0.55 and ranked[0] - runner_up >= 0.1


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
