"""Celery tasks of publicity: leaves that call a service (imported inside the task, so that services
may import the tasks at the top)."""

from celery import shared_task


@shared_task(name="publicity.tasks.close_due_publicity_batches")
def close_due_publicity_batches():
    """Close every batch whose publicity period has ended; runs periodically (beat)."""
    from publicity.services import publicity_batches_close_due  # noqa: PLC0415 -- leaf

    return publicity_batches_close_due()


@shared_task(name="publicity.tasks.make_publicity_notice")
def make_publicity_notice(*, batch_id, version):
    """Make and store a batch version's printable notice (PDF), once."""
    from publicity.documents import publicity_notice_make  # noqa: PLC0415 -- leaf

    return publicity_notice_make(batch_id=batch_id, version=version)
