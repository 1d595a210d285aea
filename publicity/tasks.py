"""Celery tasks of publicity: leaves that call a service (imported inside the task, so that services
may import the tasks at the top)."""

from celery import shared_task


@shared_task(name="publicity.tasks.close_due_publicity_batches")
def close_due_publicity_batches():
    """Close every batch whose publicity period has ended; runs periodically (beat)."""
    from publicity.services import publicity_batches_close_due  # noqa: PLC0415 -- leaf

    return publicity_batches_close_due()


@shared_task(name="publicity.tasks.warn_of_calendar_gaps")
def warn_of_calendar_gaps():
    """Tell staff and administrators, once a day each, while this year's working days or (from
    1 November) next year's are not entered; runs periodically (beat)."""
    from publicity.calendar_services import calendar_gap_warn  # noqa: PLC0415 -- leaf

    return calendar_gap_warn()
