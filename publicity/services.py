"""Publicity batches, their versions and objections (Art. 15 (3))."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import rules
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import yuan
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import OPEN_STATES, TRANSITIONS, TransitionRefused, declaration_transition
from publicity.cache import publicity_board_changed
from publicity.calendar import CalendarNotCovered, working_days_window
from publicity.models import BatchVersion, Objection, ObjectionState, PublicityBatch, PublicityEntry, PublishedEntry
from publicity.workflow import objection_transition

# A project may be kept off the public list until it is publicised.
CLASSIFIABLE_STATES = frozenset(OPEN_STATES) | TRANSITIONS[A.PUBLICISE].sources


def publicity_first_day(today=None):
    """The first day a batch opened `today` may count: today itself or the next day, as
    settings.PUBLICITY_COUNTS_OPENING_DAY says (the board shows which)."""
    today = today or timezone.localdate()
    return today if settings.PUBLICITY_COUNTS_OPENING_DAY else today + timedelta(days=1)


def _window_or_refuse(today):
    try:
        return working_days_window(publicity_first_day(today))
    except CalendarNotCovered as gap:
        raise TransitionRefused(str(gap)) from None


def _published_row(entry, version):
    declaration = entry.declaration
    organisation = declaration.organisation
    return PublishedEntry(
        entry=entry,
        batch_id=entry.batch_id,
        since_version=version,
        number=declaration.number or "",
        programme_id=declaration.programme_id,
        unit_name=organisation.name,
        credit_code=organisation.credit_code,
        title=declaration.title,
        amount=declaration.approved_amount,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        search_text=" ".join([organisation.name, declaration.title, declaration.number or ""]).lower(),
    )


def _publish(entries, version):
    """Public rows of `entries` from `version` on; classified projects get none."""
    PublishedEntry.objects.bulk_create(
        [_published_row(entry, version) for entry in entries if not entry.declaration.classified]
    )


def _board_changed():
    transaction.on_commit(publicity_board_changed)


def _save_with_history(declaration, actor, reason, updates):
    """Save field changes that are not a state change: the declaration's history keeps who made
    them and why (django-simple-history's change reason and user)."""
    for field, value in updates.items():
        setattr(declaration, field, value)
    declaration._change_reason = reason
    declaration._history_user = actor
    declaration.save(update_fields=[*updates, "updated_at"])


@transaction.atomic
def publicity_batch_open(*, actor, call, declaration_ids, title="", today=None):
    """Publicise approved declarations of one call for 5 working days, from the first day
    `publicity_first_day` allows. Version 1 of the batch is published at once.

    Every declaration moves to `in_publicity` (classified ones too: they go through the period but
    never appear on the board). Refuses the whole batch if any one cannot be publicised, or if the
    period would reach a year whose working-day schedule is not recorded.
    """
    if not rules.has_perm("publicity.publicise", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    declarations = list(Declaration.objects.filter(pk__in=declaration_ids, call=call).order_by("pk"))
    if not declarations or len(declarations) != len(set(declaration_ids)):
        raise TransitionRefused(_("Choose approved declarations of this call."))
    starts_on, ends_on = _window_or_refuse(today or timezone.localdate())
    batch = PublicityBatch.objects.create(
        call=call,
        title=title or _("List of projects to be supported, %(call)s") % {"call": call.title},
        starts_on=starts_on,
        ends_on=ends_on,
        opened_by=actor,
        counts_opening_day=settings.PUBLICITY_COUNTS_OPENING_DAY,
    )
    BatchVersion.objects.create(batch=batch, number=1, published_by=actor, changelog=_("First publication."))
    entries = []
    for declaration in declarations:
        declaration = declaration_transition(declaration_id=declaration.pk, action=A.PUBLICISE, actor=actor)
        entries.append(
            PublicityEntry.objects.create(batch=batch, declaration=declaration, starts_on=starts_on, ends_on=ends_on)
        )
    _publish(PublicityEntry.objects.filter(batch=batch).select_related("declaration__organisation"), 1)
    _board_changed()
    return batch


@dataclass(frozen=True)
class EntryCorrection:
    """A corrected title or amount (None: unchanged) of one entry."""

    entry_id: int
    title: str | None = None
    amount: Decimal | None = None


@transaction.atomic
def publicity_version_publish(
    *, actor, batch_id, changelog, corrections=(), add_declaration_ids=(), withdraw_entry_ids=(), today=None
):
    """Publish the next version of a running batch: corrected titles or amounts, declarations of
    the same call added, entries withdrawn (their declaration no longer in publicity). The public
    reads `changelog`; every earlier version stays as it was. An entry added, or whose amount is
    raised, gets a full period of its own from the first day `publicity_first_day` allows.
    Returns the new BatchVersion."""
    if not rules.has_perm("publicity.publicise", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=batch_id)
    if batch.closed_at is not None:
        raise TransitionRefused(_("This publicity batch is closed; it can no longer be corrected."))
    changelog = (changelog or "").strip()
    if not changelog:
        raise TransitionRefused(_("Describe the changes for the public."))
    if not (corrections or add_declaration_ids or withdraw_entry_ids):
        raise TransitionRefused(_("There is nothing to publish: correct, add or withdraw at least one project."))
    current = {
        entry.pk: entry
        for entry in batch.entries.filter(withdrawn_at__isnull=True).select_related("declaration__organisation")
    }
    version = batch.version + 1
    changed = []
    for entry_id in withdraw_entry_ids:
        entry = current.get(entry_id)
        if entry is None:
            raise TransitionRefused(_("This project is not on the list any more."))
        if entry.declaration.state == S.IN_PUBLICITY:
            raise TransitionRefused(
                _("%(number)s is still in publicity: uphold an objection to it first.") % {"number": entry.declaration}
            )
        entry.withdrawn_at = timezone.now()
        entry.save(update_fields=["withdrawn_at"])
        changed.append(entry)
    new_window = None
    for correction in corrections:
        entry = current.get(correction.entry_id)
        if entry is None or entry.withdrawn_at is not None:
            raise TransitionRefused(_("This project is not on the list any more."))
        declaration = entry.declaration
        if declaration.state != S.IN_PUBLICITY:
            raise TransitionRefused(_("%(number)s is not in publicity.") % {"number": declaration})
        updates = {}
        if correction.title is not None and correction.title.strip() != declaration.title:
            updates["title"] = correction.title.strip()
        if correction.amount is not None and correction.amount != declaration.approved_amount:
            if correction.amount <= 0:
                raise TransitionRefused(_("The approved amount must be more than zero."))
            if declaration.award_cap is not None and correction.amount > declaration.award_cap:
                raise TransitionRefused(
                    _("The approved amount %(amount)s yuan is above the award cap of %(cap)s yuan.")
                    % {"amount": yuan(correction.amount), "cap": yuan(declaration.award_cap)}
                )
            if correction.amount > declaration.approved_amount:
                new_window = new_window or _window_or_refuse(today)
                entry.starts_on, entry.ends_on = new_window
                entry.save(update_fields=["starts_on", "ends_on"])
            updates["approved_amount"] = correction.amount
        if not updates:
            continue
        _save_with_history(declaration, actor, changelog, updates)
        changed.append(entry)
    added = []
    if add_declaration_ids:
        new_window = new_window or _window_or_refuse(today)
        for declaration in Declaration.objects.filter(pk__in=add_declaration_ids).order_by("pk"):
            if declaration.call_id != batch.call_id:
                raise TransitionRefused(_("Only approved declarations of this call can be added."))
            declaration_transition(declaration_id=declaration.pk, action=A.PUBLICISE, actor=actor)
            added.append(
                PublicityEntry.objects.create(
                    batch=batch, declaration=declaration, starts_on=new_window[0], ends_on=new_window[1]
                )
            )
    if not changed and not added:
        raise TransitionRefused(_("There is nothing to publish: nothing differs from the current version."))
    PublishedEntry.objects.filter(entry__in=changed, until_version__isnull=True).update(until_version=batch.version)
    withdrawn = {entry.pk for entry in changed if entry.withdrawn_at is not None}
    _publish(
        PublicityEntry.objects.filter(
            pk__in=[e.pk for e in changed if e.pk not in withdrawn] + [e.pk for e in added]
        ).select_related("declaration__organisation"),
        version,
    )
    batch.version = version
    batch.ends_on = max(batch.ends_on, *(entry.ends_on for entry in [*changed, *added]))
    batch.save(update_fields=["version", "ends_on"])
    published = BatchVersion.objects.create(batch=batch, number=version, published_by=actor, changelog=changelog)
    _board_changed()
    return published


@transaction.atomic
def declaration_classify(*, actor, declaration_id, classified, reason):
    """Mark a project classified or otherwise excluded from publication by law (Art. 15 (3)), with
    the reason, or undo it, before it is publicised. Staff only; the declaration's history keeps
    who did it, when and why."""
    if not rules.has_perm("publicity.classify", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    if declaration.state not in CLASSIFIABLE_STATES:
        raise TransitionRefused(_("Only a project not yet publicised can be kept off the public list."))
    reason = (reason or "").strip()
    if classified and not reason:
        raise TransitionRefused(_("Please give the reason the project is not publicised."))
    _save_with_history(
        declaration,
        actor,
        reason or _("Publication allowed again."),
        {"classified": classified, "classified_reason": reason if classified else ""},
    )
    return declaration


RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def objection_receipt_number():
    """A receipt number nobody can guess (10 characters, no 0/O or 1/I to misread), e.g. GS7K2M9QX4PD."""
    while True:
        number = "GS" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
        if not Objection.objects.filter(receipt_number=number).exists():
            return number


@transaction.atomic
def objection_raise(*, entry, name, contact, text, today=None):
    """Anyone may object to a publicised project while its publicity period runs. The batch row is
    locked, as publicity_batch_close locks it, so no objection slips in after confirmation."""
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=entry.batch_id)
    entry = PublicityEntry.objects.select_related("declaration").get(pk=entry.pk)
    if batch.is_closed or not (entry.starts_on <= today <= entry.ends_on):
        raise TransitionRefused(
            _("Objections are accepted from %(start)s to %(end)s.") % {"start": entry.starts_on, "end": entry.ends_on}
        )
    if entry.withdrawn_at or entry.declaration.state != S.IN_PUBLICITY or entry.declaration.classified:
        raise TransitionRefused(_("This project is not in publicity."))
    return Objection.objects.create(
        entry=entry, receipt_number=objection_receipt_number(), name=name, contact=contact, text=text
    )


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
        # The board shows the project as withdrawn from now on.
        _board_changed()
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
    for entry in batch.entries.filter(withdrawn_at__isnull=True).select_related("declaration"):
        if entry.declaration.state != S.IN_PUBLICITY:
            continue
        if today <= entry.ends_on:
            waiting += 1
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
