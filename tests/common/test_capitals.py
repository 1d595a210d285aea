"""Amounts in Chinese capital numerals (the publicity notice), by the People's Bank of China's rules."""

from decimal import Decimal

import pytest

from common.money import MONEY_LIMIT, yuan_in_capitals


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("20.00", "贰拾元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("10000", "壹万元整"),
        ("1600000.00", "壹佰陆拾万元整"),
        ("1010000", "壹佰零壹万元整"),
        ("100001.01", "壹拾万零壹元零壹分"),
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("1000000000.05", "壹拾亿元零伍分"),
        ("1000000000000", "壹万亿元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.15", "壹角伍分"),
        ("1.50", "壹元伍角"),
        (str(MONEY_LIMIT), "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_yuan_in_capitals_follows_the_cheque_rules(amount, capitals):
    assert yuan_in_capitals(Decimal(amount)) == capitals


def test_yuan_in_capitals_cuts_to_the_fen_as_yuan_does():
    assert yuan_in_capitals(Decimal("1.999")) == "壹元玖角玖分"


@pytest.mark.parametrize("amount", ["-0.01", "-10", "1E+16", "NaN", "Infinity", "abc", None])
def test_yuan_in_capitals_refuses_what_is_not_an_amount_it_can_write(amount):
    with pytest.raises(ValueError):
        yuan_in_capitals(Decimal(amount) if amount not in ("abc", None) else amount)
