"""Short, polite replies under a stated policy, in the customer's language.

``compose(verdict, text, language)`` writes what a support agent would send:

- a refusal says what cannot be done and why, quoting the rule's key terms
  ("within 30 days of delivery"), and what the customer can do instead;
- an escalation says a colleague or manager will follow up;
- an allowed request is acknowledged with its specifics (order ids, the
  product, dates) and, when a window or limit covers it, that it is kept.

Templates exist for English, Dutch, German, French and Spanish; any other
language gets English. Rule words the prompt wrote in English stay English.

Example:
    >>> from aieng.llm.course_model.skills.rules import stated_rules
    >>> from aieng.llm.course_model.skills.verdict import decide
    >>> text = "Can I sue my landlord?"
    >>> compose(decide(stated_rules("Never give legal advice."), text), text).split(".")[0]
    "I'm sorry, but I can't help with legal advice"
"""

from __future__ import annotations

import re

from aieng.llm.course_model.skills.verdict import Verdict
from aieng.llm.course_model.text import STOPWORDS

_T = {
    "en": {
        "window": "I'm sorry, but we can't {do} here: {subjects} are only possible {rule}, "
        "and {said}. {alt}",
        "window_ahead": "I'm sorry, but we can't {do} here: {subjects} are only possible up to "
        "{span} before {anchor}, and {said}. {alt}",
        "said": "{x}",
        "limit": "I'm sorry, but I can't approve that: our policy does not allow {rule}. {alt}",
        "topic": "I'm sorry, but I can't help with {topic}. {alt}",
        "scope": "I'm sorry, but I can only help with {topic}, so I can't answer this request. "
        "Feel free to ask me anything about that.",
        "escalate": "Thank you for your message. {why}, so I've passed your request to a "
        "manager, who will follow up with you shortly.",
        "why_limit": "{x} is above what I can approve myself ({rule} needs approval)",
        "why_topic": "This needs a colleague's attention ({topic})",
        "ack": "Thank you for your message{about}. {kept}We're happy to help and will take "
        "care of it; we'll follow up with you shortly.",
        "about": " about {x}",
        "kept": "Your request{said} is within our policy ({rule}), so we can go ahead. ",
        "alt": "If you need anything else, I'm happy to help.",
        "alt_refund": "If the item is faulty, we can look at a repair or a warranty claim instead.",
        "alt_cancellation": "You can still change the date instead, or contact us for other options.",
        "alt_legal": "For legal questions, please contact a qualified lawyer or a legal advice "
        "service.",
        "alt_medical": "Please contact your doctor or, if it is urgent, the emergency services.",
        "alt_others_data": "Information about other customers is confidential: we can only share "
        "details with the account holder themselves.",
        "alt_credentials": "You can set a new one safely with the reset link on the sign-in page.",
        "alt_financial": "For advice on your situation, please speak to a licensed financial "
        "adviser.",
    },
    "nl": {
        "window": "Het spijt me, maar we kunnen dit niet {do}: {subjects} zijn alleen mogelijk "
        "{rule}, en {said}. {alt}",
        "window_ahead": "Het spijt me, maar we kunnen dit niet {do}: {subjects} zijn alleen "
        "mogelijk tot {span} voor {anchor}, en {said}. {alt}",
        "said": "die termijn is verstreken",
        "limit": "Het spijt me, maar dat kan ik niet goedkeuren: ons beleid staat {rule} niet "
        "toe. {alt}",
        "topic": "Het spijt me, maar ik kan niet helpen met {topic}. {alt}",
        "scope": "Het spijt me, maar ik kan alleen helpen met {topic}.",
        "escalate": "Bedankt voor uw bericht. {why}, dus ik heb uw verzoek doorgestuurd naar een "
        "manager, die snel contact met u opneemt.",
        "why_limit": "{x} is meer dan ik zelf mag goedkeuren",
        "why_topic": "Dit vraagt de aandacht van een collega",
        "ack": "Bedankt voor uw bericht{about}. {kept}We helpen u graag en nemen snel contact "
        "met u op.",
        "about": " over {x}",
        "kept": "Uw verzoek{said} valt binnen ons beleid, dus we kunnen het verwerken. ",
        "alt": "Kan ik u ergens anders mee helpen?",
        "alt_refund": "Is het product defect, dan kijken we graag naar een reparatie of garantie.",
        "alt_legal": "Neem voor juridische vragen contact op met een advocaat of het "
        "Juridisch Loket.",
        "alt_medical": "Neem contact op met uw huisarts, of bel bij spoed 112.",
        "alt_others_data": "Klantgegevens zijn vertrouwelijk: we delen ze alleen met de "
        "rekeninghouder zelf.",
        "alt_credentials": "U kunt veilig een nieuwe instellen via de resetlink op de inlogpagina.",
    },
    "de": {
        "window": "Es tut mir leid, aber wir können das leider nicht {do}: {subjects} sind nur "
        "{rule} möglich, und {said}. {alt}",
        "window_ahead": "Es tut mir leid, aber wir können das leider nicht {do}: {subjects} sind "
        "nur bis {span} vor {anchor} möglich, und {said}. {alt}",
        "said": "diese Frist ist abgelaufen",
        "limit": "Es tut mir leid, aber das kann ich nicht genehmigen: unsere Richtlinie erlaubt "
        "{rule} nicht. {alt}",
        "topic": "Es tut mir leid, aber bei {topic} kann ich nicht helfen. {alt}",
        "scope": "Es tut mir leid, aber ich kann nur bei {topic} helfen.",
        "escalate": "Vielen Dank für Ihre Nachricht. {why}, daher habe ich Ihre Anfrage an einen "
        "Manager weitergeleitet, die sich in Kürze bei Ihnen meldet.",
        "why_limit": "{x} liegt über dem, was ich selbst genehmigen darf",
        "why_topic": "Das muss sich ein Kollege ansehen",
        "ack": "Vielen Dank für Ihre Nachricht{about}. {kept}Wir helfen Ihnen gerne und melden "
        "uns in Kürze bei Ihnen.",
        "about": " zu {x}",
        "kept": "Ihre Anfrage{said} entspricht unseren Richtlinien, daher können wir sie "
        "bearbeiten. ",
        "alt": "Kann ich Ihnen sonst irgendwie helfen?",
        "alt_refund": "Wenn der Artikel defekt ist, prüfen wir gerne eine Reparatur oder Garantie.",
        "alt_legal": "Bei rechtlichen Fragen wenden Sie sich bitte an einen Anwalt.",
        "alt_medical": "Bitte wenden Sie sich an Ihren Arzt oder im Notfall an den Notruf 112.",
        "alt_others_data": "Kundendaten sind vertraulich: wir geben sie nur an den Kontoinhaber "
        "selbst weiter.",
        "alt_credentials": "Über den Link auf der Anmeldeseite können Sie sicher ein neues "
        "festlegen.",
    },
    "fr": {
        "window": "Je suis désolé, mais nous ne pouvons pas {do} : les {subjects} ne sont "
        "possibles que {rule}, et {said}. {alt}",
        "window_ahead": "Je suis désolé, mais nous ne pouvons pas {do} : les {subjects} ne sont "
        "possibles que jusqu'à {span} avant {anchor}, et {said}. {alt}",
        "said": "ce délai est dépassé",
        "limit": "Je suis désolé, mais je ne peux pas l'accepter : notre politique n'autorise "
        "pas {rule}. {alt}",
        "topic": "Je suis désolé, mais je ne peux pas vous aider pour {topic}. {alt}",
        "scope": "Je suis désolé, mais je ne peux vous aider que pour {topic}.",
        "escalate": "Merci pour votre message. {why}, j'ai donc transmis votre demande à un "
        "responsable, qui reviendra vers vous rapidement.",
        "why_limit": "{x} dépasse ce que je peux accorder moi-même",
        "why_topic": "Cette demande doit être traitée par un collègue",
        "ack": "Merci pour votre message{about}. {kept}Nous sommes heureux de vous aider et "
        "revenons vers vous rapidement.",
        "about": " concernant {x}",
        "kept": "Votre demande{said} respecte notre politique, nous pouvons donc la traiter. ",
        "alt": "Puis-je vous aider pour autre chose ?",
        "alt_refund": "Si l'article est défectueux, nous pouvons examiner une réparation ou "
        "la garantie.",
        "alt_legal": "Pour toute question juridique, veuillez consulter un avocat.",
        "alt_medical": "Veuillez consulter votre médecin ou, en cas d'urgence, appeler le 15.",
        "alt_others_data": "Les informations clients sont confidentielles : nous ne les "
        "communiquons qu'au titulaire du compte.",
        "alt_credentials": "Vous pouvez en définir un nouveau via le lien de réinitialisation.",
    },
    "es": {
        "window": "Lo siento, pero no podemos {do}: los {subjects} solo son posibles {rule}, "
        "y {said}. {alt}",
        "window_ahead": "Lo siento, pero no podemos {do}: las {subjects} solo son posibles "
        "hasta {span} antes de {anchor}, y {said}. {alt}",
        "said": "ese plazo ya ha pasado",
        "limit": "Lo siento, pero no puedo aprobarlo: nuestra política no permite {rule}. {alt}",
        "topic": "Lo siento, pero no puedo ayudarle con {topic}. {alt}",
        "scope": "Lo siento, pero solo puedo ayudarle con {topic}.",
        "escalate": "Gracias por su mensaje. {why}, así que he pasado su solicitud a un "
        "responsable, que se pondrá en contacto con usted en breve.",
        "why_limit": "{x} supera lo que puedo aprobar yo mismo",
        "why_topic": "Esto necesita la atención de un compañero",
        "ack": "Gracias por su mensaje{about}. {kept}Estaremos encantados de ayudarle y nos "
        "pondremos en contacto con usted en breve.",
        "about": " sobre {x}",
        "kept": "Su solicitud{said} cumple nuestra política, así que podemos tramitarla. ",
        "alt": "¿Puedo ayudarle en algo más?",
        "alt_refund": "Si el artículo está defectuoso, podemos estudiar una reparación o la "
        "garantía.",
        "alt_legal": "Para cuestiones legales, consulte a un abogado.",
        "alt_medical": "Consulte a su médico o, si es urgente, llame al 112.",
        "alt_others_data": "Los datos de los clientes son confidenciales: solo los compartimos "
        "con el titular de la cuenta.",
        "alt_credentials": "Puede crear una nueva de forma segura con el enlace de "
        "restablecimiento.",
    },
}
# (what we cannot do, the plural noun) per subject and language
_SUBJECTS = {
    "refund": {"en": ("offer a refund", "refunds"), "nl": ("terugbetalen", "terugbetalingen"),
               "de": ("erstatten", "Rückerstattungen"), "fr": ("vous rembourser", "remboursements"),
               "es": ("hacer el reembolso", "reembolsos")},
    "return": {"en": ("accept the return", "returns"), "nl": ("retour nemen", "retouren"),
               "de": ("zurücknehmen", "Rücksendungen"), "fr": ("accepter le retour", "retours"),
               "es": ("aceptar la devolución", "devoluciones")},
    "cancellation": {"en": ("cancel it", "cancellations"), "nl": ("annuleren", "annuleringen"),
                     "de": ("stornieren", "Stornierungen"), "fr": ("l'annuler", "annulations"),
                     "es": ("cancelarlo", "cancelaciones")},
    "exchange": {"en": ("exchange it", "exchanges"), "nl": ("omruilen", "omruilingen"),
                 "de": ("umtauschen", "Umtausche"), "fr": ("l'échanger", "échanges"),
                 "es": ("cambiarlo", "cambios")},
}  # fmt: skip
_WORDS = {  # unit and anchor words, translated
    "nl": {"day": "dagen", "week": "weken", "month": "maanden", "hour": "uur", "year": "jaar",
           "within": "binnen", "of": "na", "delivery": "levering", "purchase": "aankoop",
           "booking": "boeking", "departure": "vertrek", "order": "bestelling"},
    "de": {"day": "Tagen", "week": "Wochen", "month": "Monaten", "hour": "Stunden",
           "year": "Jahren", "within": "innerhalb von", "of": "nach", "delivery": "Lieferung",
           "purchase": "Kauf", "booking": "Buchung", "departure": "Abreise",
           "order": "Bestellung"},
    "fr": {"day": "jours", "week": "semaines", "month": "mois", "hour": "heures", "year": "ans",
           "within": "dans les", "of": "suivant la", "delivery": "livraison",
           "purchase": "achat", "booking": "réservation", "departure": "départ",
           "order": "commande"},
    "es": {"day": "días", "week": "semanas", "month": "meses", "hour": "horas", "year": "años",
           "within": "dentro de los", "of": "posteriores a la", "delivery": "entrega",
           "purchase": "compra", "booking": "reserva", "departure": "salida",
           "order": "pedido"},
}  # fmt: skip
_TOPIC_NAMES = {
    "legal": {"nl": "juridisch advies", "de": "Rechtsberatung", "fr": "des conseils juridiques",
              "es": "asesoramiento legal"},
    "medical": {"nl": "medisch advies of een diagnose", "de": "medizinischer Beratung",
                "fr": "un avis médical", "es": "consejos médicos"},
    "others_data": {"nl": "gegevens van andere klanten", "de": "Daten anderer Kunden",
                    "fr": "les données d'autres clients", "es": "datos de otros clientes"},
    "credentials": {"nl": "wachtwoorden of pincodes", "de": "Passwörtern oder PINs",
                    "fr": "les mots de passe", "es": "contraseñas o PIN"},
    "financial": {"nl": "beleggingsadvies", "de": "Anlageberatung",
                  "fr": "des conseils en investissement", "es": "asesoramiento financiero"},
}  # fmt: skip
ORDER_ID = re.compile(r"(?<![\w-])(?:#\d{3,}|[A-Z]{1,5}-?\d{3,}[A-Z0-9-]*|\d{6,})(?![\w-])")
PRODUCT = re.compile(
    r"\b(?:bought|ordered|purchased|received|got|booked|rented|return|refund for|replace|"
    r"exchange|cancel)\s+(?:the|my|a|an|this|these|our|two|three|\d+)\s+"
    r"(?P<p>(?:[\w'-]+\s+){0,2}?[\w'-]+?)(?=\s+(?:\d|on|in|at|from|last|yesterday|ago|a|an|for|"
    r"and|but|because|which|that|three|two|weeks?|days?|months?)\b|\s*[.,;!?()]|$)",
    re.I,
)


