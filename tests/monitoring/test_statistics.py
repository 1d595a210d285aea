"""The staff's statistics (issue 16, item 3): per programme of a year and call, the declarations and
how far they went, the amounts, the budget used and the review's timeliness (medians), computed by
a number of queries that does not grow with the data; charts drawn from json_script data by a
static script; an XLSX of every table; commission staff and administrators only."""

import datetime
import io
import json
import os
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from config.demo import PATHS, Cast
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent, Programme
from disbursement.models import Payment
from monitoring.models import StatisticsSnapshot
from monitoring.statistics import STATISTICS_QUERIES, Timeliness, statistics_for
from monitoring.statistics_snapshots import statistics_from_json, statistics_json, statistics_snapshot_count
from tests.factories import CallFactory, DeclarationFactory, OrganisationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

URL = "/monitoring/statistics/"
APPROVED = Decimal("1600000.00")


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def year_of_declarations(cast, open_call):
    """Under this year's call, ART6: one paid in full, one not supported, one disqualified, one not
    accepted, one draft; and one ART9 declaration approved (awaiting publicity)."""
    made = {}
    for state in (S.PAID, S.NOT_SUPPORTED, S.DISQUALIFIED, S.NOT_ACCEPTED, S.DRAFT):
        declaration = DeclarationFactory(
            organisation=cast.applicant.organisation, call=open_call, created_by=cast.applicant
        )
        made[state] = build_to(declaration, state, cast=cast, amount=APPROVED, through=PATHS[state][:-1])
    return made


def _row(stats, code):
    return next(row for row in stats.programmes if row.programme.code == code)


def test_counts_amounts_and_funnel_follow_what_happened(year_of_declarations, open_call):
    stats = statistics_for(open_call.year)
    art6 = _row(stats, "ART6")
    assert (art6.received, art6.accepted, art6.supported) == (4, 2, 1)
    assert (art6.not_supported, art6.disqualified, art6.not_accepted) == (1, 1, 1)
    requested = Declaration.objects.exclude(state=S.DRAFT).aggregate(total=Sum("award_cap"))["total"]
    assert art6.requested == requested
    assert art6.approved == APPROVED
    assert art6.paid == APPROVED == Payment.objects.aggregate(total=Sum("amount"))["total"]
    assert art6.budget is not None and art6.committed == APPROVED
    assert stats.totals.received == 4 and stats.totals.paid == APPROVED
    funnel = {str(label): count for label, count in stats.funnel}
    assert funnel == {
        "Received": 4,
        "Accepted": 2,
        "Evaluated": 2,
        "Approved": 1,
        "Confirmed after publicity": 1,
        "Paid in part or in full": 1,
        "Paid in full": 1,
    }
    # Every programme of the call is listed, those without declarations with zeros.
    assert {row.programme.code for row in stats.programmes} == set(open_call.programmes.values_list("code", flat=True))
    assert _row(stats, "ART14").received == 0
    assert sum(month.received for month in stats.months) == 4
    assert sum(month.paid for month in stats.months) == APPROVED


def test_a_call_of_the_year_counts_only_its_own(year_of_declarations, open_call):
    other = CallFactory(year=open_call.year, budgets=False)
    assert statistics_for(open_call.year, other).totals.received == 0
    assert statistics_for(open_call.year, open_call).totals.received == 4
    assert statistics_for(open_call.year - 1).totals.received == 0


def test_a_call_counts_its_own_declarations_and_its_budget_used_counts_every_call_of_the_year(
    year_of_declarations, open_call
):
    other = CallFactory(year=open_call.year, budgets=False)
    stats = statistics_for(open_call.year, other)
    art6 = _row(stats, "ART6")
    assert (art6.received, art6.accepted, art6.supported, art6.approved, art6.paid) == (0, 0, 0, 0, 0)
    assert [count for _label, count in stats.funnel] == [0] * 7
    assert (stats.months, stats.totals.timeliness) == ([], Timeliness())
    # A budget is the programme's for the year, whichever call: the open call's award is committed.
    assert art6.committed == APPROVED == _row(statistics_for(open_call.year, open_call), "ART6").committed


# The action of each milestone column the helpers below set, and the state it leads to.
_MILESTONE_ACTIONS = {
    "first_submitted_at": (A.SUBMIT, S.SUBMITTED),
    "first_accepted_at": (A.ACCEPT, S.ACCEPTED),
    "first_decided_at": (A.APPROVE, S.APPROVED),
    "first_paid_at": (A.START_DISBURSEMENT, S.DISBURSING),
}


