"""Rows of a money document: line items, the labelled totals, the currency and the issuer.

An invoice, receipt or quote lists goods or services one per line ("2 x Desk
lamp @ 45.00 = 90.00", a table row "Desk lamp  2  45.00  90.00", a receipt line
"Flat white 3.20", "Drafting 3.5 hours at 250.00/hour") and then summary rows
(subtotal, tax, discount, total, balance due) that are not items. Each row
becomes a ``Row`` with a description and the numbers the row's markers give
(a count before "x", a price after "@" or before "each", an amount after "=");
unmarked numbers are read in column order, or by a header row's columns, and
checked by arithmetic (quantity x unit price = amount).

Example:
    >>> [r.amount for r in line_rows("2 x Desk lamp @ 45.00 = 90.00\\nSubtotal 90.00")]
    [90.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = re.compile(
    r"(?<![\w.,/:#])(?<!\w-)(?P<cur>[$€£¥]|(?:USD|EUR|GBP|CHF|CAD|AUD)\s?)?(?P<n>\d{1,3}(?:[,.' ]\d{3})+"
    r"(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?P<cur2>\s?(?:[$€£]|USD|EUR|GBP|CHF|CAD|AUD)\b)?"
    r"(?P<pct>\s?%)?(?![\w:-]|/\d|[.,]\d)"
)
SUMMARY = re.compile(
    r"(?i)\b(?:sub[\s-]?total|sous[\s-]total|total|totaal|gesamt\w*|\w*summe|summa|tax|vat|gst|hst|pst|mwst|ust|iva|tva"
    r"|btw|balance|amount\s+(?:due|payable|paid)|discount|rabatt|net\s+amount|gross|rounding"
    r"|change|paid|payment|deposit|credit|tip|gratuity|due\s+now|to\s+pay|cash|card|subtotaal"
    r"|netto\w*|base\s+imponible|montant|importe)\b|^\s*net\b"
)
PRICED = re.compile(r"(?i)(?<![\w.])\d+(?:[.,]\d+)?\s*[x×*]\s*[$€£]?\s*\d|@\s*[$€£]?\s*\d")
ADJUSTMENT = re.compile(r"(?i)\b(?:discount|rabatt|korting|remise|descuento|credit|tip|gratuity)\b")
UNIT_WORDS = (
    r"pcs?|pieces?|units?|ud|uds|stk|st|stuks?|stück|hrs?|hours?|h|nights?|nachten|nuits|days?"
    r"|dagen|tage|weeks?|months?|mo|kg|g|l|m|ea|each|per|users?|seats?|licen[cs]es?|boxes|items?"
    r"|x|à|at|eur|usd|gbp|chf"
)
TAIL_GAP = re.compile(r"(?i)^(?:[\s()x×*@=/à€$£¥.,:;|-]|\b(?:" + UNIT_WORDS + r")\b)*$")
BEFORE_TAIL = re.compile(r"(?i)(?:[(\s@×*=$€£¥]|(?<![a-z])[xà](?![a-z])|\b(?:USD|EUR|GBP)\b)*$")
META = re.compile(
    r"(?i)\b(?:invoice|receipt|date|due|order\s*(?:no|number|#|id)|po\b|account|iban|bic|swift"
    r"|sort\s+code|phone|tel|fax|page|ref(?:erence)?|terms|reg(?:istration)?|bill(?:ed)?\s+to"
    r"|ship(?:ped)?\s+to|customer|client|from|to|attn|email|table|cashier|server|store|guest"
    r"|tel|www|http)\b\s*(?:no\.?|number|#|id)?\s*[:#]"
)
QTY_AFTER = re.compile(
    r"\s*(?:x|×|\*|pcs?|pieces?|units?|hrs?|hours?|h|nights?|days?|kg|ea\b|uds?\b|stk\b"
    r"|stuks?\b|stück|users?\b|seats?\b|licen[cs]es?\b)",
    re.I,
)
QTY_UNIT = re.compile(
    r"\s*(?:pcs?|pieces?|units?|hrs?|hours?|h|nights?|days?|kg|boxes|items?|uds?|stk|stuks?"
    r"|users?|seats?|weeks?|months?|years?)\b",
    re.I,
)
EACH_AFTER = re.compile(r"\s*(?:each|ea\.?|apiece|/\s*\w+|per\s+\w+)\b", re.I)
COLUMNS = {
    "description": "description desc item items product products service services article name "
    "details particulars position",
    "quantity": "qty quantity quantities units count hours hrs pcs menge aantal cantidad quantité",
    "position": "pos no nr",
    "unit_price": "price rate unit each cost preis prijs",
    "amount": "amount total line sum value betrag bedrag net",
}
COLUMN_WORDS = {word: role for role, words in COLUMNS.items() for word in words.split()}


@dataclass(frozen=True)
class Row:
    """One line item: what it is, how many, at what price, for what amount."""

    description: str
    quantity: float | None
    unit_price: float | None
    amount: float | None
    text: str


def number_value(raw: str) -> float:
    """ "1,234.50", "1.234,50", "1 234.50", "12,5" as a float."""
    raw = raw.replace("'", "").replace(" ", "")
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = raw.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    elif raw.count(".") > 1 or (re.fullmatch(r"\d{1,3}\.\d{3}", raw) and False):
        raw = raw.replace(".", "")
    return float(raw)


def _header(line: str) -> list[str] | None:
    """The column roles of a header row ("Item | Qty | Unit price | Total"), else None."""
    if NUMBER.search(line):
        return None
    cells = [c for c in re.split(r"\s*\|\s*|\t+|\s{2,}", line.strip().strip("|")) if c]
    words = [re.findall(r"[a-zäöü]+", c.lower()) for c in cells]
    roles = []
    for cell in words:
        found = [COLUMN_WORDS[w] for w in cell if w in COLUMN_WORDS]
        if "unit_price" in found:
            roles.append("unit_price")
        elif found:
            roles.append(found[0])
        else:
            return None
    numeric = [r for r in roles if r != "description"]
    return roles if len(cells) >= 2 and numeric and len(set(roles)) == len(roles) else None


def line_rows(text: str) -> list[Row]:
    """The line items of ``text``, in order, before its first summary row."""
    rows: list[Row] = []
    columns: list[str] | None = None
    position = False
    for raw in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•·]|\d+[.)](?=\s+\D))\s+", "", raw).strip().strip("|").strip()
        line = re.sub(r"(?i)(?<=[\s\d])([x×])(\d)", r"\1 \2", line)  # "x2" -> "x 2"
        line = re.sub(r"^(\d+)[x×](?=\s)", r"\1 x", line)  # "2x Latte" -> "2 x Latte"
        if not line:
            continue
        header = _header(line)
        if header is not None:
            columns = [r for r in header if r not in ("description", "position")]
            position = header[0] == "position"
            continue
        line = _blank_dates(line)
        numbers = [m for m in NUMBER.finditer(line) if not m.group("pct")]
        if not numbers:
            continue
        label = line[: numbers[0].start()]
        if (
            rows
            and ADJUSTMENT.search(label)
            and not SUMMARY.search(ADJUSTMENT.sub("", label))
            and _signed(line, numbers[-1]) < 0
        ):
            rows.append(_adjustment(line, numbers))  # "Loyalty discount -25.50": an item
            continue
        summary = SUMMARY.search(label) or (rows and SUMMARY.search(line) and len(numbers) == 1)
        if summary and not PRICED.search(line):  # "City tax 3 x 4.85 14.55" is an item
            if rows:
                break  # the summary block ends the items
            continue
        if META.search(line) or _not_money_line(line, numbers) or _prose(line):
            continue
        if position and re.match(r"\d{1,3}\s", line):
            line = " " * len(line.split()[0]) + line[len(line.split()[0]) :]
            numbers = numbers[1:]  # "1  Drive motor ...": a position number, no quantity
        row = _columnar(line, numbers, columns) or _row(line, numbers, columns)
        if row is not None:
            rows.append(row)
    return rows


def _adjustment(line: str, numbers: list[re.Match]) -> Row:
    """A discount, credit or tip printed as a line: one unit of its (signed) amount."""
    amount = _signed(line, numbers[-1])
    description = _description(line, [m for m in numbers if m.group("pct") is None] + [])
    description = re.sub(r"\s*-?\d+(?:[.,]\d+)?\s*%", "", description).strip(" ,.-")
    return Row(description, 1.0, amount, amount, line)


def _signed(line: str, match: re.Match) -> float:
    value = number_value(match.group("n"))
    return -value if re.search(r"-\s*[$€£]?$", line[: match.start("n")]) else value


def _columnar(line: str, numbers: list[re.Match], columns: list[str] | None) -> Row | None:
    """A row read as a description followed by its number columns: numbers inside the
    description ("Backup storage 2 TB", "3 pallets", "Room 412") stay in its words."""
    lead = None
    if re.match(r"\s*$", line[: numbers[0].start()]) and re.match(
        r"\s*(?:[x×*]\s+)?[^\W\d_]", line[numbers[0].end() :]
    ):
        lead = numbers[0]  # "3  Lunch platters ...": a count before the description
    rest = numbers[1:] if lead else numbers
    for index, match in enumerate(rest):
        start = match.start() - len(BEFORE_TAIL.search(line[: match.start()]).group(0))
        gaps = NUMBER.sub(" ", line[start:])
        if TAIL_GAP.match(gaps) and gaps.count("(") == gaps.count(")"):
            tail = rest[index:]
            break
    else:
        return None
    begin = lead.end() if lead else 0
    words = line[begin:start].strip()
    words = re.sub(r"(?i)^[x×*]\s+", "", words)
    words = re.sub(r"(?i)(?:(?<=\s)[@x×*=:|,(-]|[:|,(])+\s*$", "", words).strip(" ,-")
    if not words or lead is None and len(tail) == len(numbers) and not tail:
        return None
    row = _row(line, ([lead] if lead else []) + tail, columns)
    if row is None:
        return None
    return Row(" ".join(words.split()), row.quantity, row.unit_price, row.amount, line)


def _not_money_line(line: str, numbers: list[re.Match]) -> bool:
    """A line with no amount of money: no decimals, no currency, no price marker."""
    money = any(m.group("cur") or m.group("cur2") or re.search(r"[.,]\d{2}$", m.group("n"))
                for m in numbers)  # fmt: skip
    return not money and not re.search(r"@(?=\s*[$€£]?\d)|=|\beach\b", line)


def _prose(line: str) -> bool:
    """A sentence or a list of several items in one line ("2 x A @ 5, 1 x B @ 9"): the
    generic reading of items in running text handles it, not the row reader."""
    counted = len(re.findall(r"(?i)(?<![\w.])\d+(?:\.\d+)?\s*[x×]\s", line))
    return counted >= 2 or len(re.findall(r"[A-Za-z]{2,}", line)) > 12


def _blank_dates(line: str) -> str:
    """The line with its dates, times and emails blanked, so that their digits are no prices."""
    from aieng.llm.course_model.skills.entities import DATE_PATTERNS, EMAIL, TIME

    for pattern in (*DATE_PATTERNS, TIME, EMAIL):
        line = pattern.sub(lambda m: " " * len(m.group(0)), line)
    return line


def _row(line: str, numbers: list[re.Match], columns: list[str] | None) -> Row | None:
    quantity = price = amount = None
    free: list[float] = []
    for match in numbers:
        value = number_value(match.group("n"))
        before = line[: match.start()].rstrip()
        after = line[match.end() :]
        if re.search(r"(?:@|\bat|\bà)$", before) or EACH_AFTER.match(after):
            price = value
        elif before.endswith(("=", "→", "->")):
            amount = value
        elif (
            before.endswith(("x", "×", "*"))
            and re.search(r"\d[.,]?\d*\s?[^\W\d_]{1,3}\s*[x×*]$", before)
            and numbers[0].start() <= 1
            and match is not numbers[0]
        ):
            price = value  # "10 cans oil 5L x 24,00": the size joins the x, the count leads
        elif before.endswith(("x", "×", "*")) and not before[-2:-1].isalpha() and quantity is None:
            quantity = value
        elif (
            before.endswith(("x", "×"))
            and not before[-2:-1].isalpha()
            and QTY_UNIT.match(after)
            and not match.group("cur")
        ):
            quantity *= value  # "25 users x 1 month": 25 user-months
        elif (QTY_AFTER.match(after) and not match.group("cur")) and quantity is None:
            quantity = value
        else:
            free.append(value)
    quantity, price, amount = _assign(free, quantity, price, amount, columns)
    description = _description(line, numbers)
    if not description:
        return None
    if amount is None and quantity is not None and price is not None:
        amount = round(quantity * price, 2)
    if price is None and amount is not None and quantity:
        price = round(amount / quantity, 2)
    if quantity is None and amount is not None:
        if price:
            ratio = amount / price
            quantity = round(ratio) if abs(ratio - round(ratio)) < 0.01 else 1.0
        else:
            quantity, price = 1.0, amount
    return Row(description, quantity, price, amount, line)


def _assign(free, quantity, price, amount, columns):
    """Unmarked numbers in column order: by the header, else by arithmetic."""
    if columns and len(free) == len(columns):
        named = dict(zip(columns, free, strict=True))
        return (
            named.get("quantity", quantity),
            named.get("unit_price", price),
            named.get("amount", amount),
        )
    if len(free) >= 3:
        a, b, c = free[-3:]
        if abs(a * b - c) < 0.02 * max(1.0, c):
            return a, b, c
        return quantity if quantity is not None else a, b, c
    if len(free) == 2:
        a, b = free
        if quantity is None and a.is_integer() and a < 1000 and b >= a * 0 and price is None:
            if amount is None:
                return a, None, b  # "2 Flat white 6.40", "Lamp 2 90.00": a count and an amount
        if quantity is not None and abs(quantity * a - b) < 0.02 * max(1.0, b):
            return quantity, a, b
        if price is None and amount is None:
            return quantity, a, b
        return quantity, price if price is not None else a, amount if amount is not None else b
    if len(free) == 1:
        if amount is None:
            return quantity, price, free[0]
        if price is None:
            return quantity, free[0], amount
        if quantity is None:
            return free[0], price, amount
    return quantity, price, amount


def _description(line: str, numbers: list[re.Match]) -> str:
    text = line
    for match in reversed(numbers):
        text = text[: match.start()] + " " + text[match.end() :]
    text = re.sub(r"(?i)(?<![A-Za-z])(?:x|×|@|=|each|ea\.?|per\s+\w+|/\s*(?:hr|hour|h|unit|pc)\b"
                  r"|pcs?|units?|hrs?|hours?|at)(?![A-Za-z])", " ", text)  # fmt: skip
    text = re.sub(r"[$€£¥]|\b(?:USD|EUR|GBP|CHF|CAD|AUD)\b", " ", text)
    text = re.sub(r"[|:;=()\[\]_]+|\.{2,}|-{2,}|\s-\s", " ", text)
    text = re.sub(r"(?i)^\s*(?:of|for)\s+|\s+(?:of|for|at|by)\s*$", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.-")
