"""The masking functions as template filters: {{ objection.contact|mask_contact }}. Each filter looks
its function up when it runs, so there is one function for Python and templates alike."""

from django import template

from common import masking

register = template.Library()


@register.filter
def mask_id_number(value):
    return masking.mask_id_number(value)


@register.filter
def mask_telephone(value):
    return masking.mask_telephone(value)


@register.filter
def mask_bank_account(value):
    return masking.mask_bank_account(value)


@register.filter
def mask_contact(value):
    return masking.mask_contact(value)


@register.filter
def mask_identifiers(value):
    return masking.mask_identifiers(value)