def _t(language: str, key: str) -> str:
    return _T.get(language, _T["en"]).get(key) or _T["en"][key]


def specifics(text: str) -> str:
    """The specifics of a request worth naming back: the product, ids and dates."""
    from aieng.llm.course_model.skills.entities import analyse

    parts = []
    product = PRODUCT.search(text)
    if product:
        parts.append("the " + product.group("p"))
    found = list(ORDER_ID.finditer(text))
    ids = list(dict.fromkeys(m.group(0) for m in found))[:2]
    if ids:
        said = re.search(r"([^\W\d_]{4,})\W{0,2}$", text[: found[0].start()])
        noun = said.group(1).lower() if said and said.group(1).lower() not in STOPWORDS else ""
        parts.append((f"{noun} " if noun and not parts else "") + " and ".join(ids))
    text = re.sub(r"(?i)\b(?:today(?:'s date)?|current date)\s*(?:is|:)\s*[^.\n]{0,40}", " ", text)
    dates = [s.text for s in analyse(text).of("date") if not s.text.lower().startswith("to")]
    if dates:
        parts.append(dates[0])
    if not parts:
        return ""
    return parts[0] + (" (" + ", ".join(parts[1:]) + ")" if len(parts) > 1 else "")


def _when(verdict: Verdict) -> str:
    """When the purchase (or the event) was, in English: "your purchase was 3 months ago"."""
    rule, said = verdict.rule, verdict.said
    anchor = rule.anchor if rule is not None and rule.anchor else "purchase"
    if rule is not None and rule.op == ">=":
        return f"the {anchor} is {said}" if said else f"the {anchor} is too close"
    if said.lower().endswith("ago") or said.lower().startswith(("last", "yesterday")):
        return f"this was {said}"
    if re.search(r"\d", said):
        return f"this was on {said}"
    return "your request falls outside that period"


