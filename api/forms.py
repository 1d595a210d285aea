from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.services import TOKEN_LIFETIMES
from common.forms import SingleLineCharField


def _lifetime_label(days):
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


# Translated when a page shows it: ngettext_lazy(...) % {...} is translated at once, in the language
# active when this module was first imported, and kept in it for every reader after.
_lifetime_label_lazy = lazy(_lifetime_label, str)


class TokenForm(forms.Form):
    name = SingleLineCharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system or script will use it, e.g. “Finance ledger sync”."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=[(days, _lifetime_label_lazy(days)) for days in TOKEN_LIFETIMES],
        coerce=int,
        initial=TOKEN_LIFETIMES[1],
    )
