"""How Chinese and English pages write the small things between words (issue 17): a list's
separator, a label's colon, a parenthesis, a date and an amount's 万元 reading. Chinese takes
full-width punctuation with no space around it (：（）、), English the half-width forms with their
spaces. Templates use these through the `typography` tags, code directly; each rule lives here only.

A leaf: it imports no app."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.dateparse import parse_date

from common.money import yuan

WAN = Decimal(10000)


def chinese(language=None):
    """Whether `language` (or the active language) is Chinese."""
    return (language or translation.get_language() or "").lower().startswith("zh")


def list_separator():
    """What separates the items of a list: 、 in Chinese, ", " in English."""
    return "、" if chinese() else ", "


def join_list(items):
    """Items joined as the active language writes a list: 、 in Chinese, ", " in English."""
    return list_separator().join(str(item) for item in items)


def join_clauses(clauses):
    """Clauses of one sentence (findings, unticked items) joined: "；" in Chinese, "; " in English."""
    return ("；" if chinese() else "; ").join(str(clause) for clause in clauses)


def join_sentences(sentences):
    """Whole sentences run on in one paragraph: none between them in Chinese (each ends with 。),
    one space in English."""
    return ("" if chinese() else " ").join(str(sentence) for sentence in sentences)


def colon():
    """What follows a label before its value: "：" in Chinese, ": " in English."""
    return "：" if chinese() else ": "


def parenthesised(text):
    """`text` in brackets after what precedes it: "（text）" in Chinese, " (text)" in English."""
    return f"（{text}）" if chinese() else f" ({text})"


def local_date(value, format_name="DATE_FORMAT"):
    """A date (or a date written 2026-12-09, as facts store it) in the locale's format
    `format_name`; anything else as it is."""
    date = value
    if isinstance(value, str):
        try:
            date = parse_date(value.strip())
        except ValueError:
            date = None
    if isinstance(date, datetime.date):
        return formats.date_format(date, format_name)
    return value


def short_date(value):
    """A date in the locale's short format, as messages name a day: 2026-12-09 in English (config/
    formats/en), 2026/12/09 in Chinese."""
    return local_date(value, "SHORT_DATE_FORMAT")


def wan_yuan(value):
    """An amount in yuan read in 万元 (ten thousands), as Chinese readers count grants: 123.46 for
    1,234,567.00, rounded to two decimals. Empty for what is not an amount."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not amount.is_finite():
        return ""
    return yuan((amount / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def wan_yuan_reading(value):
    """The 万元 reading to write after an amount in yuan, in Chinese: "（约 123.46 万元）"; nothing in
    English, whose readers do not count in 万, nor for an amount below 1 万元."""
    reading = wan_yuan(value)
    if not chinese() or not reading or abs(Decimal(value)) < WAN:
        return ""
    return f"（约 {reading} 万元）"
