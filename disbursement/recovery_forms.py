"""Input validation for terminating a project and for recovery cases (Art. 21, 22); cleaned data goes
to disbursement.recovery.

The checks against amounts give the message at the field; the services repeat them under a row lock
and stay the authority (two people may act at once), and their refusals come back at the same field.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import MoneyField, PolicyDateField, SingleLineCharField
from common.money import yuan
from common.typography import short_date
from disbursement.enums import RecoveryCaseState


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the support was obtained by cheating or other improper means, and how it was established."),
    )


class RecoveryCaseForm(forms.Form):
    amount_due = MoneyField(label=_("Amount to recover (yuan)"), min_value=None)
    due_on = PolicyDateField(label=_("To be repaid by"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the support was obtained improperly."),
    )
    barred_until = PolicyDateField(
        label=_("Barred from applying until"),
        required=False,
        help_text=_("Leave empty if the unit is not barred from applying."),
    )
    dishonest = forms.BooleanField(
        label=_("Dishonesty found (Art. 22)"),
        required=False,
        help_text=_(
            "Records it in the credit register until the bar ends, so that the unit's later declarations "
            "are refused (Art. 17), and lists it in the export for social-credit reporting."
        ),
    )

    def __init__(self, *args, paid=None, recovered=None, **kwargs):
        """`paid`: what was paid on the declaration; `recovered`: what its cases already order
        recovered. None when no case may be opened (the service then refuses with the reason)."""
        super().__init__(*args, **kwargs)
        self.paid = paid
        self.recovered = recovered

    def clean_amount_due(self):
        amount = self.cleaned_data["amount_due"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount to recover must be more than zero."))
        if self.paid is not None and amount > self.paid - self.recovered:
            raise forms.ValidationError(
                _(
                    "The amount to recover is more than the %(left)s yuan paid and not yet recovered "
                    "(%(paid)s yuan paid, %(recovered)s yuan already to be recovered)."
                ),
                params={
                    "left": yuan(self.paid - self.recovered),
                    "paid": yuan(self.paid),
                    "recovered": yuan(self.recovered),
                },
            )
        return amount

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The repayment cannot be due before today."))
        return due_on

    def clean_barred_until(self):
        barred_until = self.cleaned_data["barred_until"]
        if barred_until is not None and barred_until <= timezone.localdate():
            raise forms.ValidationError(_("The bar must end after today."))
        return barred_until

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("dishonest") and not cleaned.get("barred_until") and "barred_until" not in self.errors:
            self.add_error(
                "barred_until",
                _("A finding of dishonesty needs the date until which the unit is barred (its discipline period)."),
            )
        return cleaned


class RepaymentForm(forms.Form):
    amount = MoneyField(label=_("Amount repaid (yuan)"), min_value=None)
    received_on = PolicyDateField(label=_("Received on"))
    reference = SingleLineCharField(
        label=_("Receipt reference"), max_length=100, help_text=_("The bank transfer or receipt number.")
    )

    def __init__(self, *args, case, **kwargs):
        """For the recovery case `case`: its prefix names it, and the amount is checked against
        what it still has due."""
        kwargs.setdefault("prefix", f"repayment-{case.pk}")
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A repayment must be more than zero."))
        if self.case.state != RecoveryCaseState.REPAID and amount > self.case.still_due:
            raise forms.ValidationError(
                _("This repayment is more than the %(due)s yuan still due."), params={"due": yuan(self.case.still_due)}
            )
        return amount

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("A repayment cannot be dated in the future."))
        opened_on = timezone.localdate(self.case.opened_at)
        if received_on < opened_on:
            raise forms.ValidationError(
                _("A repayment cannot be dated before the case was opened (%(date)s)."),
                params={"date": short_date(opened_on)},
            )
        return received_on


class ReferForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done to obtain repayment, and to whom the case is referred."),
    )

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("prefix", f"refer-{case.pk}")
        super().__init__(*args, **kwargs)
        self.case = case


class RecoveryCaseFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *RecoveryCaseState.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
