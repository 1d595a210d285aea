"""Reads: what each kind of user may see."""

from django.utils import timezone

from declarations.models import Call, Declaration


def declaration_list_for_applicant(user):
    """Every declaration of the user's organisation, shared by all its users."""
    if not user.organisation_id:
        return Declaration.objects.none()
    return Declaration.objects.filter(organisation_id=user.organisation_id).select_related("programme", "call")


def calls_open_now():
    return Call.objects.open_at(timezone.now()).prefetch_related("programmes").order_by("closes_at")


def declaration_events(declaration):
    return declaration.events.select_related("actor").order_by("created_at", "pk")
