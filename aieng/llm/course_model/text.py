"""Small, fast text tools the skills share: words, stems, sentences, overlap.

Nothing here knows any prompt; it is the course model's "linguistics".

Example:
    >>> stems("Refunds were requested twice")
    ['refund', 'request', 'twic']
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_\-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n{2,}|\n(?=\s*[-*•]|\s*\d+[.)])")

STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from as is are was were be been
    being am do does did doing have has had having i me my mine we us our ours you your yours he him
    his she her hers it its they them their theirs this that these those there here what which who
    whom whose when where why how all any both each few more most other some such no nor not only
    own same so than too very can could will would shall should may might must just also into about
    over under again further once up down out off per via please thanks thank hi hello hey okay ok
    let lets get got would like want need tell give show make know say said use using used one
    yes i'm i've i'd it's that's don't doesn't didn't can't won't isn't aren't wasn't weren't
    via etc e.g i.e""".split()
)

# A small general-purpose lexicon: words that stand for the same idea. It is
# vocabulary a small model would know, not answers to any prompt.
_SYNONYM_GROUPS = [
    "refund reimburse reimbursement money-back repay",
    "charge charged bill billed billing invoice payment pay paid price cost fee subscription card",
    "cancel cancellation terminate stop unsubscribe",
    "error bug crash broken fail failure failing issue problem glitch",
    "login log-in signin sign-in password credential authenticate account locked",
    "deliver delivery ship shipping shipment package parcel arrive arrival tracking courier",
    "late delay delayed slow overdue",
    "buy purchase order ordered",
    "weather forecast temperature rain sunny",
    "email e-mail mail message",
    "meeting appointment schedule calendar booking book reserve reservation",
    "search find look lookup query retrieve fetch",
    "create add new make open register",
    "delete remove erase drop destroy",
    "update change modify edit set",
    "happy great love excellent awesome fantastic pleased delighted good",
    "sad unhappy angry furious terrible awful bad disappointed frustrated hate worst",
    "urgent asap immediately emergency critical",
    "vacation leave holiday pto time-off",
    "salary pay payroll compensation wage",
    "laptop computer device hardware machine",
    "employee staff worker colleague",
    "customer client user",
    "help support assist assistance",
    "question ask inquiry",
    "convert conversion exchange",
    "translate translation",
    "calculate compute math sum total",
    "stock share ticker",
    "flight fly airline plane",
    "hotel room stay accommodation",
    "restaurant dinner lunch food table",
    "security breach hack phishing malware vulnerability",
    "contract agreement legal terms",
    "feature request suggestion improvement",
    "maximum max limit largest biggest cap ceiling",
    "minimum min smallest lowest least",
    "alert warn warning notify notification alarm",
]


