"""Reads of supervision (Art. 20): a project's inspections and the staff's list with its overdue filter."""

from django.db.models import Q
from django.utils import timezone

from monitoring.models import Inspection
from monitoring.workflow import AWAITING_RECTIFICATION_STATES


def overdue_q(today=None):
    """Inspections whose required rectification is still awaited after its due date."""
    return Q(
        rectification_required=True,
        state__in=AWAITING_RECTIFICATION_STATES,
        rectification_due_on__lt=today or timezone.localdate(),
    )


def declaration_inspections(declaration):
    return list(
        Inspection.objects.filter(declaration=declaration).select_related("recorded_by").order_by("-held_on", "-pk")
    )


def inspection_list_for_staff(*, overdue=False, today=None):
    """Every inspection, the latest first (the overdue ones by how long they are overdue), with its
    declaration and unit: one query per page."""
    inspections = Inspection.objects.select_related("declaration__organisation", "declaration__programme")
    if overdue:
        return inspections.filter(overdue_q(today)).order_by("rectification_due_on", "pk")
    return inspections.order_by("-held_on", "-pk")


def rectification_overdue_count(today=None):
    """Rectifications still awaited after their due date, for the staff's home. One query."""
    return Inspection.objects.filter(overdue_q(today)).count()
