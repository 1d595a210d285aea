"""Publicity batches and objections (Art. 15 (3))."""

from datetime import timedelta

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused, declaration_transition
from publicity.calendar import working_days_window
from publicity.models import Objection, ObjectionState, PublicityBatch, PublicityEntry
from publicity.workflow import objection_transition


@transaction.atomic
def publicity_batch_open(*, actor, call, declaration_ids, title=""):
    """Publicise approved declarations of one call for 5 working days, starting the next day.

    Every declaration moves to `in_publicity` (classified ones too: they go through the period but
    never appear on the board). Refuses the whole batch if any one cannot be publicised.
    """
    if not rules.has_perm("publicity.publicise", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    declarations = list(Declaration.objects.filter(pk__in=declaration_ids, call=call).order_by("pk"))
    if not declarations or len(declarations) != len(set(declaration_ids)):
        raise TransitionRefused(_("Choose approved declarations of this call."))
    today = timezone.localdate()
    starts_on, ends_on = working_days_window(today + timedelta(days=1))
    batch = PublicityBatch.objects.create(
        call=call,
        title=title or _("List of projects to be supported, %(call)s") % {"call": call.title},
        starts_on=starts_on,
        ends_on=ends_on,
        opened_by=actor,
    )
    for declaration in declarations:
        declaration_transition(declaration_id=declaration.pk, action=A.PUBLICISE, actor=actor)
        PublicityEntry.objects.create(batch=batch, declaration=declaration)
    return batch


@transaction.atomic
def objection_raise(*, entry, name, contact, text, today=None):
    """Anyone may object to a publicised project while its publicity period runs. The batch row is
    locked, as publicity_batch_close locks it, so no objection slips in after confirmation."""
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=entry.batch_id)
    entry = PublicityEntry.objects.select_related("declaration").get(pk=entry.pk)
    if batch.is_closed or not (batch.starts_on <= today <= batch.ends_on):
        raise TransitionRefused(
            _("Objections are accepted from %(start)s to %(end)s.") % {"start": batch.starts_on, "end": batch.ends_on}
        )
    if entry.declaration.state != S.IN_PUBLICITY or entry.declaration.classified:
        raise TransitionRefused(_("This project is not in publicity."))
    return Objection.objects.create(entry=entry, name=name, contact=contact, text=text)


@transaction.atomic
def objection_handle(*, objection_id, actor, uphold, response):
    """Uphold (the declaration is not supported) or dismiss an objection, with a response."""
    objection = Objection.objects.select_for_update().select_related("entry").get(pk=objection_id)
    if not rules.has_perm("publicity.handle_objection", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    target = ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED
    objection_transition(objection=objection, target=target, actor=actor, response=response)
    if uphold:
        declaration_transition(
            declaration_id=objection.entry.declaration_id, action=A.UPHOLD_OBJECTION, actor=actor, note=response
        )
    return objection


@transaction.atomic
def publicity_batch_close(*, batch_id, actor=None, today=None):
    """After the last publicity day, confirm every declaration of the batch still in publicity and
    without an open objection, and close the batch once none is left waiting. `actor` None is the
    periodic task. Returns the number of declarations confirmed."""
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=batch_id)
    if actor is not None and not rules.has_perm("publicity.confirm", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    if today <= batch.ends_on:
        raise TransitionRefused(_("The publicity period runs until %(end)s.") % {"end": batch.ends_on})
    confirmed = waiting = 0
    for entry in batch.entries.select_related("declaration"):
        if entry.declaration.state != S.IN_PUBLICITY:
            continue
        if entry.objections.filter(state=ObjectionState.OPEN).exists():
            waiting += 1
            continue
        declaration_transition(
            declaration_id=entry.declaration_id,
            action=A.CONFIRM,
            actor=actor,
            note=_("Publicity ended on %(end)s without an upheld objection.") % {"end": batch.ends_on},
        )
        confirmed += 1
    if not waiting and batch.closed_at is None:
        batch.closed_at = timezone.now()
        batch.save(update_fields=["closed_at"])
    return confirmed


def publicity_batches_close_due(*, today=None):
    """Close every batch whose publicity period has ended (the periodic task's work, actor None).
    Returns the number of declarations confirmed."""
    today = today or timezone.localdate()
    due = PublicityBatch.objects.filter(closed_at__isnull=True, ends_on__lt=today).values_list("pk", flat=True)
    return sum(publicity_batch_close(batch_id=batch_id, today=today) for batch_id in due)
