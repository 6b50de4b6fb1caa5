"""Signals in a text that label families respond to: sentiment, urgency, language...

Classification needs more than word overlap for labels such as "negative",
"high" or "spam": "not happy" shares no word with "negative". This module
holds the small vocabulary a small model would know and turns it into scores
per label family (polarity, level, language, spam, toxicity, sentence kind,
star ratings). Within a set made only of one family the score is closeness on
the family's scale; in a mixed set it is evidence, so an intent set with one
"complaint" label is not pulled toward it by neutral text.

Example:
    >>> polarity("not happy at all") < 0 < polarity("really great")
    True
"""

from __future__ import annotations

import re
from functools import lru_cache

from aieng.llm.course_model.skills.vocabulary import DOMAINS, KINDS
from aieng.llm.course_model.text import STOPWORDS, split_identifier, stem, words

_POSITIVE = """good great love loved loving excellent awesome amazing fantastic wonderful perfect
happy glad pleased delighted satisfied enjoy enjoyed like liked best nice superb brilliant
impressive impressed helpful fast smooth easy recommend thank thanks appreciate beautiful
outstanding incredible fabulous favourite favorite works working fixed resolved solved exceeded
happier
friendly reliable cool positive win wins success successful worth terrific lovely""".split()
_NEGATIVE = """bad terrible awful horrible hate hated poor worst disappointed disappointing
disappointment frustrating frustrated angry annoyed annoying useless broken slow unhappy sad
upset rude wrong fail failed failure failing crash crashed crashes problem issue bug refund
complaint complain waste wasted never worse unacceptable ridiculous garbage junk defective
damaged missing late delayed cancel confusing difficult hard expensive overpriced scam lost
furious dissatisfied negative mediocre dirty cold error errors lacking regret cracked leaking
snapped hurt injured burned burnt scratched dented smashed shattered stolen overcharged faulty
unusable""".split()
_NEGATORS = frozenset(
    "not no never none nothing hardly barely neither nor without isn't wasn't aren't weren't "
    "don't doesn't didn't can't couldn't won't wouldn't shouldn't haven't hasn't cannot".split()
)
_INTENSIFIERS = frozenset(
    "very really extremely so super incredibly absolutely totally utterly completely truly "
    "highly deeply most".split()
)
_CONTRAST = frozenset("but however although though yet".split())

_URGENT = """urgent urgently asap immediately emergency critical down outage outages halted halt
flood flooding smoke injury injured danger dangerous bleeding evacuate alarm
stopped blocked blocking crash crashed crashing production severe serious fire losing breach
compromised hacked leak leaked deadline escalate escalation dead unusable lost loss destroyed
ruined collapse collapsed""".split()
_PRESSING = """cannot can't unable today now tonight everyone entire failing failed failure stuck
broken security affected complete completely totally customers risk tonight damage damaged
spreading rising imminent""".split()
_CALM = """whenever rush minor cosmetic typo suggestion curious wondering question idea nice sometime
eventually someday later small slight trivial low-priority convenience future feedback""".split()

