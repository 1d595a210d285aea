"""Publicity batches, their versions and objections (Art. 15 (3))."""

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message, note_stripped, title
from common.money import yuan
from common.typography import short_date
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.evidence import ACCEPTED_TYPES
from declarations.models import Declaration
from declarations.validators import evidence_file_name, evidence_file_type
from declarations.workflow import OPEN_STATES, TRANSITIONS, TransitionRefused, declaration_transition
from notices.services import notices_for_staff
from publicity.cache import publicity_board_changed
from publicity.calendar import (
    CalendarNotCovered,
    publicity_first_day,
    working_days_between,
    working_days_window,
)
from publicity.contacts import is_email
from publicity.models import (
    BatchVersion,
    Objection,
    ObjectionOutcome,
    ObjectionState,
    PublicityBatch,
    PublicityEntry,
    PublishedEntry,
    published_search_text,
    published_texts,
)
from publicity.tasks import email_objection_receipt, email_objection_reply
from publicity.workflow import objection_transition

logger = logging.getLogger(__name__)

# A project may be kept off the public list until it is publicised.
CLASSIFIABLE_STATES = frozenset(OPEN_STATES) | TRANSITIONS[A.PUBLICISE].sources


def _window_or_refuse(today):
    """The period of a batch opened `today`, the one answer the console preview and `manage.py
    publicity_window` give too; a period that would reach an uncovered year is refused."""
    try:
        return working_days_window(publicity_first_day(today))
    except CalendarNotCovered as gap:
        raise TransitionRefused(str(gap)) from None


def _published_row(entry, version):
    """The public copy of `entry` from `version` on: its unit's name and its title masked once here
    (common.masking), so no public page, export or search reads a person's identifier, and the
    search cannot be asked whether a row holds one."""
    declaration = entry.declaration
    unit_name, title = published_texts(declaration.organisation.name, declaration.title)
    return PublishedEntry(
        entry=entry,
        batch_id=entry.batch_id,
        since_version=version,
        number=declaration.number or "",
        programme_id=declaration.programme_id,
        unit_name=unit_name,
        credit_code=declaration.organisation.credit_code,
        title=title,
        amount=declaration.approved_amount,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        search_text=published_search_text(unit_name, title, declaration.number),
    )


def _publish(entries, version):
    """Public rows of `entries` from `version` on; classified projects get none."""
    PublishedEntry.objects.bulk_create(
        [_published_row(entry, version) for entry in entries if not entry.declaration.classified]
    )


def _version_published(batch, *, number, actor, changelog, update_fields):
    """Record version `number` of `batch`, whose rows are published, as its current one, with its
    number of public rows on the version and on the batch, and the batch's working days to its end:
    a published version never changes, so the public pages read these instead of counting rows and
    reading the calendar on every request."""
    row_count = PublishedEntry.objects.filter(batch=batch, until_version__isnull=True).count()
    batch.version, batch.row_count = number, row_count
    batch.working_days = [day.isoformat() for day in working_days_between(batch.starts_on, batch.ends_on)]
    batch.save(update_fields=["version", "row_count", "working_days", *update_fields])
    return BatchVersion.objects.create(
        batch=batch, number=number, published_by=actor, changelog=changelog, row_count=row_count
    )


def _board_changed():
    transaction.on_commit(publicity_board_changed)


def _save_with_history(declaration, actor, reason, updates):
    """Save field changes that are not a state change: the declaration's history keeps who made
    them and why (django-simple-history's change reason and user; a message the system wrote is
    stored as such, read in the reader's language by the |message_text filter)."""
    for field, value in updates.items():
        setattr(declaration, field, value)
    audited(declaration, actor, reason)
    declaration.save(update_fields=[*updates, "updated_at"])


@transaction.atomic
def publicity_batch_default_titles(call):
    """(Chinese, English) title a batch of `call` gets when staff give none: composed from the
    call's title in each language."""
    return (
        message("publicity.default_title", call=call.title_zh).in_language("zh-hans"),
        message("publicity.default_title", call=call.title_en or call.title_zh).in_language("en"),
    )


