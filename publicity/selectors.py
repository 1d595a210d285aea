"""Reads for the publicity board and the staff console; every list is a fixed number of queries."""

import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.masking import mask_identifiers
from common.messages import bilingual
from common.sql import columns, fetch, fields_of, instance, like_contains, table
from declarations.enums import PUBLIC_LABELS
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Programme
from declarations.workflow import DISBURSEMENT_STATES
from publicity.calendar import PUBLICITY_WORKING_DAYS, publicity_first_day, working_days_window
from publicity.contacts import contact_normalised, receipt_normalised
from publicity.models import (
    BatchVersion,
    Objection,
    ObjectionState,
    PublicityBatch,
    PublicityEntry,
    PublishedEntry,
)

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


# --- The public board ----------------------------------------------------------------------------
#
# Public pages read the published rows (PublishedEntry), their batch, versions and programme, and of
# the entry and its declaration only what makes the public state: a classified project has no
# published row, so no public query can reach it. Every free text a person typed passes
# common.masking.mask_identifiers: a row's unit and title when its version is published
# (publicity.models.published_texts), a batch's title and a changelog before a page, export or feed
# shows them.

PAGE_SIZE = 50
WITHDRAWN = _("Withdrawn")


def public_state_label(state, withdrawn_at):
    """What the public reads of an entry's state: its declaration's public label while the entry is
    on the list, "Publicity ended" for every state after confirmation (support stopped or recovered
    later is not the publicity's outcome); "Withdrawn" once it left the list (an objection upheld, a
    withdrawal published), in every version that lists it."""
    if withdrawn_at is None and state in PUBLIC_LABELS:
        return PUBLIC_LABELS[state]
    if withdrawn_at is None and state in DISBURSEMENT_STATES:
        return PUBLIC_LABELS[S.CONFIRMED]
    return WITHDRAWN


# The public pages' reads are written in SQL (common.sql): building them with the ORM cost ten times
# what running them did, and a page of the board is three of them (bench/README.md).


def _rows_matching(alias, *, version=None, q="", programme=None):
    """The condition, SQL and parameters, on the published rows aliased `alias` of being in version
    `version` (None: the current one), of containing `q` in their unit, title or number
    (search_text is lower-cased: a plain LIKE, which a trigram index serves on PostgreSQL) and of
    being of `programme`, when given."""
    if version is None:
        conditions, params = [f"{alias}.until_version IS NULL"], []
    else:
        conditions = [f"{alias}.since_version <= %s", f"({alias}.until_version IS NULL OR {alias}.until_version >= %s)"]
        params = [version, version]
    if q:
        conditions.append(f"{alias}.search_text LIKE %s ESCAPE '\\'")
        params.append(like_contains(q.lower()))
    if programme is not None:
        conditions.append(f"{alias}.programme_id = %s")
        params.append(programme.pk)
    return " AND ".join(conditions), params


@cache
def _row_select():
    """The select of what a page shows of each row (PublicRow's arguments, in order): the published
    row (r) with its programme, and its entry's withdrawal and declaration's state; and the fields
    of those columns."""
    row = fields_of(PublishedEntry, "id", "batch", "entry", "number")
    programme = fields_of(Programme, "code", "title_en", "title_zh")
    shown = fields_of(PublishedEntry, "unit_name", "credit_code", "title", "amount", "starts_on", "ends_on")
    state, withdrawn_at = fields_of(Declaration, "state"), fields_of(PublicityEntry, "withdrawn_at")
    sql = (
        f"SELECT {columns('r', row)}, {columns('p', programme)}, {columns('r', shown)}, {columns('d', state)}, "  # nosec B608 # names from the models, values as parameters
        f"{columns('e', withdrawn_at)} FROM {table(PublishedEntry)} r "
        f"JOIN {table(Programme)} p ON p.id = r.programme_id JOIN {table(PublicityEntry)} e ON e.id = r.entry_id "
        f"JOIN {table(Declaration)} d ON d.id = e.declaration_id"
    )
    return sql, (*row, *programme, *shown, *state, *withdrawn_at)


