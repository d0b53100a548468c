"""Lenient parsing of the many ways documents write their date."""

from datetime import date, datetime

from dateutil import parser as dateparser


def parse_date(value: object) -> date | None:
    """A calendar date from a YAML value, ISO string, PDF date or free text; None if unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.startswith("D:") and len(text) >= 10 and text[2:10].isdigit():
        text = f"{text[2:6]}-{text[6:8]}-{text[8:10]}"
    try:
        parsed = dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if 1000 < parsed.year < 2200 else None