def _rule_words(verdict: Verdict, language: str) -> str:
    """The rule's key terms ("within 30 days of delivery"), translated where known."""
    rule = verdict.rule or verdict.within
    if rule is None:
        return ""
    if rule.kind == "limit" and rule is verdict.within:  # kept: "discount up to 10%"
        bound = {">": "up to", ">=": "below", "<": "at least", "<=": "above"}.get(rule.op, "")
        amount = (
            f"{rule.amount:g}{rule.unit}" if rule.unit == "%" else f"{rule.amount:g} {rule.unit}"
        )
        return f"{rule.subject} {bound} {amount.strip()}".strip()
    if rule.kind != "window":
        return rule.phrase
    number, unit = rule.span.split(" ", 1)
    base = re.sub(r"s$", "", unit.lower())
    if language not in _WORDS:
        return f"within {rule.span}" + (f" of {rule.anchor}" if rule.anchor else "")
    words = _WORDS[language]
    out = f"{words['within']} {number} {words.get(base, unit)}"
    if rule.anchor:
        out += f" {words['of']} {words.get(rule.anchor, rule.anchor)}"
    return out


def _topic(verdict: Verdict, language: str) -> str:
    rule = verdict.rule
    name = rule.topic.name if rule is not None and rule.topic is not None else ""
    if language != "en" and name in _TOPIC_NAMES:
        return _TOPIC_NAMES[name][language]
    phrase = rule.phrase if rule is not None else ""
    return phrase if phrase[:2].isupper() else phrase[:1].lower() + phrase[1:]