_LEVELS = {
    # value in 0..1 on a generic intensity scale (urgency, severity, priority)
    "critical": 1.0,
    "blocker": 1.0,
    "emergency": 1.0,
    "sev1": 1.0,
    "p0": 1.0,
    "p1": 0.9,
    "urgent": 0.9,
    "high": 0.85,
    "severe": 0.9,
    "major": 0.8,
    "important": 0.75,
    "sev2": 0.7,
    "p2": 0.6,
    "elevated": 0.65,
    "medium": 0.5,
    "moderate": 0.5,
    "normal": 0.45,
    "mid": 0.5,
    "standard": 0.45,
    "sev3": 0.35,
    "p3": 0.3,
    "minor": 0.2,
    "low": 0.15,
    "trivial": 0.05,
    "p4": 0.1,
    "sev4": 0.1,
    "none": 0.0,
    "lowest": 0.0,
    "highest": 1.0,
    "info": 0.1,
    "informational": 0.1,
    "fyi": 0.1,
    "routine": 0.15,
    "notice": 0.3,
    "advisory": 0.4,
    "watch": 0.5,
    "warning": 0.6,
    "warn": 0.6,
    "alert": 0.75,
    "catastrophic": 1.0,
}
_POLARITY = {
    "positive": 1.0,
    "pos": 1.0,
    "good": 0.8,
    "happy": 0.8,
    "satisfied": 0.8,
    "praise": 0.8,
    "favorable": 0.8,
    "favourable": 0.8,
    "pleased": 0.8,
    "compliment": 0.8,
    "love": 1.0,
    "negative": -1.0,
    "neg": -1.0,
    "bad": -0.8,
    "unhappy": -0.8,
    "angry": -0.9,
    "dissatisfied": -0.8,
    "complaint": -0.7,
    "unfavorable": -0.8,
    "frustrated": -0.8,
    "upset": -0.8,
    "hate": -1.0,
    "neutral": 0.0,
    "mixed": 0.0,
    "indifferent": 0.0,
    "objective": 0.0,
}
_LANGUAGES = {
    "english": ("en", "the and is are you of to it this that with have not what for"),
    "french": (
        "fr",
        "le la les est et je vous une des pas pour que qui dans avec mon où au aux c'est très",
    ),
    "spanish": (
        "es",
        "el la los las es y que de por para con una muy pero gracias estoy dónde está más al del "
        "necesito quiero cómo qué",
    ),
    "german": ("de", "der die das ist und ich nicht sie ein eine mit für auf wir zu wo bitte"),
    "italian": ("it", "il lo gli della è e che non sono per una con mio grazie questo"),
    "portuguese": ("pt", "o os as é e não que uma para com muito obrigado estou você"),
    "dutch": ("nl", "de het een is en niet ik van op dat met zijn voor"),
}
_SPAM = """free winner won prize click offer cash money claim congratulations limited lottery
deal discount viagra unsubscribe guaranteed bonus credit loan crypto bitcoin earn income
investment exclusive act selected gift reward million urgent""".split()

