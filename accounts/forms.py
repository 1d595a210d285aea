from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from declarations.enums import District, OrganisationType
from declarations.models import Organisation
from declarations.validators import normalise_credit_code, validate_credit_code

MONEY_LIMIT = Decimal("999999999999.99")


class MoneyInput(forms.TextInput):
    """Shows a saved amount with thousands separators, as it is typed and printed: 1,600,000.00."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int):
            from declarations.templatetags.money import yuan

            return yuan(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """An amount in yuan: accepts thousands separators as people type them (1,600,000.00)."""

    widget = MoneyInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        # Far above any amount of these programmes, and below what every database reads back exactly
        # (SQLite passes decimals through a 15-digit float).
        kwargs.setdefault("max_value", MONEY_LIMIT)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max meant for a number input; this is a text input.
        return {}

    def to_python(self, value):
        if isinstance(value, str):
            # People type amounts with ASCII or full-width (Chinese input method) separators.
            value = value.replace(",", "").replace("\uff0c", "").replace(" ", "").strip()
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class OrganisationFieldsMixin(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200)
    organisation_type = forms.ChoiceField(label=_("Organisation type"), choices=OrganisationType.choices)
    district = forms.ChoiceField(label=_("Registered district"), choices=District.choices)
    registered_capital = MoneyField(label=_("Registered capital (yuan)"))
    established_on = forms.DateField(label=_("Date of establishment"), widget=DateInput())
    annual_revenue = MoneyField(
        label=_("Annual revenue of the last fiscal year (yuan)"),
        help_text=_("Operating income of the last fiscal year."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)

    def clean_established_on(self):
        from django.utils import timezone

        value = self.cleaned_data["established_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of establishment cannot be in the future."))
        return value


class OrganisationSignupForm(OrganisationFieldsMixin):
    """The extra part of allauth's sign-up form: the organisation the applicant declares for."""

    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the business licence."),
    )
    field_order = [
        "organisation_name",
        "credit_code",
        "organisation_type",
        "district",
        "registered_capital",
        "established_on",
        "annual_revenue",
        "legal_representative",
    ]

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"]).upper()
        validate_credit_code(code)
        if Organisation.objects.filter(credit_code=code).exists():
            raise forms.ValidationError(
                _("This organisation is registered already. Ask one of its users, or the commission, for an account.")
            )
        return code

    def signup(self, request, user):
        """The organisation was created and linked by accounts.adapter.AccountAdapter.save_user."""
