"""Which language a text is written in: a small stopword-profile detector.

Each language has a profile of its most frequent short words (articles,
pronouns, auxiliaries, prepositions); a text scores one point per word found
in a profile, and a few letters that only some languages use (``ß``, ``ñ``,
``ã``) add evidence. No model, no download: enough to tell a customer's
English from Dutch, German, French, Spanish, Italian or Portuguese.

Example:
    >>> detect_language("Ik wil graag mijn geld terug, de broodrooster is kapot.")
    'nl'
"""

from __future__ import annotations

import re
from functools import lru_cache

_PROFILES = {
    "en": """the and is are was were to of in for on with that this it you your i my me we our
    have has had not do does did can could would will be been at from but what how please
    thanks want need order there they them just about""",
    "nl": """de het een en is zijn was waren van in op met dat dit die niet ik mijn je jij jullie
    u uw we wij ons onze hebben heb heeft had kan kunnen wil wilt graag voor naar ook maar
    wat hoe waarom bij nog al geen er om te dank bedankt alstublieft alsjeblieft mij""",
    "de": """der die das ein eine einen und ist sind war waren von im in auf mit dass nicht ich
    mein meine meinen mir mich sie ihr ihre wir uns unser haben habe hat hatte kann können
    möchte will bitte danke für nach auch aber was wie warum bei noch kein keine zu zum zur
    den dem des es""",
    "fr": """le la les un une des et est sont était de du au aux en dans sur avec que qui ce
    cette pas ne je mon ma mes vous votre vos nous notre il elle ils ont ai avez avons a
    peux pouvez veux voudrais merci pour mais quoi comment pourquoi chez encore aucun j'ai
    c'est s'il plaît""",
    "es": """el la los las un una unos y es son era de del al en con que este esta no yo mi mis
    me usted su sus nosotros nuestro tengo tiene tenemos ha he puedo puede quiero quisiera
    gracias por para pero qué cómo porque hace hola favor""",
    "it": """il lo la i gli le un una e è sono era di del della dei in con che questo questa
    non io mio mia miei mi lei suo noi nostro ho ha abbiamo posso può voglio vorrei grazie
    per ma cosa come perché ciao sono anche""",
    "pt": """o a os as um uma e é são era de do da dos das em no na com que este esta não eu
    meu minha me você seu sua nós nosso tenho tem temos posso pode quero gostaria obrigado
    obrigada por para mas como porque olá também""",
}
PROFILES = {code: frozenset(words.split()) for code, words in _PROFILES.items()}
_LETTERS = {
    "de": re.compile(r"[ßäöü]"),
    "es": re.compile(r"[ñ¿¡]"),
    "pt": re.compile(r"[ãõç]"),
    "fr": re.compile(r"[çèêëàâîôûœ]"),
    "it": re.compile(r"[àèìòù]"),
    "nl": re.compile(r"\bij|ij\w"),
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
NAMES = {
    "en": "English",
    "nl": "Dutch",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
}
LOCAL_NAMES = {
    "nl": ("nederlands", "dutch", "flemish"),
    "de": ("deutsch", "german"),
    "fr": ("français", "francais", "french"),
    "es": ("español", "espanol", "spanish", "castellano"),
    "it": ("italiano", "italian"),
    "pt": ("português", "portugues", "portuguese"),
    "en": ("english", "inglés", "engels", "englisch", "anglais"),
}


@lru_cache(maxsize=1024)
def detect_language(text: str, default: str = "en") -> str:
    """The ISO 639-1 code of the language ``text`` is most likely written in.

    Example:
        >>> detect_language("¿Puedo devolver el pedido? Gracias.")
        'es'
    """
    tokens = [w.lower() for w in _WORD.findall(text)]
    if not tokens:
        return default
    scores = {code: sum(1.0 for w in tokens if w in profile) for code, profile in PROFILES.items()}
    lowered = text.lower()
    for code, letters in _LETTERS.items():
        scores[code] += 0.5 * min(len(letters.findall(lowered)), 4)
    best = max(scores, key=lambda code: (scores[code], code == default))
    if scores[best] < 1 or scores[best] <= scores.get(default, 0):
        return default
    return best


def language_value(code: str, options: list | None, wants_name: bool = False) -> str:
    """``code`` written the way a schema wants it: one of its enum ``options`` (codes or
    names, any case), else the code, or the English name when ``wants_name``."""
    if options:
        names = {code, NAMES.get(code, code).lower(), *LOCAL_NAMES.get(code, ())}
        for option in options:
            if isinstance(option, str) and option.lower().split("-")[0] in names:
                return option
    return NAMES.get(code, code) if wants_name else code
