"""Reads of performance management (Art. 18): a project's plan and reports, the unit's grades on
its other declarations, the staff's list of reports, and the queue's flag of a past fail."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from declarations.models import Declaration
from monitoring.enums import PerformanceGrade
from monitoring.models import PerformanceIndicator, PerformanceReport, PerformanceValue
from monitoring.workflow import AWAITING_SUBMISSION_STATES


def declaration_performance(declaration):
    """The plan of `declaration`: its indicators, and its reports each with `reported` (the values
    by indicator id) and its evidence files. Three queries."""
    indicators = list(PerformanceIndicator.objects.filter(declaration=declaration).order_by("position"))
    reports = list(
        PerformanceReport.objects.filter(declaration=declaration)
        .select_related("evaluated_by")
        .prefetch_related(
            Prefetch("values", queryset=PerformanceValue.objects.order_by()),
            "evidence",
        )
        .order_by("due_on", "pk")
    )
    for report in reports:
        by_indicator = {value.indicator_id: value.value for value in report.values.all()}
        report.rows = [(indicator, by_indicator.get(indicator.pk)) for indicator in indicators]  # type: ignore[attr-defined]
    return {"indicators": indicators, "reports": reports}


def organisation_grades(declaration):
    """The grades the unit's evaluated reports got on its other declarations, newest first."""
    return list(
        PerformanceReport.objects.filter(declaration__organisation_id=declaration.organisation_id)
        .exclude(declaration=declaration)
        .exclude(grade="")
        .select_related("declaration")
        .order_by("-evaluated_at", "-pk")
    )


def failed_unit_reports(organisation_id_ref):
    return PerformanceReport.objects.filter(
        declaration__organisation_id=organisation_id_ref, grade=PerformanceGrade.FAIL
    )


def performance_fail_expression(day=None):
    """Whether the declaration's unit has a report graded a fail: the queue's flag, one Exists."""
    return Exists(failed_unit_reports(OuterRef("organisation_id")))


def performance_fail_declaration_ids(day=None):
    """The declarations of units with a report graded a fail: the queue's filter."""
    units = PerformanceReport.objects.filter(grade=PerformanceGrade.FAIL).values("declaration__organisation_id")
    return Declaration.objects.filter(organisation_id__in=units).values("pk")


REPORT_FILTERS = ("submitted", "overdue", "evaluated", "all")


def report_list_for_staff(which="all", today=None):
    """The reports staff follow, soonest due first, with their declaration and unit (one query per
    page): `which` narrows to those waiting for evaluation, overdue (not submitted after their date)
    or evaluated."""
    today = today or timezone.localdate()
    reports = PerformanceReport.objects.select_related("declaration__organisation", "declaration__programme")
    if which == "submitted":
        reports = reports.filter(state="submitted")
    elif which == "overdue":
        reports = reports.filter(state__in=AWAITING_SUBMISSION_STATES, due_on__lt=today)
    elif which == "evaluated":
        reports = reports.filter(~Q(grade=""))
    return reports.order_by("due_on", "pk")


def report_overdue_count(today=None):
    """Reports not submitted after their due date, for the staff's home. One query."""
    return report_list_for_staff("overdue", today).count()
