"""Reads for the publicity board and the staff console; every list is a fixed number of queries."""

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declarations.enums import PUBLIC_LABELS
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration
from declarations.workflow import DISBURSEMENT_STATES
from publicity.calendar import publicity_first_day, working_days_window
from publicity.contacts import contact_normalised, receipt_normalised
from publicity.models import Objection, ObjectionState, PublicityBatch, PublicityEntry, PublishedEntry

# How long a closed batch stays on the board's front page.
BOARD_RECENT_DAYS = 30


class BatchPhase:
    """Where a batch stands on a given day, for the words and buttons around it."""

    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"  # the last day has passed; closing waits for the task or for open objections
    CLOSED = "closed"

    LABELS = {
        UPCOMING: _("Starts soon"),
        RUNNING: _("In publicity"),
        ENDED: _("Period ended, being finalised"),
        CLOSED: _("Closed"),
    }


def batch_phase(batch, today=None):
    today = today or timezone.localdate()
    if batch.closed_at is not None:
        return BatchPhase.CLOSED
    if today < batch.starts_on:
        return BatchPhase.UPCOMING
    if today <= batch.ends_on:
        return BatchPhase.RUNNING
    return BatchPhase.ENDED


def _set_phase(batch, today):
    batch.phase = batch_phase(batch, today)
    batch.phase_label = BatchPhase.LABELS[batch.phase]
    batch.accepts_objections = batch.phase == BatchPhase.RUNNING
    return batch


def _public_entries():
    """Entries the public may see: never a classified project, only the states the board names."""
    return PublicityEntry.objects.filter(
        declaration__classified=False, declaration__state__in=list(PUBLIC_LABELS)
    ).select_related("declaration__organisation", "declaration__programme")


def _public_batches():
    return (
        PublicityBatch.objects.filter(Exists(_public_entries().filter(batch=OuterRef("pk"))))
        .select_related("call")
        .prefetch_related(Prefetch("entries", queryset=_public_entries(), to_attr="public_entries"))
    )


