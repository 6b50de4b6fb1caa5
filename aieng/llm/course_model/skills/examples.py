"""Example values for JSON-schema formats and patterns, and format normalisation.

``example_for(pattern)`` writes a short string that the regex accepts, read
from the regex's own parse tree; ``normalise_format`` turns free spellings
into a format's canonical form ("March 3, 2026" -> "2026-03-03").

Example:
    >>> example_for(r"^[A-Z]{2}-\\d{4}$")
    'AA-0000'
"""

from __future__ import annotations

import re
from functools import lru_cache

from aieng.llm.course_model.skills.entities import analyse


def matches(pattern: str, text: str) -> bool:
    """``re.search(pattern, text)``, true for a pattern Python cannot compile."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True


FORMAT_EXAMPLES = {
    "date": "2000-01-01",
    "date-time": "2000-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uri": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "https://example.com",
    "iri-reference": "https://example.com",
    "uri-template": "https://example.com/{id}",
    "json-pointer": "",
    "relative-json-pointer": "0",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "regex": ".*",
}


def normalise_format(value: str, fmt: str) -> str:
    """``value`` in the canonical spelling of ``fmt`` when it holds one, else unchanged."""
    facts = analyse(value)
    if fmt == "date":
        dates = facts.of("date", "datetime")
        return str(dates[0].value)[:10] if dates else value
    if fmt == "date-time":
        stamps = facts.of("datetime")
        if stamps:
            stamp = stamps[0].value
            return stamp if re.search(r"(?:Z|[+-]\d\d:?\d\d)$", stamp) else stamp + "Z"
        dates, times = facts.of("date"), facts.of("time")
        if dates:
            time = times[0].value if times else "00:00:00"
            return f"{dates[0].value}T{time}" + ("" if re.search(r"Z|[+-]\d", time) else "Z")
        return value
    if fmt == "time":
        times = facts.of("time")
        if times:
            time = times[0].value
            return time if re.search(r"Z|[+-]\d", time) else time + "Z"
        return value
    if fmt in ("email", "idn-email"):
        emails = facts.of("email")
        return emails[0].value if emails else value
    if fmt in ("uri", "iri", "uri-reference", "iri-reference"):
        urls = facts.of("url")
        if urls:
            url = urls[0].value
            return url if re.match(r"(?i)https?://", url) else "https://" + url
        return value
    return value


def pattern_value(pattern: str, value: str) -> str:
    """A part of ``value`` that matches ``pattern``, else a string generated from it."""
    try:
        found = re.search(pattern.lstrip("^").rstrip("$") or pattern, value)
    except re.error:
        found = None
    if found and found.group(0) and matches(pattern, found.group(0)):
        return found.group(0)
    generated = example_for(pattern)
    return generated if generated is not None else value


@lru_cache(maxsize=512)
def example_for(pattern: str) -> str | None:
    """A short string that ``re.search(pattern, s)`` accepts, generated from the regex.

    Example:
        >>> example_for(r"^v\\d+$")
        'v0'
    """
    import re._constants as c  # noqa: PLC0415 - the regex parser's opcodes
    import re._parser as parser  # noqa: PLC0415

    try:
        parsed = parser.parse(pattern)
    except (re.error, RecursionError, ValueError):
        return None
    groups: dict[int, str] = {}

    def pick_char(items: list) -> str:
        negate = any(op is c.NEGATE for op, _ in items)
        allowed: list[str] = []
        for op, av in items:
            if op is c.LITERAL:
                allowed.append(chr(av))
            elif op is c.RANGE:
                allowed.append(chr(av[0]))
            elif op is c.CATEGORY:
                allowed.append(CATEGORY_CHARS.get(str(av), "a"))
        if not negate:
            return allowed[0] if allowed else "a"
        excluded_sets = items
        for char in "aA0_x -.":
            if not _in_set(char, excluded_sets, c):
                return char
        return "a"

    def gen(items) -> str:
        out = []
        for op, av in items:
            if op is c.LITERAL:
                out.append(chr(av))
            elif op is c.NOT_LITERAL:
                out.append("a" if chr(av) != "a" else "b")
            elif op is c.ANY:
                out.append("a")
            elif op is c.IN:
                out.append(pick_char(av))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or str(op) == "POSSESSIVE_REPEAT":
                low, _high, sub = av
                out.append(gen(sub) * low)
            elif op is c.SUBPATTERN:
                group, _add, _del, sub = av
                text = gen(sub)
                if group:
                    groups[group] = text
                out.append(text)
            elif op is c.BRANCH:
                out.append(gen(av[1][0]))
            elif op is c.GROUPREF:
                out.append(groups.get(av, ""))
            elif op is c.CATEGORY:
                out.append(CATEGORY_CHARS.get(str(av), "a"))
            elif str(op) == "ATOMIC_GROUP":
                out.append(gen(av))
        return "".join(out)

    try:
        text = gen(parsed)
    except (RecursionError, TypeError, ValueError, IndexError):
        return None
    return text if matches(pattern, text) else None


CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
}


def _in_set(char: str, items: list, c) -> bool:
    code = ord(char)
    for op, av in items:
        if op is c.LITERAL and av == code:
            return True
        if op is c.RANGE and av[0] <= code <= av[1]:
            return True
        if op is c.CATEGORY:
            name = str(av)
            checks = {
                "CATEGORY_DIGIT": char.isdigit(),
                "CATEGORY_NOT_DIGIT": not char.isdigit(),
                "CATEGORY_SPACE": char.isspace(),
                "CATEGORY_NOT_SPACE": not char.isspace(),
                "CATEGORY_WORD": char.isalnum() or char == "_",
                "CATEGORY_NOT_WORD": not (char.isalnum() or char == "_"),
            }
            if checks.get(name):
                return True
    return False
