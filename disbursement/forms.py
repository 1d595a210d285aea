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


class RecoveryForm(forms.Form):
    amount = MoneyField(label=_("Amount to recover (yuan)"), min_value=None)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the support was obtained improperly."),
    )
    barred_until = forms.DateField(
        label=_("Barred from applying until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if the unit is not barred from applying."),
    )

    def __init__(self, *args, paid=None, **kwargs):
        """`paid`: the total paid so far, the most that may be recovered; None when the declaration's
        state allows no recovery."""
        super().__init__(*args, **kwargs)
        self.paid = paid

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount to recover must be more than zero."))
        if self.paid is not None and amount > self.paid:
            raise forms.ValidationError(
                _("The amount to recover must be more than zero and at most the %(paid)s yuan paid."),
                params={"paid": yuan(self.paid)},
            )
        return amount

    def clean_barred_until(self):
        barred_until = self.cleaned_data["barred_until"]
        if barred_until is not None and barred_until <= timezone.localdate():
            raise forms.ValidationError(_("The bar must end after today."))
        return barred_until
