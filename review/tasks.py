"""Celery tasks of the review: leaves that load by id and call a service (imported inside the task,
so that services may import the tasks at the top)."""

from celery import shared_task


@shared_task(name="review.tasks.check_double_funding_after_import")
def check_double_funding_after_import(*, register_import_id):
    """After a funding import committed: check the open declarations of the units it named for
    double funding (Art. 16). Returns how many of them have a possible double funding."""
    from review.double_funding import double_funding_check_after_import  # noqa: PLC0415 -- leaf

    return double_funding_check_after_import(register_import_id=register_import_id)
