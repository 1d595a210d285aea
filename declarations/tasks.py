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


RENDER_ATTEMPTS = 3  # retries after the first attempt


@shared_task(
    name="declarations.tasks.render_declaration_document",
    bind=True,
    max_retries=RENDER_ATTEMPTS,
    default_retry_delay=30,
)
def render_declaration_document(self, *, document_id):
    """Render and store a queued declaration document (idempotent: a ready, failed or claimed one is
    left alone). A failure is retried, then marked failed for the reader to see and retry."""
    from declarations.document_services import declaration_document_fail  # noqa: PLC0415 -- leaf
    from declarations.documents import declaration_document_render  # noqa: PLC0415 -- leaf, slow import

    try:
        declaration_document_render(document_id=document_id)
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        declaration_document_fail(document_id=document_id, error=f"{type(exc).__name__}: {exc}"[:2000], final=final)
        if final:
            return
        if self.request.is_eager:
            # Eager with CELERY_TASK_EAGER_PROPAGATES, self.retry() raises rather than running the retry.
            self.apply(kwargs={"document_id": document_id}, retries=self.request.retries + 1)
            return
        raise self.retry(exc=exc) from exc
