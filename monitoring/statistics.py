"""The staff's statistics (issue 16, item 3; Art. 3 and 15-18): for one support year, and one call
of it or all, per programme: how many declarations came in and how far they went, the amounts
requested, approved, paid and recovered, the budget used, and how long the review took.

Every figure is an aggregate computed by the database: `statistics_for` runs the same number of
queries (STATISTICS_QUERIES) whether the year has ten declarations or ten thousand
(tests/monitoring/test_statistics.py counts them at two sizes; bench/statistics.py times them).

The medians of the review's timeliness are SQL too: PostgreSQL's `percentile_cont(0.5)`, and on
SQLite an aggregate function of the same meaning registered on the connection (`Median`).
"""

import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from common.money import ZERO
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Programme
from declarations.workflow import AWARD_HISTORY_STATES, DECISION_ACTIONS
from disbursement.models import Payment, Repayment
from review.budgets import committed_amounts
from review.models import Budget

# The queries of statistics_for, whatever the amount of data (the tests hold it to this).
STATISTICS_QUERIES = 11


# --- SQL building blocks -------------------------------------------------------------------------


class _SqliteMedian:
    """The median of the non-null values of a group, for SQLite (which has no percentile function):
    the same as PostgreSQL's percentile_cont(0.5), the mean of the two middle values of an even count."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return pystats.median(self.values) if self.values else None


SQLITE_MEDIAN = "zgc_median"


class Median(Aggregate):
    """The median of an expression over a group: percentile_cont(0.5) on PostgreSQL; on SQLite the
    aggregate SQLITE_MEDIAN, registered on the connection when a query uses it."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
        return super().as_sql(
            compiler, connection, function=SQLITE_MEDIAN, template="%(function)s(%(expressions)s)", **extra_context
        )


