from contextlib import suppress
from decimal import ROUND_DOWN, Decimal, InvalidOperation

import pytest
from django.utils import numberformat, translation
from hypothesis import given
from hypothesis import strategies as st

from common.money import yuan


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_yuan_groups_thousands_with_two_decimals_in_every_language(language):
    with translation.override(language):
        assert yuan(Decimal("1600000")) == "1,600,000.00"
        assert yuan("270000.5") == "270,000.50"
        assert yuan(None) == ""


@given(
    st.decimals(allow_nan=False, allow_infinity=False) | st.decimals(allow_nan=False, allow_infinity=False, places=2)
)
def test_yuan_writes_what_djangos_number_format_writes(amount):
    """yuan() formats an amount cut to the fen itself, faster than numberformat: the same text."""
    cut = amount
    with suppress(InvalidOperation):
        cut = amount.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert yuan(amount) == numberformat.format(
        cut, ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True
    )
