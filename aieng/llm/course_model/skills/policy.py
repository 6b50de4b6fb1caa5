"""Refusals: a built-in policy for clearly harmful requests, and a stated scope.

``refuse_harmful`` refuses requests for operational help with serious harm
(weapons and explosives, malware and credential theft, violence against
people, self-harm methods, hard-drug synthesis, sexual content involving
minors, fraud). A category trips only when a harmful act meets a request for
it ("how do I", "write me", an imperative), so "kill a Python process",
"shoot a photo" or "how do vaccines work" pass. Phishing is read from intent,
not the word: a request to impersonate someone trusted, or trick people, so
that they hand over passwords or card details, unless it asks how to spot or
avoid that. ``enforce_scope`` reads a scope the system prompt states ("You only
answer questions about X") and refuses requests outside it: a request that
shares words with the scope (or its everyday vocabulary) is in; one mostly
about another subject the vocabulary knows (elections, recipes, code) is out;
words the vocabulary does not know may be the scope's own jargon, so they are
not refused. The strong model asks the embeddings first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from aieng.llm.course_model.engine import Reply, Task
from aieng.llm.course_model.skills.signals import DOMAIN_STEMS
from aieng.llm.course_model.text import STOPWORDS, expand, stem, words

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- harmful requests

_ASK = re.compile(
    r"\b(?:how\b|ways?\b|steps?\b|instructions?\b|guide\b|recipe\b|tutorial\b|teach\b|help\b"
    r"|explain\b|show\b|tell\b|give\b|can i\b|could i\b|should i\b|do i\b|would i\b"
    r"|can you\b|could you\b|i want\b|i need\b|i'd like\b|want to\b|need to\b|trying to\b"
    r"|plan(?:ning)? to\b|best\b|easiest\b|cheapest\b|quickest\b|method\b|procedure\b"
    r"|without (?:getting caught|being (?:caught|detected|traced)|leaving|(?:them|him|her|anyone) "
    r"(?:knowing|noticing)))",
    re.I,
)
_PERSON = (
    r"(?:(?:my|a|an|the|this|that|his|her|their|our|your|some|random|every|all|\w+'s|"
    r"annoying|old|little|young|pregnant|sleeping|\d+)\s+){0,3}"
    r"(?:someone|somebody|anyone|person|people|him|her|them|human|humans|man|men|woman|women|"
    r"child|children|kid|kids|baby|wife|husband|spouse|partner|girlfriend|boyfriend|ex|boss|"
    r"coworker|co-worker|colleague|neighbou?r|teacher|classmate|student|mother|father|mom|dad|"
    r"brother|sister|friend|roommate|landlord|president|politician|officer|cop|family|"
    r"crowd|stranger|victim|witness|rival|enemy|classmates|students|coworkers|neighbou?rs)\b"
)
_DEFENSIVE = re.compile(
    r"\b(?:detect\w*|protect\w*|defend\w*|prevent\w*|remov\w+|mitigat\w+|recover\w*|recogni[sz]\w+"
    r"|spot|identify|avoid(?! (?:getting )?(?:caught|detect))|against|secur\w+|harden\w*|report\w*"
    r"|awareness|train(?:ing)? (?:staff|employees|users)|history of|what (?:is|are|was))\b",
    re.I,
)


@dataclass(frozen=True)
class HarmRule:
    """One harm category: what trips it and whether a defensive framing clears it."""

    category: str
    pattern: re.Pattern[str]
    needs_ask: bool = True
    defensive_ok: bool = False

    @property
    def fast(self) -> re.Pattern[str]:
        """The pattern without IGNORECASE, for lower-cased text (several times faster)."""
        return _case_sensitive(self.pattern)


@lru_cache(maxsize=64)
def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_RULES = (
    HarmRule(
        "weapons",
        _rx(
            r"\b(?:make|making|build|building|assemble|assembling|construct\w*|creat\w+|"
            r"manufactur\w+|synthesi[sz]\w*|produc\w+|3d[- ]print\w*|rig|wire|detonat\w+|"
            r"recipe|instructions?|blueprints?|schematics?)\b[^.?!\n]{0,40}?"
            r"(?<!bath )(?<!photo )(?<!seed )(?<!sex )\b(?:bombs?|explosives?|ieds?|grenades?|"
            r"molotov|napalm|detonators?|nerve agents?|sarin|vx gas|ricin|anthrax|bioweapons?|"
            r"biological weapons?|chemical weapons?|dirty bombs?|ghost guns?|untraceable (?:gun|"
            r"firearm)s?|silencers?|suppressors?|thermite|tatp|c-?4|semtex|pipe bombs?|"
            r"nuclear (?:bomb|weapon)s?|automatic (?:rifle|weapon)s?|full[- ]auto|(?:toxic|poison(?:ous)?|"
            r"chlorine|mustard|nerve) gas)\b"
        ),
    ),
    HarmRule(
        "malware",
        _rx(
            r"\b(?:write|writing|creat\w+|build\w*|code|coding|develop\w*|make|making|generat\w+|"
            r"design\w*|deploy\w*|spread\w*|give me)\b[^.?!\n]{0,40}?\b(?:ransomware|keyloggers?|"
            r"malware|computer virus|viruses|trojans?|worms?|botnets?|rootkits?|spyware|stalkerware|"
            r"info-?stealers?|password stealers?|credential (?:stealers?|harvesters?)|"
            r"remote access trojans?|phishing (?:page|site|kit|email|link)s?|zero[- ]day exploits?)\b"
            r"|\bsteal\w*\s+(?:[\w']+\s+){0,3}(?:passwords?|credentials?|cookies|session tokens?|logins?"
            r"|credit card (?:numbers|details|info)|bank (?:details|logins?))"
            r"|\b(?:hack|hacking|break|get|getting|log|access\w*)\s+(?:into\s+)?(?:someone|somebody|my (?:ex|wife|husband|"
            r"boss|girlfriend|boyfriend|partner|neighbou?r)|\w+'s|his|her|their|a person's)"
            r"[^.?!\n]{0,25}\b(?:account|email|phone|instagram|facebook|gmail|wifi|computer|"
            r"bank|icloud|whatsapp|camera|webcam)"
            r"|\bddos\s+(?:attack\s+)?(?:a|the|my|this|that|someone|\w+'s)\b"
        ),
        defensive_ok=True,
    ),
    HarmRule(
        "violence",
        _rx(
            r"\b(?:kill|murder|poison|stab|shoot|strangle|choke|suffocate|drown|torture|kidnap|"
            r"abduct|assassinate|behead|maim|hurt|injure|beat up|attack|rape|run over|burn)\s+"
            + _PERSON
            + r"|\b(?:mass|school) shooting\b|\bhire an? (?:hitman|assassin|killer)\b"
            r"|\bdispose of (?:a|the) body\b|\bget rid of (?:a|the) body\b"
        ),
    ),
    HarmRule(
        "self-harm",
        _rx(
            r"\b(?:kill|hurt|harm|cut|hang|poison|starve|shoot|burn)\s+myself\b"
            r"|\b(?:commit(?:ting)?|method\w* (?:of|for)) suicide\b|\bsuicide methods?\b"
            r"|\bend (?:my|my own) life\b|\bend it all\b|\bpainless (?:way|method)s? to die\b"
            r"|\b(?:how many|how much)\b[^.?!\n]{0,40}\b(?:to|would|will) (?:die|kill me|overdose)\b"
            r"|\blethal dose\b[^.?!\n]{0,30}\b(?:myself|to die|for me)\b"
        ),
        needs_ask=False,
    ),
    HarmRule(
        "drugs",
        _rx(
            r"\b(?:make|making|cook|cooking|synthesi[sz]\w*|produc\w+|manufactur\w+|brew\w*|"
            r"extract\w*|refin\w+|recipe|lab for)\b[^.?!\n]{0,30}?\b(?:meth|methamphetamine|"
            r"crystal meth|heroin|cocaine|crack|fentanyl|carfentanil|lsd|mdma|ecstasy|ghb|pcp|"
            r"ketamine|dmt|oxycodone|opium)\b"
        ),
    ),
    HarmRule(
        "child exploitation",
        _rx(
            r"(?:\b(?:sexual\w*|sexy|nude|naked|explicit|erotic\w*|porn\w*|lewd|nsfw|intimate)\b"
            r"[^.?!\n]{0,60}\b(?:child|children|kids?|minors?|underage|preteens?|"
            r"(?:[1-9]|1[0-7])[- ]?(?:year|yr)s?[- ]?old|schoolgirls?|schoolboys?|little (?:girl|boy)s?)\b)"
            r"|(?:\b(?:child|children|kids?|minors?|underage|preteens?|"
            r"(?:[1-9]|1[0-7])[- ]?(?:year|yr)s?[- ]?old)\b[^.?!\n]{0,40}\b(?:sexual\w*|nude|naked|"
            r"explicit|erotic\w*|porn\w*|lewd|nsfw)\b)"
            r"|\bgroom(?:ing)?\s+(?:a |the )?(?:child|kid|minor|teen)|\bcsam\b"
        ),
        needs_ask=False,
    ),
    HarmRule(
        "fraud",
        _rx(
            r"\blaunder\w*\s+(?:\w+\s+){0,2}(?:money|cash|funds|proceeds)|\bmoney laundering scheme"
            r"|\bcounterfeit\w*\s+(?:[\w$]+\s+){0,2}(?:money|bills|currency|notes|cash|dollars|euros)"
            r"|\b(?:make|making|creat\w+|forge|forging|print\w*|generat\w+|produc\w+|get)\s+"
            r"(?:me\s+|us\s+)?(?:an?\s+|some\s+)?(?:fake|forged|counterfeit|fraudulent)\s+(?:id|ids|passports?|"
            r"driver'?s licen[cs]es?|diplomas?|degrees?|doctor'?s notes?|invoices?|receipts?|"
            r"bank statements?|pay ?stubs?|reviews?|checks?|cheques?|documents?)"
            r"|\bforg(?:e|ing)\s+(?:a |an |someone'?s |my (?:boss|manager)'?s )?(?:signatures?|checks?|"
            r"cheques?|documents?|passports?|prescriptions?)"
            r"|\b(?:commit|do|get away with)\s+(?:tax|insurance|credit card|wire|identity|bank|mail)\s+"
            r"fraud|\bsteal\w*\s+(?:someone'?s|a person'?s|their|his|her|an?)\s+identit"
            r"|\bscam\w*\s+(?:the )?(?:elderly|old people|seniors|grandparents|people|customers|"
            r"victims)|\bevade\s+(?:paying\s+)?taxes|\bskim\w*\s+credit cards"
            r"|\b(?:run|start|set up)\s+an?\s+ponzi scheme"
        ),
        defensive_ok=True,
    ),
)
_IMPERATIVE = re.compile(
    r"^\s*(?:please\s+|now\s+|just\s+)?(?:make|build|write|create|code|generate|give|tell|show|"
    r"explain|list|describe|synthesi[sz]e|cook|draft|provide|teach|help)\b",
    re.I,
)

_REFUSALS = {
    "self-harm": [
        "I'm really sorry you're going through this, but I can't help with that. You don't have "
        "to face it alone: please reach out to someone you trust or to a local crisis line, "
        "where someone can talk with you right now.",
        "I can't help with that, and I'm sorry things feel this hard. Please talk to someone "
        "you trust or contact a crisis line near you: they are there to listen, any time.",
    ],
}
_DEFAULT_REFUSAL = [
    "I can't help with that. It could cause serious harm ({category}). If you are working on "
    "safety, prevention or research, I'm glad to help with that side of it.",
    "Sorry, I can't help with that request: it asks for help with something that could cause "
    "serious harm ({category}). I'm happy to help with something else.",
]


# Intent without the keyword: a message that impersonates someone trusted (or tricks people)
# to make them hand over credentials or payment details is phishing, whatever it is called.
_IMPERSONATE = re.compile(
    r"\b(?:pretend\w*|pos(?:e|es|ing) as|impersonat\w+|disguis\w+ as|spoof\w*|masquerad\w+|"
    r"look(?:s|ing)? (?:like|as if) (?:it(?:'s| is| was| came| comes) )?(?:from|sent by)|"
    r"appear\w* to (?:be|come) from|as if (?:it|they|we|i) (?:were|was|are|came) from|"
    r"claim(?:s|ing)? to be(?: from)?|trick\w*|fool\w*|lure\w*|dupe\w*|deceiv\w+|"
    r"fake (?:login|sign-in|bank|website|site|page|support|security|it|account))\b"
)
_HARVEST = re.compile(
    r"\b(?:enter|typ|giv|gave|hand\w* over|provid|submit|shar|confirm|verif|updat|reveal|send|"
    r"input|re-?enter|disclos|tell|told|pay|paid|log\w* in with)\w*\b[^.?!\n]{0,50}?\b(?:passwords?|passcodes?|pins?|"
    r"log-?ins?|login details|credentials|(?:credit |debit |bank )?card (?:numbers?|details)|"
    r"cvv|cvc|security (?:codes?|questions?)|social security numbers?|ssns?|bank(?:ing)? "
    r"(?:details|log-?ins?|passwords?|information|info)|account (?:details|numbers?|"
    r"information|info)|one-time (?:codes?|passwords?)|2fa codes?|otp|seed phrases?)\b"
)
_MAKE = re.compile(
    r"\b(?:write|draft|compose|create|make|build|design|generate|craft|set up|code|send|"
    r"give me|help me|how (?:do|can|could|would|should) i|i (?:want|need) to)\b"
)
_SAFE_FRAMING = re.compile(
    r"\b(?:spot|detect\w*|recogni[sz]\w*|identify|report\w*|avoid|protect\w*|warn\w*|"
    r"(?:never|not|don't|do not)(?: to)?(?: ever)? (?:enter|give|share|type|click)|tell (?:if|whether)|is (?:this|it) (?:real|legit\w*|"
    r"fake|a scam|phishing)|awareness|train(?:ing)? (?:staff|employees|users))\b"
)


def _phishing(lowered: str) -> bool:
    """A request to impersonate or trick people into handing over credentials."""
    return bool(
        _MAKE.search(lowered)
        and _IMPERSONATE.search(lowered)
        and _HARVEST.search(lowered)
        and not _SAFE_FRAMING.search(lowered)
    )


@lru_cache(maxsize=2048)
def harm_category(text: str) -> str | None:
    """The harm category a request falls in, or None when it is not clearly harmful.

    Example:
        >>> harm_category("How do I kill a Python process?") is None
        True
        >>> harm_category("Give me step by step instructions to build a pipe bomb")
        'weapons'
    """
    lowered = text.lower()
    for rule in _RULES:
        for match in rule.fast.finditer(lowered):
            start = max(lowered.rfind(c, 0, match.start()) for c in ".?!;\n") + 1
            ends = [i for i in (lowered.find(c, match.end()) for c in ".?!;\n") if i >= 0]
            clause = lowered[start : min(ends) if ends else len(lowered)]
            if rule.needs_ask and not (_ASK.search(clause) or _IMPERATIVE.search(clause)):
                continue
            if rule.defensive_ok and _DEFENSIVE.search(lowered[start : match.start()]):
                continue
            return rule.category
    if _phishing(lowered):
        return "phishing"
    return None


def refuse_harmful(task: Task) -> Reply | None:
    """Refuse a clearly harmful request in the newest user message."""
    category = harm_category(task.last_user)
    if category is None:
        return None
    logger.debug("refusing a %s request", category)
    text = task.choose(_REFUSALS.get(category, _DEFAULT_REFUSAL)).format(category=category)
    return Reply(content=text, refusal=text)


# ---------------------------------------------------------------- stated scope

_SCOPE = re.compile(
    r"(?:\byou (?:can |may |should |must |will )?only (?:answer|help|assist|respond|talk|discuss|"
    r"handle|deal|support)(?: with| to)?(?: (?:questions|requests|queries|topics|things|"
    r"messages))?(?: (?:about|on|related to|regarding|concerning|with|that concern|involving))?"
    r"|\bonly (?:answer|help|assist|respond to|discuss|handle|talk about)(?: with)?"
    r"(?: (?:questions|requests|queries|topics))?(?: (?:about|on|related to|regarding|concerning|"
    r"with))?"
    r"|\b(?:do not|don't|never|refuse to) (?:answer|help with|respond to|discuss|engage with|"
    r"assist with)(?: any)? (?:questions|requests|queries|topics|anything|messages)?\s*"
    r"(?:that are )?(?:unrelated to|not (?:related to|about)|outside(?: of)?(?: the scope of)?|"
    r"beyond|other than)"
    r"|\b(?:refuse|decline|reject) (?:any |all |every )?(?:requests?|questions?|queries|messages|"
    r"topics|anything|everything)\s*(?:that (?:is|are) |that's )?(?:not (?:about|related to|"
    r"concerning)|unrelated to|outside(?: of)?)"
    r"|\b(?:answer|help with|respond to|discuss|handle) only (?:questions |requests |queries )?"
    r"(?:about|on|related to|regarding|concerning|with)"
    r"|\byou (?:help|assist|answer|respond|work) only (?:with |on |to )?(?:questions |requests |"
    r"queries |topics )?(?:about |on |related to |regarding |concerning |with )?"
    r"|\b(?:your|the assistant's) (?:sole|only|single|one) (?:purpose|job|task|role|function) is"
    r"(?: to)?(?: (?:help|assist|answer|support)(?: \w+)?(?: with| on| about)?)?"
    r"(?: (?:questions|requests|queries) (?:about|on|regarding))?"
    r"|\bstay on[- ]topic\s*[:\-]?(?:\s*(?:only|about|with))?"
    r"|\b(?:your|the) (?:scope|topic|domain) is(?: limited to| restricted to)?"
    r"|\b(?:you are |you're )?(?:limited|restricted) to (?:questions |topics |requests )?"
    r"(?:about |on |related to |regarding )?)"
    r"\s*:?\s*([^.\n;!?]+)",
    re.I,
)
_SCOPE_CUT = re.compile(
    r"\s*(?:,\s*)?\b(?:and (?:nothing|no)|if |otherwise|politely|—|--|\(|for (?:the )?users?\b)"
    r".*$",
    re.I,
)
_DOCUMENTS = re.compile(
    r"\b(?:documents?|context|passages?|sources?|provided|knowledge base|excerpts?|attached|"
    r"given (?:text|article|contract|report))\b",
    re.I,
)
_SMALL_TALK = re.compile(
    r"^\s*(?:hi|hello|hey|thanks?|thank you|good (?:morning|afternoon|evening)|bye|goodbye|ok(?:ay)?"
    r"|what can you (?:do|help with)|who are you|help)\b[\s!.?,]*(?:there|so much|again)?[\s!.?]*$",
    re.I,
)
_IDENTITY = re.compile(
    r"\byou are (?:a|an|the) ([^.\n]{3,80}?(?:assistant|bot|agent|helper|advisor|expert)"
    r"(?: (?:for|at|of|on) [^.\n,;]{2,60})?)",
    re.I,
)
_GENERIC = frozenset(
    stem(w)
    for w in """question questions answer answers help topic topics request requests anything
    related thing things user users customer customers information info issue issues""".split()
)


_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
_ROLE_WORDS = frozenset(
    stem(w) for w in "assistant bot agent helper advisor expert support help assist".split()
)


@dataclass(frozen=True)
class Scope:
    """A scope stated by the system prompt: its words and the phrase as written."""

    phrase: str
    stems: frozenset[str]
    literal: frozenset[str] = frozenset()


@lru_cache(maxsize=512)
def stated_scope(system: str) -> Scope | None:
    """The scope a system prompt states, or None.

    Example:
        >>> stated_scope("You only answer questions about cooking and recipes.").phrase
        'cooking and recipes'
    """
    phrases: list[str] = []
    for match in _SCOPE.finditer(system):
        phrase = _SCOPE_CUT.sub("", match.group(1)).strip(" \"'`:,")
        if phrase and len(phrase.split()) <= 25:
            phrases.append(phrase)
    if not phrases:
        return None
    extra = " ".join(m.group(1) for m in _IDENTITY.finditer(system))
    stems_ = _topic_stems(" ".join(phrases) + " " + extra, drop=_ROLE_WORDS)
    literal = {stem(w) for w in words(" ".join(phrases)) if w not in STOPWORDS and len(w) > 1}
    return Scope(
        phrase="; ".join(phrases), stems=frozenset(stems_), literal=frozenset(literal - _GENERIC)
    )


def _topic_stems(text: str, drop: frozenset[str] = frozenset()) -> set[str]:
    from aieng.llm.course_model.skills.classify import topic_cues

    base = {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1} - _GENERIC - drop
    base |= {w.lower() for w in _ACRONYM.findall(text)}  # "IT", "HR": stopwords when lower-cased
    if re.search(r"\bcustomer (?:service|support|care|success)\b", text, re.I):
        base.add(stem("customer"))  # a customer-service role covers orders, accounts, refunds
    return (expand(base) | topic_cues(base)) - _GENERIC


_GENERAL_ASK = re.compile(
    r"\b(?:tell|give|write|compose|make up|share)\b[^.?!\n]{0,20}\b(?:jokes?|poems?|stor(?:y|ies)|"
    r"fun facts?|riddles?|limericks?|haikus?|songs?|lyrics)\b"
    r"|\bwhat(?:'s| is) the (?:capital|population|meaning of life|tallest|largest|biggest)\b"
    r"|\bwho (?:is|was|won|invented|wrote|discovered|painted|directed)\b"
    r"|\bhow (?:tall|old|far|big) (?:is|was|are)\b|\btranslat\w*\b",
    re.I,
)


def other_subjects(text: str, scope: frozenset[str]) -> list[str]:
    """Subjects ``text`` is mostly about that share nothing with the ``scope`` stems: at
    least a third of its content words belong to them (empty when the text is about
    nothing the vocabulary knows, or only touches another subject in passing).

    Example:
        >>> other_subjects("Who should I vote for?", frozenset({"crop", "soil"}))
        ['politics']
    """
    asked = {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1} - _GENERIC
    out: list[str] = []
    explained: set[str] = set()
    for name, names, cues in DOMAIN_STEMS:
        found = asked & (names | cues)
        if found and not (names | cues) & scope:
            out.append(name)
            explained |= found
    if _GENERAL_ASK.search(text):
        return out + ["general knowledge"]
    return out if asked and 3 * len(explained) >= len(asked) else []


def _in_scope(task: Task, scope: Scope) -> bool:
    """In scope when the request shares words with the scope (or the tools). Otherwise the
    strong model asks the embeddings first; a request is refused only when it is clearly
    far in meaning or recognisably about another subject: words the vocabulary does not
    know may be the scope's own ("aphids" under "pests")."""
    user = task.last_user
    asked = {stem(w) for w in words(user) if w not in STOPWORDS and len(w) > 1} - _GENERIC
    if not asked or _SMALL_TALK.match(user):
        return True
    if _DOCUMENTS.search(scope.phrase):
        return _about_documents(task, asked)
    if asked & scope.stems or expand(asked) & scope.stems:
        # a shared word only through the scope's related cues ("return" under "services")
        # does not hold against a named other subject ("tax return")
        shared = (asked | expand(asked)) & scope.stems
        return bool(asked & scope.literal) or len(_named_elsewhere(asked, scope)) < len(shared)
    for tool in task.tools:
        if asked & _topic_stems(tool.name.replace("_", " ") + " " + tool.description):
            return True
    if task.profile.quality == "strong":
        closeness = _closeness(user, scope.phrase)
        if closeness is not None:
            return closeness
    return not other_subjects(user, scope.stems)


