"""The staff's statistics (issue 16, item 3; Art. 3 and 15-18): for one support year, and one call
of it or all, per programme: how many declarations came in and how far they went, the amounts
requested, approved, paid and recovered, the budget used, and how long the review took.

Every figure is an aggregate computed by the database: `statistics_for` runs the same number of
queries (STATISTICS_QUERIES) whether the year has ten declarations or ten thousand
(tests/monitoring/test_statistics.py counts them at two sizes; bench/statistics_page.py times them).
How far each declaration went and when is read from its milestone columns (the first submission,
acceptance, decision, payment...), which declarations.workflow writes with the events, not from the
events themselves: one row per declaration instead of five or more.

The medians of the review's timeliness are SQL too: PostgreSQL's `percentile_cont(0.5)`, and on
SQLite an aggregate function of the same meaning registered on the connection (`Median`).
"""

import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import ZERO
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Programme
from declarations.workflow import AWARD_HISTORY_STATES, MILESTONES
from disbursement.models import Payment, Repayment
from monitoring.enums import PerformanceGrade, ReportState
from monitoring.models import PerformanceReport, PerformanceReportEvent
from review.budgets import committed_amounts
from review.models import Budget

# The queries of statistics_for, whatever the amount of data (the tests hold it to this).
STATISTICS_QUERIES = 8


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

# The stages of the funnel, in order: the actions whose first event marks each, and the declaration's
# column that holds that first event's time (declarations.workflow.MILESTONES).
FUNNEL_ACTIONS = (A.SUBMIT, A.ACCEPT, A.COMPLETE_REVIEW, A.APPROVE, A.CONFIRM, A.START_DISBURSEMENT, A.COMPLETE_PAYMENT)
FUNNEL_FIELDS = tuple(
    next(name for name, actions in MILESTONES.items() if actions == (action,)) for action in FUNNEL_ACTIONS
)
# The medians of the review's timeliness: days from the first submission to each of these.
TIMELINESS_FIELDS = ("first_accepted_at", "first_decided_at", "first_paid_at")

# One reading of the declarations chosen (a year, and a call of it or not) that were ever submitted,
# by their milestone columns (the declaration_call_submitted index): per programme and over all, how
# many reached each stage of the funnel and the median days from the first submission to the first
# acceptance, decision and payment; and per month (Beijing time) the declarations first submitted.
# The vendor's pieces: {median} of an expression, {days} from one timestamp to another, {month} of a
# timestamp.
_MILESTONES_SUMMARY = """
WITH firsts AS MATERIALIZED (
    SELECT d.{programme_id} AS programme_id, {month_of_submission} AS month, {columns}
    FROM {declarations} d
    WHERE d.{call_id} IN (SELECT c.{pk} FROM {calls} c WHERE c.{year} = %s AND (%s IS NULL OR c.{pk} = %s))
      AND d.{first_submitted} IS NOT NULL
)
SELECT 'programme', programme_id, NULL, {figures} FROM firsts GROUP BY programme_id
UNION ALL
SELECT 'all', NULL, NULL, {figures} FROM firsts
UNION ALL
SELECT 'month', NULL, month, {month_figures} FROM firsts GROUP BY month
"""


