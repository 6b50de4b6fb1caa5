"""Readings of a whole document that single values cannot give, matched to slots by name.

Slot filling reads values one by one; some fields need the document's shape:
line items and labelled totals of a money document (``records``, ``ledger``),
action items, decisions and a summary of a transcript (``dialogue``), a clock
time for an "HH:MM" field and a headline for a title (``calendar``). Each
slot's role is read from its name and description (``items`` or
``line_items``, ``assignee`` or ``owner``, ``deadline`` or ``due``), never
from a known schema; a reading only replaces what plain slot filling found
when the document has that shape.

Example:
    >>> from aieng.llm.course_model.skills.slots import fill_object
    >>> item = {"type": "object", "properties": {"item": {"type": "string"},
    ...         "qty": {"type": "integer"}, "line_total": {"type": "number"}}}
    >>> schema = {"type": "object", "properties": {"items": {"type": "array", "items": item}}}
    >>> fill_object(schema, "3 x Rye loaf @ 4.00 = 12.00\\nTotal 12.00").value["items"]
    [{'item': 'Rye loaf', 'qty': 3, 'line_total': 12}]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aieng.llm.course_model.skills import bills, calendar, dialogue, ledger, minutes, records
from aieng.llm.course_model.skills.measures import MEASURES
from aieng.llm.course_model.skills.schemas import resolve, types_of
from aieng.llm.course_model.text import STOPWORDS, split_identifier

if TYPE_CHECKING:
    from aieng.llm.course_model.skills.entities import Facts
    from aieng.llm.course_model.skills.slots import Context, Slot

ROLE_WORDS = {
    "owner": "owner owners assignee assignees assigned responsible who person by lead name "
    "people doer",
    "task": "task tasks action actions item todo description title what step activity work "
    "deliverable summary text",
    "due": "due deadline date by when until target",
    "description": "description desc item name product service article details label title "
    "particulars what",
    "quantity": "quantity qty count units number pieces pcs hours hrs nights",
    "unit_price": "unit rate each per price cost",
    "amount": "amount total sum line extended value net subtotal",
}
NULL: Any = object()  # a reading that the document holds no such value (a nullable slot's null)
ROLES = {role: frozenset(words.split()) for role, words in ROLE_WORDS.items()}
DECISION_WORDS = frozenset(
    "decisions decision decided agreements agreed outcomes resolutions".split()
)
ACTION_WORDS = frozenset("actions action todos todo tasks task steps next follow".split())
ISSUER_WORDS = frozenset(
    "vendor supplier seller merchant issuer biller company store shop business from payee "
    "provider firm".split()
)


def readings(
    slots: tuple[Slot, ...], text: str, facts: Facts, ctx: Context, parent: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Values for the slots whose role the document's shape answers."""
    out: dict[str, Any] = {}
    spoken = dialogue.turns(text) or minutes.is_meeting(text)  # a transcript or meeting notes
    rows = records.line_rows(bills.clean(text)) if not spoken else []
    money = bool(rows) or ledger.labelled_amount(text, "total") is not None
    if not spoken and _about_bills(slots, ctx.notes, parent):
        if not bills.is_bill(text):
            return _nothing(slots)  # a quote, delivery note, reminder...: no invoice fields
        for slot in slots:
            value = _bill_header(slot, frozenset((*parent, *slot.words)), text)
            if value is not None:
                out[slot.name] = None if value is NULL else value
    for slot in slots:
        if slot.name in out:
            continue
        words = frozenset((*parent, *slot.words))
        value = _reading(slot, words, text, ctx, spoken, rows, money)
        if value is not None:
            out[slot.name] = None if value is NULL else value
    return out


BILL_WORDS = frozenset("invoice invoices inv receipt receipts bill factuur rechnung folio".split())
NUMBER_WORDS = frozenset("number no num nr id ref reference".split())
ISSUE_WORDS = frozenset("invoice issue issued document bill receipt date dated folio".split())
NOT_ISSUE_WORDS = frozenset(
    "order delivery ship shipped service period start end arrival departure paid payment "
    "due deadline".split()
)
SAYS_NULL = re.compile(
    r"(?i)not\s+an?\s+(?:invoice|receipt|bill)|(?:isn't|is\s+not)\s+an?\s+(?:invoice|receipt)"
    r"|non[\s-]invoices?"
)


def _about_bills(slots: tuple[Slot, ...], notes: str, parent: tuple[str, ...]) -> bool:
    """Whether the schema reads invoices: a field named for one ("invoice_number"), or
    instructions that say what a text that is not an invoice gets."""
    if parent:
        return False
    named = {w for slot in slots for w in slot.words}
    return bool(named & BILL_WORDS) or SAYS_NULL.search(notes) is not None