class BoardBatch:
    """A batch as the board shows it: the columns _board_batches reads (BOARD_BATCH_FIELDS), and
    what the board adds (`matching`, then _summarise's phase and what is left). Plain attributes: the
    board reads every batch on it, and a model instance each cost more than the query. Its title is
    the one in `language`, the reader's, read once for all the batches; its working days come as
    the column's JSON text, read when a page shows them."""

    def __init__(
        self,
        pk,
        title_zh,
        title_en,
        starts_on,
        ends_on,
        counts_opening_day,
        version,
        row_count,
        working_days_json,
        closed_at,
        *,
        language,
    ):
        self.pk, self.starts_on, self.ends_on = pk, starts_on, ends_on
        self.title = bilingual(title_zh, title_en, language)
        self.counts_opening_day, self.version, self.row_count = counts_opening_day, version, row_count
        self.working_days_json, self.closed_at = working_days_json, closed_at
        self.matching: int = row_count

    @cached_property
    def working_days(self):
        return json.loads(self.working_days_json)

    @property
    def is_closed(self):
        return self.closed_at is not None


BOARD_BATCH_FIELDS = (
    "id",
    "title_zh",
    "title_en",
    "starts_on",
    "ends_on",
    "counts_opening_day",
    "version",
    "row_count",
    "working_days",
    "closed_at",
)


@cache
def _batch_select():
    """The columns of BOARD_BATCH_FIELDS in the batches aliased b, and the fields their values are
    converted by: the working days' none (their JSON text)."""
    fields = fields_of(PublicityBatch, *BOARD_BATCH_FIELDS)
    converted = tuple(None if field.name == "working_days" else field for field in fields)
    return columns("b", fields), converted


def _board_batches(*, q="", programme=None):
    """The batches on the board (those with a current row) as BoardBatch, each with `matching`, the
    number of its current rows that match the search and the programme: counted, when there is
    either, by one join of the matching rows, which PostgreSQL finds by the trigram index for a
    search, by the index of each batch's rows by programme for a programme; else the stored count
    answers."""
    select, fields = _batch_select()
    if q or programme is not None:
        condition, params = _rows_matching("r", q=q, programme=programme)
        sql = (
            f"SELECT {select}, COUNT(r.id) FROM {table(PublicityBatch)} b "  # nosec B608 # names from the models, values as parameters
            f"LEFT JOIN {table(PublishedEntry)} r ON r.batch_id = b.id AND {condition} "
            "WHERE b.row_count > 0 GROUP BY b.id"
        )
        rows = fetch(sql, params, (*fields, None))
    else:
        rows = fetch(f"SELECT {select} FROM {table(PublicityBatch)} b WHERE b.row_count > 0", [], fields)  # nosec B608 # names from the models, values as parameters
    batches = []
    counted, language = len(fields), get_language()
    for values in rows:
        batch = BoardBatch(*values[:counted], language=language)
        batch.matching = values[counted] if len(values) > counted else batch.row_count
        batches.append(batch)
    return batches


def _board_order(batch):
    """Current batches first, then the archive; the latest first in each."""
    return (batch.closed_at is not None, -batch.starts_on.toordinal(), -batch.pk)


def _summarise(batch, *, today, now):
    """The batch's phase and public title, the end of the period it opened with (entries added or
    raised later have their own) and, while it runs, what is left of it: from the working days it
    stored when its last version was published, which fixed its periods (no calendar is read)."""
    _set_phase(batch, today)
    batch.title = mask_identifiers(batch.title)
    days = batch.working_days
    # Its first day is a working day: the period it opened with ends on the 5th.
    opened_with = date.fromisoformat(days[PUBLICITY_WORKING_DAYS - 1]) if len(days) >= PUBLICITY_WORKING_DAYS else None
    batch.main_ends_on = opened_with or batch.ends_on
    batch.has_later_periods = batch.main_ends_on != batch.ends_on
    running = batch.phase == BatchPhase.RUNNING
    # ISO dates sort as the days do.
    batch.days_left = sum(day >= today.isoformat() for day in days) if running else None
    # The page is cached by the hour: "less than N hours" holds for the whole hour.
    batch.hours_left = 24 - timezone.localtime(now).hour if running and today == batch.ends_on else None
    return batch


