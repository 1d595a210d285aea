from celery import shared_task

from notices.models import Notice
from notices.services import notice_deliver, notice_delivery_failed

MAX_ATTEMPTS = 5


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60)
def deliver_notice(self, notice_id):
    try:
        return notice_deliver(notice_id=notice_id)
    except OSError as exc:  # SMTP and socket failures: try again later.
        notice_delivery_failed(notice_id=notice_id)
        raise self.retry(exc=exc) from exc


@shared_task
def deliver_pending_notices():
    """Catch what a crash between commit and queueing left behind; runs periodically (beat)."""
    pending = Notice.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=MAX_ATTEMPTS, recipient__email__gt=""
    ).values_list("pk", flat=True)
    for notice_id in pending[:500]:
        deliver_notice.delay(notice_id)
