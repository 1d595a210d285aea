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


@shared_task(name="notices.tasks.deliver_notices")
def deliver_notices(*, notice_ids):
    """Queue the delivery of notices written together (notices.services.notices_create): the web
    request sends this one message, the worker one per notice. Run again after a lost worker, it
    queues some twice, which `notice_deliver` sends once."""
    for notice_id in notice_ids:
        deliver_notice.delay(notice_id=notice_id)


@shared_task(name="notices.tasks.deliver_pending_notices")
def deliver_pending_notices():
    """Catch what a crash between commit and queueing left behind; runs periodically (beat)."""
    from notices.services import notices_pending  # noqa: PLC0415 -- leaf

    for notice_id in notices_pending(max_attempts=MAX_ATTEMPTS):
        deliver_notice.delay(notice_id=notice_id)