class PublicRows:
    """The public rows of some batches, one batch after another, as Django's Paginator pages them.

    Its length is the sum of the batches' `matching` counts, read with the batches (no count query).
    A slice reads only its own rows, in one query: for each batch it touches, the ids of its part
    (the batch's rows in number order from an offset, which the index (until_version, batch, number)
    serves for the current version), then those rows with their programme and public state. So the
    last page costs what the first does, whatever the number of rows."""

    def __init__(self, batches, *, version=None, q="", programme=None, today):
        self.batches = [batch for batch in batches if batch.matching]
        self.version, self.q, self.programme, self.today = version, q, programme, today

    def count(self):
        return sum(batch.matching for batch in self.batches)

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("PublicRows is read by slices")
        start, stop = key.start or 0, self.count() if key.stop is None else key.stop
        parts: list[str] = []
        params: list = []
        offset = 0
        condition, condition_params = _rows_matching("s", version=self.version, q=self.q, programme=self.programme)
        for batch in self.batches:
            low, high = max(start - offset, 0), min(stop - offset, batch.matching)
            if low < high:
                # Wrapped in a query of its own: SQLite takes no LIMIT inside a UNION.
                parts.append(
                    f"SELECT id FROM (SELECT s.id FROM {table(PublishedEntry)} s WHERE s.batch_id = %s AND {condition} "  # nosec B608 # names from the models, values as parameters
                    f"ORDER BY s.number, s.id LIMIT %s OFFSET %s) part{len(parts)}"
                )
                params += [batch.pk, *condition_params, high - low, low]
            offset += batch.matching
        if not parts:
            return []
        select, fields = _row_select()
        rows = fetch(f"{select} WHERE r.id IN ({' UNION ALL '.join(parts)})", params, fields)
        return _public_rows(rows, self.batches, current=self.version is None, today=self.today)


def _public_rows(rows, batches, *, current, today):
    """`rows` (of `batches`, read by _row_select()) as PublicRow, in the batches' order, then by
    number: sorted here, not by the database, whose sort would join every row's batch for its order."""
    position = {batch.pk: n for n, batch in enumerate(batches)}
    english = not (get_language() or "").startswith("zh")
    labels: dict[tuple[str, bool], str] = {}
    shown = [
        PublicRow(
            *values, batch=batches[position[values[1]]], current=current, today=today, english=english, labels=labels
        )
        for values in rows
    ]
    shown.sort(key=lambda row: (position[row.batch_id], row.number, row.pk))
    return shown


class PublicRow:
    """What a public page shows of a published row: masked free text, the public state, whether it
    has a period of its own (an entry added or raised later starts later than its batch, see
    publicity_version_publish) and whether an objection may be raised now (current version only).
    Read as plain values (_row_select()'s columns): a page of model instances with their programmes
    cost more than its query."""

    __slots__ = (
        "accepts_objections",
        "amount",
        "batch",
        "batch_id",
        "credit_code",
        "ends_on",
        "entry_id",
        "has_own_period",
        "number",
        "pk",
        "programme_code",
        "programme_title",
        "starts_on",
        "state_label",
        "title",
        "unit_name",
    )

    def __init__(
        self,
        pk,
        batch_id,
        entry_id,
        number,
        code,
        title_en,
        title_zh,
        unit_name,
        credit_code,
        title,
        amount,
        starts_on,
        ends_on,
        state,
        withdrawn_at,
        *,
        batch,
        current,
        today,
        english,
        labels,
    ):
        self.pk, self.batch_id, self.entry_id, self.number, self.batch = pk, batch_id, entry_id, number, batch
        self.programme_code, self.programme_title = code, title_en if english else title_zh
        # Masked when the version was published (publicity.models.published_texts).
        self.unit_name, self.credit_code, self.title = unit_name, credit_code, title
        self.amount, self.starts_on, self.ends_on = amount, starts_on, ends_on
        # In the active language, translated once per state for all the rows read (`labels`).
        key = (state, withdrawn_at is None)
        if key not in labels:
            labels[key] = str(public_state_label(state, withdrawn_at))
        self.state_label = labels[key]
        self.has_own_period = starts_on != batch.starts_on
        self.accepts_objections = (
            current
            and batch.closed_at is None
            and withdrawn_at is None
            and state == S.IN_PUBLICITY
            and starts_on <= today <= ends_on
        )


class PublicPage(Page):
    """A page of public rows, and whether any row takes an objection now."""

    @cached_property
    def takes_objections(self):
        return any(row.accepts_objections for row in self.object_list)


class PublicPaginator(Paginator):
    def _get_page(self, *args, **kwargs):
        return PublicPage(*args, **kwargs)


def _page(rows, number):
    """The page `number`: anything, as Paginator.get_page reads a bad one as the first and one past
    the end as the last."""
    return PublicPaginator(rows, PAGE_SIZE).get_page(number)


# The closed batches the board shows (the latest); the archive's page has them all.
ARCHIVE_ON_BOARD = 5


