"""Amounts in yuan: how they are stored, how large they may be, and how they are written."""

from contextlib import suppress
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypedDict

from django.utils import numberformat


class MoneyShape(TypedDict):
    max_digits: int
    decimal_places: int


# Every amount column: yuan to the fen.
MONEY: MoneyShape = {"max_digits": 16, "decimal_places": 2}
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a person may type or a register may hold: far above any amount of these
# programmes, and below what every database reads back exactly (SQLite passes decimals through a
# 15-digit float).
MONEY_LIMIT = Decimal("999999999999.99")
# No amount of MONEY's shape reaches this. The award engine computes on any number below it: a
# quoted case is arithmetic, never stored.
MONEY_CEILING = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])


def yuan(value):
    """An amount with comma thousands separators and two decimals, cut (never rounded up) to the
    fen: 1,600,000.00, in both languages (official Chinese documents group amounts by thousands too;
    Django's zh locale does not). Empty for None or "", and anything not a number as it is."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    # Beyond the context's 28 digits, or not finite, it is written as it is.
    with suppress(InvalidOperation):
        amount = amount.quantize(FEN, rounding=ROUND_DOWN)
    return numberformat.format(amount, ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True)
