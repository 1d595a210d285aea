"""Reads: what each kind of user may see, and the history the award caps count."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_administrator, is_applicant, is_commission_staff, is_finance_officer, is_reviewer
from common import sql
from common.money import MONEY, Fen
from declarations.awards import (
    AWARD_RULES,
    NO_HISTORY,
    PROGRAMMES_ACROSS_ORGANISATIONS,
    ZERO,
    Assessment,
    FactsInvalid,
    History,
    assess_raw,
    history_key,
)
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.evidence import EVIDENCE
from declarations.models import Attachment, Call, Commitment, Declaration, DeclarationEvent, Programme
from declarations.programmes import PROGRAMMES, Kind
from declarations.workflow import (
    AWARD_HISTORY_STATES,
    DECLARATION_PARTS,
    EDITABLE_STATES,
    OPEN_STATES,
    declaration_with_parts_query,
)


def declaration_list_for_applicant(user):
    """Every declaration of the user's organisation, shared by all its users."""
    if not user.organisation_id:
        return Declaration.objects.none()
    return Declaration.objects.filter(organisation_id=user.organisation_id).select_related("programme", "call")


DASHBOARD_PAGE_SIZE = 50


class DashboardDeclaration(NamedTuple):
    """A declaration as the dashboard shows it and reads it to say what to do next: its columns, its
    programme's and its call's close, read as values. A page of 50 read as model instances (each
    with its programme and call, and a dozen milestone moments converted) took about as long as the
    rest of the page's reads together."""

    pk: int
    title: str
    number: str
    state: str
    facts: dict
    created_at: object  # datetime
    updated_at: object  # datetime
    approved_amount: Decimal | None
    cancelled_amount: Decimal
    programme_code: str
    programme_title_zh: str
    programme_title_en: str
    call_closes_at: object  # datetime

    @property
    def programme_title(self):
        return Programme.title_in(self.programme_title_zh, self.programme_title_en)

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES


# The columns of a DashboardDeclaration, in its order, as values_list() names them.
DASHBOARD_COLUMNS = (
    "id",
    "title",
    "number",
    "state",
    "facts",
    "created_at",
    "updated_at",
    "approved_amount",
    "cancelled_amount",
    "programme__code",
    "programme__title_zh",
    "programme__title_en",
    "call__closes_at",
)


@dataclass(frozen=True)
class PaymentLine:
    paid_on: object  # date
    amount: Decimal


@dataclass(frozen=True)
class RecoveryLine:
    """A recovery case (Art. 21) as its applicant reads it: what is to be repaid, by when, and how
    much of it has been."""

    due_on: object  # date
    amount_due: Decimal
    repaid: Decimal
    state_label: str
    is_open: bool

    @property
    def outstanding(self):
        return self.amount_due - self.repaid if self.is_open else ZERO


@dataclass(frozen=True)
class DeclarationMoney:
    """What the applicant sees of the money of a declaration decided to be supported: the approved
    amount, each payment with its date, what remains to be paid, and the recoveries ordered."""

    approved: Decimal
    payments: tuple = ()  # PaymentLine
    recoveries: tuple = ()  # RecoveryLine
    cancelled: Decimal = ZERO

    @property
    def paid(self):
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def balance(self):
        """What is still to be paid: the approved amount less what will never be paid (support
        stopped or ended) and less what was paid."""
        return max(self.approved - self.cancelled - self.paid, ZERO)

    @property
    def to_repay(self):
        return sum((r.outstanding for r in self.recoveries), ZERO)

    @property
    def next_repayment(self):
        """The open recovery due first, or None."""
        return min((r for r in self.recoveries if r.is_open), key=lambda r: r.due_on, default=None)


# The payments and recovery cases of a declaration are disbursement's, a layer above this one. That
# app registers the function that reads them (register_money_reader, in its AppConfig.ready):
# `reader(declaration_ids)` -> {declaration id: (payments, recoveries)}, in a fixed number of
# queries whatever the number of ids. Until it does, nothing was paid or recovered.
_MONEY_READERS: list = []


def register_money_reader(reader):
    _MONEY_READERS[:] = [reader]


