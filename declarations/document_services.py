"""The writes of a declaration's generated documents (models.DeclarationDocument): asking for one,
the rendering task's steps, and a reader's retry after a failure.

A document's state moves only through `declarations.workflow.document_transition` along its table, with the
row locked, so two workers never render the same document and a late worker never overwrites a
finished one. The document's own timestamps, attempts and last error are its record: it is a copy
of what the declaration shows, not a decision, so it writes no audit event."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from declarations.enums import DocumentState as D
from declarations.models import DeclarationDocument, attachment_storage, document_path
from declarations.tasks import render_declaration_document
from declarations.workflow import DOCUMENT_TRANSITIONS, document_transition

RENDER_TIMEOUT = timedelta(minutes=5)
# A queued document whose task has not started by then is queued again (a message lost with a broker).
REQUEUE_AFTER = timedelta(minutes=2)


def _queue(document):
    transaction.on_commit(lambda: render_declaration_document.delay(document_id=document.pk))


def declaration_document_request(*, declaration_id, content_hash, language):
    """The document of this version of the declaration (its content hash, in `language`), asked for
    once. In order: create it queued, if it does not exist, and queue its rendering on commit (or
    queue again one queued for longer than REQUEUE_AFTER); return it as it stands after the commit,
    which, when tasks run eagerly (the embedded default), is ready or failed."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                document, created = DeclarationDocument.objects.get_or_create(
                    declaration_id=declaration_id, content_hash=content_hash, defaults={"language": language}
                )
        except IntegrityError:  # another request created it meanwhile
            document, created = (
                DeclarationDocument.objects.get(declaration_id=declaration_id, content_hash=content_hash),
                False,
            )
        if created:
            _queue(document)
        elif document.state == D.QUEUED and document.queued_at < timezone.now() - REQUEUE_AFTER:
            DeclarationDocument.objects.filter(pk=document.pk).update(queued_at=timezone.now())
            _queue(document)
    document.refresh_from_db()
    return document


@transaction.atomic
def declaration_document_claim(*, document_id):
    """Take a document to render it: the locked document, now rendering, with its declaration; None
    when it is not to be rendered by this worker (ready, failed, or rendering elsewhere)."""
    document = DeclarationDocument.objects.select_for_update().select_related("declaration").get(pk=document_id)
    now = timezone.now()
    if document.state == D.RENDERING and document.started_at and document.started_at > now - RENDER_TIMEOUT:
        return None
    if D.RENDERING not in DOCUMENT_TRANSITIONS[document.state]:
        return None
    return document_transition(
        document, D.RENDERING, progress=5, started_at=now, attempts=document.attempts + 1, error=""
    )


def declaration_document_progress(*, document_id, progress):
    """How far the rendering is, for the waiting reader (a plain update: no state changes)."""
    DeclarationDocument.objects.filter(pk=document_id, state=D.RENDERING).update(progress=progress)


def declaration_document_store(*, document_id, pdf):
    """Store the rendered PDF and mark the document ready. A document no longer rendering (taken
    over and finished by another worker) keeps its own file; this one is deleted again."""
    document = DeclarationDocument.objects.get(pk=document_id)
    storage = attachment_storage()
    name = storage.save(document_path(document, None), ContentFile(pdf))
    with transaction.atomic():
        document = DeclarationDocument.objects.select_for_update().get(pk=document_id)
        if document.state != D.RENDERING:
            transaction.on_commit(lambda: storage.delete(name))
            return document
        return document_transition(document, D.READY, file=name, progress=100, finished_at=timezone.now())


@transaction.atomic
def declaration_document_fail(*, document_id, error, final):
    """Record a failed attempt: the document waits for its retry (queued), or, when `final`, is failed
    with the error kept for staff; the reader is offered a retry."""
    document = DeclarationDocument.objects.select_for_update().get(pk=document_id)
    if document.state != D.RENDERING:
        return document
    if final:
        return document_transition(document, D.FAILED, error=error, progress=0, finished_at=timezone.now())
    return document_transition(document, D.QUEUED, error=error, progress=0, queued_at=timezone.now())


def declaration_document_retry(*, document_id):
    """A reader's retry of a failed document: queued again, its attempts counted afresh, and its
    rendering queued on commit. Returns the document as it stands after the commit."""
    with transaction.atomic():
        document = DeclarationDocument.objects.select_for_update().get(pk=document_id)
        if document.state == D.FAILED:
            document_transition(document, D.QUEUED, attempts=0, progress=0, queued_at=timezone.now())
            _queue(document)
    document.refresh_from_db()
    return document