def _vendor_pieces():
    """The SQL that differs between PostgreSQL and SQLite: {median}, {days}, {month}, and the
    parameters {month} takes."""
    zone = timezone.get_current_timezone()
    if connection.vendor == "postgresql":
        return (
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY {0})",
            "(EXTRACT(EPOCH FROM ({1} - {0})) / 86400.0)",
            "to_char({0} AT TIME ZONE %s, 'YYYY-MM')",
            [str(zone)],
        )
    # SQLite keeps UTC text; Beijing has kept one offset from UTC, without summer time, since 1991.
    connection.ensure_connection()
    connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
    offset = int(timezone.now().astimezone(zone).utcoffset().total_seconds() // 60)
    return (
        SQLITE_MEDIAN + "({0})",
        "(julianday({1}) - julianday({0}))",
        "strftime('%%Y-%%m', {0}, %s)",
        [f"{offset:+d} minutes"],
    )


def _milestones_summary(year, call):
    """The rows of _MILESTONES_SUMMARY: (kind, programme id, month 'YYYY-MM', the count of each
    stage of FUNNEL_FIELDS, the three median days of TIMELINESS_FIELDS). One query."""
    median, days, month, month_params = _vendor_pieces()
    quote = connection.ops.quote_name
    declaration = Declaration._meta

    def column(name):
        return "d." + quote(declaration.get_field(name).column)

    # Each row's stages reached (1 or NULL) and days to each of TIMELINESS_FIELDS, worked out once.
    columns = ", ".join(
        [
            *(
                f"CASE WHEN {column(name)} IS NOT NULL THEN 1 END AS reached_{index}"
                for index, name in enumerate(FUNNEL_FIELDS)
            ),
            *(
                f"{days.format(column('first_submitted_at'), column(name))} AS days_{index}"
                for index, name in enumerate(TIMELINESS_FIELDS)
            ),
        ]
    )
    figures = ", ".join(
        [
            *(f"COUNT(reached_{index})" for index in range(len(FUNNEL_FIELDS))),
            *(median.format(f"days_{index}") for index in range(len(TIMELINESS_FIELDS))),
        ]
    )
    month_figures = ", ".join(
        ["COUNT(*)", *("NULL" for _name in FUNNEL_FIELDS[1:]), *("NULL" for _name in TIMELINESS_FIELDS)]
    )
    sql = _MILESTONES_SUMMARY.format(
        columns=columns,
        figures=figures,
        month_figures=month_figures,
        month_of_submission=month.format(column("first_submitted_at")),
        declarations=quote(declaration.db_table),
        calls=quote(Call._meta.db_table),
        pk=quote("id"),
        programme_id=quote(declaration.get_field("programme").column),
        call_id=quote(declaration.get_field("call").column),
        first_submitted=quote(declaration.get_field("first_submitted_at").column),
        year=quote(Call._meta.get_field("year").column),
    )
    call_id = call.pk if call is not None else None
    params = [*month_params, year, call_id, call_id]
    with connection.cursor() as cursor:
        # The SQL is built from the models' names and the constants above; values are parameters.
        cursor.execute(sql, params)  # nosec B608
        return cursor.fetchall()


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
class GradeCounts:
    """How many evaluated performance reports (Art. 18) of a programme's declarations got each grade,
    in PerformanceGrade's order."""

    programme: Programme | None
    counts: dict = field(default_factory=lambda: dict.fromkeys(PerformanceGrade.values, 0))

    @property
    def code(self):
        return self.programme.code if self.programme else ""

    @property
    def by_grade(self):
        return [self.counts[grade] for grade in PerformanceGrade.values]

    @property
    def total(self):
        return sum(self.counts.values())


@dataclass
class Month:
    month: date = date.min
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
    # The grades of the evaluated performance reports (Art. 18), per programme and over all.
    grades: list = field(default_factory=list)
    grade_totals: GradeCounts | None = None
    computed_at: datetime = field(default_factory=timezone.now)

    @property
    def is_empty(self):
        return not self.totals.received

    @property
    def grade_labels(self):
        return PerformanceGrade.labels


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

    # 2. How far they went and how long it took, per programme and over all, and the month of each
    # first submission: one reading of the declarations' milestones (_milestones_summary).
    reached = defaultdict(int)
    months = defaultdict(Month)
    for kind, programme_id, month, *figures in _milestones_summary(year, call):
        counts = dict(zip(FUNNEL_ACTIONS, figures[: len(FUNNEL_ACTIONS)], strict=True))
        timeliness = Timeliness(*figures[len(FUNNEL_ACTIONS) :])
        if kind == "programme":
            rows[programme_id].accepted = counts[A.ACCEPT]
            rows[programme_id].timeliness = timeliness
            for action, count in counts.items():
                reached[action] += count
        elif kind == "all":
            totals.timeliness = timeliness
        else:
            months[month].received = counts[A.SUBMIT]

    # 3. Money paid, per programme and day (so per month), and repaid.
    # Filtered through the join to the declaration (which gives the programme anyway), not by a list
    # of every declaration's id.
    of_declarations = {"call__year": year, **({"call": call} if call is not None else {})}
    for row in (
        Payment.objects.filter(**{f"declaration__{name}": value for name, value in of_declarations.items()})
        .order_by()
        .values("declaration__programme_id", "paid_on")
        .annotate(total=Sum("amount"))
    ):
        rows[row["declaration__programme_id"]].paid += row["total"]
        months[row["paid_on"].strftime("%Y-%m")].paid += row["total"]
    for row in (
        Repayment.objects.filter(**{f"case__declaration__{name}": value for name, value in of_declarations.items()})
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
    for month, value in months.items():
        value.month = date(int(month[:4]), int(month[5:7]), 1)

    # 5. The grades of the evaluated performance reports of the declarations (Art. 18).
    grades = {programme.pk: GradeCounts(programme) for programme in programmes}
    grade_totals = GradeCounts(None)
    for row in (
        PerformanceReport.objects.filter(declaration__in=declarations, state=ReportState.EVALUATED)
        .order_by()
        .values("declaration__programme_id", "grade")
        .annotate(count=Count("pk"))
    ):
        if row["grade"] in grade_totals.counts:
            grades[row["declaration__programme_id"]].counts[row["grade"]] += row["count"]
            grade_totals.counts[row["grade"]] += row["count"]

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
        grades=[grades[programme.pk] for programme in programmes],
        grade_totals=grade_totals,
    )


# --- what the page reads: the same figures, kept while nothing they count has changed -------------

# A recomputation of the award caps (requested amounts) after a decision writes no event of its own:
# the figures are at most this old.
CACHE_SECONDS = 10 * 60
CACHE_PREFIX = "monitoring:statistics:"


def _data_version():
    """What changes whenever a figure may: the newest declaration event, payment, repayment, budget
    version and performance report event, and the number of declarations. One query of index look-ups and one count."""
    quote = connection.ops.quote_name
    latest = ", ".join(
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # nosec B608 # models' names
        for model in (DeclarationEvent, Payment, Repayment, Budget.history.model, PerformanceReportEvent)
    )
    with connection.cursor() as cursor:
        # Tables' and columns' names from the models; no value from outside.
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {quote(Declaration._meta.db_table)}), {latest}")  # nosec B608
        return cursor.fetchone()


def statistics_cached(year, call=None):
    """statistics_for(year, call), computed again only when something it counts has changed since
    (_data_version) or CACHE_SECONDS have passed. Its `computed_at` says when it was computed. One
    query when kept; 1 + STATISTICS_QUERIES when computed."""
    key = f"{CACHE_PREFIX}{year}:{call.pk if call else '-'}:" + ":".join(str(value) for value in _data_version())
    stats = cache.get(key)
    if stats is None:
        stats = statistics_for(year, call)
        cache.set(key, stats, CACHE_SECONDS)
    return stats