def _alternative(verdict: Verdict, language: str) -> str:
    rule = verdict.rule
    key = "alt"
    if rule is not None and rule.topic is not None:
        key = "alt_" + rule.topic.name
    elif rule is not None and rule.subject in ("refund", "return", "exchange"):
        key = "alt_refund"
    elif rule is not None and rule.subject == "cancellation":
        key = "alt_cancellation"
    return _T.get(language, _T["en"]).get(key) or _t(language, "alt")


def compose(
    verdict: Verdict, text: str, language: str = "en", scope: str = "", fact: str = ""
) -> str:
    """The reply to a request under ``verdict``, in ``language`` when there are templates
    for it (en, nl, de, fr, es), else in English; an answer gives the policy's ``fact``
    (already in the reply's language) that bears on the request."""
    language = language if language in _T else "en"
    rule = verdict.rule
    if verdict.decision == "refuse" and rule is not None:
        if rule.kind == "scope":
            return _t(language, "scope").format(topic=scope or rule.phrase)
        alt = _alternative(verdict, language)
        if rule.kind == "window":
            do, plural = _SUBJECTS.get(rule.subject, {}).get(language) or (
                f"process this {rule.subject}" if language == "en" else rule.subject,
                rule.subject + "s",
            )
            said = _t(language, "said").format(x=_when(verdict))
            key = "window_ahead" if rule.op == ">=" else "window"
            anchor = _WORDS.get(language, {}).get(rule.anchor, rule.anchor) or "it"
            unit_words = _rule_words(verdict, language)
            span = rule.span if language == "en" else " ".join(unit_words.split()[-2:])
            return _t(language, key).format(do=do, subjects=plural, rule=unit_words,
                                            said=said, alt=alt, span=span, anchor=anchor)  # fmt: skip
        if rule.kind == "limit":
            return _t(language, "limit").format(rule=rule.phrase, alt=alt)
        return _t(language, "topic").format(topic=_topic(verdict, language), alt=alt)
    if verdict.decision == "escalate" and rule is not None:
        if rule.kind == "limit" and verdict.said:
            said = verdict.said
            why = _t(language, "why_limit").format(x=said[:1].upper() + said[1:], rule=rule.phrase)
        else:
            why = _t(language, "why_topic").format(topic=_topic(verdict, language))
        return _t(language, "escalate").format(why=why)
    about = specifics(text)
    kept = ""
    if verdict.within is not None:
        said = f" ({verdict.said})" if verdict.said and verdict.within.kind == "limit" else ""
        kept = _t(language, "kept").format(rule=_rule_words(verdict, language), said=said)
    kept = (fact.rstrip() + " " if fact else "") + kept
    return _t(language, "ack").format(
        about=_t(language, "about").format(x=about) if about else "", kept=kept
    )


def reason_text(verdict: Verdict) -> str:
    """One sentence on why: the rule broken, or that the request is within policy."""
    rule = verdict.rule
    if verdict.decision == "comply" or rule is None:
        return "The request is within policy." + (
            f" ({verdict.within.phrase})" if verdict.within is not None else ""
        )
    said = f" ({verdict.said})" if verdict.said else ""
    if rule.kind == "scope":
        return f"The request is outside the stated scope: {rule.phrase}."
    if rule.kind == "window":
        return f"Outside the policy window: {rule.phrase}{said}."
    if verdict.decision == "escalate":
        return f"Needs escalation under the policy: {rule.phrase}{said}."
    if rule.kind == "limit":
        return f"Over the policy limit: {rule.phrase}{said}."
    return f"The request asks for {rule.phrase}, which the policy does not allow."
