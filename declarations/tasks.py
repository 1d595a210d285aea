"""Celery tasks of declarations: leaves that load by id and call a service. Each imports its service
inside the function, so that services and the workflow may import the tasks at the top."""

from celery import shared_task


@shared_task(name="declarations.tasks.recompute_award_caps")
def recompute_award_caps(*, declaration_id=None):
    """After a decision, withdrawal, revocation or recovery changed what was decided for a key:
    recompute the caps of the open declarations it affects (all open ones without an id)."""
    from declarations.services import award_caps_recompute, award_caps_recompute_affected_by  # noqa: PLC0415 -- leaf

    if declaration_id is None:
        return award_caps_recompute()
    return award_caps_recompute_affected_by(declaration_id=declaration_id)
