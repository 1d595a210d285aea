"""Celery tasks of publicity: leaves that call a service (imported inside the task, so that services
may import the tasks at the top)."""

from celery import shared_task


@shared_task(name="publicity.tasks.close_due_publicity_batches")
def close_due_publicity_batches():
    """Close every batch whose publicity period has ended; runs periodically (beat)."""
    from publicity.services import publicity_batches_close_due  # noqa: PLC0415 -- leaf

    return publicity_batches_close_due()
