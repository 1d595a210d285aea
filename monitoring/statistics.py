"""The staff's statistics (issue 16, item 3; Art. 3 and 15-18): for one support year, and one call
of it or all, per programme: how many declarations came in and how far they went, the amounts
requested, approved, paid and recovered, the budget used, and how long the review took.

Every figure is an aggregate computed by the database: `statistics_for` runs the same number of
queries (STATISTICS_QUERIES) whether the year has ten declarations or ten thousand
(tests/monitoring/test_statistics.py counts them at two sizes; bench/statistics_page.py times them).
The page does not count: a task does, and the page reads its last count (monitoring.statistics_snapshots).
How far each declaration went and when is read from its milestone columns (the first submission,
acceptance, decision, payment...), which declarations.workflow writes with the events, not from the
events themselves: one row per declaration instead of five or more.

The medians of the review's timeliness are PostgreSQL's `percentile_cont(0.5)`; SQLite, which has
no percentile function, hands over each declaration's days and Python sorts them (`_median`, of
the same meaning).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DateField, F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import ZERO, money_sum
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Programme
from declarations.workflow import AWARD_HISTORY_STATES, MILESTONES
from disbursement.models import Payment, Repayment
from monitoring.enums import PerformanceGrade, ReportState
from monitoring.models import PerformanceReport, PerformanceReportEvent
from review.budgets import committed_sum
from review.models import Budget

# The queries of statistics_for, whatever the amount of data (the tests hold it to this).
STATISTICS_QUERIES = 8


# --- SQL building blocks -------------------------------------------------------------------------


# The stages of the funnel, in order: the actions whose first event marks each, and the declaration's
# column that holds that first event's time (declarations.workflow.MILESTONES).
FUNNEL_ACTIONS = (A.SUBMIT, A.ACCEPT, A.COMPLETE_REVIEW, A.APPROVE, A.CONFIRM, A.START_DISBURSEMENT, A.COMPLETE_PAYMENT)
FUNNEL_FIELDS = tuple(
    next(name for name, actions in MILESTONES.items() if actions == (action,)) for action in FUNNEL_ACTIONS
)
# The medians of the review's timeliness: days from the first submission to each of these.
TIMELINESS_FIELDS = ("first_accepted_at", "first_decided_at", "first_paid_at")


def _beijing_offset():
    """Beijing's offset from UTC, as SQL's modifier or interval text ('+480 minutes'). It has kept
    one, without summer time, since 1991: a fixed offset spares each row a look-up of the zone's rules."""
    zone = timezone.get_current_timezone()
    return f"{int(timezone.now().astimezone(zone).utcoffset().total_seconds() // 60):+d} minutes"


def _sql_names():
    """The tables' and columns' names the SQL below reads, quoted, from the models."""
    quote = connection.ops.quote_name
    declaration = Declaration._meta
    names = {
        name: "d." + quote(declaration.get_field(name).column)
        for name in ("programme", "call", "first_submitted_at", *TIMELINESS_FIELDS)
    }
    return {
        **names,
        "declarations": quote(declaration.db_table),
        "calls": quote(Call._meta.db_table),
        "pk": quote(Call._meta.pk.column),
        "year": quote(Call._meta.get_field("year").column),
    }


# The declarations chosen (of a year's calls, or of one call of it) ever submitted; parameters: the
# year and the call's id twice (None for every call of the year).
_SUBMITTED = """
    FROM {declarations} d
    WHERE {call} IN (SELECT c.{pk} FROM {calls} c WHERE c.{year} = %s AND (%s IS NULL OR c.{pk} = %s))
      AND {first_submitted_at} IS NOT NULL
"""


def _execute(sql, params):
    with connection.cursor() as cursor:
        # The SQL is built from the models' names (_sql_names); values are parameters.
        cursor.execute(sql, params)  # nosec B608
        return cursor.fetchall()


def _months_received(year, call):
    """{first day of the month (Beijing time): declarations first submitted in it}. One query."""
    names = _sql_names()
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', {first_submitted_at} AT TIME ZONE CAST(%s AS interval)) AS date)"
    else:  # SQLite keeps UTC text.
        month = "strftime('%%Y-%%m-01', {first_submitted_at}, %s)"
    sql = f"SELECT {month} AS month, COUNT(*) {_SUBMITTED} GROUP BY month".format(**names)
    call_id = call.pk if call is not None else None
    rows = _execute(sql, [_beijing_offset(), year, call_id, call_id])
    return {date.fromisoformat(month) if isinstance(month, str) else month: count for month, count in rows}


def _median(values):
    """As PostgreSQL's percentile_cont(0.5): the middle value, or the mean of the two middle ones."""
    if not values:
        return None
    values.sort()
    middle, odd = divmod(len(values), 2)
    return values[middle] if odd else (values[middle - 1] + values[middle]) / 2


