from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url

from accounts.enums import Role
from declarations.services import organisation_create

START_PAGES = {
    Role.APPLICANT: "declarations:dashboard",
    Role.STAFF: "review:queue",
    Role.REVIEWER: "review:queue",
    Role.FINANCE: "disbursement:queue",
    Role.ADMIN: "admin:index",
}


class AccountAdapter(DefaultAccountAdapter):
    """Self-registration is for applicants only, each with the organisation they declare for.
    Other roles are given by the administrator."""

    def get_login_redirect_url(self, request):
        """Each role starts where its work is, unless the login page was asked for another page."""
        return resolve_url(START_PAGES.get(request.user.role, settings.LOGIN_REDIRECT_URL))

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