def _nothing(slots: tuple[Slot, ...]) -> dict[str, Any]:
    """Every nullable field null and every list empty: the text holds no invoice."""
    out: dict[str, Any] = {}
    for slot in slots:
        if slot.kind == "array" or "array" in slot.types:
            out[slot.name] = []
        elif slot.nullable:
            out[slot.name] = None
    return out


def _bill_header(slot: Slot, words: frozenset[str], text: str) -> Any:
    """An invoice's number, issue date or due date (``bills``), NULL when it prints none."""
    if "string" not in slot.types:
        return None
    dated = slot.kind in ("date", "datetime") or str(slot.schema.get("format", "")) == "date"
    if dated and words & {"due", "deadline", "payable"}:
        found = bills.due_date(text)
    elif dated and words & ISSUE_WORDS and not words & NOT_ISSUE_WORDS:
        found = bills.issue_date(text)
    elif words & NUMBER_WORDS and (words & BILL_WORDS or words == {"number"}):
        found = bills.number(text)
    else:
        return None
    return found if found is not None else (NULL if slot.nullable else None)


def _reading(slot, words, text, ctx, spoken, rows, money) -> Any:
    types = slot.types
    if slot.kind == "array":
        if words & ACTION_WORDS and dialogue.NO_ACTIONS.search(text):
            return []  # "No action items." is the record's own answer
        item, _ = resolve(slot.schema.get("items") or {}, ctx.root)
        if "object" in types_of(item) or "properties" in item:
            return _object_items(item, text, ctx, spoken, rows)
        if spoken and "string" in types_of(item):
            if words & DECISION_WORDS:
                return dialogue.decisions(text)
            if words & ACTION_WORDS:
                return [_action_line(i) for i in dialogue.action_items(text, ctx.today)]
        return None
    if money and types & {"number", "integer"} and slot.kind in ("money", "number", "generic"):
        role = ledger.figure_role(tuple(words), str(slot.schema.get("description", "")))
        if role:
            found = ledger.labelled_amount(text, role)
            return found if found is not None else (NULL if slot.nullable else None)
    if money and "string" in types and slot.kind == "currency":
        return ledger.currency_code(text)
    if money and "string" in types and slot.kind in ("org", "generic") and words & ISSUER_WORDS:
        return ledger.issuer(text, ctx.notes)
    described = f"{_desc(slot)} {_prompt_line(slot, ctx.notes)}"
    if "string" in types and calendar.wants_clock(slot.words, described, slot.schema):
        found = calendar.clock_time(text)
        shape = {**slot.schema, "description": described}
        return calendar.shape_clock(found, shape) if found else None
    if words & PRODUCT_WORDS and "string" in types and slot.kind in ("generic", "org", "person"):
        return product_name(text, ctx.notes)
    if spoken and slot.kind == "text:summary":
        return dialogue.summary(text, ctx.today)
    if slot.kind == "text:title" and "string" in types:
        return _headline(slot, text)
    return None


def _prompt_line(slot: Slot, notes: str) -> str:
    """What the prompt says of this field on its own line ("- start: 24-hour HH:MM"), or ""."""
    from aieng.llm.course_model.skills.definitions import field_lines

    lines = field_lines(slot.words, notes)
    return "" if lines == notes else lines


def _desc(slot: Slot) -> str:
    return " ".join(str(slot.schema.get(k, "")) for k in ("title", "description"))


def _roles(item: dict, ctx: Context) -> dict[str, str]:
    """Each property of an item schema by its role ("assignee" -> owner, "qty" -> quantity)."""
    out: dict[str, str] = {}
    props = item.get("properties") or {}
    for name, sub in props.items():
        sub, _ = resolve(sub, ctx.root)
        words = set(split_identifier(name)) or {name.lower()}
        desc = set(re.findall(r"[a-z]+", str(sub.get("description", "")).lower()))
        types = types_of(sub)
        numeric = bool(types & {"number", "integer"}) and "string" not in types
        scores = {}
        for role, vocab in ROLES.items():
            if numeric != (role in ("quantity", "unit_price", "amount")):
                continue
            scores[role] = 2 * len(words & vocab) + 0.5 * len(desc & vocab)
        if numeric and words & {"unit", "each", "per", "rate"}:
            scores["unit_price"] = scores.get("unit_price", 0) + 3
        if (
            numeric
            and words == {"price"}
            and any(set(split_identifier(n)) & ROLES["amount"] for n in props if n != name)
        ):
            scores["unit_price"] = scores.get("unit_price", 0) + 3
        if str(sub.get("format", "")) == "date" or words & {"due", "deadline"}:
            scores["due"] = scores.get("due", 0) + 3
        best = max(scores.items(), key=lambda kv: kv[1], default=(None, 0))
        if best[0] and best[1] > 0 and best[0] not in out.values():
            out[name] = best[0]
    return out


