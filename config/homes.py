"""The staff's home in the console: what needs them now, read from the selectors of the apps that
own each part. It lives at the top of the layers, where every app may be read; no app reads it."""

from django.utils import timezone

from declarations.selectors import call_next_deadline, declaration_counts_by_state
from monitoring.performance_selectors import report_overdue_count
from monitoring.supervision_selectors import rectification_overdue_count
from publicity.selectors import objection_counts
from review.selectors import ACCEPTANCE_WAIT_DAYS, acceptance_overdue_count


def staff_worklist(*, now=None):
    """Counts per declaration state, the open and overdue objections, the overdue work of
    monitoring and acceptance, and the next call's deadline. Seven queries, whatever the data."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    objections = objection_counts(today=today)
    return {
        "states": declaration_counts_by_state(),
        "objections_open": objections["open"],
        "overdue": {
            "objections": objections["overdue"],
            "rectifications": rectification_overdue_count(today),
            "reports": report_overdue_count(today),
            "acceptance": acceptance_overdue_count(now),
        },
        "acceptance_wait_days": ACCEPTANCE_WAIT_DAYS,
        "next_call": call_next_deadline(now),
    }
