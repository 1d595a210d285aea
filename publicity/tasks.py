"""Celery tasks of publicity: leaves that call a service (imported inside the task, so that services
may import the tasks at the top)."""

from celery import shared_task

MAX_ATTEMPTS = 5


@shared_task(name="publicity.tasks.close_due_publicity_batches")
def close_due_publicity_batches():
    """Confirm what is due and close every batch with nothing left waiting; beat runs it right after
    midnight (Beijing time) and every 15 minutes."""
    from publicity.services import publicity_batches_close_due  # noqa: PLC0415 -- leaf

    return publicity_batches_close_due()


@shared_task(name="publicity.tasks.warn_of_calendar_gaps")
def warn_of_calendar_gaps():
    """Tell staff and administrators, once a day each, while this year's working days or (from
    1 November) next year's are not entered; runs periodically (beat)."""
    from publicity.calendar_services import calendar_gap_warn  # noqa: PLC0415 -- leaf

    return calendar_gap_warn()


@shared_task(
    name="publicity.tasks.email_objection_receipt", bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60
)
def email_objection_receipt(self, *, objection_id, lookup_url=""):
    from publicity.services import objection_receipt_email  # noqa: PLC0415 -- leaf

    try:
        return objection_receipt_email(objection_id=objection_id, lookup_url=lookup_url)
    except OSError as exc:  # SMTP and socket failures: try again later.
        raise self.retry(exc=exc) from exc


@shared_task(name="publicity.tasks.email_objection_reply", bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60)
def email_objection_reply(self, *, objection_id, lookup_url=""):
    from publicity.services import objection_reply_email  # noqa: PLC0415 -- leaf

    try:
        return objection_reply_email(objection_id=objection_id, lookup_url=lookup_url)
    except OSError as exc:  # SMTP and socket failures: try again later.
        raise self.retry(exc=exc) from exc


@shared_task(name="publicity.tasks.make_publicity_notice")
def make_publicity_notice(*, batch_id, version):
    """Make and store a batch version's printable notice (PDF), once."""
    from publicity.documents import publicity_notice_make  # noqa: PLC0415 -- leaf

    return publicity_notice_make(batch_id=batch_id, version=version)
