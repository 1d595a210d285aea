from celery import shared_task
from django.utils import timezone

from publicity.models import PublicityBatch
from publicity.services import publicity_batch_close


@shared_task
def close_due_publicity_batches():
    """Close every batch whose publicity period has ended; runs periodically (beat)."""
    today = timezone.localdate()
    due = PublicityBatch.objects.filter(closed_at__isnull=True, ends_on__lt=today).values_list("pk", flat=True)
    return sum(publicity_batch_close(batch_id=batch_id, today=today) for batch_id in due)
