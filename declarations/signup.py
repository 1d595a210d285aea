"""Self-registration of an applicant with the organisation they declare for (django-allauth's
sign-up form and adapter); the other roles are given by the administrator."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.rules import is_administrator, is_applicant, is_commission_staff, is_finance_officer, is_reviewer
from accounts.security import lockout_record
from common.http import client_address
from declarations.forms import OrganisationFieldsMixin
from declarations.models import Organisation
from declarations.services import organisation_create
from declarations.validators import normalise_credit_code, validate_credit_code

# Where each role's work is: the first that holds for the user.
START_PAGES = (
    (is_applicant, "declarations:dashboard"),
    (is_commission_staff, "console_home"),
    (is_reviewer, "review:queue"),
    (is_finance_officer, "disbursement:home"),
    (is_administrator, "admin:index"),
)


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
        """The organisation was created and linked by AccountAdapter.save_user."""


class AccountAdapter(DefaultAccountAdapter):
    """Self-registration is for applicants only, each with the organisation they declare for.
    Other roles are given by the administrator."""

    def get_client_ip(self, request):
        """The client's address as the commitments, the security events and the limiter read it
        (common.http.client_address: the proxy's header when one is configured), so that allauth's
        login lockout and the session list count the client, not the proxy."""
        return client_address(request) or super().get_client_ip(request)

    def get_login_redirect_url(self, request):
        """Each role starts where its work is, unless the login page was asked for another page."""
        page = next((page for holds, page in START_PAGES if holds(request.user)), settings.LOGIN_REDIRECT_URL)
        return resolve_url(page)

    def get_signup_redirect_url(self, request):
        """A new applicant goes straight to their declarations, like after any login."""
        if request.user.is_authenticated:
            return self.get_login_redirect_url(request)
        return super().get_signup_redirect_url(request)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.role = Role.APPLICANT
        user.language = (getattr(request, "LANGUAGE_CODE", "") or user.language)[:10]
        user.organisation = organisation_create(
            name=data["organisation_name"],
            credit_code=data["credit_code"],
            organisation_type=data["organisation_type"],
            district=data["district"],
            registered_capital=data["registered_capital"],
            established_on=data["established_on"],
            annual_revenue=data["annual_revenue"],
            legal_representative=data["legal_representative"],
        )
        if commit:
            user.save()
        return user

    def pre_authenticate(self, request, **credentials):
        """allauth refuses a sign-in after too many failures (ACCOUNT_RATE_LIMITS "login_failed"):
        each refusal is recorded as a lockout."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            lockout_record(request, credentials)
            raise