def publicity_batch_list_for_public(*, today=None, now=None):
    """Batches running, about to start or closed in the last BOARD_RECENT_DAYS, with their public
    entries in `public_entries`. Two queries."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    batches = _public_batches().filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=now - timedelta(days=BOARD_RECENT_DAYS))
    )
    return [_set_phase(batch, today) for batch in batches]


def publicity_batch_get_for_public(*, pk, today=None):
    """One batch with its public entries, or 404 when it has none the public may see."""
    return _set_phase(get_object_or_404(_public_batches(), pk=pk), today or timezone.localdate())


def publicity_entry_get_for_public(*, pk, today=None):
    """One public entry with its batch, for the objection form, or 404."""
    entry = get_object_or_404(_public_entries().select_related("batch"), pk=pk)
    _set_phase(entry.batch, today or timezone.localdate())
    return entry


def publicity_entry_get_for_objection(*, pk, today=None):
    """An entry the public may object to, with its batch, or 404: never a classified project, one
    withdrawn, one no longer in publicity or one of a closed batch. `accepts_objections` says
    whether its own period runs on `today`; outside it the form shows the dates instead."""
    today = today or timezone.localdate()
    entry = get_object_or_404(
        PublicityEntry.objects.filter(
            declaration__classified=False,
            declaration__state=S.IN_PUBLICITY,
            withdrawn_at__isnull=True,
            batch__closed_at__isnull=True,
        ).select_related("batch__call", "declaration__organisation", "declaration__programme"),
        pk=pk,
    )
    _set_phase(entry.batch, today)
    return _set_window(entry, today)


def _set_window(entry, today):
    entry.accepts_objections = entry.starts_on <= today <= entry.ends_on
    return entry


def objection_get_for_objector(*, receipt_number, contact):
    """The objection with this receipt number, if `contact` is the one its objector gave (compared
    as typed: spaces, hyphens and capitals aside), else None, whichever of the two is wrong."""
    objection = (
        Objection.objects.select_related("entry__declaration")
        .filter(receipt_number=receipt_normalised(receipt_number))
        .first()
    )
    if objection is None:
        return None
    given = contact_normalised(contact).encode()
    if not given or not hmac.compare_digest(contact_normalised(objection.contact).encode(), given):
        return None
    return objection


def objection_received_by(*, receipt_number, receipt_numbers):
    """The objection of a receipt number this session was given (`receipt_numbers`), or 404."""
    if receipt_number not in receipt_numbers:
        raise Http404
    return get_object_or_404(Objection.objects.select_related("entry__declaration"), receipt_number=receipt_number)


class ObjectionFilter:
    OPEN = "open"
    HANDLED = "handled"
    ALL = "all"

    LABELS = {OPEN: _("Open"), HANDLED: _("Handled"), ALL: _("All")}


def objection_list_for_staff(*, show=ObjectionFilter.OPEN):
    """Every objection (open ones, handled ones or all) with its project and batch: open ones the
    oldest first, as a queue; otherwise the latest first. One query (a page of it)."""
    objections = Objection.objects.select_related("entry__batch", "entry__declaration__organisation", "handled_by")
    if show == ObjectionFilter.OPEN:
        return objections.filter(state=ObjectionState.OPEN).order_by("created_at", "pk")
    if show == ObjectionFilter.HANDLED:
        objections = objections.exclude(state=ObjectionState.OPEN)
    return objections.order_by("-created_at", "-pk")


def publicity_entries_overdue(*, today=None):
    """Entries whose period has ended but that wait on an open objection (the periodic task
    confirms the others), the longest waiting first, with their count of open objections."""
    today = today or timezone.localdate()
    return (
        PublicityEntry.objects.filter(withdrawn_at__isnull=True, declaration__state=S.IN_PUBLICITY, ends_on__lt=today)
        .annotate(open_objection_count=Count("objections", filter=Q(objections__state=ObjectionState.OPEN)))
        .filter(open_objection_count__gt=0)
        .select_related("batch", "declaration__organisation")
        .order_by("ends_on", "pk")
    )


@dataclass(frozen=True)
class BatchResult:
    """What a closed batch confirmed, for the board: the public rows of the projects confirmed
    (classified ones are counted, never named)."""

    closed_at: datetime
    confirmed_count: int
    confirmed: list = field(default_factory=list)

    @property
    def numbers(self):
        return [row.number for row in self.confirmed]


def publicity_batch_results(*, batches):
    """The result of each closed batch of `batches`, by batch id (open ones have none). Two queries
    for any number of batches."""
    closed = {batch.pk: batch for batch in batches if batch.closed_at is not None}
    if not closed:
        return {}
    confirmed = list(DISBURSEMENT_STATES)
    counts = dict(
        PublicityEntry.objects.filter(batch__in=closed, withdrawn_at__isnull=True, declaration__state__in=confirmed)
        .values_list("batch_id")
        .annotate(n=Count("pk"))
        .values_list("batch_id", "n")
    )
    rows = PublishedEntry.objects.filter(
        batch__in=closed, until_version__isnull=True, entry__declaration__state__in=confirmed
    ).order_by("batch", "number", "pk")
    by_batch: dict[int, list[PublishedEntry]] = {}
    for row in rows:
        by_batch.setdefault(row.batch_id, []).append(row)
    return {
        pk: BatchResult(closed_at=batch.closed_at, confirmed_count=counts.get(pk, 0), confirmed=by_batch.get(pk, []))
        for pk, batch in closed.items()
    }


def publicity_batch_result(*, batch):
    """The result of one batch once closed (BatchResult), else None."""
    return publicity_batch_results(batches=[batch]).get(batch.pk)


def publicity_batch_list_for_staff():
    """Every batch with its counts of entries and open objections. One query."""
    return PublicityBatch.objects.select_related("call", "opened_by").annotate(
        entry_count=Count("entries", distinct=True),
        open_objection_count=Count(
            "entries__objections", filter=Q(entries__objections__state=ObjectionState.OPEN), distinct=True
        ),
    )


def publicity_batch_get_for_staff(*, pk, today=None):
    """One batch with all its entries (classified too) and their objections. Three queries."""
    batch = get_object_or_404(
        PublicityBatch.objects.select_related("call", "opened_by").prefetch_related(
            Prefetch(
                "entries",
                queryset=PublicityEntry.objects.select_related(
                    "declaration__organisation", "declaration__programme"
                ).prefetch_related(Prefetch("objections", queryset=Objection.objects.select_related("handled_by"))),
            )
        ),
        pk=pk,
    )
    return _set_phase(batch, today or timezone.localdate())


def publicity_window_if_opened_today(today=None):
    """The period a batch opened today would run for, as publicity_batch_open computes it. Raises
    CalendarNotCovered where it would reach a year whose working days are not entered."""
    return working_days_window(publicity_first_day(today or timezone.localdate()))


def call_list_with_approved_declarations():
    return Call.objects.filter(Exists(Declaration.objects.filter(call=OuterRef("pk"), state=S.APPROVED)))


def declaration_list_approved_for_call(*, call):
    return (
        Declaration.objects.filter(call=call, state=S.APPROVED)
        .select_related("organisation", "programme")
        .order_by("number", "pk")
    )


def publicity_entry_list_correctable(*, batch):
    """The entries of `batch` still on its list and in publicity: those a correction may change."""
    return (
        PublicityEntry.objects.filter(batch=batch, withdrawn_at__isnull=True, declaration__state=S.IN_PUBLICITY)
        .select_related("declaration")
        .order_by("declaration__number", "pk")
    )


def publicity_version_list_for_staff(*, batch):
    return batch.versions.select_related("published_by").order_by("-number")


def declaration_get_classifiable(*, pk):
    """A declaration staff may keep off the public list, with what the page shows, or 404."""
    return get_object_or_404(Declaration.objects.select_related("organisation", "programme", "call"), pk=pk)
