from decimal import Decimal, InvalidOperation

from django import template
from django.utils import numberformat

register = template.Library()


@register.filter
def yuan(value):
    """An amount with comma thousands separators and two decimals: 1,600,000.00, in both languages
    (official Chinese documents group amounts by thousands too; Django's zh locale does not)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return numberformat.format(amount, ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True)