def _dated(call, programme="ART6", **moments):
    """A declaration of `programme` that reached the milestones `moments` names (column -> time)
    at those times: its columns and its events, as declarations.workflow writes them."""
    declaration = DeclarationFactory(call=call, programme=Programme.objects.get(code=programme))
    state, events = S.DRAFT, []
    for name, (action, target) in _MILESTONE_ACTIONS.items():
        if name in moments:
            events.append(
                DeclarationEvent(
                    declaration=declaration, action=action, from_state=state, to_state=target, created_at=moments[name]
                )
            )
            state = target
    if "first_decided_at" in moments:
        moments["first_approved_at"] = moments["first_decided_at"]
    Declaration.objects.filter(pk=declaration.pk).update(state=state, **moments)
    DeclarationEvent.objects.bulk_create(events)
    return declaration


def _timed(call, days_to_accept, programme="ART6"):
    """A declaration submitted 40 days ago and accepted `days_to_accept` days later."""
    submitted = timezone.now() - datetime.timedelta(days=40)
    return _dated(
        call,
        programme,
        first_submitted_at=submitted,
        first_accepted_at=submitted + datetime.timedelta(days=days_to_accept),
    )


def test_timeliness_is_the_median_of_days_from_first_submission(open_call):
    for days in (1, 2, 10):
        _timed(open_call, days)
    stats = statistics_for(open_call.year)
    assert _row(stats, "ART6").timeliness.to_acceptance == pytest.approx(2)
    assert _row(stats, "ART6").timeliness.to_decision is None
    # An even count: the mean of the two middle values, as percentile_cont(0.5).
    _timed(open_call, 4)
    _timed(open_call, 30, programme="ART9")
    stats = statistics_for(open_call.year)
    assert _row(stats, "ART6").timeliness.to_acceptance == pytest.approx(3)
    assert _row(stats, "ART9").timeliness.to_acceptance == pytest.approx(30)
    assert stats.totals.timeliness.to_acceptance == pytest.approx(4)
    assert _row(stats, "ART14").timeliness.to_acceptance is None


def _beijing(call, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(call.year, month, day, hour), timezone.get_current_timezone())


def _dated_year(call, staff):
    """Four declarations dated over three months, two of them paid."""
    days = datetime.timedelta(days=1)
    first = _beijing(call, 3, 2)
    # 1 a.m. on 1 April in Beijing is still 31 March in UTC: the month is Beijing's.
    second = _beijing(call, 4, 1, hour=1)
    paid = [
        _dated(
            call,
            first_submitted_at=first,
            first_accepted_at=first + 3 * days,
            first_decided_at=first + 20 * days,
            first_paid_at=first + 50 * days,
        ),
        _dated(
            call,
            first_submitted_at=second,
            first_accepted_at=second + 5 * days,
            first_decided_at=second + 30 * days,
            first_paid_at=second + 70 * days,
        ),
    ]
    _dated(call, "ART9", first_submitted_at=_beijing(call, 5, 10), first_accepted_at=_beijing(call, 5, 20))
    _dated(call, first_submitted_at=_beijing(call, 5, 20, hour=23))
    Declaration.objects.filter(pk__in=[declaration.pk for declaration in paid]).update(
        award_cap=Decimal("500000.00"), approved_amount=Decimal("500000.00")
    )
    for declaration, amount in zip(paid, (Decimal("300000.00"), Decimal("200000.00")), strict=True):
        Payment.objects.create(
            declaration=declaration,
            amount=amount,
            paid_on=timezone.localdate(declaration.events.get(action=A.START_DISBURSEMENT).created_at),
            reference=f"P{declaration.pk}",
            recorded_by=staff,
        )