# PostgreSQL: the medians per programme and over all, by percentile_cont. The days are intervals, each
# median turned into days once: date_part on every row's interval cost more than the sort (and
# EXTRACT, numeric since PostgreSQL 14, more still).
_TIMELINESS_POSTGRESQL = """
WITH spans AS MATERIALIZED (SELECT {programme} AS programme_id, {spans} {submitted})
SELECT programme_id, {medians} FROM spans GROUP BY programme_id
UNION ALL
SELECT NULL, {medians} FROM spans
"""


def _timeliness(year, call):
    """{programme id, and None for all programmes: Timeliness} of the declarations chosen. One query."""
    names = _sql_names()
    call_id = call.pk if call is not None else None
    params = [year, call_id, call_id]
    submitted = _SUBMITTED.format(**names)
    start = names["first_submitted_at"]
    if connection.vendor == "postgresql":
        spans = ", ".join(f"{names[name]} - {start} AS span_{index}" for index, name in enumerate(TIMELINESS_FIELDS))
        medians = ", ".join(
            f"date_part('epoch', percentile_cont(0.5) WITHIN GROUP (ORDER BY span_{index})) / 86400.0"
            for index in range(len(TIMELINESS_FIELDS))
        )
        sql = _TIMELINESS_POSTGRESQL.format(spans=spans, medians=medians, submitted=submitted, **names)
        rows = _execute(sql, params)
        return {programme_id: Timeliness(*medians) for programme_id, *medians in rows}
    # SQLite has no percentile function: the days of each declaration that got anywhere, the medians
    # in Python (each list sorted in C); an aggregate function of ours would call Python once a row
    # and value. Each timestamp's text is read once (julianday).
    julian = ", ".join(f"julianday({names[name]}) AS day_{index}" for index, name in enumerate(TIMELINESS_FIELDS))
    days = ", ".join(f"day_{index} - submitted" for index in range(len(TIMELINESS_FIELDS)))
    reached = " OR ".join(f"{names[name]} IS NOT NULL" for name in TIMELINESS_FIELDS)
    sql = (
        f"SELECT programme_id, {days} FROM (SELECT {names['programme']} AS programme_id, "  # nosec B608 # names from the models, values as parameters
        f"julianday({start}) AS submitted, {julian} {submitted} AND ({reached}))"
    )
    rows = _execute(sql, params)
    by_programme = defaultdict(list)
    for row in rows:
        by_programme[row[0]].append(row)
    by_programme[None] = rows
    timeliness = {None: Timeliness()}
    for programme_id, group in by_programme.items():
        if not group:
            continue
        _programme_ids, *columns = zip(*group, strict=True)
        timeliness[programme_id] = Timeliness(
            *(_median([value for value in column if value is not None]) for column in columns)
        )
    return timeliness


class MonthOf(Func):
    """The first day of a date's month, in SQL of each database's own: Django's TruncMonth calls a
    Python function once a row on SQLite."""

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # The template's %% is formatted once here and once with the query's parameters.
        template = "strftime('%%%%Y-%%%%m-01', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="CAST(date_trunc('month', %(expressions)s) AS date)", **extra_context
        )


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


# ProgrammeStatistics' counts and amounts, summed for the totals (and kept by
# monitoring.statistics_snapshots); the budget's are None where no budget is set.
COUNT_FIELDS = ("received", "accepted", "supported", "not_supported", "disqualified", "not_accepted")
AMOUNT_FIELDS = ("requested", "approved", "paid", "recovery_ordered", "repaid")
BUDGET_FIELDS = ("budget", "committed")


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
    # False while a newer count is on its way (monitoring.statistics_snapshots).
    is_current: bool = True

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


def _figures_by_programme(year, call):
    """Per programme id, of the declarations chosen (of `year`'s calls, or of `call`): the counts by
    the state now, the amounts, and how many reached each stage of the funnel (`reached`, by the
    milestone columns of FUNNEL_FIELDS, which declarations.workflow writes with the events); and what
    all the year's declarations have committed against the programme's budget (`committed`: a
    budget is per programme and year, whichever call). One reading of the year's declarations, for
    what took three. Programmes none of the chosen declarations is under are left out."""
    chosen = Q(call=call) if call is not None else Q()
    rows = (
        Declaration.objects.filter(call__year=year)
        .order_by()
        # Grouped by an expression, not the column: SQLite would otherwise read the rows in the
        # order of the programme index, one look-up each, half again as slow as a scan and a sort.
        .values(programme_key=F("programme_id") + 0)
        .annotate(
            declarations=Count("pk", filter=chosen),
            received=Count("pk", filter=chosen & ~Q(state=S.DRAFT)),
            supported=Count("pk", filter=chosen & Q(state__in=AWARD_HISTORY_STATES)),
            not_supported=Count("pk", filter=chosen & Q(state__in=NOT_SUPPORTED_STATES)),
            disqualified=Count("pk", filter=chosen & Q(state__in=DISQUALIFIED_STATES)),
            not_accepted=Count("pk", filter=chosen & Q(state__in=NOT_ACCEPTED_STATES)),
            requested=money_sum("award_cap", filter=chosen & ~Q(state=S.DRAFT)),
            approved=money_sum("approved_amount", filter=chosen & Q(state__in=AWARD_HISTORY_STATES)),
            recovery_ordered=money_sum("recovered_amount", filter=chosen),
            committed=committed_sum(),
            **{f"reached_{index}": Count(name, filter=chosen) for index, name in enumerate(FUNNEL_FIELDS)},
        )
    )
    figures = {}
    for row in rows:
        row["reached"] = dict(
            zip(FUNNEL_ACTIONS, (row.pop(f"reached_{index}") for index in range(len(FUNNEL_FIELDS))), strict=True)
        )
        figures[row.pop("programme_key")] = row
    return figures