@dataclass
class Board:
    current: list = field(default_factory=list)  # batches not closed, latest first
    archive: list = field(default_factory=list)  # the latest ARCHIVE_ON_BOARD closed batches
    archive_count: int = 0  # every closed batch on the board
    chosen: list = field(default_factory=list)  # the batch chosen in the menu, if on the board
    page: PublicPage | None = None
    batch_found: bool = True

    @property
    def archive_has_more(self):
        return self.archive_count > len(self.archive)

    @property
    def menu(self):
        """The batches of the board's menu: those shown on it, and one chosen from the archive's page."""
        shown = [*self.current, *self.archive]
        return shown + [batch for batch in self.chosen if batch not in shown]


def publicity_board_for_public(*, q="", programme=None, batch_id=None, page=1, today=None, now=None):
    """The board: current batches (running, upcoming, or ended and being finalised), then the archive
    of closed ones, with their summaries, and the page of their rows that match the search, the
    programme and the batch chosen, current batches' rows first. Two queries: the batches (with
    their stored counts and working days, and the counts of rows matching a search), the rows."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    # A batch whose every project is classified, or withdrawn, has no current row: not on the board.
    batches = sorted(_board_batches(q=q, programme=programme), key=_board_order)
    for batch in batches:
        _summarise(batch, today=today, now=now)
    # A batch not on the board is refused by the form; the list then shows every batch.
    chosen = [batch for batch in batches if batch.pk == batch_id]
    closed = [batch for batch in batches if batch.is_closed]
    return Board(
        current=[batch for batch in batches if not batch.is_closed],
        archive=closed[:ARCHIVE_ON_BOARD],
        archive_count=len(closed),
        chosen=chosen,
        page=_page(PublicRows(chosen or batches, q=q, programme=programme, today=today), page),
        batch_found=batch_id is None or bool(chosen),
    )


def publicity_archive_for_public(*, page=1, today=None, now=None):
    """The closed batches on the board, the latest first, as a Django Page of ARCHIVE_PAGE_SIZE
    BoardBatch (summarised). Two queries: their count, the page."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    paginator: Paginator = Paginator(ClosedBatches(), ARCHIVE_PAGE_SIZE)  # type: ignore[arg-type]  # a count and slices
    shown = paginator.get_page(page)
    for batch in shown.object_list:
        _summarise(batch, today=today, now=now)
    return shown


ARCHIVE_PAGE_SIZE = 50


