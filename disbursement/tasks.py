"""Celery tasks of disbursement: leaves that call a service (imported inside the task, so that
services may import the tasks at the top)."""

from celery import shared_task


@shared_task(name="disbursement.tasks.flag_overdue_recovery_cases")
def flag_overdue_recovery_cases():
    """Flag the recovery cases whose due date has passed with something still due, and tell staff
    and finance; runs periodically (beat)."""
    from disbursement.recovery import recovery_cases_flag_overdue  # noqa: PLC0415 -- leaf

    return recovery_cases_flag_overdue()
