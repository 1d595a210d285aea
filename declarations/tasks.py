from celery import shared_task

from declarations.services import award_caps_recompute, award_caps_recompute_affected_by


@shared_task
def recompute_award_caps(declaration_id=None):
    """After a decision, withdrawal, revocation or recovery changed what was decided for a key:
    recompute the caps of the open declarations it affects (all open ones without an id)."""
    if declaration_id is None:
        return award_caps_recompute()
    return award_caps_recompute_affected_by(declaration_id=declaration_id)