# Topic cues: everyday vocabulary a small model would associate with a label word.
_TOPICS = {
    "billing": "invoice charge charged refund payment card bill price fee subscription money",
    "technical": "error bug crash app install load page broken code server api slow loading "
    "update version browser screen freeze",
    "tech": "software hardware ai computer app phone chip startup internet code",
    "technology": "software hardware ai computer app phone chip startup internet code",
    "account": "login password sign profile username email locked access reset account 2fa",
    "shipping": "delivery package parcel tracking courier arrive shipped carrier address",
    "sport": "game team match score player league season coach goal win championship",
    "sports": "game team match score player league season coach goal win championship",
    "politics": "election government vote president minister parliament policy law senate",
    "business": "market company revenue profit stock share ceo merger earnings sales",
    "finance": "money bank invoice expense budget stock market interest loan tax",
    "health": "doctor symptom disease hospital medicine patient vaccine diet sleep pain",
    "science": "research study scientist experiment physics biology space planet discovery "
    "telescope galaxy astronomy",
    "entertainment": "movie film music song actor celebrity show concert album series",
    "weather": "rain sunny forecast temperature storm snow wind cloudy",
    "food": "recipe restaurant dinner cook meal taste dish",
    "cooking": "recipe bake boil fry oven ingredient meal dish kitchen egg pasta sauce roast grill "
    "cook dinner flour",
    "recipe": "bake boil fry oven ingredient meal dish kitchen cook flour roast grill vegetable "
    "swap substitute",
    "programming": "code function error bug library install variable loop class script debug "
    "api compile syntax",
    "python": "code function error library install variable loop class script pip import list dict",
    "travel": "flight hotel trip booking airport vacation passport visa luggage taxi train uber "
    "mileage",
    "product": "feature plan pricing order item price",
    "hr": "vacation leave salary payroll benefit hiring employee manager pto holiday",
    "legal": "contract lawsuit law agreement clause liability compliance gdpr court",
    "sales": "pricing quote demo purchase buy plan enterprise discount trial",
    "it": "laptop password vpn wifi printer email access software install outlook computer "
    "network login crash monitor keyboard account server screen",
    "customer": "order account subscription refund delivery cancel pause plan payment invoice "
    "return exchange complaint",
    "complaint": "bad terrible disappointed angry refund broken worst unacceptable",
    "question": "how what when where why which can could does",
    "praise": "great love excellent thanks amazing awesome",
    "bug": "error crash broken fails exception wrong",
    "feature": "add would nice suggestion request support wish",
    "cancel": "cancel cancellation stop unsubscribe terminate close quit",
    "refund": "refund money back return reimburse",
    "greeting": "hello hi hey morning",
    "how": "use setup configure guide steps tutorial where find feature enable settings",
    "security": "breach hack phishing malware password leak vulnerability suspicious",
    "shopping": "buy order cart checkout price discount store",
    "education": "school student teacher exam class course homework university",
    "environment": "climate pollution emissions recycling energy carbon",
    "marketing": "campaign brand ads advertising social media audience launch",
    "engineering": "code deploy build server bug release api infrastructure",
    "support": "help problem issue question trouble broken",
    "facilities": "building office desk room heating cleaning parking",
    "order": "delivery package shipped tracking arrive item purchase",
    "status": "where when arrive tracking update progress",
    "hardware": "monitor keyboard mouse screen laptop printer cable battery charger disk fan "
    "device port usb headset webcam dock",
    "software": "app application install update crash bug license version program excel windows "
    "macos error plugin subscription saas tool",
    "network": "wifi wi-fi internet vpn connection connect router ethernet dns latency offline "
    "bandwidth firewall proxy",
    "address": "moved move apartment house street city zip postcode home relocate relocated",
    "sci": "research study scientist experiment physics biology space planet discovery telescope "
    "galaxy",
    "world": "country government war president minister election international nations crisis "
    "border treaty",
    "gardening": "prune rose soil seed water flower tree lawn grow compost fertilizer weed pot "
    "bloom leaf leaves harvest plant garden",
    "plants": "prune rose soil seed water flower tree grow compost fertilizer leaf leaves pot",
    "pets": "dog cat puppy kitten vet food walk litter leash breed",
    "fitness": "workout exercise gym run running training muscle weight cardio stretch",
    "music": "song album band guitar piano concert playlist singer lyrics",
    "movies": "film movie actor director cinema trailer series show",
    "cars": "car engine tire tyre brake oil vehicle drive mileage dealer",
    "insurance": "policy claim premium coverage deductible accident damage",
    "banking": "bank account transfer card balance loan mortgage deposit withdraw atm",
    "meals": "lunch dinner breakfast restaurant food coffee catering",
    "supplies": "paper pens printer toner stapler notebook desk chair",
}
_TOXIC = """idiot idiots stupid dumb moron loser losers pathetic ugly worthless disgusting trash fool
jerk scum shut hate hateful fuck fucking shit bitch bastard asshole crap die kill suck sucks
nobody worst""".split()
_EMOTIONS = {
    "joy": "happy glad delighted thrilled excited joy joyful great love wonderful cheerful yay",
    "anger": "angry furious mad annoyed outraged irritated hate rage livid fed",
    "fear": "afraid scared terrified anxious nervous worried panic frightened fear dread",
    "sadness": "sad depressed unhappy miserable heartbroken lonely cry crying grief tears down",
    "surprise": "surprised shocked amazed unexpected wow astonished suddenly",
    "disgust": "disgusting gross revolting sick nasty disgusted vile repulsive",
    "love": "love adore cherish affection darling sweetheart",
    "trust": "trust rely reliable confident faith depend",
    "gratitude": "thank thanks thankful grateful appreciate appreciated saved lifesaver kind "
    "helpful",
    "confusion": "confused confusing unclear puzzled lost baffled which understand sure "
    "explain mean",
    "worry": "worried worry afraid scared anxious nervous concerned fear panic what happens leaked",
    "frustration": "frustrated frustrating annoyed again still fed tired waste nothing",
    "disappointment": "disappointed disappointing expected letdown underwhelming hoped",
    "relief": "relieved relief finally phew glad",
}
_EMOTION_ALIASES = {
    "happiness": "joy", "happy": "joy", "angry": "anger", "scared": "fear", "afraid": "fear",
    "anxiety": "fear", "sad": "sadness", "surprised": "surprise", "disgusted": "disgust",
    "excitement": "joy", "excited": "joy", "grateful": "gratitude", "thankful": "gratitude",
    "appreciative": "gratitude", "confused": "confusion", "worried": "worry",
    "anxious": "worry", "concerned": "worry", "frustrated": "frustration",
    "disappointed": "disappointment", "relieved": "relief",
}  # fmt: skip
_KINDS = ("question", "statement", "command", "request", "exclamation")


def stem_set(text: str) -> frozenset[str]:
    """Stems of the content words of ``text``; a joined word also gives its parts
    ("landlord-tenant" -> landlord-tenant, landlord, tenant)."""
    out = set()
    for w in words(text):
        if w in STOPWORDS or len(w) <= 1:
            continue
        out.add(stem(w))
        if "-" in w or "_" in w:
            out.update(stem(p) for p in re.split(r"[-_]+", w) if len(p) > 1 and p not in STOPWORDS)
    return frozenset(out)


