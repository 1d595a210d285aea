"""Amounts in yuan: how they are stored, how large they may be, and how they are written."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypedDict

from django.db.models import DecimalField, Func, Sum, Value
from django.db.models.functions import Coalesce
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


class FenField(DecimalField):
    """What an amount computed by the database is read as: a Decimal to the fen."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else value.quantize(FEN)


class Fen(Func):
    """An amount the database computes (a sum, a difference of columns), exact to the fen on every
    database. PostgreSQL computes numeric exactly, and gets the expression as it is. SQLite, the
    embedded default, computes in binary floating point and Django reads the result back with 15
    significant digits: 1,600,000.00 less 1,599,999.99 came back as 0.0100000000093132, a sum of a
    year's awards can be off by a fraction of a fen, and a comparison with 0 or a cap in SQL goes
    the wrong way. There the result is rounded to the fen in SQL, where filters and sums use it."""

    def __init__(self, expression):
        super().__init__(expression, output_field=FenField(**MONEY))

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        # NUMERIC, as Django casts every decimal expression on SQLite, so that a comparison with a
        # parameter (which SQLite receives as text) compares numbers.
        return f"CAST(ROUND({sql}, 2) AS NUMERIC)", params


def money_sum(expression, **extra):
    """Sum(expression, **extra) of amounts, 0.00 when there is nothing to sum, exact to the fen on
    every database (Fen)."""
    return Fen(Coalesce(Sum(expression, **extra), Value(ZERO), output_field=DecimalField(**MONEY)))


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
    try:
        amount = amount.quantize(FEN, rounding=ROUND_DOWN)
    except InvalidOperation:
        # Beyond the context's 28 digits, or not finite, it is written as it is.
        return numberformat.format(amount, ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True)
    # What numberformat writes, for an amount cut to the fen, in a fraction of its time (a page of
    # the public board writes 50 amounts); but numberformat writes -0.00 as 0.00.
    return f"{amount:,.2f}" if amount else "0.00"


CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Within each group of four digits, and the groups themselves (up to 9,999 万亿, beyond MONEY).
CAPITAL_UNITS = ("", "拾", "佰", "仟")
CAPITAL_GROUPS = ("", "万", "亿", "万亿")


def yuan_in_capitals(value: Decimal) -> str:
    """An amount in Chinese capital numerals, as on a cheque or an official notice: 壹佰陆拾万元整,
    壹拾万零壹元零壹分, 零元整. Cut (never rounded up) to the fen, like yuan().

    The People's Bank of China's rules: 整 after 元 when there is no 角 or 分 (none after 角 or 分);
    one 零 for any run of zeros between two digits, including across an empty group of four (壹亿零壹元);
    零 between 元 and 分 when 角 is 0; 拾 always with its digit (壹拾, not 拾). Raises ValueError for
    a negative amount, one of 10^16 yuan or more, or anything not a finite number."""
    try:
        amount = Decimal(value).quantize(FEN, rounding=ROUND_DOWN)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** (4 * len(CAPITAL_GROUPS)):
        raise ValueError(f"No capitals for {value!r}")
    whole, cents = divmod(int(amount * 100), 100)
    jiao, fen = divmod(cents, 10)
    words = []
    digits = str(whole) if whole else ""
    zero_pending = False
    for position, digit in enumerate(map(int, digits)):
        power = len(digits) - 1 - position
        if digit:
            if zero_pending:
                words.append("零")
            words.append(CAPITAL_DIGITS[digit] + CAPITAL_UNITS[power % 4])
            zero_pending = False
        else:
            zero_pending = True
        # The group's name (万, 亿) closes a group that holds any digit.
        if power % 4 == 0 and power and digits[max(0, position - 3) : position + 1].strip("0"):
            words.append(CAPITAL_GROUPS[power // 4])
    if whole:
        words.append("元")
    if not jiao and not fen:
        return "".join(words) + "整" if whole else "零元整"
    if jiao:
        words.append(CAPITAL_DIGITS[jiao] + "角")
    elif whole:
        words.append("零")
    if fen:
        words.append(CAPITAL_DIGITS[fen] + "分")
    return "".join(words)