class ClosedBatches:
    """The closed batches on the board in the board's order, as Paginator reads them: a count, and
    a slice read with LIMIT and OFFSET."""

    where = "WHERE b.row_count > 0 AND b.closed_at IS NOT NULL"

    def count(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table(PublicityBatch)} b {self.where}")  # nosec B608 # names from the models
            return cursor.fetchone()[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("ClosedBatches is read by slices")
        select, fields = _batch_select()
        rows = fetch(
            f"SELECT {select} FROM {table(PublicityBatch)} b {self.where} "  # nosec B608 # names from the models, values as parameters
            "ORDER BY b.starts_on DESC, b.id DESC LIMIT %s OFFSET %s",
            [key.stop - key.start, key.start],
            fields,
        )
        language = get_language()
        return [BoardBatch(*values, language=language) for values in rows]


@dataclass
class BatchPage:
    batch: PublicityBatch
    version: BatchVersion | None  # the version shown
    versions: list  # every version, latest first
    page: PublicPage

    @property
    def is_current(self):
        return self.version is not None and self.version.number == self.batch.version


def publicity_batch_for_public(*, pk, version=None, q="", page=1, today=None, now=None):
    """One batch in its current version (or in `version`), with its summary, every version and its
    changelog, and the page of rows matching the search; 404 for a batch with no published row or a
    version it does not have. Two queries: the versions with their stored counts and their batch
    (and, searching, the count of the rows that match, the same on each), the rows."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    versions = _versions_for_public(pk, version=version, q=q)
    # A batch opens with its version 1: none, no such batch; no row in any, nothing published.
    if not any(item.row_count for item in versions):
        raise Http404("No such list")
    batch = versions[0].batch
    if version is not None and not 1 <= version <= batch.version:
        raise Http404("No such version")
    shown = version or batch.version
    shown_version = next(item for item in versions if item.number == shown)
    batch.matching = shown_version.matching
    _summarise(batch, today=today, now=now)
    # The current version's rows are read by the current-rows index, whichever address asked.
    current = shown == batch.version
    rows = PublicRows([batch], version=None if current else shown, q=q, today=today)
    return BatchPage(batch=batch, version=shown_version, versions=versions, page=_page(rows, page))


def _versions_for_public(pk, *, version=None, q=""):
    """Every version of the batch `pk`, the latest first, with the batch and, as `matching`, the
    number of rows of `version` (None: the current one) that match the search `q`, the same on each:
    counted, when there is a search, from the batch's part of an index; else the stored counts
    answer. An id no batch could have reads nothing."""
    if not 0 < pk < 2**63:
        return []
    version_fields, batch_fields = fields_of(BatchVersion), fields_of(PublicityBatch)
    select, params = f"SELECT {columns('v', version_fields)}, {columns('b', batch_fields)}", []
    if q:
        condition, params = _rows_matching("r", version=version, q=q)
        select += f", (SELECT COUNT(*) FROM {table(PublishedEntry)} r WHERE r.batch_id = v.batch_id AND {condition})"  # nosec B608 # names from the models, values as parameters
    rows = fetch(
        f"{select} FROM {table(BatchVersion)} v JOIN {table(PublicityBatch)} b ON b.id = v.batch_id "
        "WHERE v.batch_id = %s ORDER BY v.number DESC",
        [*params, pk],
        (*version_fields, *batch_fields, *((None,) if q else ())),
    )
    if not rows:
        return []
    split = len(version_fields)
    batch = instance(PublicityBatch, batch_fields, rows[0][split : split + len(batch_fields)])
    versions = []
    for values in rows:
        item = instance(BatchVersion, version_fields, values[:split])
        item.batch = batch
        item.matching = values[-1] if q else item.row_count
        versions.append(_public_version(item))
    return versions


def publicity_version_get_for_public(*, batch, number):
    """One version of a batch with its changelog as the public reads it."""
    return _public_version(get_object_or_404(BatchVersion, batch=batch, number=number))


def _public_version(version):
    version.changelog = mask_identifiers(version.changelog)
    return version


def publicity_batch_get_for_public(*, pk, version=None):
    """A batch on the board that has `version` (None: any), or 404. One query."""
    batch = get_object_or_404(
        PublicityBatch.objects.filter(Exists(PublishedEntry.objects.filter(batch=OuterRef("pk")))), pk=pk
    )
    if version is not None and not 1 <= version <= batch.version:
        raise Http404("No such version")
    return batch


def publicity_batch_rows_for_public(*, pk, version=None):
    """A batch (404 as on its page) and every row of `version` (None: the current one) in number
    order, for the CSV and the notice. Two queries."""
    batch = publicity_batch_get_for_public(pk=pk, version=version)
    today = timezone.localdate()
    _summarise(batch, today=today, now=timezone.now())
    current = version in (None, batch.version)
    condition, params = _rows_matching("r", version=None if current else version)
    select, fields = _row_select()
    rows = fetch(f"{select} WHERE r.batch_id = %s AND {condition}", [batch.pk, *params], fields)
    return batch, _public_rows(rows, [batch], current=current, today=today)


def publicity_version_list_for_feed(*, limit=50):
    """The latest versions of the batches on the board, with their batch, for the Atom feed. One query."""
    versions = (
        BatchVersion.objects.filter(Exists(PublishedEntry.objects.filter(batch=OuterRef("batch"))))
        .select_related("batch")
        .order_by("-published_at", "-pk")[:limit]
    )
    for version in versions:
        version.batch.title = mask_identifiers(version.batch.title)
        _public_version(version)
    return versions


class BoardProgramme:
    """A programme as the board's menu and filter use it: its id, code and title in the language
    active when it was read."""

    __slots__ = ("code", "pk", "title")

    def __init__(self, pk, code, title):
        self.pk, self.code, self.title = pk, code, title


def programme_list_for_board():
    """The programmes in their order, as BoardProgramme. One query."""
    fields = fields_of(Programme, "id", "code", "title_zh" if (get_language() or "").startswith("zh") else "title_en")
    rows = fetch(f"SELECT {columns('p', fields)} FROM {table(Programme)} p ORDER BY p.position", [], fields)  # nosec B608 # names from the models, values as parameters
    return [BoardProgramme(*values) for values in rows]


def objection_counts(*, today=None):
    """For the staff's home: the open objections, and the entries whose publicity period has ended
    while an objection on them is still open (publicity_entries_overdue). Two queries."""
    return {
        "open": Objection.objects.filter(state=ObjectionState.OPEN).count(),
        "overdue": publicity_entries_overdue(today=today).count(),
    }
