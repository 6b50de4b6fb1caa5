"""The labelled figures of a money document, its currency and who issued it.

Totals come from their labelled lines, never from items: "Subtotal 343.00",
"VAT 20% 68.60" (the amount, not the rate), "TOTAL DUE: GBP 411.60" (the last
total line is the grand total). The currency is the code or symbol written
(£ -> GBP, € -> EUR, $ -> USD unless another dollar is named). The issuer is
the company that sends the document: a name with a legal form (Ltd, GmbH,
B.V., Inc, LLC, SAS, S.L....) or the sender, never the customer block ("Bill
to", "Ship to") nor whoever forwarded the email.

Example:
    >>> labelled_amount("Subtotal 90.00\\nVAT 20% 18.00\\nTotal 108.00", "tax")
    18.0
"""

from __future__ import annotations

import re

from aieng.llm.course_model.skills.records import NUMBER, number_value

FIGURES = {
    "subtotal": r"sub[\s-]?total|net\s+(?:total|amount)|total\s*\(?\s*(?:excl|excluding|before|net"
    r"|ex\.?\s|without\s+(?:vat|tax))|zwischensumme|subtotaal|sous[\s-]total|total\s+ht"
    r"|total\s+hors\s+taxes?|base\s+imponible|netto\w*|net",
    "tax": r"(?:sales\s+)?tax(?:\s+amount)?|vat(?:\s+amount)?|gst|hst|mwst|ust|iva|tva|btw",
    "discount": r"discount|rabatt|korting|remise|descuento",
    "shipping": r"shipping|delivery|postage|freight|carriage",
    "total": r"grand\s+total|total\s+(?:due|amount|payable|to\s+pay)|amount\s+(?:due|payable)"
    r"|balance\s+due|to\s+pay|total|gesamt\w*|totaal|montant\s+total|importe\s+total|gross",
}
NOT_FIGURE = re.compile(
    r"(?i)\b(?:vat|tax|gst)\s*(?:no|number|id|reg\w*|#|point)\b|\bincl(?:uding|\.)?\s+(?:vat|tax)\s*$"
    r"|\bnet\s*\d{1,3}\b(?![.,]\d)|\bgross\s+weight|\d\s*[x×]\s*[$€£]?\d"
)
BALANCE = re.compile(r"(?i)\b(?:balance|amount\s+(?:due|payable)|outstanding|remaining|to\s+pay)\b")
ROLE_WORDS = {
    "subtotal": {"subtotal", "sub", "net", "pretax"},
    "tax": {"tax", "vat", "gst", "hst", "mwst", "iva", "tva", "btw"},
    "discount": {"discount"},
    "shipping": {"shipping", "delivery", "postage", "freight"},
    "total": {"total", "due", "grand", "payable", "balance", "gross", "owed", "owing"},
}
CURRENCIES = {"£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "$": "USD"}
DOLLARS = re.compile(r"\b(?:(?P<code>CAD|AUD|NZD|SGD|HKD|USD)|(?P<pre>C|A|NZ|S|HK|US)\$)")
CODES = re.compile(r"\b(USD|EUR|GBP|CHF|JPY|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|INR|SGD|HKD)\b")
LEGAL = (
    r"Ltd\.?|LTD\.?|Limited|LIMITED|GMBH|INC\.?|s\.r\.o\.|a\.s\.|Kft\.?|S\.p\.A\.|GmbH|B\.V\.|BV|N\.V\.|Inc\.?|LLC|L\.L\.C\.|LLP|SAS|SARL|S\.L\.|S\.A\.|SA|SpA"
    r"|S\.r\.l\.|Srl|plc|PLC|AG|KG|Oy|AB|ApS|Pty(?:\s+Ltd)?|Corp\.?|Co\.|e\.K\."
)
COMPANY = re.compile(
    r"(?P<name>(?:(?:[A-Z0-9À-Ý][\w&'.-]*|&)[ \t]+(?:(?:du|de|des|la|le|les|del|della|van|von|der"
    r"|den|y|et|und|en|di|da|do|dos)[ \t]+(?=[A-ZÀ-Ý]))?){0,5}?[A-Z0-9À-Ý][\w&'.-]*[ \t]*,?[ \t]+(?:"
    + LEGAL
    + r"))"
    r"(?![\w])"
)
CUSTOMER = re.compile(
    r"(?im)^[ \t]*(?:bill(?:ed)?\s+to|invoice\s+to|sold\s+to|ship(?:ped)?\s+to|deliver(?:ed)?\s+to"
    r"|customer|client|buyer|recipient|rechnungsempfänger|factuur\s+aan|attn|guest|gast|kunde"
    r"|klant|cliente|account|for|event)\b[^\n]*"
    r"(?:\n(?![ \t]*\n)[^\n:]{0,60}(?=\n|$)){0,3}"
)
FORWARD = re.compile(r"(?i)-{2,}\s*forwarded message|begin forwarded message|^fwd?:|^-{3,}", re.M)
FROM = re.compile(r"(?im)^[ \t]*from[ \t]*:[ \t]*(?P<v>[^\n]+)")


def labelled_amount(text: str, role: str) -> float | None:
    """The amount on the line labelled for ``role`` (the last such line for "total")."""
    label = re.compile(r"(?i)(?<![\w-])(?:" + FIGURES[role] + r")(?![\w-])")
    found: list[float] = []
    balances: list[bool] = []
    for line in re.split(r"\n|(?<=\.)\s+(?=[A-Z])", text):
        hit = label.search(line)
        if hit is None or NOT_FIGURE.search(line):
            continue
        if role == "total" and re.search("(?i)" + FIGURES["subtotal"], line):
            continue
        if role == "tax" and re.search(r"(?i)\btotal\b", line[: hit.start()]):
            continue  # "Total incl. VAT 411.60" is a total
        amounts = [m for m in NUMBER.finditer(line, hit.end()) if not m.group("pct")]
        money = [m for m in amounts if _money_like(m)]
        if money or len(amounts) == 1 and role != "tax":
            value = number_value((money or amounts)[0].group("n"))
            found.append(
                -value
                if re.search(r"-\s*[$€£]?\s*$", line[: (money or amounts)[0].start()])
                else value
            )
            balances.append(BALANCE.search(line[: hit.end()]) is not None)
    if not found:
        return None
    if role == "total":
        gross = [v for v, b in zip(found, balances, strict=True) if not b]
        return gross[-1] if gross else found[-1]  # the gross total, not what is left to pay
    return found[0]


def _money_like(match: re.Match) -> bool:
    """An amount of money rather than a reference number: decimals or a currency sign."""
    return bool(
        match.group("cur") or match.group("cur2") or re.search(r"[.,]\d{2}$", match.group("n"))
    )


def figure_role(words: tuple[str, ...], description: str = "") -> str | None:
    """Which labelled figure a money slot holds, by its name: ``tax_amount`` -> "tax"."""
    named = set(words)
    if named & {"rate", "percent", "percentage", "pct", "id", "number", "code"}:
        return None
    for role in ("subtotal", "tax", "discount", "shipping", "total"):
        if named & ROLE_WORDS[role]:
            return role
    if named & {"amount"} and re.search(r"(?i)\b(?:total|due|payable)\b", description):
        return "total"
    return None


def currency_code(text: str) -> str | None:
    """The currency a document is in: a code written, else a symbol (£, €; $ is USD
    unless a Canadian, Australian... dollar is named)."""
    dollars = DOLLARS.search(text)
    if "$" in text and dollars:
        if dollars.group("code"):
            return dollars.group("code")
        return {"C": "CAD", "A": "AUD", "NZ": "NZD", "S": "SGD", "HK": "HKD"}.get(
            dollars.group("pre"), "USD"
        )
    codes = CODES.findall(text)
    if codes:
        return max(set(codes), key=lambda c: (codes.count(c), -codes.index(c)))
    for symbol, code in CURRENCIES.items():
        if symbol in text:
            return code
    return None


def issuer(text: str, notes: str = "") -> str | None:
    """The company that issued the document (see the module docstring), else None; never the
    customer the instructions name ("never Acme (the customer)")."""
    from aieng.llm.course_model.skills.bills import clean

    text = clean(text)
    body = text
    forwarded = [
        m
        for m in FORWARD.finditer(text)
        if not m.group(0).startswith("-")
        or "forward" in m.group(0).lower()
        or re.search(r"(?im)^[ \t]*(?:from|subject|fwd?)[ \t]*:", text[: m.start()])
    ]  # a bare "-----" line ends a forwarder's note only in mail, else it is a ruler
    if forwarded:
        body = text[forwarded[-1].end() :]  # the original message, not the forwarder's
    blocked = [m.span() for m in CUSTOMER.finditer(body)]

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in blocked)

    customers = _customers(notes)
    companies = [
        m
        for m in COMPANY.finditer(body)
        if free(m.start()) and m.group("name").split()[0].lower() not in customers
    ]
    if companies:
        return _tidy(companies[0].group("name"))
    sender = FROM.search(body)
    if sender and free(sender.start()):
        name = re.sub(r"<[^>]*>|\S+@\S+|\"", " ", sender.group("v")).strip(" ,")
        if name and name[0].isupper():
            return _tidy(name)
        domain = re.search(r"@([\w-]+)\.", sender.group("v"))
        if domain and domain.group(1).lower() not in ("gmail", "outlook", "yahoo", "hotmail"):
            return None  # an address alone: let the header line speak
    for line in body.strip().splitlines()[:3]:
        line = line.strip()
        if (
            line
            and free(body.find(line))
            and re.fullmatch(r"[A-ZÀ-Ý][\w&'.-]*(?:[ \t]+[A-ZÀ-Ý&][\w&'.-]*){0,5}", line)
            and line.split()[0].lower() not in customers
            and not re.match(r"(?i)(?:invoice|receipt|quote|bill|statement|tax|fwd?|re)\b", line)
        ):
            return _tidy(line)
    return None


CUSTOMER_NOTE = re.compile(
    r"\bnever\s+(?:the\s+)?(?P<a>[A-Z][\w-]+)|(?P<b>[A-Z][\w-]+)[^()\n]{0,30}\(the\s+(?:customer|buyer"
    r"|client|recipient)\)|\b(?:invoices|receipts|bills)\s+(?:that\s+)?(?P<c>[A-Z][\w-]+)"
    r"(?:\s+[A-Z][\w-]+)*\s+(?:receives|gets|pays)"
)


def _customers(notes: str) -> set[str]:
    """First words of the customer the instructions name: "never Acme (the customer)"."""
    return {
        (m.group("a") or m.group("b") or m.group("c")).lower()
        for m in CUSTOMER_NOTE.finditer(notes)
    }


def _tidy(name: str) -> str:
    name = re.sub(r"^(?:(?:From|Invoice|Receipt|Fwd?|Re)\b[:\s]*)+", "", name.strip())
    return re.sub(r"\s+", " ", name).strip(" ,")
