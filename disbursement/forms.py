"""Input validation for the disbursement pages; cleaned data goes to disbursement.services.

The amount checks here give the officer the message at the field; the services repeat them under
a row lock and stay the authority (two officers may pay at once).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput, MoneyField
from common.money import yuan
from declarations.workflow import DISBURSEMENT_STATES


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All"))] + [(state.value, state.label) for state in DISBURSEMENT_STATES],
    )


class PaymentForm(forms.Form):
    # min_value=None: a zero or negative amount gets the message of clean_amount, not a bare bound.
    amount = MoneyField(label=_("Amount (yuan)"), min_value=None, help_text=_("For example 800,000.00"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(
        label=_("Payment reference"), max_length=100, help_text=_("The bank transfer or voucher number.")
    )

    def __init__(self, *args, outstanding=None, **kwargs):
        """`outstanding`: what may still be paid, or None when the declaration is not payable."""
        super().__init__(*args, **kwargs)
        self.outstanding = outstanding

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A payment must be more than zero."))
        if self.outstanding is not None and amount > self.outstanding:
            raise forms.ValidationError(
                _("This payment is more than the %(outstanding)s yuan still to be paid."),
                params={"outstanding": yuan(self.outstanding)},
            )
        return amount

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class StopForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which Art. 17 condition the re-check found, and where it was verified."),
    )
