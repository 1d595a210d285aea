"""Contact details shown masked: enough for their owner to recognise them, too little to use.

`{% load masking %}` then `{{ contact|mask_contact }}`. (To be merged with common/masking.py, which
masks identity numbers and bank accounts the same way.)"""

from django import template

register = template.Library()

MASK = "*"


@register.filter
def mask_telephone(value):
    """Every digit but the last 4 masked, separators dropped: 138-0000-1234 -> *******1234."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) <= 4:
        return MASK * len(digits)
    return MASK * (len(digits) - 4) + digits[-4:]


@register.filter
def mask_email(value):
    """The first character of the local part and the domain: li.si@example.com -> l***@example.com."""
    local, at, domain = str(value or "").strip().rpartition("@")
    if not at or not local:
        return MASK * 3
    return f"{local[0]}{MASK * 3}@{domain}"


@register.filter
def mask_contact(value):
    """A telephone number or an e-mail address, whichever it is, masked."""
    return mask_email(value) if "@" in str(value or "") else mask_telephone(value)
