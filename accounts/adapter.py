from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from accounts.enums import Role
from declarations.services import organisation_create


class AccountAdapter(DefaultAccountAdapter):
    """Self-registration is for applicants only, each with the organisation they declare for.
    Other roles are given by the administrator."""

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