def _named_elsewhere(asked: set[str], scope: Scope) -> set[str]:
    """Words of the request that name another subject ("tax"), outside the scope's words."""
    out: set[str] = set()
    for _name, names, _cues in DOMAIN_STEMS:
        if not names & scope.stems:
            out |= (asked & names) - scope.stems
    return out


def _closeness(user: str, phrase: str) -> bool | None:
    """Embeddings: True when the request, or one of its words, is near the scope; False
    when it is far from it; None in between."""
    from aieng.llm.course_model.skills.classify import similarity, word_similarity

    sim = similarity(user, phrase)
    if sim >= 0.17:
        return True
    left = [w for w in words(user) if w not in STOPWORDS and len(w) > 2]
    right = [w for w in words(phrase) if w not in STOPWORDS and len(w) > 2]
    if left and right and float(word_similarity(left, right).max()) >= 0.58:
        return True
    return False if sim < 0.1 else None


def _about_documents(task: Task, asked: set[str]) -> bool:
    """For a scope of "the provided documents": does the request share words with them?"""
    from aieng.llm.course_model.skills.passages import find_passages, outside

    passages = find_passages(task.last_user) or find_passages(task.system)
    if not passages:
        return True  # nothing to judge by: grounding decides what the documents hold
    question = outside(task.last_user, find_passages(task.last_user))
    asked = {stem(w) for w in words(question) if w not in STOPWORDS and len(w) > 1} - _GENERIC
    held = {stem(w) for p in passages for w in words(p.text) if w not in STOPWORDS}
    return not asked or bool(expand(asked) & held)


def enforce_scope(task: Task) -> Reply | None:
    """Refuse a user request outside the scope that the system prompt states."""
    scope = stated_scope(task.system)
    if scope is None or task.last.role != "user" or _in_scope(task, scope):
        return None
    text = task.choose(
        [
            "Sorry, I can only help with {scope}. Your request is outside that scope, so I "
            "can't answer it here.",
            "I'm afraid that's outside what I can help with: I only handle {scope}.",
        ]
    ).format(scope=scope.phrase)
    return Reply(content=text, refusal=text)