def _light_stem(word: str) -> str:
    """A light English stemmer: enough to join plural, tense and -ing forms."""
    w = word.lower().strip("'")
    if len(w) <= 3:
        return w
    for suffix, repl in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("fulness", "ful"),
        ("iveness", "ive"),
        ("ements", ""),
        ("ement", ""),
        ("ments", ""),
        ("ment", ""),
        ("ities", "ity"),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("sses", "ss"),
        ("ness", ""),
        ("edly", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                return w
            if suffix == "es" and not w.endswith(("ches", "shes", "xes", "sses", "zes")):
                w = w[:-1]  # then the silent-e rule below: "closes" meets "close" at "clos"
                break
            w = w[: len(w) - len(suffix)] + repl
            break
    # undouble a final consonant left by -ing/-ed ("stopp" -> "stop")
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    # "birdie" meets "birdies" at "birdy", as "party" meets "parties"
    if len(w) > 4 and w.endswith("ie"):
        return w[:-2] + "y"
    # a final silent e, so that "charge" and "charged" meet at "charg"
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


# Irregular forms a suffix rule cannot join to their base ("worn" -> "wear").
_IRREGULAR = {
    form: base
    for base, forms in {
        "wear": "wore worn", "go": "went gone", "pay": "paid", "buy": "bought", "send": "sent",
        "take": "took taken", "give": "gave given", "sell": "sold", "tell": "told",
        "keep": "kept", "build": "built", "run": "ran", "begin": "began begun",
        "choose": "chose chosen", "break": "broke broken", "spend": "spent", "win": "won",
        "lose": "lost", "find": "found", "hold": "held", "bring": "brought", "think": "thought",
        "catch": "caught", "teach": "taught", "fall": "fell fallen", "feel": "felt", "meet": "met",
        "write": "wrote written", "eat": "ate eaten", "drive": "drove driven", "fly": "flew flown",
        "grow": "grew grown", "know": "knew known", "show": "shown", "child": "children",
        "man": "men", "woman": "women", "freeze": "froze frozen", "steal": "stole stolen",
        "speak": "spoke spoken", "sing": "sang sung", "swim": "swam swum",
    }.items()
    for form in forms.split()
}  # fmt: skip


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    low = word.lower()
    return _light_stem(_IRREGULAR.get(low, low))


def words(text: str) -> list[str]:
    """Word tokens, lower-cased."""
    return [m.group(0).lower() for m in WORD.finditer(text)]


def content_words(text: str) -> list[str]:
    """Words minus stopwords."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def stems(text: str) -> list[str]:
    """Stems of the content words, in order."""
    return [stem(w) for w in content_words(text)]


def split_identifier(name: str) -> list[str]:
    """``getOrderStatus`` / ``get_order_status`` -> ['get', 'order', 'status']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[\s_\-./:]+", spaced) if w]


def _build_synonyms() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for group in _SYNONYM_GROUPS:
        members = {stem(w) for w in group.split()}
        for member in members:
            table.setdefault(member, set()).update(members)
    return {k: frozenset(v) for k, v in table.items()}


SYNONYMS = _build_synonyms()


def expand(stem_set: set[str] | frozenset[str]) -> set[str]:
    """Stems plus their synonyms from the lexicon."""
    out = set(stem_set)
    for s in stem_set:
        out |= SYNONYMS.get(s, frozenset())
    return out


def overlap(query: str, text: str, synonyms: bool = True) -> float:
    """Share of the query's content stems found in ``text`` (0..1)."""
    q = set(stems(query))
    if not q:
        return 0.0
    t = set(stems(text))
    if synonyms:
        t = expand(t)
    return len(q & t) / len(q)


ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Inc|Ltd|Co|vs|etc|e\.g|i\.e|No|approx)\.)$"
)


def sentences(text: str) -> list[str]:
    """Sentences (and list items) of ``text``, stripped, empty ones dropped."""
    out: list[str] = []
    for part in SENTENCE_END.split(text.strip()):
        part = part.strip() if part else ""
        if not part:
            continue
        if out and ABBREVIATION.search(out[-1]):
            out[-1] = out[-1] + " " + part
        else:
            out.append(part)
    return out


def truncate_words(text: str, limit: int) -> str:
    """At most ``limit`` words, cut at a word boundary."""
    tokens = text.split()
    return text if len(tokens) <= limit else " ".join(tokens[:limit])


FENCE = re.compile(r"```[\w-]*\n?(.*?)```|\"\"\"(.*?)\"\"\"|<text>(.*?)</text>", re.S)
_COLON_LINE = re.compile(r"^(.{0,200}?):\s*$", re.M)
_INLINE_COLON = re.compile(r"^([^:\n]{3,160}?):\s+(\S.*)$", re.S)
_QUOTED = re.compile(r"[\"“]([^\"“”]{20,})[\"”]")