def declaration_money_many(declarations):
    """{declaration pk: DeclarationMoney} for the declarations with an approved amount."""
    approved = [d for d in declarations if d.approved_amount is not None]
    # Read for every declaration given, approved or not, so that a list's queries do not depend on
    # whether its page holds an approved one.
    read = _MONEY_READERS[0]({d.pk for d in declarations}) if _MONEY_READERS and declarations else {}
    money = {}
    for declaration in approved:
        payments, recoveries = read.get(declaration.pk, ((), ()))
        money[declaration.pk] = DeclarationMoney(
            approved=declaration.approved_amount,
            payments=tuple(payments),
            recoveries=tuple(recoveries),
            cancelled=declaration.cancelled_amount,
        )
    return money


def declaration_money(declaration):
    """The DeclarationMoney of one declaration, None before an amount is approved."""
    return declaration_money_many([declaration]).get(declaration.pk)


@dataclass(frozen=True)
class NextStep:
    """What the applicant has to do next on a declaration, if anything, and by when: `action` is
    the text, `due_at` a moment (the call's close) or `due_on` a day (a repayment's), `items` what
    is missing, `urgent` whether it waits on them."""

    action: str
    due_at: object = None
    due_on: object = None
    items: tuple = ()
    urgent: bool = False
    note: str = ""  # the commission's note when it returned the declaration
    amount: Decimal | None = None  # to repay


def declaration_next_step(declaration, *, events, evidence, money=None, moment=None):
    """What to do next on `declaration` (a DashboardDeclaration): complete and submit a draft before
    its call closes (with the facts and evidence still missing), answer a return for revision (with
    the commission's note), repay a recovery by its date; otherwise what the applicant is waiting
    for. `events` are its EventLine in order, `evidence` the codes of the evidence kinds it has files
    for, `money` its DeclarationMoney (None before an amount is approved); no query."""
    moment = moment or timezone.now()
    recovery = money.next_repayment if money else None
    if recovery is not None:
        return NextStep(
            _("Repay the funds ordered recovered"), due_on=recovery.due_on, urgent=True, amount=recovery.outstanding
        )
    if declaration.state in EDITABLE_STATES:
        return _editable_next_step(declaration, events, evidence, moment)
    if declaration.state in (S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED):
        return NextStep(_("Nothing to do: the commission is examining the declaration."))
    if declaration.state in (S.APPROVED, S.IN_PUBLICITY):
        return NextStep(_("Nothing to do: the list of projects to be supported is being publicised."))
    if declaration.state in (S.CONFIRMED, S.DISBURSING):
        return NextStep(_("Nothing to do: the support funds are being paid."))
    return NextStep(_("Nothing more to do."))


def _editable_next_step(declaration, events, evidence, moment):
    closes_at, code = declaration.call_closes_at, declaration.programme_code
    if moment >= closes_at:
        return NextStep(_("The call closed: this declaration can no longer be submitted."))
    missing = [
        str(fact.label)
        for fact in PROGRAMMES[code].facts
        if fact.required and fact.kind != Kind.BOOLEAN and (declaration.facts or {}).get(fact.name) in (None, "")
    ]
    missing += [str(e.label) for e in EVIDENCE[code] if e.required and e.code not in evidence]
    if declaration.state == S.RETURNED:
        returns = [e for e in events if e.action == A.RETURN]
        return NextStep(
            _("Make the corrections requested and submit again"),
            due_at=closes_at,
            items=tuple(missing),
            urgent=True,
            note=returns[-1].note if returns else "",
        )
    return NextStep(_("Complete and submit"), due_at=closes_at, items=tuple(missing), urgent=True)


class EventLine(NamedTuple):
    """An event of a declaration's timeline as the dashboard reads it: no model instance."""

    created_at: object  # datetime
    action: str
    to_state: str
    note: str


@dataclass(frozen=True)
class DashboardRow:
    declaration: DashboardDeclaration
    events: tuple  # EventLine, oldest first
    next_step: NextStep
    money: DeclarationMoney | None