def _object_items(item: dict, text: str, ctx: Context, spoken, rows) -> list | None:
    roles = _roles(item, ctx)
    kinds = set(roles.values())
    if spoken and {"owner", "task"} <= kinds:
        found = dialogue.action_items(text, ctx.today)
        return [_fill_item(item, roles, ctx, _action_values(i), i.task) for i in found]
    if rows and kinds & {"quantity", "unit_price", "amount"}:
        return [_fill_item(item, roles, ctx, _row_values(r), r.text) for r in rows]
    return None


def _action_values(found: dialogue.ActionItem) -> dict[str, Any]:
    return {"owner": found.owner, "task": found.task, "due": found.due, "description": found.task}


def _row_values(row: records.Row) -> dict[str, Any]:
    return {
        "description": row.description,
        "task": row.description,
        "quantity": row.quantity,
        "unit_price": row.unit_price,
        "amount": row.amount,
    }


def _fill_item(item: dict, roles: dict[str, str], ctx: Context, values: dict, text: str) -> dict:
    """One item: the roles' values, other properties filled from the row's own text."""
    from aieng.llm.course_model.skills.slots import _fill_object

    rest = [name for name in (item.get("properties") or {}) if name not in roles]
    others = _fill_object(item, text, ctx, compact=True).value if rest else {}
    out: dict[str, Any] = {}
    for name in item.get("properties") or {}:
        if name in roles:
            value = values.get(roles[name])
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[name] = value
        elif name in others:
            out[name] = others[name]
    return out


def _action_line(found: dialogue.ActionItem) -> str:
    line = f"{found.owner}: {found.task}" if found.owner else found.task
    return f"{line} (due {found.due})" if found.due else line


PRODUCT_WORDS = frozenset("product model device appliance item".split())
MODEL_CODE = re.compile(
    r"(?P<head>(?:\b[A-Za-z][\w-]*[ \t]+){0,2})(?P<code>\b[A-Z]{1,5}-?\d{1,5}[A-Z]?\b"
    r"|(?<=[a-z][ \t])\d{1,4}[A-Z]?\b(?![.,:]\d))(?P<tail>[ \t]+[a-z]{4,}\b)?"
)
COUNTED = frozenset(
    "nights days weeks months years hours minutes people guests adults kids children rooms "
    "tickets seats times persons pax".split()
)
TIME_WORDS = frozenset("last next ago month week year today yesterday tomorrow".split())
NOT_PRODUCT = frozenset(
    "order ticket invoice case ref reference number no id my our the a an this that your from "
    "with of for in on at to and bought ordered".split()
)


def product_name(text: str, notes: str = "") -> str | None:
    """A named product: a model code with the nouns around it ("kettle KX-200", "Aurora 3
    headphones"), without the company the prompt works for or an order number's label."""
    for found in MODEL_CODE.finditer(text):
        head = found.group("head").split()
        if found.group("code").isdigit() and not (head and head[-1][:1].isupper()):
            continue  # "3 nights": a count; "Aurora 3": a model
        if head and head[-1].lower() in ("order", "ticket", "invoice", "case", "ref", "no", "#"):
            continue
        while head and (head[0].lower() in NOT_PRODUCT or head[0] in notes):
            head = head[1:]
        tail = (found.group("tail") or "").strip()
        if found.group("code").isdigit() and (tail in COUNTED or tail in MEASURES):
            continue  # "Paris 2 nights": the number counts something
        if tail in NOT_PRODUCT or tail in STOPWORDS or tail in TIME_WORDS or tail.endswith("ly"):
            tail = ""
        lower_head = any(w.islower() for w in head)
        phrase = " ".join(
            [*head, found.group("code"), *([tail] if tail and not lower_head else [])]
        )
        return phrase.strip() or None
    return None


LEAD_IN = re.compile(
    r"(?i)^(?:(?:at|around|about|from|since|on|by)\s+\S+(?:\s*(?:am|pm|utc))?|today|yesterday"
    r"|this\s+(?:morning|afternoon|evening)|last\s+night|earlier)\s*,?\s+"
)


def _headline(slot: Slot, text: str) -> str | None:
    """A title from a report's first sentence, minus a leading time ("At 14:05 the API went
    down" -> "The API went down"), when no title is written."""
    from aieng.llm.course_model.skills.freetext import TITLED, labelled_value

    if labelled_value(slot, text) is not None or TITLED.search(text):
        return None
    first = re.split(r"(?<=[.!?;])\s+|\n", text.strip(), maxsplit=1)[0]
    stripped = LEAD_IN.sub("", first, count=1)
    if stripped == first:
        return None
    clause = re.split(r"[;,:](?:\s|$)|\s+(?:but|so|after|because|while)\s+", stripped)[0]
    clause = " ".join(clause.split()[:10]).strip(" .!?")
    return clause[:1].upper() + clause[1:] if clause else None