def _assert_dated_year(stats, year):
    art6, art9 = _row(stats, "ART6"), _row(stats, "ART9")
    # ART6: to acceptance 3 and 5 days (the fourth was never accepted), to decision 20 and 30, to
    # the first payment 50 and 70; ART9: accepted after 10 days.
    assert (art6.timeliness.to_acceptance, art6.timeliness.to_decision, art6.timeliness.to_payment) == (
        pytest.approx(4),
        pytest.approx(25),
        pytest.approx(60),
    )
    assert (art9.timeliness.to_acceptance, art9.timeliness.to_decision, art9.timeliness.to_payment) == (
        pytest.approx(10),
        None,
        None,
    )
    totals = stats.totals.timeliness
    assert (totals.to_acceptance, totals.to_decision, totals.to_payment) == (
        pytest.approx(5),
        pytest.approx(25),
        pytest.approx(60),
    )
    # Submissions by the month of the first one; payments by the day paid (21 April, 10 June).
    assert [(month.month, month.received, month.paid) for month in stats.months] == [
        (datetime.date(year, 3, 1), 1, Decimal("0")),
        (datetime.date(year, 4, 1), 1, Decimal("300000.00")),
        (datetime.date(year, 5, 1), 2, Decimal("0")),
        (datetime.date(year, 6, 1), 0, Decimal("200000.00")),
    ]
    assert [count for _label, count in stats.funnel] == [4, 3, 0, 2, 0, 2, 0]


def test_timeliness_and_months_follow_the_dated_milestones(open_call, staff):
    _dated_year(open_call, staff)
    _assert_dated_year(statistics_for(open_call.year), open_call.year)