# The declarations, events and evidence kinds of a page of the dashboard: built once
# (common.sql.Prepared), the page's ids as one parameter.
_PAGE_DECLARATIONS = sql.Prepared(
    lambda ids: Declaration.objects.filter(pk__any_of=ids).order_by().values_list(*DASHBOARD_COLUMNS),
    fields=sql.fields_of(Declaration, *DASHBOARD_COLUMNS),
    ids=sql.STAND_IN_IDS,
)
_PAGE_EVENTS = sql.prepared_by_ids(
    DeclarationEvent,
    "declaration",
    ("declaration", "created_at", "action", "to_state", "note"),
    order_by=("created_at", "pk"),
)
_PAGE_EVIDENCE = sql.prepared_by_ids(Attachment, "declaration", ("declaration", "evidence"))


def dashboard_page(user, number):
    """Page `number` of the applicant's dashboard (DASHBOARD_PAGE_SIZE declarations, newest first):
    each declaration (a DashboardDeclaration) with its timeline, what to do next and its money. The
    same queries whatever the number of declarations: the count, the page's ids, then for those
    alone their columns, events, the evidence kinds they have files for, their payments and their
    recoveries: 7 for any page that is not empty. Nothing is read as a model instance."""
    ordered = declaration_list_for_applicant(user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    page = Paginator(ordered, DASHBOARD_PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    events: dict[int, list[EventLine]] = {pk: [] for pk in ids}
    # The evidence of every declaration of the page, not only of its drafts: one query whatever the
    # page holds, so that the count stays the same from page to page.
    evidence: dict[int, set[str]] = {pk: set() for pk in ids}
    shown = []
    if ids:
        read = {row[0]: DashboardDeclaration(*row) for row in _PAGE_DECLARATIONS.rows(ids=ids)}
        # A declaration deleted between the two reads (a draft) is left out of the page.
        shown = [read[pk] for pk in ids if pk in read]
        for pk, created_at, action, to_state, note in _PAGE_EVENTS.rows(ids=ids):
            events[pk].append(EventLine(created_at, action, to_state, note))
        for pk, code in _PAGE_EVIDENCE.rows(ids=ids):
            evidence[pk].add(code)
    money = declaration_money_many(shown)
    moment = timezone.now()
    page.object_list = [
        DashboardRow(
            d,
            tuple(events[d.pk]),
            declaration_next_step(
                d, events=events[d.pk], evidence=evidence[d.pk], money=money.get(d.pk), moment=moment
            ),
            money.get(d.pk),
        )
        for d in shown
    ]
    return page


# The largest id a declaration can have (a bigint): a larger one in an address is no declaration,
# and PostgreSQL would refuse it as a parameter.
LARGEST_ID = 2**63 - 1

# One declaration with its organisation, programme and call, as each page of a declaration reads it
# first (the applicant's steps and submission, the console's page and its forms): built once
# (common.sql.Prepared), since building it took the ORM ten times what PostgreSQL takes to answer.
_DECLARATION_WITH_PARTS = sql.Prepared(declaration_with_parts_query, related=DECLARATION_PARTS, pk=sql.STAND_IN_ID)


def declaration_with_parts(pk):
    """The declaration `pk` with its organisation, programme and call, or None. Whether the user may
    see it is the caller's to ask (its rule); when they may not, the caller's visibility queryset
    gives the 404 (accounts.security.visible_or_404, which records a denial)."""
    if not 0 < pk <= LARGEST_ID:
        return None
    found = _DECLARATION_WITH_PARTS.rows(pk=pk)
    return found[0] if found else None


# A declaration's evidence files and its latest commitment, read on each of its pages and at its
# submission: built once (common.sql.Prepared).
_ATTACHMENTS_OF = sql.Prepared(
    lambda declaration: Attachment.objects.filter(declaration_id=declaration).order_by("uploaded_at", "pk"),
    declaration=sql.STAND_IN_ID,
)
_LATEST_COMMITMENT_OF = sql.Prepared(
    # The standing one first, then the last signed.
    lambda declaration: Commitment.objects.filter(declaration_id=declaration).order_by(
        Case(When(voided_at__isnull=True, then=Value(0)), default=Value(1)), "-accepted_at", "-pk"
    )[:1],
    declaration=sql.STAND_IN_ID,
)


def declaration_attachments(declaration):
    """The declaration's evidence files, the first uploaded first."""
    return _ATTACHMENTS_OF.rows(declaration=declaration.pk)


def declaration_evidence(declaration):
    """Each evidence kind of the declaration's programme with the files attached for it."""
    files = declaration_attachments(declaration)
    return [(e, [f for f in files if f.evidence == e.code]) for e in EVIDENCE[declaration.programme.code]]


def declaration_standing_commitment(declaration):
    """The commitment signed for the declaration and not voided since, or None."""
    return declaration_latest_commitment(declaration)[0]


def declaration_latest_commitment(declaration):
    """(standing, voided) in one query: the commitment standing (as declaration_standing_commitment),
    or, when none stands, the last one signed, which was voided since; None for what there is not."""
    found = _LATEST_COMMITMENT_OF.rows(declaration=declaration.pk)
    if not found:
        return None, None
    latest = found[0]
    return (latest, None) if latest.voided_at is None else (None, latest)


# Who sees every declaration past its draft (declarations_visible_to).
sees_every_declaration_past_draft = is_commission_staff | is_finance_officer | is_administrator


def declarations_visible_to(user):
    """The declarations whose pages, evidence files and PDF `user` may open; everything else is 404.

    The `declarations.view_declaration` rule as a queryset (tests/test_visibility.py proves they agree):
    a draft is its applicant's alone."""
    if is_applicant(user):
        return declaration_list_for_applicant(user)
    past_draft = Declaration.objects.exclude(state=S.DRAFT).select_related("programme", "call")
    if sees_every_declaration_past_draft(user):
        return past_draft
    if is_reviewer(user):
        # An Exists, not a join: the join made every count and page of the queue read the reviewer's
        # assignments beside each declaration (review's model, read through the relation: the app
        # lies above this one).
        assignments = apps.get_model("review", "ReviewAssignment")._default_manager
        return past_draft.filter(
            Exists(assignments.filter(declaration=OuterRef("pk"), reviewer=user, released_at__isnull=True))
        )
    return Declaration.objects.none()


@dataclass(frozen=True)
class Round:
    """One round of a declaration: its submission, and the return for revision that ended it."""

    number: int
    submitted: object  # DeclarationEvent
    returned: object = None  # DeclarationEvent or None
    changes: tuple = ()  # labels of what changed since the round before


def declaration_rounds(declaration):
    """Each submission of the declaration with the return that followed it and what the applicant
    changed before submitting again, from the saved versions (django-simple-history)."""
    events = [e for e in declaration_events(declaration) if e.action in (A.SUBMIT, A.RETURN)]
    submissions = [e for e in events if e.action == A.SUBMIT]
    if len(submissions) < 2 and not any(e.action == A.RETURN for e in events):
        return []
    versions = list(declaration.history.order_by("history_date", "history_id"))
    rounds, previous = [], None
    for number, submitted in enumerate(submissions, start=1):
        returned = next((e for e in events if e.action == A.RETURN and e.created_at >= submitted.created_at), None)
        as_submitted = _version_at(versions, submitted.created_at)
        changes = _changes(previous, as_submitted, declaration.programme.code) if previous else ()
        rounds.append(Round(number, submitted, returned, changes))
        previous = as_submitted
    return rounds


def _version_at(versions, moment):
    before = [v for v in versions if v.history_date <= moment]
    return before[-1] if before else None


def _changes(before, after, programme_code):
    if before is None or after is None:
        return ()
    labels = []
    for name in ("title", "summary"):
        if getattr(before, name) != getattr(after, name):
            labels.append(str(Declaration._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    for fact in PROGRAMMES[programme_code].facts:
        if (before.facts or {}).get(fact.name) != (after.facts or {}).get(fact.name):
            labels.append(str(fact.label))
    return tuple(labels)


def calls_open_now():
    """The calls open for declarations now, the first to close first (their titles and dates: no page
    lists their programmes)."""
    return Call.objects.open_at(timezone.now()).order_by("closes_at")


# A declaration's history, shown on each of its pages: built once (common.sql.Prepared).
_EVENTS_OF = sql.Prepared(
    lambda declaration: (
        DeclarationEvent.objects.filter(declaration_id=declaration).select_related("actor").order_by("created_at", "pk")
    ),
    related=("actor",),
    declaration=sql.STAND_IN_ID,
)


def declaration_events(declaration):
    """The declaration's events, the first first, each with its actor (None for the system's)."""
    return _EVENTS_OF.rows(declaration=declaration.pk)


# Above this many organisations, history is read for the programmes alone: an IN list that long
# costs more than the decided rows of other organisations.
_ORGANISATION_FILTER_LIMIT = 1000


class AwardRow(NamedTuple):
    pk: int
    programme: str
    year: int
    organisation_id: int
    facts: dict


AWARD_ROW_FIELDS = ("pk", "programme__code", "call__year", "organisation_id", "facts")


def award_rows(declarations):
    """The columns the award engine reads, without building model instances."""
    return [AwardRow(*values) for values in declarations.values_list(*AWARD_ROW_FIELDS)]


def kept_amount_expression():
    """What a declaration keeps of its award, as a database expression (docs/awards.md, "History"):
    for one decided to support and not revoked by an objection (AWARD_HISTORY_STATES), the approved
    amount less the part that will never be paid once support ended (stopped, terminated,
    recovered: what was not paid by then) and less what was ordered recovered (Art. 21); 0 for any
    other. Plain columns of the declaration, no join: usable in filter(), annotate() and Sum()."""
    kept = Coalesce(F("approved_amount"), Value(ZERO)) - F("cancelled_amount") - F("recovered_amount")
    return Fen(
        Case(
            When(state__in=AWARD_HISTORY_STATES, then=kept),
            default=Value(ZERO),
            output_field=DecimalField(**MONEY),
        )
    )


def _decided(codes, organisations):
    """(AWARD_ROW_FIELDS, kept) of the declarations decided to support in the programmes `codes`,
    of `organisations` (every organisation's when None)."""
    decided = (
        Declaration.objects.filter(state__in=AWARD_HISTORY_STATES, programme__code__in=codes)
        .annotate(kept=kept_amount_expression())
        .filter(kept__gt=0)
        .order_by()
    )
    if organisations is not None:
        # A programme counted across organisations (awards.PROGRAMMES_ACROSS_ORGANISATIONS) is read
        # whole; the others, for the organisations only, through the organisation's index: with such
        # a programme in the same condition, PostgreSQL read every decided declaration of them.
        mine = Q(organisation_id__in=organisations)
        across = sorted(PROGRAMMES_ACROSS_ORGANISATIONS.intersection(codes))
        decided = decided.filter(mine | Q(programme__code__in=across) if across else mine)
    return decided.values_list(*AWARD_ROW_FIELDS, "kept")


# One declaration's history, asked by its pages and its submission: built once (common.sql.Prepared).
_DECIDED_FOR_ONE = sql.Prepared(
    lambda code, organisation: _decided([code], [organisation]),
    # AWARD_ROW_FIELDS and the amount kept, a decimal of the money fields' size.
    fields=(
        *sql.fields_of(Declaration, "id"),
        *sql.fields_of(Programme, "code"),
        *sql.fields_of(Call, "year"),
        *sql.fields_of(Declaration, "organisation", "facts", "approved_amount"),
    ),
    code=sql.STAND_IN_TEXT,
    organisation=sql.STAND_IN_ID,
)


def award_histories(rows):
    """The History of every row, from what was decided for its keys: one query for the whole batch.

    Each declaration decided to support counts with what it keeps (kept_amount_expression); one
    that keeps nothing (terminated before any payment, recovered in full) counts for nothing, not
    even a year supported. Amounts decided for the row itself are not counted against it."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        for _field, kind in AWARD_RULES[row.programme].history_keys:
            wanted.setdefault(row.programme, set()).add(kind)
    if not wanted:
        return {row.pk: NO_HISTORY for row in rows}

    codes, organisations = sorted(wanted), sorted({row.organisation_id for row in rows})
    if len(codes) == 1 and len(organisations) == 1 and codes[0] not in PROGRAMMES_ACROSS_ORGANISATIONS:
        # One declaration's pages and its submission.
        decided = _DECIDED_FOR_ONE.rows(code=codes[0], organisation=organisations[0])
    else:
        decided = _decided(codes, organisations if len(organisations) <= _ORGANISATION_FILTER_LIMIT else None)
    # key -> support year -> {declaration pk: amount decided}
    totals: defaultdict[tuple, defaultdict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for pk, code, year, organisation_id, facts, amount in decided:
        for kind in wanted.get(code, ()):
            key = history_key(kind, organisation_id, facts)
            if key is not None:
                totals[(code, kind, key)][year][pk] = amount

    histories = {}
    for row in rows:
        values: dict[str, int | Decimal] = {}
        for field, kind in AWARD_RULES[row.programme].history_keys:
            key = history_key(kind, row.organisation_id, row.facts)
            by_year: dict[int, dict[int, Decimal]] = (
                totals.get((row.programme, kind, key), {}) if key is not None else {}
            )
            if field == "years_supported":
                values[field] = sum(
                    1 for year, amounts in by_year.items() if year != row.year and set(amounts) - {row.pk}
                )
            elif field == "awarded_cumulative":
                values[field] = sum(
                    (amount for amounts in by_year.values() for pk, amount in amounts.items() if pk != row.pk), ZERO
                )
            else:
                amounts = by_year.get(row.year, {})
                values[field] = sum((amount for pk, amount in amounts.items() if pk != row.pk), ZERO)
        histories[row.pk] = History(**values)  # type: ignore[arg-type]
    return histories


def declaration_award_assessment(declaration, facts=None):
    """The award engine's result for one declaration with the history decided so far, for its
    saved facts or for `facts` typed but not saved yet (the pre-check while filling in).

    Raises FactsInvalid while facts the award needs are missing."""
    row = AwardRow(
        declaration.pk,
        declaration.programme.code,
        declaration.call.year,
        declaration.organisation_id,
        declaration.facts if facts is None else facts,
    )
    return assess_raw(row.programme, row.facts, award_histories([row])[row.pk])


@dataclass(frozen=True)
class AwardSummary:
    """What a page shows of an assessment, in the active language; `missing` lists the labels of
    facts the award needs that are missing or invalid, when it cannot be computed yet."""

    eligible: bool = False
    award: Decimal | None = None
    reasons: tuple = ()  # (text, the fact or history field it concerns)
    steps: tuple = ()
    missing: tuple = ()


def award_summary_incomplete(programme, invalid):
    """The summary of a declaration whose award cannot be computed yet: the facts it still needs."""
    spec = PROGRAMMES[programme]
    return AwardSummary(missing=tuple(str(fact.label) for fact in spec.facts if fact.name in invalid.errors))


def award_summary(assessment):
    return AwardSummary(
        eligible=assessment.eligible,
        award=assessment.award,
        # A reason about the years supported names no fact: its code is the history field's name.
        reasons=tuple((reason.text(assessment.programme), reason.fact or reason.code) for reason in assessment.reasons),
        steps=tuple((step.text(assessment.programme), step.amount) for step in assessment.breakdown),
    )


def declaration_award_summary(declaration, facts=None):
    """The award cap of a declaration as a page shows it: computed now for an open declaration
    (from `facts` when given), as it stood at the decision for a decided one."""
    if facts is None and declaration.state not in OPEN_STATES and declaration.award_assessment.get("breakdown"):
        return award_summary(Assessment.from_record(declaration.award_assessment))
    try:
        return award_summary(declaration_award_assessment(declaration, facts))
    except FactsInvalid as invalid:
        return award_summary_incomplete(declaration.programme.code, invalid)


def declaration_counts_by_state():
    """How many declarations are in each state past the draft, for the staff's home: (state, count)
    in the order of a declaration's life, states without one left out. One query."""
    counts = dict(
        Declaration.objects.exclude(state=S.DRAFT)
        .order_by()
        .values_list("state")
        .annotate(count=Count("pk"))
        .values_list("state", "count")
    )
    return [(S(state), counts[state]) for state in S if counts.get(state)]


def call_next_deadline(now=None):
    """The open call that closes soonest (or the next to open, when none is open), or None. One query."""
    now = now or timezone.now()
    return Call.objects.filter(closes_at__gt=now).order_by("closes_at", "pk").first()
