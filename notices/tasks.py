"""Celery tasks of the notice outbox: leaves that load by id and call a service (imported inside the
task, so that the services may import the tasks at the top)."""

from celery import shared_task

MAX_ATTEMPTS = 5


@shared_task(name="notices.tasks.deliver_notice", bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60)
def deliver_notice(self, *, notice_id):
    from notices.services import notice_deliver, notice_delivery_failed  # noqa: PLC0415 -- leaf

    try:
        return notice_deliver(notice_id=notice_id)
    except OSError as exc:  # SMTP and socket failures: try again later.
        notice_delivery_failed(notice_id=notice_id)
        raise self.retry(exc=exc) from exc


@shared_task(name="notices.tasks.deliver_notices", bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60)
def deliver_notices(self, *, notice_ids):
    """E-mail notices written together (notices.services.notices_create) over one connection to the
    mail server: the web request sends this one message. Run again after a lost worker, it finds
    those already sent and does not send them again (`notice_deliver`); after a failure it is retried
    with the notices still to send."""
    from notices.services import NoticesUndelivered, notices_deliver  # noqa: PLC0415 -- leaf

    try:
        return notices_deliver(notice_ids=notice_ids)
    except NoticesUndelivered as undelivered:
        raise self.retry(exc=undelivered.__cause__, kwargs={"notice_ids": undelivered.notice_ids}) from undelivered
    except OSError as exc:  # closing the connection failed: the notices sent are marked, and skipped again
        raise self.retry(exc=exc) from exc


@shared_task(name="notices.tasks.deliver_pending_notices")
def deliver_pending_notices():
    """Catch what a crash between commit and queueing left behind; runs periodically (beat)."""
    from notices.services import notices_pending  # noqa: PLC0415 -- leaf

    notice_ids = notices_pending(max_attempts=MAX_ATTEMPTS)
    if notice_ids:
        deliver_notices.delay(notice_ids=notice_ids)
