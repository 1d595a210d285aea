from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def yuan(value):
    """An amount with thousands separators and two decimals in the active language: 1,600,000.00."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