def statistics_for(year, call=None):
    """The Statistics of support year `year`, of its call `call` or of all its calls.
    STATISTICS_QUERIES queries, however many declarations there are."""
    calls = [call] if call is not None else Call.objects.filter(year=year)

    # 1. Counts by the state now, the amounts the declarations carry and the stages they reached, and
    # what the year's declarations have committed of each budget.
    figures = _figures_by_programme(year, call)
    committed = {programme_id: row.pop("committed") for programme_id, row in figures.items()}
    reached = defaultdict(int)
    for row in figures.values():
        row_reached = row.pop("reached")
        row["accepted"] = row_reached[A.ACCEPT]
        for action, count in row_reached.items():
            reached[action] += count
    counted = {programme_id: row for programme_id, row in figures.items() if row.pop("declarations")}
    # The programmes the calls offer, and any other a declaration of them is under.
    programmes = list(Programme.objects.filter(Q(calls__in=calls) | Q(pk__in=counted)).distinct().order_by("position"))
    rows = {programme.pk: ProgrammeStatistics(programme, **counted.get(programme.pk, {})) for programme in programmes}
    totals = ProgrammeStatistics(None)

    # 2. How long the review took, per programme and over all, and the month of each first submission.
    timeliness = _timeliness(year, call)
    totals.timeliness = timeliness.pop(None, Timeliness())
    for programme_id, value in timeliness.items():
        rows[programme_id].timeliness = value
    months = defaultdict(Month)
    for month, count in _months_received(year, call).items():
        months[month].received = count

    # 3. Money paid, per programme and month, and repaid.
    # Filtered through the join to the declaration (which gives the programme anyway), not by a list
    # of every declaration's id.
    of_declarations = {"call__year": year, **({"call": call} if call is not None else {})}
    for row in (
        Payment.objects.filter(**{f"declaration__{name}": value for name, value in of_declarations.items()})
        .order_by()
        .values("declaration__programme_id", month=MonthOf("paid_on"))
        .annotate(total=money_sum("amount"))
    ):
        rows[row["declaration__programme_id"]].paid += row["total"]
        months[row["month"]].paid += row["total"]
    for row in (
        Repayment.objects.filter(**{f"case__declaration__{name}": value for name, value in of_declarations.items()})
        .order_by()
        .values("case__declaration__programme_id")
        .annotate(total=money_sum("amount"))
    ):
        rows[row["case__declaration__programme_id"]].repaid = row["total"]

    # 4. The budgets of the year (a budget is per programme and year, whichever call).
    budgets = dict(Budget.objects.filter(year=year).values_list("programme_id", "amount"))
    for programme_id, amount in budgets.items():
        if programme_id in rows:
            rows[programme_id].budget = amount
            rows[programme_id].committed = committed.get(programme_id, ZERO)
    for month, value in months.items():
        value.month = month

    # 5. The grades of the evaluated performance reports of the declarations (Art. 18).
    grades = {programme.pk: GradeCounts(programme) for programme in programmes}
    grade_totals = GradeCounts(None)
    for row in (
        PerformanceReport.objects.filter(
            state=ReportState.EVALUATED, **{f"declaration__{name}": value for name, value in of_declarations.items()}
        )
        .order_by()
        .values("declaration__programme_id", "grade")
        .annotate(count=Count("pk"))
    ):
        if row["grade"] in grade_totals.counts:
            grades[row["declaration__programme_id"]].counts[row["grade"]] += row["count"]
            grade_totals.counts[row["grade"]] += row["count"]

    ordered = [rows[programme.pk] for programme in programmes]
    for name in COUNT_FIELDS:
        setattr(totals, name, sum(getattr(row, name) for row in ordered))
    for name in AMOUNT_FIELDS:
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


# --- what changes the figures ---------------------------------------------------------------------


def data_version():
    """What changes whenever a figure may: the number of declarations and the newest declaration
    event, payment, repayment, budget version and performance report event (an award cap recomputed
    after a decision writes no event: monitoring.statistics_snapshots counts again after a while
    anyway). One query of index look-ups and one count."""
    quote = connection.ops.quote_name
    latest = ", ".join(
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # nosec B608 # models' names
        for model in (DeclarationEvent, Payment, Repayment, Budget.history.model, PerformanceReportEvent)
    )
    with connection.cursor() as cursor:
        # Tables' and columns' names from the models; no value from outside.
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {quote(Declaration._meta.db_table)}), {latest}")  # nosec B608
        return cursor.fetchone()