@pytest.mark.postgres
def test_timeliness_and_months_follow_the_dated_milestones_on_postgresql(open_call, staff):
    """PostgreSQL's medians (percentile_cont), days (EXTRACT EPOCH) and months (AT TIME ZONE) are
    SQL of their own."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    _dated_year(open_call, staff)
    _assert_dated_year(statistics_for(open_call.year), open_call.year)


def _bulk(call, n):
    """`n` submitted and accepted declarations with their events and a payment each, in bulk."""
    organisation = OrganisationFactory()
    template = DeclarationFactory(call=call, organisation=organisation)
    programmes = list(Programme.objects.all())
    now = timezone.now()
    declarations = Declaration.objects.bulk_create(
        Declaration(
            organisation=organisation,
            call=call,
            programme=programmes[i % len(programmes)],
            title=f"Bulk {i}",
            summary="Bulk.",
            state=S.DISBURSING,
            number=f"BULK-{call.pk}-{n}-{i}",
            award_cap=Decimal("900000.00"),
            approved_amount=Decimal("500000.00"),
            created_by=template.created_by,
            first_submitted_at=now,
            first_accepted_at=now,
            first_decided_at=now,
            first_approved_at=now,
            first_confirmed_at=now,
            first_paid_at=now,
        )
        for i in range(n)
    )
    DeclarationEvent.objects.bulk_create(
        DeclarationEvent(declaration=d, action=action, from_state=S.DRAFT, to_state=S.DRAFT, created_at=now)
        for d in declarations
        for action in (A.SUBMIT, A.ACCEPT, A.APPROVE, A.CONFIRM, A.START_DISBURSEMENT)
    )
    Payment.objects.bulk_create(
        Payment(
            declaration=d,
            amount=Decimal("100000.00"),
            paid_on=timezone.localdate(),
            reference=f"P{d.pk}",
            recorded_by=template.created_by,
        )
        for d in declarations
    )


def test_the_number_of_queries_does_not_grow_with_the_declarations(open_call, staff, client):
    """The count, the page that counts (tasks run in the process here) and the page that reads the count
    kept, each at 10 and at 210 declarations."""
    client.force_login(staff)
    assert client.get(URL).status_code == 200  # the year's first count, kept from then on
    counts = []
    for n in (10, 200):
        _bulk(open_call, n)
        with CaptureQueriesContext(connection) as selector:
            stats = statistics_for(open_call.year)
        with CaptureQueriesContext(connection) as counting:
            assert client.get(URL).status_code == 200
        with CaptureQueriesContext(connection) as reading:
            assert client.get(URL).context["stats"].is_current
        counts.append(
            (
                len(selector.captured_queries),
                len(counting.captured_queries),
                len(reading.captured_queries),
                stats.totals.received,
            )
        )
    assert counts[0][:3] == counts[1][:3]
    assert counts[0][0] == STATISTICS_QUERIES
    assert (counts[0][3], counts[1][3]) == (10, 210)


@pytest.mark.parametrize(
    ("person", "status"),
    [("staff", 200), ("administrator", 200), ("reviewer", 403), ("finance", 403), ("applicant", 403)],
)
def test_only_commission_staff_and_administrators_see_the_statistics(person, status, request, client, open_call):
    client.force_login(request.getfixturevalue(person))
    assert client.get(URL).status_code == status
    assert client.get(URL + "export.xlsx").status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(client, open_call):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_console_menu_links_the_statistics_for_staff_only(client, staff, reviewer, open_call):
    client.force_login(staff)
    assert 'href="/monitoring/statistics/"' in client.get("/console/").content.decode()
    client.force_login(reviewer)
    assert 'href="/monitoring/statistics/"' not in client.get("/console/").content.decode()


def test_the_page_shows_the_tables_and_hands_the_charts_their_data(year_of_declarations, client, staff, open_call):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for table in ("table-amounts", "table-funnel", "table-declarations", "table-months", "table-timeliness"):
        assert f'id="{table}"' in page
    assert '<script id="statistics-data" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/statistics.js" in page
    # Amounts with separators; the default is the latest year with every call.
    assert "1,600,000.00" in page
    assert response.context["stats"].year == open_call.year and response.context["stats"].call is None
    charts = response.context["charts"]
    assert charts["amounts"]["labels"][:2] == ["ART5", "ART6"]
    assert charts["funnel"]["series"][0]["data"][0] == 4


def test_the_page_speaks_chinese(client, staff, open_call, year_of_declarations):
    client.force_login(staff)
    client.cookies.load({"django_language": "zh-hans"})
    page = client.get(URL).content.decode()
    assert '<h1 class="h3 mb-2">统计分析</h1>' in page
    assert "各支持事项资金金额" in page and "1,600,000.00" in page


@pytest.mark.parametrize("query", ["?year=abc", "?year=1999", "?call=abc", "?call=999999999999999999999"])
def test_a_wrong_filter_is_told_at_its_field(client, staff, open_call, query):
    client.force_login(staff)
    response = client.get(URL + query.replace("?", f"?year={open_call.year}&") if "call" in query else URL + query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get(URL + "export.xlsx" + query).status_code == 400


def test_a_call_of_another_year_is_refused_at_the_call(client, staff, open_call):
    client.force_login(staff)
    other = CallFactory(year=open_call.year - 1, budgets=False)
    response = client.get(URL, {"year": open_call.year, "call": other.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["call"] == ["This call is not of the support year chosen."]


def test_without_any_call_the_page_says_so(client, staff):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert "No call is recorded yet" in response.content.decode()


def test_the_xlsx_has_every_table_with_numbers_as_numbers(year_of_declarations, client, staff, open_call):
    client.force_login(staff)
    response = client.get(URL + "export.xlsx", {"year": open_call.year, "call": open_call.pk})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Declarations", "Amounts", "Timeliness", "Funnel", "Months", "Performance grades"]
    amounts = list(workbook["Amounts"].iter_rows(values_only=True))
    assert amounts[0][:4] == ("Programme", "Requested (yuan)", "Approved (yuan)", "Paid (yuan)")
    art6 = next(row for row in amounts if str(row[0]).startswith("ART6"))
    assert art6[2] == 1600000 and art6[3] == 1600000
    assert amounts[-1][0] == "All programmes"
    funnel = list(workbook["Funnel"].iter_rows(values_only=True))
    assert funnel[1] == ("Received", 4)


def test_the_figures_are_counted_once_and_kept_until_something_they_count_changes(open_call, staff, client):
    """Tasks run in the process here (the embedded default): the first look counts, the next reads
    the count kept (the data's version, the snapshot, its programmes), a change counts again."""
    client.force_login(staff)
    _timed(open_call, 3)
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).context["stats"].totals.received == 1
    with CaptureQueriesContext(connection) as again:
        stats = client.get(URL).context["stats"]
    assert stats.totals.received == 1 and stats.is_current
    assert len(again.captured_queries) < len(first.captured_queries) - STATISTICS_QUERIES
    assert StatisticsSnapshot.objects.count() == 1
    _timed(open_call, 5)
    stats = client.get(URL).context["stats"]
    assert stats.totals.received == 2 and stats.totals.timeliness.to_acceptance == pytest.approx(4)
    assert stats.is_current and StatisticsSnapshot.objects.count() == 1