def split_instruction(text: str) -> tuple[str, str]:
    """Split a message into its instruction and the text it is about.

    Looks, in order, for a fenced or triple-quoted block, a line ending in a
    colon followed by more lines, a short lead-in ending in a colon, a long
    quotation, and finally the first sentence against the rest. ``body`` is ''
    when the message holds no separate text.

    Example:
        >>> split_instruction("Summarize this: The cat sat. It slept.")
        ('Summarize this', 'The cat sat. It slept.')
    """
    stripped = text.strip()
    fence = FENCE.search(stripped)
    if fence:
        body = next(g for g in fence.groups() if g is not None).strip()
        instruction = (stripped[: fence.start()] + " " + stripped[fence.end() :]).strip()
        return instruction, body
    line = _COLON_LINE.search(stripped)
    if line and stripped[line.end() :].strip():
        return stripped[: line.end()].strip().rstrip(":").strip(), stripped[line.end() :].strip()
    inline = _INLINE_COLON.match(stripped)
    if inline and len(inline.group(1).split()) <= 25 and len(inline.group(2).split()) >= 3:
        return inline.group(1).strip(), inline.group(2).strip()
    quoted = _QUOTED.search(stripped)
    if quoted:
        instruction = (stripped[: quoted.start()] + " " + stripped[quoted.end() :]).strip()
        return instruction, quoted.group(1).strip()
    parts = sentences(stripped)
    if len(parts) > 1:
        at = stripped.find(parts[1], len(parts[0]) - 1)
        return parts[0], stripped[at:].strip() if at >= 0 else " ".join(parts[1:])
    return stripped, ""


# ---------------------------------------------------------------- place names and their adjectives

_DEMONYMS = {
    "french": "france", "dutch": "netherlands", "swiss": "switzerland", "british": "britain",
    "spanish": "spain", "welsh": "wales", "danish": "denmark", "swedish": "sweden",
    "finnish": "finland", "polish": "poland", "greek": "greece", "turkish": "turkey",
    "irish": "ireland", "scottish": "scotland", "english": "england", "filipino": "philippines",
    "thai": "thailand", "icelandic": "iceland", "norwegian": "norway", "portuguese": "portugal",
    "belgian": "belgium", "peruvian": "peru", "argentine": "argentina", "argentinian": "argentina",
    "chilean": "chile", "czech": "czechia", "slovak": "slovakia", "lebanese": "lebanon",
    "maltese": "malta", "cypriot": "cyprus", "monegasque": "monaco", "kiwi": "zealand",
    "martian": "mars",
}  # fmt: skip
_DEMONYM_SUFFIX = re.compile(r"(?:ians?|eans?|ans?|ese|ish|is?|ers?)$")


def place_stem(word: str) -> str:
    """A place adjective or name reduced to a stem its place shares ("Canadian" and "Canada"
    -> "canad", "French" -> "franc"); other words come back lower-cased.

    Example:
        >>> place_stem("Japanese") == place_stem("Japan")
        True
    """
    low = word.lower()
    low = _DEMONYMS.get(low, low)
    base = _DEMONYM_SUFFIX.sub("", low) if len(low) > 5 else low
    base = base if len(base) >= 4 else low
    return base[:5].rstrip("aeiouy") or base[:5]


# More groups of words that stand for the same idea, joined into ``SYNONYMS`` below.
_MORE_SYNONYM_GROUPS = [
    "swap exchange replace replacement switch",
    "slow sluggish lag laggy latency unresponsive",
    "dismiss dismissed sack sacked layoff laid-off terminate termination",
    "cheap cheaper cheapest inexpensive affordable low-cost",
    "broken faulty defective malfunction malfunctioning",
    "permission permissions access authorization authorisation",
    "delete deleted wipe wiped erase erased",
]
for _group in _MORE_SYNONYM_GROUPS:
    _members = {stem(w) for w in _group.split()}
    for _member in _members:
        SYNONYMS[_member] = SYNONYMS.get(_member, frozenset()) | frozenset(_members)


# Words of opposite meaning: close in an embedding space, yet never a match for each other.
_OPPOSITE_PAIRS = """open:closed open:close opened:closed allowed:forbidden allowed:prohibited
allowed:banned permitted:forbidden free:paid minimum:maximum min:max before:after
accepted:rejected accept:reject include:exclude included:excluded covered:excluded
available:unavailable start:end begin:end arrive:depart arrival:departure increase:decrease
rise:fall high:low early:late first:last more:less most:least always:never win:lose
buy:sell lend:borrow import:export inbound:outbound upload:download login:logout
online:offline public:private full:empty hot:cold warm:cool summer:winter day:night
morning:evening weekday:weekend yes:no true:false enable:disable on:off""".split()
OPPOSITES = frozenset(
    pair
    for a, b in (p.split(":") for p in _OPPOSITE_PAIRS)
    for pair in ((stem(a), stem(b)), (stem(b), stem(a)))
)
