from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import SecurityEventKind, SecurityOutcome
from common.forms import DateInput

ALL = [("", _("All"))]


class SecurityEventFilterForm(forms.Form):
    """The filters of the security events page and its export."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ALL + SecurityEventKind.choices, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ALL + SecurityOutcome.choices, required=False)
    actor = forms.CharField(label=_("User"), max_length=150, required=False, help_text=_("The exact username."))
    address = forms.GenericIPAddressField(label=_("Client address"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end of the range must not be before its start."))
        return data