def _topic_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {stem(k): set(stem_set(v)) for k, v in _TOPICS.items()}
    for names, cues in DOMAINS:
        cue_stems = stem_set(cues)
        for name in names.split():
            table.setdefault(stem(name), set()).update(cue_stems)
    return {k: frozenset(v) for k, v in table.items()}


TOPIC_STEMS = _topic_table()
# Each subject area as (its first name, its names stemmed, its cue words stemmed): for
# telling what a text is about.
DOMAIN_STEMS = tuple(
    (names.split()[0], frozenset(stem(n) for n in names.split()), stem_set(cues))
    for names, cues in DOMAINS
)
KIND_MEMBERS = {stem(k): stem_set(v) for k, v in KINDS.items()}
_POLITE = frozenset("please pls plz kindly".split())
_POS = frozenset(stem(w) for w in _POSITIVE)
_NEG = frozenset(stem(w) for w in _NEGATIVE)
_URG = frozenset(stem(w) for w in _URGENT)
_PRS = frozenset(stem(w) for w in _PRESSING)
_CLM = frozenset(stem(w) for w in _CALM)
_SPAM_STEMS = frozenset(stem(w) for w in _SPAM)
_LANG_WORDS = {name: frozenset(ws.split()) for name, (_, ws) in _LANGUAGES.items()}
_LANG_CODES = {code: name for name, (code, _) in _LANGUAGES.items()}
NOT_LABEL = re.compile(r"^(?:not|non|no)[\s_\-]+(.+)$", re.I)


# ---------------------------------------------------------------- text signals


_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]]|\s[-\u2013\u2014]+\s|[\u2013\u2014]")
_SCOPE_END = frozenset("and or but however although though yet while whereas".split())
_NEGATION_REACH = 6


def _clause_tokens(text: str) -> list[tuple[str, int]]:
    """Lower-cased words with the index of the clause each sits in."""
    out: list[tuple[str, int]] = []
    for clause, part in enumerate(_CLAUSE_BREAK.split(text)):
        out.extend((w, clause) for w in words(part))
    return out


def _negated(tokens: list[tuple[str, int]], i: int) -> bool:
    """Whether a negator governs token ``i``: earlier in its clause, within reach, with no
    conjunction and no other sentiment word between ("wouldn't say it was great")."""
    clause = tokens[i][1]
    for j in range(i - 1, max(-1, i - 1 - _NEGATION_REACH), -1):
        word, where = tokens[j]
        if where != clause or word in _SCOPE_END:
            return False
        if word in _NEGATORS or word.endswith("n't"):
            nxt = tokens[j + 1][0] if j + 1 < len(tokens) else ""
            return nxt not in ("only", "just", "doubt")  # "not only", "no doubt"
        s = stem(word)
        if j < i - 1 and (s in _POS or s in _NEG):
            return False  # the negator belongs to the nearer sentiment word
    return False


def _comparative(tokens: list[tuple[str, int]], i: int) -> bool:
    """ "couldn't be happier", "never been better": a negated comparative keeps its sign."""
    word = tokens[i][0]
    before = tokens[i - 1][0] if i else ""
    return word.endswith(("ier", "er")) and word not in ("never", "over") or before == "more"


def _at_all(tokens: list[tuple[str, int]], i: int) -> bool:
    clause = tokens[i][1]
    rest = [w for w, c in tokens[i + 1 : i + 5] if c == clause]
    return any(a == "at" and b == "all" for a, b in zip(rest, rest[1:], strict=False))


def _word_value(tokens: list[tuple[str, int]], i: int) -> float:
    """The sentiment of token ``i`` after negation ("not bad at all" is clearly good)."""
    token = tokens[i][0]
    if token in _POLITE:
        return 0.0  # "please" shares its stem with "pleased" but says nothing of mood
    s = stem(token)
    value = 1.0 if (s in _POS or token in _POSITIVE) else 0.0
    if s in _NEG or token in _NEGATIVE:
        value = -1.0
    if not value or not _negated(tokens, i):
        return value
    if _comparative(tokens, i):
        return value * 1.5
    if _at_all(tokens, i):
        return -value * (1.0 if value < 0 else 1.2)  # "not bad at all", "not good at all"
    return -value * (0.8 if value > 0 else 0.65)  # "not bad" is mildly positive