class DaysBetween(Func):
    """The days (with their fraction) from the first timestamp to the second."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        start, end = self.get_source_expressions()
        sql_start, params_start = compiler.compile(start)
        sql_end, params_end = compiler.compile(end)
        return f"(EXTRACT(EPOCH FROM ({sql_end} - {sql_start})) / 86400.0)", (*params_end, *params_start)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, end = self.get_source_expressions()
        sql_start, params_start = compiler.compile(start)
        sql_end, params_end = compiler.compile(end)
        return f"(julianday({sql_end}) - julianday({sql_start}))", (*params_end, *params_start)


def _first_event(*actions):
    """The time of the declaration's first event of `actions` (a correlated subquery)."""
    return Subquery(
        DeclarationEvent.objects.filter(declaration=OuterRef("pk"), action__in=actions)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def _money_sum(expression, **kwargs):
    return Coalesce(Sum(expression, **kwargs), ZERO, output_field=Declaration._meta.get_field("award_cap"))


# --- what the page shows -------------------------------------------------------------------------

# The stages of the funnel: declarations that reached each, by the first event of its action.
FUNNEL = (
    (A.SUBMIT, _("Received")),
    (A.ACCEPT, _("Accepted")),
    (A.COMPLETE_REVIEW, _("Evaluated")),
    (A.APPROVE, _("Approved")),
    (A.CONFIRM, _("Confirmed after publicity")),
    (A.START_DISBURSEMENT, _("Paid in part or in full")),
    (A.COMPLETE_PAYMENT, _("Paid in full")),
)
# The outcomes counted per programme, by the declaration's state now.
NOT_SUPPORTED_STATES = (S.NOT_SUPPORTED, S.OBJECTION_UPHELD)
DISQUALIFIED_STATES = (S.DISQUALIFIED,)
NOT_ACCEPTED_STATES = (S.NOT_ACCEPTED,)


@dataclass
class Timeliness:
    """Median days from the first submission to acceptance, to the first decision (support or not)
    and to the first payment; None where no declaration got there."""

    to_acceptance: float | None = None
    to_decision: float | None = None
    to_payment: float | None = None


@dataclass
class ProgrammeStatistics:
    programme: Programme | None  # None for the totals
    received: int = 0
    accepted: int = 0
    supported: int = 0
    not_supported: int = 0
    disqualified: int = 0
    not_accepted: int = 0
    requested: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    recovery_ordered: Decimal = ZERO
    repaid: Decimal = ZERO
    budget: Decimal | None = None
    committed: Decimal | None = None
    timeliness: Timeliness = field(default_factory=Timeliness)

    @property
    def budget_used_percent(self):
        if not self.budget:
            return None
        return (self.committed or ZERO) * 100 / self.budget

    @property
    def code(self):
        return self.programme.code if self.programme else ""


@dataclass
class Month:
    month: date
    received: int = 0
    paid: Decimal = ZERO


@dataclass
class Statistics:
    year: int | None
    call: Call | None
    programmes: list[ProgrammeStatistics]
    totals: ProgrammeStatistics
    funnel: list[tuple[str, int]]
    months: list[Month]
    # The performance grades (Art. 18) per programme go here once the performance evaluation of
    # the monitoring app exists: GRADES_PENDING until then, never made up.
    grades: object = None

    @property
    def is_empty(self):
        return not self.totals.received


def statistics_years():
    """The calls, newest first, and their support years: what the filters offer. One query."""
    calls = list(Call.objects.order_by("-year", "-opens_at", "-pk"))
    years = sorted({call.year for call in calls}, reverse=True)
    return calls, years


def _declarations(year, call):
    queryset = Declaration.objects.filter(call__year=year)
    if call is not None:
        queryset = queryset.filter(call=call)
    return queryset.order_by()


def statistics_for(year, call=None):
    """The Statistics of support year `year`, of its call `call` or of all its calls.
    STATISTICS_QUERIES queries, however many declarations there are."""
    declarations = _declarations(year, call)
    calls = [call] if call is not None else Call.objects.filter(year=year)

    # 1. Counts by the state now, and the amounts the declarations carry.
    counted = {
        row.pop("programme_id"): row
        for row in declarations.values("programme_id").annotate(
            received=Count("pk", filter=~Q(state=S.DRAFT)),
            supported=Count("pk", filter=Q(state__in=AWARD_HISTORY_STATES)),
            not_supported=Count("pk", filter=Q(state__in=NOT_SUPPORTED_STATES)),
            disqualified=Count("pk", filter=Q(state__in=DISQUALIFIED_STATES)),
            not_accepted=Count("pk", filter=Q(state__in=NOT_ACCEPTED_STATES)),
            requested=_money_sum("award_cap", filter=~Q(state=S.DRAFT)),
            approved=_money_sum("approved_amount", filter=Q(state__in=AWARD_HISTORY_STATES)),
            recovery_ordered=_money_sum("recovered_amount"),
        )
    }
    # The programmes the calls offer, and any other a declaration of them is under.
    programmes = list(Programme.objects.filter(Q(calls__in=calls) | Q(pk__in=counted)).distinct().order_by("position"))
    rows = {programme.pk: ProgrammeStatistics(programme, **counted.get(programme.pk, {})) for programme in programmes}
    totals = ProgrammeStatistics(None)

    # 2. How far they went: the declarations that reached each stage of the funnel, per programme.
    reached = defaultdict(int)
    for row in (
        DeclarationEvent.objects.filter(declaration__in=declarations, action__in=[action for action, _label in FUNNEL])
        .order_by()
        .values("declaration__programme_id", "action")
        .annotate(declarations=Count("declaration_id", distinct=True))
    ):
        reached[row["action"]] += row["declarations"]
        if row["action"] == A.ACCEPT:
            rows[row["declaration__programme_id"]].accepted = row["declarations"]

    # 3. Money paid and repaid.
    for row in (
        Payment.objects.filter(declaration__in=declarations)
        .order_by()
        .values("declaration__programme_id")
        .annotate(total=Sum("amount"))
    ):
        rows[row["declaration__programme_id"]].paid = row["total"]
    for row in (
        Repayment.objects.filter(case__declaration__in=declarations)
        .order_by()
        .values("case__declaration__programme_id")
        .annotate(total=Sum("amount"))
    ):
        rows[row["case__declaration__programme_id"]].repaid = row["total"]

    # 4. The budgets of the year (a budget is per programme and year, whichever call).
    budgets = dict(Budget.objects.filter(year=year).values_list("programme_id", "amount"))
    committed = committed_amounts([(programme_id, year) for programme_id in budgets])
    for programme_id, amount in budgets.items():
        if programme_id in rows:
            rows[programme_id].budget = amount
            rows[programme_id].committed = committed[(programme_id, year)]

    # 5. Timeliness: medians per programme and over all.
    timed = declarations.annotate(
        first_submitted=_first_event(A.SUBMIT),
        first_accepted=_first_event(A.ACCEPT),
        first_decided=_first_event(*DECISION_ACTIONS),
        first_paid=_first_event(A.START_DISBURSEMENT),
    )
    medians = {
        "to_acceptance": Median(DaysBetween(F("first_submitted"), F("first_accepted"))),
        "to_decision": Median(DaysBetween(F("first_submitted"), F("first_decided"))),
        "to_payment": Median(DaysBetween(F("first_submitted"), F("first_paid"))),
    }
    for row in timed.values("programme_id").annotate(**medians):
        programme_id = row.pop("programme_id")
        rows[programme_id].timeliness = Timeliness(**row)
    totals.timeliness = Timeliness(**timed.aggregate(**medians))

    # 6. The months: declarations received by the month of their first submission, money paid by
    # the month it was paid.
    months = defaultdict(lambda: Month(month=date.min))
    for row in (
        timed.filter(first_submitted__isnull=False)
        .annotate(month=TruncMonth("first_submitted"))
        .values("month")
        .annotate(received=Count("pk"))
    ):
        months[_month(row["month"])].received = row["received"]
    for row in (
        Payment.objects.filter(declaration__in=declarations)
        .order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    ):
        months[_month(row["month"])].paid = row["total"]
    for month, value in months.items():
        value.month = month

    ordered = [rows[programme.pk] for programme in programmes]
    for name in ("received", "accepted", "supported", "not_supported", "disqualified", "not_accepted"):
        setattr(totals, name, sum(getattr(row, name) for row in ordered))
    for name in ("requested", "approved", "paid", "recovery_ordered", "repaid"):
        setattr(totals, name, sum((getattr(row, name) for row in ordered), ZERO))
    with_budget = [row for row in ordered if row.budget is not None]
    if with_budget:
        totals.budget = sum((row.budget for row in with_budget), ZERO)
        totals.committed = sum((row.committed for row in with_budget), ZERO)
    return Statistics(
        year=year,
        call=call,
        programmes=ordered,
        totals=totals,
        funnel=[(label, reached[action]) for action, label in FUNNEL],
        months=[months[month] for month in sorted(months)],
    )


def _month(value):
    """The first day of a month that TruncMonth gave (a date, or a datetime for a timestamp)."""
    return date(value.year, value.month, 1)
