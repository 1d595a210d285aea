"""An objector's contact (a telephone number or an e-mail address) and receipt number, compared as
people type them: a look-up must match however the spaces, hyphens or capitals fall."""

import re

# Mainland mobile and landline numbers, with optional +86, area code, spaces and hyphens.
TELEPHONE = re.compile(r"^(\+?86[ -]?)?[0-9][0-9 -]{5,18}[0-9]$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_COUNTRY_CODE = re.compile(r"^(\+86|0086)")


def is_email(contact):
    return "@" in (contact or "")


def contact_normalised(contact):
    """An e-mail address in lower case; a telephone number as its digits, without +86."""
    contact = (contact or "").strip()
    if is_email(contact):
        return contact.lower()
    return _COUNTRY_CODE.sub("", _SEPARATORS.sub("", contact))


def receipt_normalised(number):
    """Capitals, no spaces or hyphens: "gs7k 2m9q-x4pd" -> "GS7K2M9QX4PD"."""
    return _SEPARATORS.sub("", (number or "").strip()).upper()
