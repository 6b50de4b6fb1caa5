"""Extractive summaries and rewrites within a stated length.

A summary keeps the most central sentences (those sharing most words with the
rest; with ``strong`` quality, closest to the text's mean embedding) in their
original order, within the length the prompt states: "in 2 sentences",
"under 50 words", "3 bullet points", "one line", "TL;DR", "max 280 characters" (a
tweet is 280 characters unless stated). "Write a tweet / headline / blurb about
this: ..." is a summary in that form. A rewrite keeps the
meaning and changes register: formal expands contractions and drops slang,
polite softens demands, concise drops filler; any word limit is enforced.

Example:
    >>> parse_length("Summarize in 2 sentences, at most 40 words")
    Length(sentences=2, words=40, bullets=None, chars=None)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.text import STOPWORDS, sentences, split_instruction, stems

logger = logging.getLogger(__name__)

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "a single": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100,
}  # fmt: skip
_NUM = r"(\d+|a single|a couple of|a hundred|an?|one|single|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred)"  # noqa: E501
_SENTENCES = re.compile(rf"\b{_NUM}[\s-]*sentences?\b", re.I)
_WORDS_MAX = re.compile(
    rf"\b(under|at most|no more than|max(?:imum)?(?: of)?|fewer than|less than|within|up to|"
    rf"not exceeding|not more than|no longer than|not longer than|shorter than|limit(?:ed)? to|"
    rf"below|in|to|of|using|around|about)\s+{_NUM}\s+"
    r"words?\b",
    re.I,
)
_WORDS_AFTER = re.compile(
    rf"\b{_NUM}[\s-]+words?\b(?:\s+(?:or (?:less|fewer)|max(?:imum)?))?", re.I
)
_BULLETS = re.compile(
    rf"\b{_NUM}\s+(?:short\s+|brief\s+|key\s+|main\s+)?(?:bullets?|bullet points?|key points|"
    r"points|takeaways|items)\b",
    re.I,
)
_CHARS_MAX = re.compile(
    r"\b(under|at most|no more than|max(?:imum)?(?: of)?|fewer than|less than|within|up to|"
    r"not exceeding|not more than|no longer than|not longer than|shorter than|limit(?:ed)? to|"
    r"below|in|of|around|about)\s*:?\s*(\d+)[\s-]*(?:characters?|chars?)\b",
    re.I,
)
_CHARS_AFTER = re.compile(r"\b(\d+)[\s-]*(?:characters?|chars?)\b", re.I)
_TWEET = re.compile(r"\btweets?\b|\bx post\b", re.I)
_SMS = re.compile(r"\b(?:sms|text message)\b", re.I)
_BULLET_WORD = re.compile(r"\b(?:bullets?|bullet points?|bulleted)\b", re.I)
_ONE_LINE = re.compile(r"\b(?:one|a|single)[\s-]line(?:r)?\b|\bheadline\b|\btl;?dr\b", re.I)
_BRIEF = re.compile(r"\b(?:brief(?:ly)?|short|quick|concise)\b", re.I)

_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summari[sz]ing|summary|summaries|summari[sz]ation|tl;?dr|"
    r"key (?:points|takeaways)|"
    r"main points|gist|recap|in a nutshell|boil (?:it|this) down|condense|digest|"
    r"(?:\d+|one|two|three|four|five|six|seven) (?:short |brief |key |main )?(?:bullet points|bullets)|"
    r"bullet(?:ed)? (?:point )?(?:list|summary))\b",
    re.I,
)
_REWRITE = re.compile(
    r"\b(?:re-?write|rephrase|paraphrase|reword|shorten|simplify|polish|tone down|trim|"
    r"make (?:it|this|that|the \w+)\s+(?:\w+\s+){0,2}(?:formal|polite|professional|casual|"
    r"friendly|concise|shorter|simpler|clearer|brief|nicer|kinder)|(?:more|less) (?:formal|"
    r"polite|professional|casual|concise)|in a (?:formal|polite|professional|casual|friendly) "
    r"(?:tone|way|style|register))\b",
    re.I,
)
_COMPOSE = re.compile(
    r"\b(?:write|draft|compose|create|craft|prepare|turn (?:this|it|that|the \w+) into|make|"
    r"give me|suggest|come up with)\b[^.\n:]{0,40}?\b(tweets?|(?:social(?: media)?|linkedin|"
    r"blog|x) posts?|headlines?|captions?|blurbs?|announcements?|teasers?|taglines?|titles?|"
    r"subject lines?|sms|text messages?|status updates?|one-liners?|(?:elevator )?pitch|"
    r"abstract|synopsis|notice|summary line)\b",
    re.I,
)
_ONE_SENTENCE_FORMS = ("headline", "title", "tagline", "subject", "one-liner", "caption", "summary")
_REFERS_BACK = re.compile(
    r"\b(?:this|that|it|the above|the previous|your (?:answer|reply))\b", re.I
)


@dataclass(frozen=True)
class Length:
    """A stated length: sentences, a word limit, a number of bullets, a character limit."""

    sentences: int | None = None
    words: int | None = None
    bullets: int | None = None
    chars: int | None = None


def _number(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBERS.get(token, 1)


@lru_cache(maxsize=1024)
def parse_length(text: str) -> Length:
    """The length an instruction states (fields are None when not stated)."""
    n_sentences = n_words = n_bullets = None
    if match := _SENTENCES.search(text):
        n_sentences = _number(match.group(1))
    if match := _WORDS_MAX.search(text):
        n_words = _number(match.group(2))
        if match.group(1).lower() in ("under", "fewer than", "less than", "below", "shorter than"):
            n_words -= 1
    elif match := _WORDS_AFTER.search(text):
        n_words = _number(match.group(1))
    if match := _BULLETS.search(text):
        n_bullets = _number(match.group(1))
    elif _BULLET_WORD.search(text):
        n_bullets = 3
    if n_sentences is None and n_bullets is None and _ONE_LINE.search(text):
        n_sentences = 1
        if re.search(r"tl;?dr", text, re.I) and n_words is None:
            n_words = 30
    n_chars = None
    if match := _CHARS_MAX.search(text):
        n_chars = int(match.group(2))
        if match.group(1).lower() in ("under", "fewer than", "less than", "below", "shorter than"):
            n_chars -= 1
    elif match := _CHARS_AFTER.search(text):
        n_chars = int(match.group(1))
    elif _TWEET.search(text):
        n_chars = 280
    elif _SMS.search(text):
        n_chars = 160
    words_ = max(1, n_words) if n_words is not None else None
    return Length(n_sentences, words_, n_bullets, max(20, n_chars) if n_chars else None)


def fit_chars(text: str, limit: int | None) -> str:
    """``text`` within ``limit`` characters: whole sentences or lines first, then the first
    one cut at a clause or a word boundary.

    Example:
        >>> fit_chars("The bridge opened on Saturday. It cost 3 million euros.", 32)
        'The bridge opened on Saturday.'
    """
    if limit is None or len(text) <= limit:
        return text
    joiner = "\n" if "\n" in text else " "
    parts = text.split("\n") if joiner == "\n" else sentences(text)
    while len(parts) > 1 and len(joiner.join(parts)) > limit:
        parts.pop()
    text = joiner.join(parts)
    n = len(text.split())
    while len(text) > limit and n > 1:
        n -= 1
        text = compress(text, n)
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "."


# ---------------------------------------------------------------- extractive summary


_SALUTATION = re.compile(
    r"^(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|best|regards|kind regards|"
    r"best regards|cheers|thanks|thank you|many thanks|sincerely|yours|warmly|br)\b[^.!?]{0,30}"
    r"[,.!]?$",
    re.I,
)


def is_salutation(sentence: str) -> bool:
    """A greeting or sign-off line ("Hi all,", "Best, Dana") that a summary leaves out."""
    return len(sentence.split()) <= 5 and bool(_SALUTATION.match(sentence.strip()))


def rank_sentences(parts: list[str], strong: bool = False) -> list[float]:
    """A score per sentence: shared words with the rest, the lead, facts, a sane length."""
    sets = [set(stems(p)) for p in parts]
    df: dict[str, int] = {}
    for s in sets:
        for w in s:
            df[w] = df.get(w, 0) + 1
    central = [sum(df[w] - 1 for w in s) / (len(s) ** 0.5 + 1) if s else 0.0 for s in sets]
    top = max(central) or 1.0
    lead = next(  # the opening sentence, past greetings and title lines ("Weekly sync.")
        (i for i, p in enumerate(parts) if not is_salutation(p) and len(p.split()) >= 5), 0
    )
    scores = []
    for i, part in enumerate(parts):
        size = len(part.split())
        score = central[i] / top
        score += 0.5 if i == lead else 0.0
        score += 0.25 if re.search(r"\d", part) else 0.0
        score += 0.25 if 8 <= size <= 35 else -0.6 if size <= 4 else 0.0
        score -= 1.0 if is_salutation(part) else 0.0
        scores.append(score)
    if strong and len(parts) > 2:
        from aieng.llm.course_model.skills.classify import embed_texts

        vectors = embed_texts(tuple(parts))
        centroid = vectors.mean(axis=0)
        scores = [sc + 1.5 * float(v @ centroid) for sc, v in zip(scores, vectors, strict=True)]
    return scores


_PAREN = re.compile(r"\s*\([^)]*\)|\s+[—–]\s+[^—–]*\s+[—–](?=\s)")
_LEAD = re.compile(
    r"^(?:however|in addition|additionally|moreover|furthermore|overall|also|meanwhile|"
    r"in fact|as a result|for example|basically|so)\s*,?\s+",
    re.I,
)
_TERSE = re.compile(
    r"\b(?:the|a|an|very|really|just|quite|has been|have been|had been|is being|was being)\s+",
    re.I,
)
_CLAUSE_CUT = re.compile(r",\s|;\s|\s(?:and|but|which|while|because|so)\s")


def _finish(text: str) -> str:
    text = text.strip().rstrip(",;:- ")
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def compress(sentence: str, limit: int) -> str:
    """``sentence`` in at most ``limit`` words: drop asides, then cut at a clause."""
    if len(sentence.split()) <= limit:
        return sentence
    text = _LEAD.sub("", _PAREN.sub("", sentence)).strip()
    if len(text.split()) <= limit:
        return _finish(text)
    terse = _TERSE.sub("", text).strip()
    if len(terse.split()) <= limit:
        return _finish(terse)
    if len(terse.split()) <= limit * 1.6:
        text = terse
    best = ""
    for match in _CLAUSE_CUT.finditer(text):
        head = text[: match.start()]
        if len(head.split()) <= limit:
            best = head
    if best and len(best.split()) >= max(3, limit // 2):
        return _finish(best)
    cut = text.split()[:limit]
    while len(cut) > 2 and cut[-1].lower().strip(",;:") in STOPWORDS:
        cut.pop()
    return _finish(" ".join(cut))


def summarize_text(body: str, length: Length, strong: bool = False) -> list[str]:
    """The summary's sentences, central first chosen, returned in original order."""
    parts = [p.lstrip("-*• ").strip() for p in sentences(body.replace("\r", ""))]
    parts = [p for p in parts if p and not is_salutation(p)] or [p for p in parts if p]
    if not parts:
        return []
    count = length.bullets or length.sentences
    if count is None:
        count = 1 if len(parts) <= 3 else 2 if len(parts) <= 8 else 3
    scores = rank_sentences(parts, strong)
    order = sorted(range(len(parts)), key=lambda i: (-scores[i], i))
    limit = length.words
    chosen: list[int] = []
    used = 0
    texts = dict(enumerate(parts))
    for i in order:
        if len(chosen) >= count:
            break
        size = len(parts[i].split())
        if limit is not None and used + size > limit:
            if chosen or limit - used < 3:
                continue
            texts[i] = compress(parts[i], limit - used)  # the best one, cut to fit
            size = len(texts[i].split())
        chosen.append(i)
        used += size
    return [texts[i] for i in sorted(chosen)]