def publicity_batch_open(*, actor, call, declaration_ids, title="", title_en="", today=None):
    """Publicise approved declarations of one call for 5 working days, from the first day
    `publicity_first_day` allows. Version 1 of the batch is published at once. The batch's title is
    `title` (Chinese) and `title_en`; each one not given is composed from the call's title.

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
    default_zh, default_en = publicity_batch_default_titles(call)
    batch = PublicityBatch.objects.create(
        call=call,
        title_zh=title or default_zh,
        title_en=title_en or (default_en if not title else ""),
        starts_on=starts_on,
        ends_on=ends_on,
        opened_by=actor,
        counts_opening_day=settings.PUBLICITY_COUNTS_OPENING_DAY,
    )
    entries = []
    for declaration in declarations:
        declaration = declaration_transition(declaration_id=declaration.pk, action=A.PUBLICISE, actor=actor)
        entries.append(
            PublicityEntry.objects.create(batch=batch, declaration=declaration, starts_on=starts_on, ends_on=ends_on)
        )
    _publish(PublicityEntry.objects.filter(batch=batch).select_related("declaration__organisation"), 1)
    _version_published(batch, number=1, actor=actor, changelog=message("publicity.first_publication"), update_fields=[])
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
    changelog = note_stripped(changelog)
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
    batch.ends_on = max(batch.ends_on, *(entry.ends_on for entry in [*changed, *added]))
    published = _version_published(batch, number=version, actor=actor, changelog=changelog, update_fields=["ends_on"])
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
        reason or message("publicity.classification_lifted"),
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
def objection_raise(*, entry, name, contact, text, evidence=None, language="", lookup_url="", today=None):
    """Anyone may object to a publicised project while its own publicity period runs.

    In one transaction, in this order:
    1. lock the batch row, as publicity_batch_close locks it, so no objection slips in after
       confirmation; refuse (TransitionRefused) outside the entry's period, in a closed batch, or
       for a project no longer in publicity;
    2. check the evidence file by its content (declarations' evidence_file_type) and store it under
       a random name in the `attachments` storage, which has no URL;
    3. save the objection with a new receipt number;
    4. tell the staff who handle objections (a notice each, e-mailed after commit; the objector is
       not named);
    5. after commit, e-mail the receipt when the contact is an e-mail address (in `language`, with
       `lookup_url`, the absolute address of the look-up page).
    Returns the objection."""
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=entry.batch_id)
    entry = PublicityEntry.objects.select_related("declaration").get(pk=entry.pk)
    if batch.is_closed or not (entry.starts_on <= today <= entry.ends_on):
        raise TransitionRefused(
            _("Objections are accepted from %(start)s to %(end)s.")
            % {
                "start": short_date(entry.starts_on),
                "end": short_date(entry.ends_on),
            }
        )
    if entry.withdrawn_at or entry.declaration.state != S.IN_PUBLICITY or entry.declaration.classified:
        raise TransitionRefused(_("This project is not in publicity."))
    objection = Objection(
        entry=entry,
        receipt_number=objection_receipt_number(),
        name=name.strip(),
        contact=contact.strip(),
        text=text.strip(),
        language=(language or "")[:10],
    )
    if evidence is not None:
        try:
            content_type = evidence_file_type(evidence)
        except ValidationError as refusal:
            raise TransitionRefused(" ".join(refusal.messages)) from None
        objection.evidence_extension = ACCEPTED_TYPES[content_type]
        objection.evidence_name = evidence_file_name(evidence.name, content_type)
        objection.evidence.save("evidence", evidence, save=False)
    try:
        objection.save()
    except Exception:
        if objection.evidence:
            objection.evidence.delete(save=False)
        raise
    declaration = entry.declaration
    notices_for_staff(
        permission="publicity.handle_objection",
        subject=message("objection.received.subject", receipt=objection.receipt_number, number=str(declaration)),
        body=message(
            "objection.received.body",
            receipt=objection.receipt_number,
            number=str(declaration),
            title=declaration.title,
            batch=title(batch.title_zh, batch.title_en),
            date=objection.created_at,
        ),
        declaration=declaration,
    )
    if is_email(objection.contact):
        transaction.on_commit(lambda: email_objection_receipt.delay(objection_id=objection.pk, lookup_url=lookup_url))
    return objection


def _outcome_of_earlier_uphold(entry):
    earlier = entry.objections.filter(state=ObjectionState.UPHELD).exclude(outcome="").first()
    return earlier.outcome if earlier else None


@transaction.atomic
def objection_handle(*, objection_id, actor, outcome, reply, reason="", lookup_url=""):
    """Answer an objection: dismiss it (`outcome` None) or uphold it (`outcome` an ObjectionOutcome:
    send the declaration back to review, or make it not supported), with the `reply` the objector
    reads and, when upheld, the `reason` the applicant reads. The two are separate so that nothing
    the applicant reads names the objector.

    In one transaction, in this order:
    1. refuse (TransitionRefused, nothing changed) unless the actor may handle objections, or when
       upholding without a reason; lock the batch row, then the objection's;
    2. move the objection (objection_transition): state, outcome, reply, who and when;
    3. when upheld and the project is still on the public list: move the declaration
       (A.REOPEN_REVIEW or A.UPHOLD_OBJECTION, the reason as its note: the applicant's notice
       carries it), then publish the batch's next version without the project
       (publicity_version_publish, whose changelog names the project, never the objector; it drops
       the board's cache after commit). A second objection to a project already withdrawn is only
       recorded, with the outcome of the first;
    4. after commit, e-mail the reply when the contact is an e-mail address.
    Returns the objection."""
    if not rules.has_perm("publicity.handle_objection", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    reason = (reason or "").strip()
    if outcome and not reason:
        raise TransitionRefused(_("Please give the reason the applicant will read."))
    batch_id = Objection.objects.filter(pk=objection_id).values_list("entry__batch_id", flat=True).get()
    PublicityBatch.objects.select_for_update().get(pk=batch_id)
    objection = Objection.objects.select_for_update().select_related("entry__declaration").get(pk=objection_id)
    entry = objection.entry
    still_listed = entry.withdrawn_at is None
    if outcome and not still_listed:
        outcome = _outcome_of_earlier_uphold(entry) or outcome
    objection_transition(
        objection=objection,
        target=ObjectionState.UPHELD if outcome else ObjectionState.DISMISSED,
        actor=actor,
        response=reply,
        outcome=outcome or "",
    )
    if outcome and still_listed:
        action = A.REOPEN_REVIEW if outcome == ObjectionOutcome.REVIEW else A.UPHOLD_OBJECTION
        declaration_transition(declaration_id=entry.declaration_id, action=action, actor=actor, note=reason)
        publicity_version_publish(
            actor=actor,
            batch_id=entry.batch_id,
            changelog=message("publicity.withdrawn", number=entry.declaration.number),
            withdraw_entry_ids=[entry.pk],
        )
    if is_email(objection.contact):
        transaction.on_commit(lambda: email_objection_reply.delay(objection_id=objection.pk, lookup_url=lookup_url))
    return objection


def _objector_email(objection_id, sent_field, compose):
    """Send one e-mail to an objector unless it went out already: the row lock makes a duplicated or
    retried task wait and then see the time set. Returns True when it sent mail."""
    objection = (
        Objection.objects.select_for_update().select_related("entry__declaration").filter(pk=objection_id).first()
    )
    if objection is None or getattr(objection, sent_field) is not None or not is_email(objection.contact):
        return False
    with translation.override(objection.language or settings.LANGUAGE_CODE):
        subject, lines = compose(objection)
    send_mail(subject, "\n\n".join(lines), None, [objection.contact])
    setattr(objection, sent_field, timezone.now())
    objection.save(update_fields=[sent_field])
    return True


def _project(objection):
    declaration = objection.entry.declaration
    return _("No. %(number)s, “%(title)s”") % {"number": declaration.number, "title": declaration.title}


def _follow_up(objection, lookup_url):
    if not lookup_url:
        return []
    return [
        _("Look the objection up at %(url)s with its receipt number and the contact you gave.") % {"url": lookup_url}
    ]


@transaction.atomic
def objection_receipt_email(*, objection_id, lookup_url=""):
    """E-mail the receipt number to an objector who gave an e-mail address (once)."""

    def compose(objection):
        subject = _("Objection received: receipt number %(receipt)s") % {"receipt": objection.receipt_number}
        lines = [
            _("The commission received your objection to %(project)s on %(date)s.")
            % {"project": _project(objection), "date": date_format(timezone.localtime(objection.created_at))},
            _("Receipt number: %(receipt)s") % {"receipt": objection.receipt_number},
            _(
                "The commission checks the facts and replies to you. While it does, the project is not "
                "confirmed. Your name and contact details are never shown to the applicant or published."
            ),
            *_follow_up(objection, lookup_url),
        ]
        return subject, lines

    return _objector_email(objection_id, "receipt_emailed_at", compose)


@transaction.atomic
def objection_reply_email(*, objection_id, lookup_url=""):
    """E-mail the commission's reply to an objector who gave an e-mail address (once)."""

    def compose(objection):
        subject = _("Reply to your objection %(receipt)s") % {"receipt": objection.receipt_number}
        lines = [
            _("The commission has examined your objection to %(project)s: it was %(state)s.")
            % {"project": _project(objection), "state": objection.get_state_display().lower()},
            _("The commission's reply:"),
            objection.response,
            *_follow_up(objection, lookup_url),
        ]
        return subject, lines

    return _objector_email(objection_id, "reply_emailed_at", compose)


def _entries_ended(today):
    """Entries still on the list, in publicity, whose own period ended before `today`."""
    return PublicityEntry.objects.filter(
        withdrawn_at__isnull=True, declaration__state=S.IN_PUBLICITY, ends_on__lt=today
    )


def publicity_batch_close_refusal(batch, entries, *, today=None):
    """Why `batch` may not be closed on `today`, or None: while the period of every one of its
    `entries` still in publicity runs (without such entries, the batch's own period). `entries` are
    the batch's entries (the page's prefetched ones will do); the withdrawn and those no longer in
    publicity are skipped. The console shows the close button disabled with this reason."""
    today = today or timezone.localdate()
    ends = [
        entry.ends_on for entry in entries if entry.withdrawn_at is None and entry.declaration.state == S.IN_PUBLICITY
    ] or [batch.ends_on]
    if all(today <= end for end in ends):
        return _("The publicity period runs until %(end)s.") % {"end": min(ends)}
    return None


@transaction.atomic
def publicity_batch_close(*, batch_id, actor=None, today=None):
    """Confirm every declaration of the batch whose own publicity period has ended (at 24:00 Beijing
    time of its last working day, so on a later `today`) and that has no open objection; close the
    batch once none is left waiting. `actor` None is the periodic task.

    In one transaction, in this order:
    1. lock the batch row (objection_raise locks it too, so no objection slips in meanwhile);
       refuse a user without the permission, or when no entry's period has ended yet;
    2. confirm each such declaration (A.CONFIRM, through declaration_transition, which writes the
       applicant's notice); an entry with an open objection, or whose period still runs, waits;
    3. when none waits, set `closed_at`: the batch's result (publicity_batch_result) is final;
    4. after commit, drop the public board's cache when anything changed.
    Returns the number of declarations confirmed."""
    today = today or timezone.localdate()
    batch = PublicityBatch.objects.select_for_update().get(pk=batch_id)
    if actor is not None and not rules.has_perm("publicity.confirm", actor):
        raise TransitionRefused(_("You are not allowed to do this."))
    entries = list(
        batch.entries.filter(withdrawn_at__isnull=True, declaration__state=S.IN_PUBLICITY).select_related("declaration")
    )
    refusal = publicity_batch_close_refusal(batch, entries, today=today)
    if refusal:
        raise TransitionRefused(refusal)
    objected = set(
        Objection.objects.filter(entry__in=entries, state=ObjectionState.OPEN).values_list("entry_id", flat=True)
    )
    confirmed = waiting = 0
    for entry in entries:
        if today <= entry.ends_on or entry.pk in objected:
            waiting += 1
            continue
        declaration_transition(
            declaration_id=entry.declaration_id,
            action=A.CONFIRM,
            actor=actor,
            note=message("publicity.ended", end=entry.ends_on),
        )
        confirmed += 1
    closed = not waiting and batch.closed_at is None
    if closed:
        batch.closed_at = timezone.now()
        batch.save(update_fields=["closed_at"])
    if confirmed or closed:
        _board_changed()
    return confirmed


def publicity_batches_close_due(*, today=None):
    """The periodic task's work (actor None): every open batch with an entry whose period has ended,
    or whose own period has, goes through publicity_batch_close, each in its own transaction, so
    one refused batch does not hold up the others. Returns the number of declarations confirmed."""
    today = today or timezone.localdate()
    due = PublicityBatch.objects.filter(closed_at__isnull=True).filter(
        Q(ends_on__lt=today) | Exists(_entries_ended(today).filter(batch=OuterRef("pk")))
    )
    confirmed = 0
    for batch_id in due.values_list("pk", flat=True):
        try:
            confirmed += publicity_batch_close(batch_id=batch_id, today=today)
        except TransitionRefused as refusal:
            logger.warning("Publicity batch %s not closed: %s", batch_id, refusal)
    return confirmed
