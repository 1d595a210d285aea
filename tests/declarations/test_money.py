from decimal import Decimal

import pytest
from django.utils import translation

from common.money import yuan


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_yuan_groups_thousands_with_two_decimals_in_every_language(language):
    with translation.override(language):
        assert yuan(Decimal("1600000")) == "1,600,000.00"
        assert yuan("270000.5") == "270,000.50"
        assert yuan(None) == ""