def render_summary(chosen: list[str], length: Length) -> str:
    """Bullets as ``- item`` lines; otherwise sentences joined into a paragraph."""
    if length.bullets:
        return "\n".join("- " + c for c in chosen)
    return " ".join(chosen)


# ---------------------------------------------------------------- rewrites

_CONTRACTIONS = [
    (r"\bcan't\b", "cannot"), (r"\bwon't\b", "will not"), (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"), (r"\b(\w+)n't\b", r"\1 not"), (r"\b(\w+)'re\b", r"\1 are"),
    (r"\bI'm\b", "I am"), (r"\b(\w+)'ve\b", r"\1 have"), (r"\b(\w+)'ll\b", r"\1 will"),
    (r"\b(\w+)'d\b", r"\1 would"), (r"\blet's\b", "let us"),
    (r"\b(it|that|what|there|here|who|where|how|he|she)'s\b", r"\1 is"), (r"\by'all\b", "you all"),
]  # fmt: skip
_SLANG = [
    (r"\bgonna\b", "going to"), (r"\bwanna\b", "want to"), (r"\bgotta\b", "have to"),
    (r"\b(?:kinda|sorta)\b", "somewhat"), (r"\b(?:yeah|yep|yup|ya)\b", "yes"),
    (r"\b(?:nope|nah)\b", "no"), (r"^\s*(?:hey|hiya|yo|sup)\b,?", "Hello,"),
    (r"\bhey\b", "hello"), (r"\bguys\b", "everyone"), (r"\b(?:thx|thanx|tnx)\b", "thank you"),
    (r"\b(?:pls|plz)\b", "please"), (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\br\b", "are"),
    (r"\bbtw\b", "by the way"), (r"\basap\b", "as soon as possible"),
    (r"\bfyi\b", "for your information"), (r"\bimo\b", "in my opinion"),
    (r"\bidk\b", "I do not know"), (r"\s*\b(?:lol|lmao|rofl|omg|haha+|ugh|dude|bro)\b", ""),
    (r"\bawesome\b", "excellent"), (r"\bcool\b", "good"), (r"\bstuff\b", "materials"),
    (r"\bsuper\b", "very"), (r"\btotally\b", "completely"), (r"\ba lot of\b", "many"),
    (r"\btons of\b", "many"), (r"\bok(?:ay)?\b", "acceptable"), (r"\bgot\b", "received"),
    (r"\bkids\b", "children"), (r"\bbuy\b", "purchase"), (r"\bneed\b", "require"),
    (r"\bhelp\b", "assist"), (r"\bget\b", "obtain"), (r"\bfix\b", "resolve"),
    (r"\bmessed up\b", "incorrect"), (r"\bcrappy|lousy\b", "poor"),
]  # fmt: skip
_SIMPLE = [
    (r"\butili[sz]e\b", "use"), (r"\bapproximately\b", "about"), (r"\bcommence\b", "start"),
    (r"\bterminate\b", "end"), (r"\bpurchase\b", "buy"), (r"\bassistance\b", "help"),
    (r"\bsufficient\b", "enough"), (r"\bnumerous\b", "many"), (r"\badditional\b", "more"),
    (r"\bdemonstrate\b", "show"), (r"\bfacilitate\b", "help"), (r"\bsubsequently\b", "later"),
    (r"\bprior to\b", "before"), (r"\bregarding\b", "about"), (r"\bobtain\b", "get"),
    (r"\brequire\b", "need"), (r"\bendeavou?r\b", "try"), (r"\bindividuals\b", "people"),
]  # fmt: skip
_FILLER = [
    (r"\bin order to\b", "to"), (r"\bdue to the fact that\b", "because"),
    (r"\bat this point in time\b", "now"), (r"\bin the event that\b", "if"),
    (r"\b(?:really|very|just|basically|actually|literally|quite|totally|simply|definitely)\s+", ""),
    (r"\b(?:kind of|sort of)\s+", ""), (r"\bI think (?:that )?", ""), (r"\bI believe (?:that )?", ""),
    (r"\bI (?:just |only )?(?:wanted|want|would like|wanna) to (?:let (?:you|you all|everyone|"
     r"everybody|y'all) know|say|tell (?:you|you all|everyone))(?: that)?,?\s*", ""),
    (r"\b(?:unfortunately|fortunately|honestly|frankly|basically|actually),?\s*", ""),
    (r"^\s*(?:hello|hi|hey|dear)\b[^,\n]{0,20},\s*", ""),
    (r"\bplease note that\s+", ""), (r"\bit is important to note that\s+", ""),
]  # fmt: skip
_CASUAL = [
    (r"\bdo not\b", "don't"), (r"\bcannot\b", "can't"), (r"\bwill not\b", "won't"),
    (r"\bI am\b", "I'm"), (r"\bit is\b", "it's"), (r"\bwe are\b", "we're"),
    (r"\byou are\b", "you're"), (r"\bthat is\b", "that's"), (r"\bI have\b", "I've"),
    (r"\bwe have\b", "we've"), (r"\bwe will\b", "we'll"), (r"\bI will\b", "I'll"),
    (r"\byou will\b", "you'll"), (r"\bit will\b", "it'll"), (r"\bdoes not\b", "doesn't"),
    (r"\bis not\b", "isn't"), (r"\bare not\b", "aren't"),
    (r"^\s*(?:dear [^,\n]+|hello|greetings),?", "Hi,"),
]  # fmt: skip
_DEMAND = re.compile(
    r"^(?:now\s+)?(send|give|fix|tell|get|make|do|call|email|reply|answer|update|check|explain|"
    r"stop|refund|cancel|provide|share|let)\b\s*(.*?)[.!]*$",
    re.I,
)


def _compile(table):
    return [(re.compile(p, re.I | re.M), r) for p, r in table]


_TABLES = {
    "contractions": _compile(_CONTRACTIONS),
    "slang": _compile(_SLANG),
    "simple": _compile(_SIMPLE),
    "filler": _compile(_FILLER),
    "casual": _compile(_CASUAL),
}


def _apply(text: str, table: str) -> str:
    for pattern, repl in _TABLES[table]:
        text = pattern.sub(lambda m, r=repl: _keep_case(m, m.expand(r)), text)
    return text


def _keep_case(match: re.Match, repl: str) -> str:
    original = match.group(0).lstrip()
    if original[:1].isupper() and repl[:1].islower():
        return repl[:1].upper() + repl[1:]
    return repl


def _tidy(text: str) -> str:
    text = re.sub(r"[!?]{2,}", lambda m: m.group(0)[0], text)
    text = re.sub(r"[^\w\s.,;:!?'\"()\-$%&/@#€£]", "", text)  # emoji and symbols
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text.strip())
    if text and text[-1] not in ".!?\"')":
        text += "."
    return re.sub(r"^\W*", "", text)[:1].upper() + re.sub(r"^\W*", "", text)[1:]


def _politely(text: str) -> str:
    out = []
    for part in sentences(text):
        demand = _DEMAND.match(part.strip())
        if demand:
            verb, rest = demand.group(1).lower(), demand.group(2)
            part = f"Could you please {verb} {rest}".rstrip() + "?"
        out.append(part)
    text = " ".join(out)
    text = re.sub(r"\bI want\b", "I would like", text)
    if not re.search(r"\bthank", text, re.I):
        text = text.rstrip() + " Thank you."
    return text


def rewrite_text(body: str, instruction: str) -> str:
    """``body`` rewritten as ``instruction`` asks, within any stated word limit."""
    wants = instruction.lower()
    text = body.strip()
    formal = re.search(r"formal|professional|polite|business", wants) and "less formal" not in wants
    if formal:
        text = _apply(_apply(text, "contractions"), "slang")
    if re.search(r"casual|friendly|informal|less formal|relaxed|warm", wants):
        text = _apply(text, "casual")
        if re.search(r"friendly|warm", wants) and not re.match(
            r"\s*(?:hi|hello|hey)\b", text, re.I
        ):
            text = "Hi there! " + text
    if re.search(r"simpl|plain|easier|clearer", wants):
        text = _apply(text, "simple")
    if re.search(r"polite|nicer|kinder|courteous|tone down", wants):
        text = _politely(text)
    length = parse_length(instruction)
    shorten = re.search(r"short|concise|brief|trim|condense|tighten", wants)
    if shorten or length.words:
        text = _apply(text, "filler")
    if not (formal or shorten or length.words) and not re.search(r"casual|friendly|simpl", wants):
        text = _apply(_apply(text, "contractions"), "slang")  # a plain rephrase
    text = _tidy(text)
    limit = length.words
    if limit is None and shorten:
        limit = max(5, int(len(body.split()) * 0.6))
    if length.sentences and len(sentences(text)) > length.sentences:
        text = render_summary(summarize_text(text, Length(sentences=length.sentences)), Length())
    if limit is not None and len(text.split()) > limit:
        chosen = summarize_text(text, Length(words=limit, sentences=max(1, len(sentences(text)))))
        text = render_summary(chosen, Length())
        if len(text.split()) > limit:
            text = compress(text, limit)
    return fit_chars(text, length.chars)


# ---------------------------------------------------------------- the skill


def _source_text(task: Task, instruction_in_user: bool) -> tuple[str, str]:
    """The instruction and the text it applies to ('' if there is none)."""
    user = task.last_user
    if not instruction_in_user:
        return task.system, user.strip()
    instruction, body = split_instruction(user)
    if body and len(body.split()) >= 3:
        return instruction + " " + task.system, body
    if _REFERS_BACK.search(user) or len(user.split()) <= 12:
        earlier = [m for m in task.messages[:-1] if m.role in ("assistant", "user") and m.content]
        if earlier:
            return user + " " + task.system, earlier[-1].content
    return user, ""


def summarize_or_rewrite(task: Task) -> Reply | None:
    """Summarize or rewrite the text the prompt points at, within its stated length."""
    if task.last.role != "user":
        return None
    user, system = task.last_user, task.system
    lead = user[:300]
    kind = "summary" if _SUMMARY.search(lead) else "rewrite" if _REWRITE.search(lead) else None
    form = _COMPOSE.search(lead)
    if kind is None and form:
        kind = "compose"  # "write a tweet about this: ...": a summary in that form
    in_user = kind is not None
    if kind is None:
        kind = (
            "summary" if _SUMMARY.search(system) else "rewrite" if _REWRITE.search(system) else None
        )
    if kind is None:
        return None
    instruction, body = _source_text(task, in_user)
    if not body:
        return None
    strong = task.profile.quality == "strong"
    if kind == "rewrite":
        return Reply(content=rewrite_text(body, instruction))
    length = parse_length(instruction)
    if length.sentences is None and length.bullets is None:
        one = _BRIEF.search(instruction) or (
            kind == "compose" and form and form.group(1).lower().startswith(_ONE_SENTENCE_FORMS)
        )
        if one or kind == "compose":
            length = Length(sentences=1 if one else 2, words=length.words, chars=length.chars)
    chosen = summarize_text(body, length, strong)
    logger.debug("summary of %d chars -> %d sentences", len(body), len(chosen))
    return Reply(content=fit_chars(render_summary(chosen, length), length.chars))