@lru_cache(maxsize=4096)
def polarity(text: str) -> float:
    """Sentiment in -1..1 with negation ("not happy", "wouldn't say it was great") and
    intensity ("very").

    Example:
        >>> polarity("not happy at all") < 0 < polarity("really great")
        True
    """
    tokens = _clause_tokens(text)
    score = 0.0
    weight_after_contrast = 1.0
    for i, (token, _) in enumerate(tokens):
        if token in _CONTRAST:
            score *= 0.5  # what follows "but" counts more
            weight_after_contrast = 1.5
            continue
        value = _word_value(tokens, i)
        if not value:
            continue
        if any(w in _INTENSIFIERS for w, _ in tokens[max(0, i - 3) : i]):
            value *= 1.5
        score += value * weight_after_contrast
    if "!" in text and score:
        score *= 1.2
    return max(-1.0, min(1.0, score / 2.0))


_NO_RUSH = re.compile(
    r"\bno (?:rush|hurry)\b|\bwhen(?:ever)? you (?:get|have) (?:a )?(?:chance|moment|time)"
    r"|\bnot (?:urgent|a priority|pressing)\b|\bat your convenience\b"
)


@lru_cache(maxsize=4096)
def urgency(text: str) -> float:
    """Urgency in 0..1 from general cues ("down", "asap", "no rush")."""
    tokens = words(text)
    hot = calm = 0.0
    for i, token in enumerate(tokens):
        s = stem(token)
        weight = 1.0 if s in _URG else 0.4 if s in _PRS else 0.0
        negated = any(w in _NEGATORS for w in tokens[max(0, i - 2) : i])
        if weight and negated:
            calm += weight
        elif weight:
            hot += weight
        elif s in _CLM:
            calm += 1.0
    if _NO_RUSH.search(text.lower()):
        calm += 2
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 10 and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    hot += min(2, text.count("!")) * 0.3 + (0.5 if shouting else 0.0)
    if not hot and not calm:
        return 0.45
    return max(0.0, min(1.0, 0.45 + 0.3 * hot - 0.2 * calm))


@lru_cache(maxsize=4096)
def _language_scores(text: str) -> dict[str, float]:
    tokens = [t.lower() for t in re.findall(r"[^\W\d_]+", text)]
    if not tokens:
        return {}
    return {name: sum(t in ws for t in tokens) / len(tokens) for name, ws in _LANG_WORDS.items()}


# ---------------------------------------------------------------- families

_TOX = frozenset(stem(w) for w in _TOXIC)
_EMOTION_STEMS = {name: frozenset(stem(w) for w in ws.split()) for name, ws in _EMOTIONS.items()}
_SPAM_LABELS = frozenset("spam junk scam phishing promotional promotion advertising advert".split())
_HAM_LABELS = frozenset("ham legit legitimate genuine".split())
_TOXIC_LABELS = frozenset(
    "toxic offensive abusive insult insulting hateful harassment rude profane inappropriate".split()
)
_CIVIL_LABELS = frozenset("civil clean polite appropriate respectful".split())
_SOFTENERS = frozenset("somewhat slightly mildly a bit fairly".split())
_ASKING = re.compile(
    r"\?\s*$|^\s*(?:who|what|when|where|why|which|how|is|are|was|were|do|does|did|can|could|"
    r"should|would|will)\b",
    re.I,
)
_ORDER = re.compile(
    r"^\s*(?:please\s+)?(?:send|give|make|do|stop|start|open|close|call|fix|update|delete|add|"
    r"remove|check|tell|show|let|bring|get|put|take|cancel|book|buy|turn|set)\b",
    re.I,
)


