"""Classification into labels that the prompt names.

``rank_labels`` scores any label set against a text by general rules: the
label's own words and description (stems plus synonyms), a small vocabulary of
cues for common label families (sentiment with negation and intensity,
urgency and severity scales, spam, languages, common topics), and, when
``strong``, the embedding similarity of text and label. ``classify`` finds the
labels a prompt names (``labels.py``) and answers with the best one, spelled as
given. What a text says it is *not* about ("this isn't about my car") is no
evidence for a label.

Example:
    >>> rank_labels("production halted, robots down", ["low", "medium", "high"])[0][0]
    'high'
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.labels import LabelSet, find_labels, labels_in
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
    SYNONYMS,
    content_words,
    expand,
    split_identifier,
    stem,
    words,
)

__all__ = ["classify", "find_labels", "labels_in", "polarity", "rank_labels", "urgency"]

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- label scoring


_DENIAL = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:(?:really|actually|even|just)\s+)?(?:about|regarding|related to|"
    r"concerning|an? (?:issue|problem|question|matter|complaint) (?:with|about|of|regarding)|"
    r"(?:my|our|the|a|an|his|her|their|your)\s)"
    r"|\bnothing to do with\b|\bunrelated to\b|\brather than\b|\binstead of\b|\bother than\b",
    re.I,
)
_DENIAL_END = re.compile(r"[.,;:!?()]|\s[-\u2013\u2014]|\u2014|\bbut\b|\bit(?:'s| is)\b", re.I)


def _denial_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _DENIAL.finditer(text):
        rest = text[match.end() : match.end() + 80]
        end = _DENIAL_END.search(rest)
        span = rest[: end.start()] if end else rest
        kept = " ".join(span.split()[:6])
        spans.append((match.start(), match.end() + (span.find(kept) + len(kept) if kept else 0)))
    return spans


def without_denials(text: str) -> str:
    """``text`` less what it says it is *not* about ("this isn't about my car - it's the roof").

    Example:
        >>> without_denials("It's not the battery, it's the charger")
        "It's , it's the charger"
    """
    for start, end in reversed(_denial_spans(text)):
        text = text[:start] + text[end:]
    return text


def _synonym_hits(text_stems: frozenset[str], targets: frozenset[str] | set[str]) -> int:
    """How many words of the text are not among ``targets`` but have a synonym there."""
    return sum(1 for t in text_stems if t not in targets and SYNONYMS.get(t, frozenset()) & targets)


def _prefixes(stems_: frozenset[str] | set[str]) -> frozenset[str]:
    return frozenset(s[:5] for s in stems_ if len(s) >= 5)


# Words of a description that say little about which label fits.
_DESC_STOP = frozenset(
    stem(w)
    for w in """through during within across until while every without upon onto toward towards
    among per something someone anything thing things usually often mostly""".split()
)


def _lexical_score(
    text_stems: frozenset[str],
    label: str,
    description: str,
    shared: dict[str, float] | None = None,
) -> float:
    """Evidence for one label: its own words, their synonyms and topic cues, and its
    description's words (exact, synonym, shared five-letter prefix, topic cues). ``shared``
    weighs down description words that other labels' descriptions use too."""
    parts = split_identifier(label)
    label_stems = {stem(w) for w in parts if w not in STOPWORDS} or {stem(w) for w in parts}
    cues = topic_cues(label_stems)
    desc = (stem_set(description) - _DESC_STOP) if description else frozenset()
    score = 0.0
    if label_stems:
        score += 1.0 * len(label_stems & text_stems) / len(label_stems)
        score += 0.5 * len(expand(label_stems) & text_stems) / max(1, len(label_stems))
    if cues:
        score += 0.35 * min(3, len(cues & text_stems))
        score += 0.15 * min(2, _synonym_hits(text_stems, cues))
    if desc:
        shared = shared or {}
        exact = desc & text_stems
        near = ((expand(desc) - desc) & text_stems) - exact
        score += 0.3 * min(4.0, sum(shared.get(d, 1.0) for d in exact))
        score += 0.2 * min(3, len(near))
        rest = text_stems - exact - near
        score += 0.15 * min(2, len(_prefixes(desc) & _prefixes(rest)))
        score += 0.15 * min(2, _synonym_hits(rest, desc))
        score += 0.1 * min(3, len(topic_cues(desc - label_stems) & text_stems))
    return score


def _shared_words(descriptions: list[str]) -> dict[str, float]:
    """Description words used by several labels: 0.5, or 0 when every label uses them."""
    sets = [stem_set(d) for d in descriptions if d]
    counts: dict[str, int] = {}
    for words_ in sets:
        for w in words_:
            counts[w] = counts.get(w, 0) + 1
    n = len(descriptions)
    return {w: (0.0 if c >= n else 0.5) for w, c in counts.items() if c > 1 and n > 1}


def _lexical_rank(text: str, labels: list[str], descriptions: dict[str, str]) -> list[float]:
    text_stems = stem_set(without_denials(text))  # what it says it is not about is no evidence
    families = family_scores(text, labels)
    shared = _shared_words([descriptions.get(label, "") for label in labels])
    scores: list[float] = []
    for label, family in zip(labels, families, strict=True):
        negated = NOT_LABEL.match(label.strip())
        base = negated.group(1) if negated else label
        lexical = _lexical_score(text_stems, base, descriptions.get(label, ""), shared)
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


_WORD_VECTORS: dict[str, object] = {}


def word_similarity(left: list[str], right: list[str]):
    """Cosine similarities of single words, ``len(left) x len(right)`` (embedding model;
    each word is embedded once per process)."""
    import numpy as np

    missing = sorted({w for w in left + right if w not in _WORD_VECTORS})
    if missing:
        if len(_WORD_VECTORS) > 50000:
            _WORD_VECTORS.clear()
        _WORD_VECTORS.update(zip(missing, embed_texts(tuple(missing)), strict=True))
    if not left or not right:
        return np.zeros((len(left), len(right)), dtype="float32")
    a = np.stack([_WORD_VECTORS[w] for w in left])
    b = np.stack([_WORD_VECTORS[w] for w in right])
    return a @ b.T


def topic_cues(stems_: set[str] | frozenset[str]) -> set[str]:
    """Everyday words associated with topic words among ``stems_`` ("billing" -> invoice...);
    a word the vocabulary lacks borrows from one sharing its first five letters
    ("cancellation" -> "cancel")."""
    out: set[str] = set()
    for s in stems_:
        cues = TOPIC_STEMS.get(s)
        if cues is None and len(s) >= 6:
            cues = frozenset().union(*_TOPIC_BY_PREFIX.get(s[:5], ()))
        out |= cues or frozenset()
    return out


_TOPIC_BY_PREFIX: dict[str, list[frozenset[str]]] = {}
for _key, _cues in TOPIC_STEMS.items():
    if len(_key) >= 5:
        _TOPIC_BY_PREFIX.setdefault(_key[:5], []).append(_cues)


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


_YES_NO = ({"yes", "no"}, {"true", "false"})


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
