from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from api.services import TOKEN_LIFETIMES
from common.forms import SingleLineCharField


def _lifetime_label(days):
    return ngettext_lazy("%(days)d day", "%(days)d days", days) % {"days": days}


class TokenForm(forms.Form):
    name = SingleLineCharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system or script will use it, e.g. “Finance ledger sync”."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=[(days, _lifetime_label(days)) for days in TOKEN_LIFETIMES],
        coerce=int,
        initial=TOKEN_LIFETIMES[1],
    )
