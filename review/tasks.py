from celery import shared_task

from review.double_funding import double_funding_check_after_import


@shared_task
def check_double_funding_after_import(register_import_id):
    """After a funding import committed: check the open declarations of the units it named for
    double funding (Art. 16). Returns how many of them have a possible double funding."""
    return double_funding_check_after_import(register_import_id=register_import_id)
