"""The header of a bill: what kind of document it is, its number, its dates and its terms.

A money document names its kind in a title line ("INVOICE No. 123", "Factuur",
"Rechnung", "GUEST FOLIO", "QUOTATION", "Lieferschein / Delivery note",
"Purchase order", "Payment reminder"): the first title line that names a kind
decides whether the text is an invoice or receipt at all. Its number follows a
document label ("Invoice No.", "Factuurnummer", "FACTURA nº", "Folio #"); its
dates are read with the label printed before each ("Invoice date", "Tax point",
"Fecha" for the issue date; "Due", "Zahlbar bis", "Vervaldatum", "Échéance" for
the due date; "Arrival", "Order placed", "Sent" for neither). With no printed
due date, payment terms give it: "Net 30", "30 days", "binnen 14 dagen",
"Zahlungsziel 14 Tage" add days to the issue date, "due on receipt" is the issue
date itself. Before reading, e-mail quote markers ("> ") are removed and
letter-spaced OCR words ("I N V O I C E") are joined.

Example:
    >>> due_date("Invoice 7 | Date: 2 May 2026 | Terms: Net 15")
    '2026-05-17'
    >>> is_bill("QUOTATION Q-7\\nDesk 2 x 40.00 80.00\\nTotal 80.00")
    False
"""

from __future__ import annotations

import datetime as dt
import re

from aieng.llm.course_model.skills.entities import analyse

