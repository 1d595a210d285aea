"""Single-line text: titles, names, subjects and references. A line break or a control character in
one breaks the places it is written to: an e-mail subject with CR/LF fails to send (and is a header
injection), a CSV row splits, a PDF's line runs over."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (C0, DEL, C1: CR, LF, tab, NUL, NEL...), the Unicode line and paragraph
# separators, and the bidirectional overrides and isolates that make text read other than it is.
NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def validate_single_line(value):
    if value and NOT_ON_ONE_LINE.search(value):
        raise ValidationError(
            _("Write this on one line, without line breaks, tabs or other control characters."),
            code="not_single_line",
        )


def single_line(value):
    """`value` on one line: each run of line breaks and control characters becomes one space."""
    return re.sub(r" {2,}", " ", NOT_ON_ONE_LINE.sub(" ", value or "")).strip()