def test_the_figures_kept_read_back_as_they_were_counted(year_of_declarations, open_call):
    counted = statistics_for(open_call.year)
    programmes = {row.programme.pk: row.programme for row in counted.programmes}
    kept = statistics_from_json(
        json.loads(json.dumps(statistics_json(counted))), year=open_call.year, call=None, programmes=programmes
    )
    assert kept == counted
    assert [str(label) for label, _count in kept.funnel] == [str(label) for label, _count in counted.funnel]


def test_each_call_and_the_whole_year_are_counted_apart(year_of_declarations, open_call, client, staff):
    client.force_login(staff)
    assert client.get(URL, {"year": open_call.year}).context["stats"].call is None
    assert client.get(URL, {"year": open_call.year, "call": open_call.pk}).context["stats"].call == open_call
    assert sorted(StatisticsSnapshot.objects.values_list("key", flat=True)) == sorted(
        [f"{open_call.year}:-", f"{open_call.year}:{open_call.pk}"]
    )


def test_a_count_older_than_ten_minutes_is_made_again_without_a_change(open_call, staff, client, time_machine):
    client.force_login(staff)
    _timed(open_call, 3)
    first = client.get(URL).context["stats"].computed_at
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11))
    assert client.get(URL).context["stats"].computed_at > first


def test_a_count_for_a_call_deleted_meanwhile_keeps_nothing(open_call):
    call_id = open_call.pk
    open_call.delete()
    assert statistics_snapshot_count(open_call.year, call_id) is None
    assert not StatisticsSnapshot.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_worker_the_page_shows_the_last_count_while_one_new_count_is_made(open_call, staff, client, settings):
    """Tasks sent through Redis (REDIS_URL) to a Celery worker thread, as in production: after a change
    the page answers at once with the figures it has, marked as being counted again, and asks for one
    count however many times it is read; the worker's count then shows."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: .ci/run sets it")
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    client.force_login(staff)
    _timed(open_call, 3)
    statistics_snapshot_count(open_call.year)
    _timed(open_call, 5)
    queue = redis.Redis.from_url(os.environ["REDIS_URL"])
    queue.delete("celery")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        for _ in range(3):
            response = client.get(URL)
            stats = response.context["stats"]
            assert stats.totals.received == 1 and not stats.is_current
            assert "Being counted again" in response.content.decode()
        assert queue.llen("celery") == 1
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and client.get(URL).context["stats"].totals.received != 2:
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    stats = client.get(URL).context["stats"]
    assert stats.totals.received == 2 and stats.is_current


def test_before_the_first_count_the_page_says_the_figures_are_being_counted(open_call, staff, client, monkeypatch):
    """A worker elsewhere has not counted yet: 202, Retry-After, and a message instead of figures."""
    from monitoring import statistics_snapshots

    client.force_login(staff)
    monkeypatch.setattr(statistics_snapshots, "_count_asked", lambda *args: False)
    response = client.get(URL)
    assert response.status_code == 202 and response["Retry-After"] == "5"
    assert response.context["stats"] is None
    assert "being counted for the first time" in response.content.decode()
    export = client.get("/monitoring/statistics/export.xlsx")
    assert export.status_code == 202


def test_the_grades_of_evaluated_reports_are_counted_per_programme(year_of_declarations, open_call, client, staff):
    """Evaluated reports by grade and programme; a report still being filled in or submitted has no
    grade to count."""
    from monitoring.enums import PerformanceGrade, ReportState
    from monitoring.models import PerformanceReport

    paid = year_of_declarations[S.PAID]
    for kind, state, grade in (
        ("mid_term", ReportState.EVALUATED, PerformanceGrade.GOOD),
        ("final", ReportState.EVALUATED, PerformanceGrade.FAIL),
    ):
        PerformanceReport.objects.create(
            declaration=paid, kind=kind, due_on=paid.created_at.date(), state=state, grade=grade
        )
    PerformanceReport.objects.create(
        declaration=year_of_declarations[S.NOT_SUPPORTED], kind="final", due_on=paid.created_at.date()
    )

    stats = statistics_for(open_call.year)

    art6 = next(row for row in stats.grades if row.code == "ART6")
    assert art6.by_grade == [0, 1, 0, 1] and art6.total == 2
    assert stats.grade_totals.by_grade == [0, 1, 0, 1]
    client.force_login(staff)
    html = client.get(URL, {"year": open_call.year}).content.decode()
    assert 'id="table-grades"' in html and "Reports evaluated" in html