def label_family(label: str) -> tuple[str, float | str] | None:
    """The family a label belongs to and its place in it, or None.

    Example:
        >>> label_family("very negative")
        ('polarity', -1.0)
    """
    low = label.strip().lower()
    key = re.sub(r"[\s_\-]+", "", low)
    parts = [w for w in split_identifier(label) if w]
    if not parts:
        return None
    emotion = _EMOTION_ALIASES.get(key, key)
    if emotion in _EMOTION_STEMS:
        return ("emotion", emotion)
    if key in _POLARITY or parts[-1] in _POLARITY:
        target = _POLARITY.get(key, _POLARITY.get(parts[-1], 0.0))
        if key == "mixed":
            return ("polarity", "mixed")
        if len(parts) > 1 and parts[0] in _INTENSIFIERS:
            return ("polarity", target)
        if len(parts) > 1 and parts[0] in _SOFTENERS:
            return ("polarity", target * 0.3)
        return ("polarity", target * 0.6)
    if key in _LEVELS or parts[0] in _LEVELS:
        return ("level", _LEVELS.get(key, _LEVELS.get(parts[0], 0.5)))
    if key in _LANG_WORDS or key in _LANG_CODES:
        return ("language", _LANG_CODES.get(key, key))
    if key in _SPAM_LABELS or key in _HAM_LABELS:
        return ("spam", 1.0 if key in _SPAM_LABELS else 0.0)
    if key in _TOXIC_LABELS or key in _CIVIL_LABELS:
        return ("toxic", 1.0 if key in _TOXIC_LABELS else 0.0)
    if key in _KINDS:
        return ("kind", key)
    stars = re.match(r"^(\d+)\s*(?:stars?|/\s*\d+)?$", low)
    if stars and ("star" in low or "/" in low):
        return ("rating", float(stars.group(1)))
    return None


def polarity_counts(text: str) -> tuple[int, int]:
    """How many positive and negative words (after negation) ``text`` holds."""
    tokens = _clause_tokens(text)
    pos = neg = 0
    for i in range(len(tokens)):
        value = _word_value(tokens, i)
        pos += value > 0
        neg += value < 0
    return pos, neg


def _kind(text: str) -> str:
    stripped = text.strip()
    if _ASKING.search(stripped):
        return "question"
    if _ORDER.match(stripped):
        return "command"
    if stripped.endswith("!"):
        return "exclamation"
    return "statement"


def evidence(text: str, family: str, value) -> float:
    """How strongly ``text`` shows one family value (0..1), for mixed label sets."""
    if family == "polarity":
        p = polarity(text)
        if value == "mixed":
            pos, neg = polarity_counts(text)
            return 0.8 if pos and neg else 0.0
        if value == 0:
            return 0.3 * (1 - min(1.0, abs(p) * 2))
        return max(0.0, p if value > 0 else -p) * 1.5
    if family == "level":
        u = urgency(text)
        if value >= 0.5:
            return max(0.0, u - 0.5) * 2 * value
        return max(0.0, 0.45 - u) * 2 * (1 - value)
    if family == "language":
        return min(1.0, _language_scores(text).get(value, 0.0) * 3.0)
    if family == "spam":
        found = min(1.0, len(stem_set(text) & _SPAM_STEMS) / 3.0)
        return found if value else max(0.0, 0.5 - found)
    if family == "toxic":
        found = min(1.0, len(stem_set(text) & _TOX) / 2.0)
        return found if value else max(0.0, 0.5 - found)
    if family == "emotion":
        return min(1.0, len(stem_set(text) & _EMOTION_STEMS[value]) / 2.0)
    if family == "kind":
        kind = _kind(text)
        return 1.0 if kind == value or {kind, value} == {"command", "request"} else 0.0
    return 0.0


def _closeness(text: str, family: str, values: list) -> list[float]:
    """Scores on the family's own scale, for a set made only of that family."""
    if family == "polarity":
        p = polarity(text)
        pos, neg = polarity_counts(text)
        out = []
        for v in values:
            if v == "mixed":
                out.append(1.0 if pos and neg and abs(p) < 0.7 else 0.6 - abs(p) / 2)
            else:
                out.append(1.0 - abs(p - v) / 2)
        return out
    if family == "level":
        ranks = sorted(set(values))
        place = {v: (ranks.index(v) / (len(ranks) - 1) if len(ranks) > 1 else 0.5) for v in ranks}
        u = urgency(text)
        return [1.0 - abs(u - place[v]) for v in values]
    if family == "rating":
        lo, hi = min(values), max(values)
        target = lo + (polarity(text) + 1) / 2 * (hi - lo)
        return [1.0 - abs(v - target) / (hi - lo + 1) for v in values]
    return [evidence(text, family, v) for v in values]


def family_scores(text: str, labels: list[str]) -> list[float | None]:
    """A family score per label (None for labels outside every family)."""
    bases = []
    for label in labels:
        negated = NOT_LABEL.match(label.strip())
        bases.append(negated.group(1) if negated else label)
    families = [label_family(b) for b in bases]
    names = {f[0] for f in families if f is not None}
    if len(names) == 1 and all(f is not None for f in families) and len(labels) > 1:
        name = names.pop()
        return list(_closeness(text, name, [f[1] for f in families]))
    return [None if f is None else evidence(text, f[0], f[1]) for f in families]
