"""Input validation for the disbursement pages; cleaned data goes to disbursement.services.

The amount checks here give the officer the message at the field; the services repeat them under
a row lock and stay the authority (two officers may pay at once).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MoneyField, PolicyDateField, SingleLineCharField
from common.money import yuan
from disbursement.models import PaymentOrderState, account_number_validator
from disbursement.services import account_name_refusal


class AccountNumberField(forms.CharField):
    """A bank account number as people copy it: groups of digits with spaces or hyphens between."""

    def to_python(self, value):
        return super().to_python(value).replace(" ", "").replace("-", "").replace("\u3000", "")


class BankAccountForm(forms.Form):
    account_name = SingleLineCharField(
        label=_("Account name"), max_length=200, help_text=_("Exactly the unit's registered name.")
    )
    bank_name = SingleLineCharField(
        label=_("Bank and branch"), max_length=200, help_text=_("For example Bank of Beijing, Zhongguancun branch.")
    )
    account_number = AccountNumberField(
        label=_("Account number"),
        max_length=40,
        validators=[account_number_validator],
        help_text=_("8 to 30 digits."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_account_name(self):
        account_name = self.cleaned_data["account_name"].strip()
        refusal = account_name_refusal(self.organisation, account_name)
        if refusal:
            raise forms.ValidationError(refusal)
        return account_name


class TrancheForm(forms.Form):
    # min_value=None: a zero or negative amount gets the message of clean_amount, not a bare bound.
    amount = MoneyField(label=_("Amount (yuan)"), min_value=None, required=False)
    planned_on = PolicyDateField(label=_("Planned for"), required=False)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Each tranche must be more than zero."))
        return amount


class BaseTrancheFormSet(forms.BaseFormSet):
    def __init__(self, *args, approved=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.approved = approved

    def planned(self):
        """The tranches typed, in order, leaving out empty rows."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("amount") is not None
        ]

    def clean(self):
        if any(self.errors):
            return
        planned = self.planned()
        if not planned:
            raise forms.ValidationError(_("Plan at least one tranche."))
        total = sum((row["amount"] for row in planned), Decimal("0.00"))
        if self.approved is not None and total != self.approved:
            raise forms.ValidationError(
                _("The tranches add up to %(total)s yuan, not the approved amount of %(approved)s yuan."),
                params={"total": yuan(total), "approved": yuan(self.approved)},
            )


TrancheFormSet = forms.formset_factory(TrancheForm, formset=BaseTrancheFormSet, extra=0, max_num=12, absolute_max=12)


class OrderPrepareForm(forms.Form):
    tranche = forms.TypedChoiceField(label=_("Tranche"), coerce=int)
    amount = MoneyField(
        label=_("Amount (yuan)"),
        min_value=None,
        required=False,
        help_text=_("Leave empty to order what of the tranche is still open."),
    )

    def __init__(self, *args, tranches=(), **kwargs):
        """`tranches`: the plan's rows (number, open amount)."""
        super().__init__(*args, **kwargs)
        self.open_amounts = {row.number: row.open_amount for row in tranches}
        self.fields["tranche"].choices = [
            (
                row.number,
                _("Tranche %(number)s: %(open)s yuan open") % {"number": row.number, "open": yuan(row.open_amount)},
            )
            for row in tranches
        ]

    def clean(self):
        cleaned = super().clean()
        amount, number = cleaned.get("amount"), cleaned.get("tranche")
        if amount is None or number is None:
            return cleaned
        if amount <= 0:
            self.add_error("amount", _("An order must be for more than zero."))
        elif amount > self.open_amounts.get(number, amount):
            self.add_error(
                "amount",
                forms.ValidationError(
                    _("This order of %(amount)s yuan is more than the %(open)s yuan of tranche %(number)s still open."),
                    params={"amount": yuan(amount), "open": yuan(self.open_amounts[number]), "number": number},
                ),
            )
        return cleaned


class OrderNoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OrderPaidForm(forms.Form):
    voucher_number = SingleLineCharField(
        label=_("Voucher number"), max_length=100, help_text=_("The bank transfer or voucher number.")
    )
    paid_on = PolicyDateField(
        label=_("Paid on"), future=False, error_messages={"future": _("The payment date cannot be in the future.")}
    )


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *PaymentOrderState.choices])
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Number, order or unit"), "type": "search"}),
    )


class StopForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which Art. 17 condition the re-check found, and where it was verified."),
    )