NOT_BILL_KINDS = (
    r"quot(?:e|ation)|estimate|offerte|offre|angebot|kostenvoranschlag|devis|presupuesto"
    r"|cotizaci[oó]n|pro[\s-]?forma|delivery\s+note|packing\s+(?:slip|list)|lieferschein|pakbon"
    r"|bon\s+de\s+livraison|albar[aá]n|purchase\s+order|bestellung|inkooporder|bon\s+de\s+commande"
    r"|order\s+confirmation|auftragsbest[aä]tigung|orderbevestiging|remittance(?:\s+advice)?"
    r"|order\s+acknowledge?ment|sales\s+order|booking\s+confirmation|bestellbest[aä]tigung"
    r"|confirmation\s+de\s+(?:la\s+)?commande|accus[eé]\s+de\s+r[eé]ception\s+de\s+commande"
    r"|confirmaci[oó]n\s+del?\s+pedido|bevestiging\s+van\s+(?:uw|je|de)\s+bestelling"
    r"|payment\s+advice|zahlungsavis|betalingsadvies|statement\s+of\s+account|account\s+statement"
    r"|kontoauszug|reminder|mahnung|zahlungserinnerung|herinnering|aanmaning|relance|rappel"
    r"|price\s+list|preisliste|prijslijst|newsletter|credit\s+note"
)
BILL_KINDS = (
    r"(?:tax\s+)?invoice|receipt|factu(?:ur|re|ra)\w*|rechnung\w*|fattura|faktura|folio|bill"
    r"|kassenbon|quittung|kassabon|bon|recibo|ticket\s+de\s+caisse"
)
KIND = re.compile(
    r"(?i)(?<![\w-])(?:(?P<not>(?:" + NOT_BILL_KINDS + r")(?![\w-])"
    r"(?!\s*(?:ref(?:erence)?\b|:|date\b|datum\b|total\b|number\s*:)))"
    r"|(?P<bill>" + BILL_KINDS + r")(?![\w-]))"
)
SAID_NOT = re.compile(
    r"(?i)\b(?:this\s+is\s+)?not\s+an?\s+(?:invoice|bill|receipt)\b|\bkeine\s+rechnung\b"
    r"|\bgeen\s+factuur\b|\bne\s+constitue\s+pas\s+une\s+facture\b"
    # an invoice still to come: "will be invoiced on delivery", "Rechnung folgt"
    r"|\b(?:will|shall|is\s+to|are\s+to|to)\s+be\s+(?:invoiced|billed)\b"
    r"|\b(?:an?\s+|the\s+|your\s+)?invoice\s+(?:will\s+follow|to\s+follow|follows)\b"
    r"|\bwe\s+will\s+(?:send|issue)\s+(?:you\s+)?(?:an?|the|your)\s+invoice\b"
    r"|\b(?:die\s+)?rechnung\s+(?:folgt|erhalten\s+sie|wird\s+(?:nachgereicht|separat))"
    r"|\bwird\s+(?:\w+\s+){0,3}in\s+rechnung\s+gestellt\b"
    r"|\b(?:sera|seront)\s+factur[ée]e?s?\b|\bla\s+facture\s+suivra\b"
    r"|\bse\s+facturar[aá]n?\b|\bfactura\s+(?:se\s+enviar[aá]|seguir[aá])"
    r"|\bwordt\s+(?:\w+\s+){0,2}gefactureerd\b|\bfactuur\s+volgt\b"
)
HEADER_LINE = re.compile(
    r"(?im)^[ \t]*(?:from|sent|to|cc|bcc|date|von|gesendet|an|betreff|van|verzonden|aan"
    r"|onderwerp|de|envoyé|objet|à)[ \t]*:[^\n]*$"
)
NUMBER_LABEL = re.compile(
    r"(?i)(?<![\w-])(?:tax\s+)?(?:invoice|receipt|factuur|facture|factura|rechnung|fattura|faktura"
    r"|folio|bill|quittung|beleg|recibo|bon)(?:s?nummer|number|nr)?(?![\w])"
    r"(?:[ \t]*(?:number|nummer|numéro|numero|num|no|nr|n[º°o])(?![\w])[ \t]?\.?)?"
    r"(?:[ \t]*[:#]|[ \t]+)[ \t]*#?[ \t]*"
    r"(?P<id>[A-Z0-9](?:[A-Za-z0-9/_.-]*[A-Za-z0-9])?)(?![\w/-])"
)
ISSUE_LABEL = re.compile(
    r"(?i)(?:invoice|bill(?:ing)?|receipt|folio|rechnungs|factuur|document)\s*-?\s*(?:date|datum)"
    r"|date\s+of\s+(?:issue|invoice)|issue\s+date|issued|tax\s+point|\bdated?\b|datum|fecha"
    r"|\bdata\b|\bfait\s+le\b|(?:invoice|receipt|folio|factu\w*|rechnung|factura|#)\s*[\w/-]*\d"
)
DUE_LABEL = re.compile(
    r"(?i)\bdue\b|payable\s+by|pay\s+by|payment\s+by|zahlbar\s+bis|f[aä]llig|vervaldatum"
    r"|verval|uiterlijk|[ée]ch[ée]ance|vencimiento|scadenza|betalen\s+voor|te\s+betalen\s+v[oó]{2}r"
)
OTHER_LABEL = re.compile(
    r"(?i)order|placed|arrival|aankomst|ankunft|departure|vertrek|abreise|delivery|deliver"
    r"|lieferung|geliefert|period|sent|valid|service|shipped|from\b|until\b|to\b|-\s*$"
)
TERMS = re.compile(
    r"(?i)\b(?:terms|payment|payable|pay|within|binnen|zahlungsziel|zahlbar|innerhalb|due"
    r"|betaling|betalen|paiement|payable|pago|plazo|net)\b[^\n\d]{0,40}?"
    r"(?:net\s*)?(?P<n>\d{1,3})\s*(?:days?|dagen|tage[n]?|jours|d[ií]as|giorni)\b"
    r"|\bnet[ \t]*(?P<net>\d{1,3})\b"
)
ON_RECEIPT = re.compile(
    r"(?i)\b(?:due|payable|payment\s+due|zahlbar)\s+(?:up)?on\s+receipt|\bpayable\s+immediately"
    r"|\bdue\s+immediately|\bsofort\s+zahlbar|\bzahlbar\s+sofort|\bdirect\s+opeisbaar"
    r"|\b[àa]\s+r[ée]ception|\bal\s+contado"
)


def clean(text: str) -> str:
    """The text without e-mail quote markers and with letter-spaced words joined."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^[ \t]*(?:>[ \t]?)+", "", line)
        lines.append(_unspaced(line))
    return "\n".join(lines)


def _unspaced(line: str) -> str:
    """ "B R I G H T W E L L   L T D" -> "BRIGHTWELL LTD": a line whose words are spelled
    letter by letter, with wider gaps between the words."""
    tokens = line.split()
    singles = sum(len(t) == 1 and t.isalpha() for t in tokens)
    if len(tokens) < 4 or singles < 0.5 * len(tokens):
        return line
    groups = re.split(r"[ \t]{2,}", line.strip())
    joined = ["".join(g.split()) if all(len(t) == 1 for t in g.split()) else g for g in groups]
    return " ".join(joined)


def body(text: str) -> str:
    """The cleaned text without its e-mail header blocks (From:, Sent:, Date:... lines
    together with a From: line), whose dates are no invoice dates."""
    lines = clean(text).splitlines()
    keep = [True] * len(lines)
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and HEADER_LINE.match(lines[end]):
            end += 1
        block = lines[index:end]
        if any(re.match(r"(?i)[ \t]*(?:from|van|von|de)[ \t]*:", line) for line in block):
            keep[index:end] = [False] * (end - index)
        index = max(end, index + 1)
    return "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)


def is_bill(text: str) -> bool:
    """Whether ``text`` is an invoice or receipt (see the module docstring)."""
    text = clean(text)
    if SAID_NOT.search(text):
        return False
    for line in text.splitlines():
        subject = re.match(r"(?i)[ \t]*(?:subject|betreff|onderwerp|objet|re|fwd?)[ \t]*:", line)
        if not subject and len(line.split()) > 10:
            continue  # a sentence: "please quote the order number" names no document
        for found in KIND.finditer(line):
            if not subject and len(line[: found.start()].split()) > 5:
                continue
            return found.group("bill") is not None
    from aieng.llm.course_model.skills.ledger import labelled_amount

    return labelled_amount(text, "total") is not None


def number(text: str) -> str | None:
    """The document's number as printed after its label, without the label."""
    for found in NUMBER_LABEL.finditer(clean(text)):
        value = found.group("id")
        if any(c.isdigit() for c in value) and not analyse(value).of("date"):
            return value
    return None


def _dated(text: str) -> list[tuple[str, str]]:
    """(label, ISO date) for each date, the label being the line's words since the previous
    date; the whole text is read at once, so that its other dates and currency tell
    whether "02/03/2026" is day first."""
    cleaned = body(text)
    out = []
    last = 0
    for span in analyse(cleaned).of("date", "datetime"):
        line_start = cleaned.rfind("\n", 0, span.start) + 1
        out.append((cleaned[max(last, line_start) : span.start], str(span.value)[:10]))
        last = span.end
    return out


def issue_date(text: str) -> str | None:
    """The invoice's own date: the first labelled as such, else the first unlabelled one."""
    dated = _dated(text)
    for label, value in dated:
        if ISSUE_LABEL.search(label) and not DUE_LABEL.search(label):
            return value
    for label, value in dated:
        if not (DUE_LABEL.search(label) or OTHER_LABEL.search(label) or ":" in label):
            return value
    return None


def due_date(text: str) -> str | None:
    """The printed due date, else the issue date plus the terms' days, else None."""
    for label, value in _dated(text):
        if DUE_LABEL.search(label) and not re.search(r"(?i)\bover\s*due|\bpaid\b", label):
            return value
    start = issue_date(text)
    if start is None:
        return None
    cleaned = body(text)
    if ON_RECEIPT.search(cleaned):
        return start
    terms = TERMS.search(cleaned)
    if terms:
        days = int(terms.group("n") or terms.group("net"))
        return (dt.date.fromisoformat(start) + dt.timedelta(days=days)).isoformat()
    return None
