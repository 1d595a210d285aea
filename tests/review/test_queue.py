"""The evaluation queue: its filters, sorting and pagination, who sees what, the staff's bulk
actions, and a query count that does not grow with the number of declarations."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent, Programme
from declarations.workflow import declaration_transition
from review import filters
from review.filters import declaration_queue_for, queue_filter_for
from review.models import (
    CreditList,
    CreditRecord,
    DoubleFundingMatch,
    EvaluationSummary,
    FundingRecord,
    MatchJudgement,
    ReviewAssignment,
)
from review.selectors import (
    QUEUE_ROW_FIELDS,
    RankedByTotalScore,
    ReadAtOnce,
    declaration_queue_rows,
    queue_expressions,
)
from review.tables import QueueTable
from review.views import queue as queue_views
from tests.factories import (
    ART6_FACTS,
    CallFactory,
    DeclarationFactory,
    OrganisationFactory,
    ReviewerFactory,
)
from tests.factories.states import build_to, ready_to_submit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def _at(state, cast, **kwargs):
    """A declaration of the applicant brought to `state` as the real services would (tests/factories/states.py)."""
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant, **kwargs)
    return build_to(declaration, state, cast=cast)


def _declaration(call, state=S.SUBMITTED, *, days_ago=1, programme="ART6", **kwargs):
    """A declaration put straight into `state` (a fixture shortcut, for the list's sake), numbered
    and submitted `days_ago` days ago."""
    declaration = DeclarationFactory(call=call, programme=Programme.objects.get(code=programme), **kwargs)
    Declaration.objects.filter(pk=declaration.pk).update(
        state=state,
        number=f"ZGC-{call.year}-{programme}-{declaration.pk:05d}",
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    return Declaration.objects.get(pk=declaration.pk)


def _summary(declaration, total, *, spread="4.00", passed=True, outliers=False):
    """The declaration's evaluation summary as the evaluation part keeps it (set here directly)."""
    return EvaluationSummary.objects.update_or_create(
        declaration=declaration,
        defaults={
            "aggregation": "mean",
            "total": Decimal(total),
            "spread": Decimal(spread),
            "evaluations": 2,
            "assigned": 2,
            "passed": passed,
            "has_outliers": outliers,
        },
    )[0]


def _credit_record(organisation, *, starts_on=TODAY - datetime.timedelta(days=30), ends_on=None):
    return CreditRecord.objects.create(
        credit_code=organisation.credit_code,
        name=organisation.name,
        list=CreditList.ENFORCEMENT,
        starts_on=starts_on,
        ends_on=ends_on,
        source="Credit China 2026-001",
    )


def _match(declaration, judgement=MatchJudgement.PENDING):
    record = FundingRecord.objects.create(
        credit_code=declaration.organisation.credit_code,
        organisation_name=declaration.organisation.name,
        project_title=declaration.title,
        project_content=declaration.summary,
        channel="北京市经济和信息化局",
        amount=Decimal("500000.00"),
        granted_on=TODAY - datetime.timedelta(days=200),
    )
    return DoubleFundingMatch.objects.create(
        declaration=declaration, record=record, similarity=Decimal("0.812"), judgement=judgement
    )


def _listed(client, query=""):
    response = client.get(f"/console/{query}")
    assert response.status_code == 200
    return list(response.context["page"])


# --- filters ------------------------------------------------------------------------------------


def test_queue_filters_by_call_programme_and_state(client, staff, open_call):
    last_year = CallFactory(year=open_call.year - 1)
    submitted = _declaration(open_call, S.SUBMITTED)
    accepted = _declaration(open_call, S.ACCEPTED)
    art9 = _declaration(open_call, S.SUBMITTED, programme="ART9")
    earlier = _declaration(last_year, S.SUBMITTED)
    client.force_login(staff)
    assert set(_listed(client, f"?call={last_year.pk}")) == {earlier}
    assert set(_listed(client, "?programme=ART9")) == {art9}
    assert set(_listed(client, "?state=accepted")) == {accepted}
    assert set(_listed(client, f"?call={open_call.pk}&programme=ART6&state=submitted")) == {submitted}


def _offered(client, name, language="en"):
    form = client.get("/console/", headers={"accept-language": language}).context["filter_form"]
    return [(value, str(label)) for value, label, _chosen in form.options[name]][1:]


def test_the_calls_and_programmes_offered_follow_every_change_though_cached(client, staff, open_call):
    client.force_login(staff)
    assert _offered(client, "call") == [(str(open_call.pk), open_call.title)]
    codes = list(Programme.objects.values_list("code", flat=True))
    assert [value for value, _label in _offered(client, "programme")] == codes

    later = CallFactory(year=open_call.year + 1)
    assert _offered(client, "call") == [(str(later.pk), later.title), (str(open_call.pk), open_call.title)]
    later.title_zh, later.title_en = "下一年度申报通知", "Next year's call"
    later.save()
    assert _offered(client, "call")[0] == (str(later.pk), "Next year's call")
    assert _offered(client, "call", "zh-hans")[0] == (str(later.pk), "下一年度申报通知")
    later.delete()
    assert _offered(client, "call") == [(str(open_call.pk), open_call.title)]

    programme = Programme.objects.get(code="ART9")
    programme.title_en = "Renamed programme"
    programme.save()
    assert ("ART9", "ART9 Renamed programme") in _offered(client, "programme")
    assert ("ART9", f"ART9 {programme.title_zh}") in _offered(client, "programme", "zh-hans")


def test_queue_filters_by_score_range(client, staff, open_call):
    low, middle, high = (_declaration(open_call, S.REVIEWED) for _ in range(3))
    unscored = _declaration(open_call, S.UNDER_REVIEW)
    _summary(low, "55.00")
    _summary(middle, "72.50")
    _summary(high, "91.00")
    client.force_login(staff)
    assert set(_listed(client, "?score_min=70")) == {middle, high}
    assert set(_listed(client, "?score_max=72.5")) == {low, middle}
    assert set(_listed(client, "?score_min=60&score_max=80")) == {middle}
    assert unscored in _listed(client)


def test_queue_score_min_above_max_is_an_error_at_the_field_and_lists_nothing(client, staff, open_call):
    _summary(_declaration(open_call, S.REVIEWED), "80.00")
    client.force_login(staff)
    response = client.get("/console/?score_min=90&score_max=10")
    assert response.context["filter_form"].errors == {
        "score_min": ["The lowest score must not be above the highest (10)."]
    }
    assert list(response.context["page"]) == []
    assert "The lowest score must not be above the highest" in response.content.decode()


def test_queue_flags_a_credit_record_in_force_on_the_organisation(client, staff, open_call):
    listed, expired, future, clean = (_declaration(open_call) for _ in range(4))
    _credit_record(listed.organisation)
    _credit_record(
        expired.organisation, starts_on=TODAY - datetime.timedelta(days=400), ends_on=TODAY - datetime.timedelta(days=1)
    )
    _credit_record(future.organisation, starts_on=TODAY + datetime.timedelta(days=1))
    client.force_login(staff)
    assert _listed(client, "?flags=credit") == [listed]
    assert clean in _listed(client)


def test_queue_flags_double_funding_pending_or_judged_the_same_project(client, staff, open_call):
    pending, same, different, _clean = (_declaration(open_call) for _ in range(4))
    _match(pending)
    _match(same, MatchJudgement.SAME_PROJECT)
    _match(different, MatchJudgement.DIFFERENT_PROJECT)
    client.force_login(staff)
    assert set(_listed(client, "?flags=double_funding")) == {pending, same}


def test_queue_flags_outlying_scores_and_pass_marks_missed(client, staff, open_call):
    outlying, missed, fine = (_declaration(open_call, S.REVIEWED) for _ in range(3))
    unscored = _declaration(open_call, S.UNDER_REVIEW)
    _summary(outlying, "80.00", outliers=True)
    _summary(missed, "58.00", passed=False)
    _summary(fine, "85.00")
    client.force_login(staff)
    assert _listed(client, "?flags=outliers") == [outlying]
    assert _listed(client, "?flags=pass_marks_missed") == [missed]
    # Several flags: the declarations with any of them.
    assert set(_listed(client, "?flags=outliers&flags=pass_marks_missed")) == {outlying, missed}
    assert unscored not in _listed(client, "?flags=pass_marks_missed")


def test_queue_shows_each_flag_as_a_badge(client, staff, open_call):
    declaration = _declaration(open_call, S.REVIEWED)
    _summary(declaration, "50.00", passed=False, outliers=True)
    _match(declaration)
    _credit_record(declaration.organisation)
    client.force_login(staff)
    html = client.get("/console/").content.decode()
    for label, short in (
        ("Credit record in force (Art. 17)", "Credit record"),
        ("Possible double funding (Art. 16)", "Double funding?"),
        ("Outlying scores", "Outliers"),
        ("Pass marks missed", "Below pass mark"),
    ):
        assert f'title="{label}">{short}</span>' in html


def test_a_page_of_rows_read_prepared_is_what_the_orm_reads_for_those_ids(open_call):
    """declaration_queue_rows reads the page by one statement built once (common.sql.Prepared, the
    ids as one parameter): every column and flag as the ORM's own query gives it, in the page's
    order, for pages of any size."""
    flagged = _declaration(open_call, S.REVIEWED)
    _summary(flagged, "50.00", passed=False, outliers=True)
    _match(flagged)
    _credit_record(flagged.organisation)
    scored = _declaration(open_call, S.REVIEWED)
    _summary(scored, "85.00")
    plain = [_declaration(open_call, days_ago=k) for k in range(1, 4)]
    ids = [scored.pk, plain[2].pk, flagged.pk, plain[0].pk, plain[1].pk]
    orm = Declaration.objects.order_by().values(*QUEUE_ROW_FIELDS, **queue_expressions()).filter(pk__in=ids)
    by_pk = {row["pk"]: row for row in orm}
    for page in (ids, ids[:1], ids[2:], [*ids[::-1], -1]):
        expected = [by_pk[pk] for pk in page if pk in by_pk]
        assert declaration_queue_rows(page) == expected
    row = declaration_queue_rows([flagged.pk])[0]
    assert [row[name] for name in filters.Flag.FIELDS.values()] == [True, True, True, True, False]
    assert row["total_score"] == Decimal("50.00")
    assert declaration_queue_rows([]) == []


def test_queue_searches_number_title_and_organisation(client, staff, open_call):
    photonic = _declaration(open_call, title="Photonic chips")
    by_name = _declaration(open_call, organisation=OrganisationFactory(name="Haidian Quantum Capital"))
    client.force_login(staff)
    assert _listed(client, "?q=photonic") == [photonic]
    assert _listed(client, "?q=quantum+capital") == [by_name]
    assert _listed(client, f"?q={photonic.number}") == [photonic]


def test_queue_search_finds_the_organisations_past_the_list_it_reads_first(client, staff, open_call, monkeypatch):
    """The organisations a search names are given to the database as a list up to
    SEARCH_ORGANISATIONS of them; past it, as the subquery that finds them, with the same result."""
    first = _declaration(open_call, organisation=OrganisationFactory(name="Quantum Capital One"))
    second = _declaration(open_call, organisation=OrganisationFactory(name="Quantum Capital Two"))
    client.force_login(staff)
    for most in (1, 2):
        monkeypatch.setattr(filters, "SEARCH_ORGANISATIONS", most)
        assert sorted(_listed(client, "?q=quantum+capital"), key=lambda d: d.pk) == [first, second]


def test_a_search_reads_its_declarations_once_to_count_them_and_show_a_page(client, staff, open_call):
    """A search's declarations are read at once, their ids alone: the count is how many, the page a
    slice of them, with no count of its own."""
    found = [_declaration(open_call, title=f"Photonic chips {n}", days_ago=n) for n in range(3)]
    _declaration(open_call, title="Quantum sensing")
    client.force_login(staff)
    _listed(client, "?q=photonic")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/console/?q=photonic")
    assert list(response.context["page"]) == found
    assert response.context["table"].paginator.count == 3
    assert not _declarations_counted(queries)


@pytest.mark.parametrize("most", [1, 2, 3, 4, 5, 30])
def test_a_search_past_what_it_reads_at_once_is_counted_and_paged_as_any_list(
    client, staff, open_call, monkeypatch, most
):
    """Past SEARCH_READ_AT_ONCE declarations a search is counted by the database, and a page past
    those read first is read from it: each page lists what the list sorted by the database does."""
    found = [_declaration(open_call, title=f"Photonic chips {n}", days_ago=n) for n in range(30)]
    monkeypatch.setattr(queue_views, "SEARCH_READ_AT_ONCE", most)
    client.force_login(staff)
    pages = [client.get(f"/console/?q=photonic&page={page}").context for page in (1, 2)]
    assert [list(context["page"]) for context in pages] == [found[:25], found[25:]]
    assert [context["table"].paginator.count for context in pages] == [30, 30]


def test_read_at_once_gives_every_slice_and_count_the_queryset_gives(staff, open_call):
    for n in range(6):
        _declaration(open_call, days_ago=n)
    queue = declaration_queue_for(staff)
    expected = list(queue.values_list("pk", flat=True))
    for most in range(8):
        read = ReadAtOnce(queue, most=most)
        assert read.count() == 6
        for start in range(8):
            for stop in range(start, 9):
                assert [d.pk for d in read[start:stop]] == expected[start:stop], (most, start, stop)


# --- sorting and pagination ---------------------------------------------------------------------


def test_queue_sorts_by_total_score_with_unscored_last_both_ways(client, staff, open_call):
    low, high = _declaration(open_call, S.REVIEWED), _declaration(open_call, S.REVIEWED)
    unscored = _declaration(open_call, S.UNDER_REVIEW)
    _summary(low, "61.00")
    _summary(high, "88.00")
    client.force_login(staff)
    assert _listed(client, "?sort=-total_score") == [high, low, unscored]
    assert _listed(client, "?sort=total_score") == [low, high, unscored]


def _ranked_queue(open_call, repeat=1):
    """Declarations past their draft with equal, distinct and missing totals (a summary without a
    total, none at all): 6 scored and 5 unscored, `repeat` times; and a draft, which the queue
    leaves out."""
    totals = ["70.00", "88.00", "70.00", None, "61.50", "missing", "70.00", "missing", "88.00", None, "missing"]
    for total in totals * repeat:
        declaration = _declaration(open_call, S.REVIEWED)
        if total is None:
            EvaluationSummary.objects.create(declaration=declaration, aggregation="mean")
        elif total != "missing":
            _summary(declaration, total)
    _summary(_declaration(open_call, S.DRAFT), "99.00")


@pytest.mark.parametrize("descending", [True, False])
def test_the_whole_queue_ranked_by_total_score_reads_every_slice_as_the_one_query_orders_it(
    staff, open_call, descending
):
    """RankedByTotalScore reads the scored declarations, then the unscored, and gives each slice the
    declarations one ORDER BY of the total (nulls last, then the newest first) would."""
    _ranked_queue(open_call)
    queue = declaration_queue_for(staff)
    expected = list(QueueTable(queue).order_total_score(queue, descending)[0].values_list("pk", flat=True))
    assert len(expected) == 11
    ranked = RankedByTotalScore(queue, descending=descending)
    assert ranked.count() == 11
    for start in range(13):
        for stop in range(start, 14):
            assert [d.pk for d in ranked[start:stop]] == expected[start:stop], (start, stop)


@pytest.mark.parametrize(
    ("start", "queries"),
    [
        (0, 1),  # scored declarations alone
        (4, 2),  # the last scored ones, then the first unscored
        (8, 3),  # unscored ones alone: the scored are counted to know where they begin
    ],
)
def test_a_slice_of_the_ranked_queue_takes_one_query_within_the_scored_and_at_most_three(
    staff, open_call, start, queries, django_assert_num_queries
):
    _ranked_queue(open_call)
    ranked = RankedByTotalScore(declaration_queue_for(staff), descending=True)
    with django_assert_num_queries(queries):
        assert len(ranked[start : start + 3]) == 3


def test_the_unfiltered_queue_ranked_by_total_score_shows_the_same_pages_as_a_filtered_one(client, staff, open_call):
    """The whole queue is ranked by RankedByTotalScore, a filtered one by one ORDER BY: with a filter
    that keeps every declaration, each page of both lists the same declarations (the first 18 scored
    and 7 unscored, the second the last 8 unscored)."""
    _ranked_queue(open_call, repeat=3)
    client.force_login(staff)
    for order in ("-total_score", "total_score"):
        pages = [_listed(client, f"?sort={order}&page={page}") for page in (1, 2)]
        assert pages == [_listed(client, f"?sort={order}&page={page}&call={open_call.pk}") for page in (1, 2)]
        assert [len(page) for page in pages] == [25, 8]
    # Another column's order after it takes over, as for any list.
    assert _listed(client, "?sort=-total_score&sort=award_cap")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan that matters is production's")
def test_the_ranked_queue_reads_the_scored_declarations_in_the_summarys_index_order(staff, open_call):
    """The whole queue's ranking reads the scored declarations by the evaluation summary's index
    (review migration 0016) without sorting them, highest or lowest first. (SQLite, the embedded
    default, reads the total's range by an index and sorts what it finds.)"""
    _ranked_queue(open_call)
    queue = declaration_queue_for(staff)
    for descending, index in ((True, "summary_ranked_highest_first"), (False, "summary_ranked_lowest_first")):
        scored = RankedByTotalScore(queue, descending=descending).scored.values_list("pk", flat=True)[:25]
        sql, params = scored.query.sql_with_params()
        plan = _plan(sql, params)
        assert index in plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan


def test_queue_sorts_by_organisation_and_by_submission(client, staff, open_call):
    beta = _declaration(open_call, organisation=OrganisationFactory(name="Beta Capital"), days_ago=3)
    alpha = _declaration(open_call, organisation=OrganisationFactory(name="Alpha Capital"), days_ago=1)
    client.force_login(staff)
    assert _listed(client, "?sort=organisation") == [alpha, beta]
    assert _listed(client, "?sort=-organisation") == [beta, alpha]
    assert _listed(client, "?sort=submitted_at") == [beta, alpha]
    # Newest submission first by default; an unknown column leaves the default.
    assert _listed(client) == [alpha, beta]
    assert _listed(client, "?sort=flags") == [alpha, beta]


def test_queue_header_says_how_it_is_sorted(client, staff, open_call):
    _declaration(open_call)
    client.force_login(staff)
    html = client.get("/console/?sort=-total_score").content.decode()
    assert 'aria-sort="descending"' in html
    # The first click on a score ranks the highest first.
    assert "?sort=-total_score" in client.get("/console/").content.decode()


def _header(client, query="", language="en"):
    html = client.get(f"/console/{query}", headers={"accept-language": language}).content.decode()
    return html[html.index("<thead") : html.index("</thead>")]


def test_queue_header_written_once_per_order_and_language_keeps_each_requests_parameters(client, staff, open_call):
    _declaration(open_call)
    client.force_login(staff)
    first = _header(client, "?sort=-total_score&state=submitted")
    # The same columns and order again: the links carry this request's filters, not the first's.
    again = _header(client, "?sort=-total_score&q=a%26b&flags=credit&flags=outliers")
    assert 'href="?sort=number&amp;state=submitted"' in first
    assert 'href="?sort=number&amp;q=a%26b&amp;flags=credit&amp;flags=outliers"' in again
    assert 'aria-sort="descending"' in again and "▼" in again
    assert 'href="?sort=total_score&amp;q=a%26b&amp;flags=credit&amp;flags=outliers"' in again
    # Another language, another order: their own labels and arrows.
    chinese = _header(client, "?sort=number", language="zh-hans")
    assert "编号" in chinese and "Number" not in chinese
    assert 'aria-sort="ascending"' in chinese and "▲" in chinese and "▼" not in chinese
    assert "Number" in _header(client, "?sort=number")


def test_queue_pages_by_25_and_by_the_page_size_chosen(client, staff, open_call):
    declarations = [_declaration(open_call, days_ago=n) for n in range(1, 31)]
    client.force_login(staff)
    assert _listed(client) == declarations[:25]
    assert _listed(client, "?page=2") == declarations[25:]
    assert _listed(client, "?per_page=50") == declarations
    response = client.get("/console/?per_page=7")
    assert response.context["size_form"].errors == {
        "per_page": ["Select a valid choice. 7 is not one of the available choices."]
    }
    assert len(response.context["page"]) == 25
    # Text that is not a page number shows the first page, a number past the end the last.
    assert _listed(client, "?page=abc") == declarations[:25]
    assert _listed(client, "?page=99") == declarations[25:]
    assert _listed(client, "?page=2&state=submitted&sort=-submitted_at") == declarations[25:]


def test_queue_page_links_keep_the_filters_and_the_sort(client, staff, open_call):
    for n in range(1, 28):
        _declaration(open_call, days_ago=n)
    client.force_login(staff)
    html = client.get("/console/?state=submitted&sort=-submitted_at").content.decode()
    assert "?state=submitted&amp;sort=-submitted_at&amp;page=2" in html


JUNK = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "9" * 40,
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "\uff11",
    "2026-02-30",
    "%",
    "' OR 1=1 --",
    "x" * 500,
]
PARAMETERS = ["call", "programme", "state", "score_min", "score_max", "flags", "q", "sort", "page", "per_page"]


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_queue_never_fails_on_garbage_in_any_parameter(client, staff, open_call, parameter):
    declaration = _declaration(open_call)
    _summary(declaration, "70.00")
    client.force_login(staff)
    for value in JUNK:
        response = client.get("/console/", {parameter: value, "flags": ["credit", value]})
        assert response.status_code == 200, (parameter, value)
        form = response.context["filter_form"]
        if form.errors:
            # A refused value is named at its field and filters nothing in by mistake.
            assert set(form.errors) <= set(PARAMETERS)
            assert list(response.context["page"]) == []


def test_queue_refused_filter_values_are_shown_at_their_fields(client, staff):
    client.force_login(staff)
    response = client.get("/console/?call=999999&programme=NOPE&state=draft&score_min=abc&score_max=101&flags=x")
    errors = response.context["filter_form"].errors
    assert sorted(errors) == ["call", "flags", "programme", "score_max", "score_min", "state"]
    assert errors["score_min"] == ["Enter a number."]
    assert errors["score_max"] == ["Ensure this value is less than or equal to 100."]
    html = response.content.decode()
    assert html.count("invalid-feedback") >= 6


# --- who sees what ------------------------------------------------------------------------------


def test_reviewer_sees_only_assigned_declarations_as_my_evaluations(client, reviewer, staff, cast):
    assigned = _at(S.UNDER_REVIEW, cast)
    _at(S.ACCEPTED, cast)
    client.force_login(reviewer)
    response = client.get("/console/")
    assert list(response.context["page"]) == [assigned]
    assert response.context["title"] == "My evaluations"
    html = response.content.decode()
    assert '<h1 class="h3 mb-0">My evaluations</h1>' in html
    assert 'name="declarations"' not in html
    assert "/console/export/" not in html
    assert response.context["bulk_form"] is None


def test_reviewer_learns_no_scores_from_the_queue(client, reviewer, cast):
    low, high = _at(S.UNDER_REVIEW, cast), _at(S.UNDER_REVIEW, cast)
    _summary(low, "52.00", passed=False)
    _summary(high, "97.00", outliers=True)
    client.force_login(reviewer)
    response = client.get("/console/?sort=-total_score&score_min=90&flags=outliers")
    # The score and flag filters and columns are not there; the sort falls back to the newest first.
    assert list(response.context["page"]) == [high, low]
    assert sorted(response.context["filter_form"].fields) == ["call", "programme", "q", "state"]
    html = response.content.decode()
    for hidden in ("97.00", "52.00", "Total score", "Outliers", "Below pass mark", 'name="score_min"'):
        assert hidden not in html
    assert list(client.get("/console/?sort=total_score").context["page"]) == [high, low]


def test_staff_gets_a_selection_column_and_the_exports_finance_only_the_exports(client, staff, finance, open_call):
    declaration = _declaration(open_call)
    client.force_login(staff)
    html = client.get("/console/").content.decode()
    assert f'name="declarations" value="{declaration.pk}"' in html
    assert 'id="bulk-form"' in html
    assert "/console/export/declarations.csv" in html
    client.force_login(finance)
    html = client.get("/console/").content.decode()
    assert 'name="declarations"' not in html
    assert "/console/export/declarations.xlsx" in html


@pytest.mark.parametrize("role", ["applicant", "administrator"])
def test_queue_and_bulk_refuse_applicants_and_the_administrator(client, request, role, open_call):
    declaration = _declaration(open_call)
    client.force_login(request.getfixturevalue(role))
    assert client.get("/console/").status_code == 403
    response = client.post("/console/bulk/", {"declarations": [declaration.pk], "action": "decide"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "finance"])
def test_bulk_actions_are_refused_to_reviewers_and_finance(client, request, role, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(request.getfixturevalue(role))
    response = client.post("/console/bulk/", {"declarations": [declaration.pk], "action": "accept", "confirm": "on"})
    assert response.status_code == 403
    assert Declaration.objects.get(pk=declaration.pk).state == S.SUBMITTED


def test_bulk_is_post_only(client, staff):
    client.force_login(staff)
    assert client.get("/console/bulk/").status_code == 405


# --- bulk actions -------------------------------------------------------------------------------

# A bulk action acts only once confirmed (test_bulk_action_asks_first_and_changes_nothing).
CONFIRMED = {"confirmed": "yes"}


def test_bulk_action_asks_first_and_changes_nothing(client, staff, open_call):
    first, second = _declaration(open_call, S.SUBMITTED), _declaration(open_call, S.SUBMITTED)
    client.force_login(staff)
    data = {"declarations": [first.pk, second.pk], "action": "accept", "confirm": "on", "note": "形式审查通过。"}
    events = DeclarationEvent.objects.count()

    pending = client.post("/console/bulk/", data)
    after_first = (Declaration.objects.get(pk=first.pk).state, DeclarationEvent.objects.count())
    done = client.post("/console/bulk/", data | CONFIRMED)

    content = pending.content.decode()
    assert "Each of the 2 declarations below is accepted" in content
    assert first.title in content and second.organisation.name in content
    assert 'name="confirm" value="on"' in content
    assert after_first == (S.SUBMITTED, events)
    assert [status for _, status, _ in _outcomes(done)] == ["done", "done"]


def _outcomes(response):
    return [(o.declaration.pk, o.status, o.message) for o in response.context["outcomes"]]


def test_bulk_assign_assigns_the_reviewers_and_starts_the_evaluation(client, staff, reviewer, second_reviewer, cast):
    first, second = _at(S.ACCEPTED, cast), _at(S.ACCEPTED, cast)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/",
        {
            "declarations": [first.pk, second.pk],
            "action": "assign",
            "reviewers": [reviewer.pk, second_reviewer.pk],
            **CONFIRMED,
        },
    )
    assert response.status_code == 200
    assert [status for _pk, status, _message in _outcomes(response)] == ["done", "done"]
    for declaration in (first, second):
        declaration.refresh_from_db()
        assert declaration.state == S.UNDER_REVIEW
        assert {a.reviewer for a in declaration.review_assignments.all()} == {reviewer, second_reviewer}


def test_bulk_assign_refuses_a_conflicted_reviewer_for_that_declaration_only(client, staff, cast):
    mine, theirs = _at(S.ACCEPTED, cast), _at(S.ACCEPTED, cast)
    Declaration.objects.filter(pk=theirs.pk).update(organisation=OrganisationFactory())
    conflicted = ReviewerFactory(username="conflicted", organisation=cast.applicant.organisation)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/",
        {"declarations": [mine.pk, theirs.pk], "action": "assign", "reviewers": [conflicted.pk], **CONFIRMED},
    )
    outcomes = {pk: (status, message) for pk, status, message in _outcomes(response)}
    assert outcomes[mine.pk][0] == "refused"
    assert "conflict of interest" in outcomes[mine.pk][1]
    assert outcomes[theirs.pk] == ("done", "Assigned: conflicted.")
    assert Declaration.objects.get(pk=mine.pk).state == S.ACCEPTED
    assert not ReviewAssignment.objects.filter(declaration=mine).exists()
    assert Declaration.objects.get(pk=theirs.pk).state == S.UNDER_REVIEW
    html = response.content.decode()
    assert "conflict of interest" in html and "Refused" in html


def test_bulk_accept_needs_the_confirmation_ticked(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(staff)
    response = client.post("/console/bulk/", {"declarations": [declaration.pk], "action": "accept"})
    assert response.status_code == 200
    assert response.context["bulk_form"].errors == {
        "confirm": ["Confirm that you have checked every selected declaration."]
    }
    # The queue is shown again with the declaration still ticked.
    assert f'value="{declaration.pk}" aria-label="Select {declaration.number}" checked' in response.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == S.SUBMITTED


def test_bulk_accept_accepts_refuses_and_disqualifies_each_on_its_own(client, staff, cast):
    accepted = _at(S.SUBMITTED, cast)
    already = _at(S.ACCEPTED, cast)
    listed = _at(S.SUBMITTED, cast)
    Declaration.objects.filter(pk=listed.pk).update(organisation=OrganisationFactory())
    listed.refresh_from_db()
    _credit_record(listed.organisation)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/",
        {
            "declarations": [accepted.pk, already.pk, listed.pk],
            "action": "accept",
            "confirm": "on",
            "note": "形式审查通过。",
            **CONFIRMED,
        },
    )
    outcomes = {pk: (status, message) for pk, status, message in _outcomes(response)}
    assert outcomes[accepted.pk] == ("done", "Accepted")
    assert outcomes[already.pk] == ("refused", "This cannot be done while the declaration is “Accepted”.")
    assert outcomes[listed.pk][0] == "disqualified"
    assert "Untrustworthy person subject to enforcement" in outcomes[listed.pk][1]
    states = dict(Declaration.objects.filter(pk__in=outcomes).values_list("pk", "state"))
    assert states == {accepted.pk: S.ACCEPTED, already.pk: S.ACCEPTED, listed.pk: S.DISQUALIFIED}
    assert Declaration.objects.get(pk=accepted.pk).events.last().note == "形式审查通过。"
    assert response.context["counts"] == {"done": 1, "refused": 1, "disqualified": 1}


def test_bulk_decide_decides_as_the_meeting_proposed(client, staff, cast):
    supported, not_supported, no_opinion = (_at(S.REVIEWED, cast) for _ in range(3))
    meeting_opinion_record(supported, cast, Decimal("1200000.00"))
    meeting_opinion_record(not_supported, cast, None)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/",
        {"declarations": [supported.pk, not_supported.pk, no_opinion.pk], "action": "decide", **CONFIRMED},
    )
    outcomes = {pk: (status, message) for pk, status, message in _outcomes(response)}
    assert outcomes[supported.pk] == ("done", "Approved, awaiting publicity: 1,200,000.00 yuan")
    assert outcomes[not_supported.pk] == ("done", "Not supported")
    assert outcomes[no_opinion.pk] == (
        "refused",
        "Record the evaluation meeting's opinion on this declaration before deciding.",
    )
    supported.refresh_from_db()
    assert (supported.state, supported.approved_amount) == (S.APPROVED, Decimal("1200000.00"))
    assert supported.decision.opinion.declaration == supported
    assert Declaration.objects.get(pk=not_supported.pk).state == S.NOT_SUPPORTED
    assert Declaration.objects.get(pk=no_opinion.pk).state == S.REVIEWED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"declarations": [], "action": "decide"}, "declarations", "Select at least one declaration in the list."),
        (
            {"declarations": ["999999"], "action": "decide"},
            "declarations",
            "Select a valid choice. 999999 is not one of the available choices.",
        ),
        (
            {"declarations": ["9" * 40], "action": "decide"},
            "declarations",
            "Select a valid choice. " + "9" * 40 + " is not one of the available choices.",
        ),
        ({"declarations": ["x\x00"], "action": "decide"}, "declarations", "Null characters are not allowed."),
        ({"action": "nonsense"}, "action", "Select a valid choice. nonsense is not one of the available choices."),
    ],
)
def test_bulk_form_errors_are_shown_at_their_fields(client, staff, open_call, data, field, message):
    declaration = _declaration(open_call, S.ACCEPTED)
    data = {"declarations": [declaration.pk], **data}
    client.force_login(staff)
    response = client.post("/console/bulk/", {**data, "query": "state=accepted"})
    assert response.status_code == 200
    assert message in response.context["bulk_form"].errors[field]
    # The list comes back as it was filtered.
    assert response.context["filter_form"].data["state"] == "accepted"
    assert Declaration.objects.get(pk=declaration.pk).state == S.ACCEPTED


def test_bulk_assign_first_lists_the_reviewers_with_their_load(client, staff, reviewer, second_reviewer, cast):
    first, second = _at(S.UNDER_REVIEW, cast), _at(S.ACCEPTED, cast)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/", {"declarations": [first.pk, second.pk], "action": "assign", "query": "state=accepted"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "review/queue/bulk_assign.html"
    assert list(response.context["declarations"]) == [first, second]
    # reviewer-a and reviewer-b each evaluate `first`
    assert response.context["bulk_form"].options["reviewers"] == [
        (str(reviewer.pk), "reviewer-a (1 open)", False),
        (str(second_reviewer.pk), "reviewer-b (1 open)", False),
    ]
    html = response.content.decode()
    assert f'<input type="hidden" name="declarations" value="{second.pk}">' in html
    assert '<input type="hidden" name="stage" value="reviewers">' in html
    assert Declaration.objects.get(pk=second.pk).state == S.ACCEPTED


@pytest.mark.parametrize(
    ("reviewers", "message"),
    [([], "Choose at least one expert reviewer."), (["abc"], "“abc” is not a valid value.")],
)
def test_bulk_assign_without_a_valid_reviewer_shows_the_error_at_the_reviewers(
    client, staff, open_call, reviewers, message
):
    declaration = _declaration(open_call, S.ACCEPTED)
    client.force_login(staff)
    response = client.post(
        "/console/bulk/",
        {"declarations": [declaration.pk], "action": "assign", "stage": "reviewers", "reviewers": reviewers},
    )
    assert response.status_code == 200
    assert response.context["bulk_form"].errors["reviewers"] == [message]
    assert message in response.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == S.ACCEPTED


def test_bulk_refuses_a_declaration_the_queue_does_not_show(client, staff, draft):
    client.force_login(staff)
    response = client.post("/console/bulk/", {"declarations": [draft.pk], "action": "decide"})
    assert response.context["bulk_form"].errors["declarations"] == [
        f"Select a valid choice. {draft.pk} is not one of the available choices."
    ]


# --- query count --------------------------------------------------------------------------------


def _bulk_queue(count, call, applicant):
    """`count` declarations created in bulk, across programmes and states, about half with an
    evaluation summary, some with double-funding matches and some organisations with a credit
    record in force."""
    programmes = list(Programme.objects.all())
    states = [S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED, S.APPROVED, S.NOT_SUPPORTED]
    organisations = [OrganisationFactory() for _ in range(5)]
    now = timezone.now()
    declarations = Declaration.objects.bulk_create(
        [
            Declaration(
                organisation=organisations[n % len(organisations)],
                call=call,
                programme=programmes[n % len(programmes)],
                title=f"Bulk project {n}",
                summary="Bulk fixture declaration.",
                facts=dict(ART6_FACTS),
                state=states[n % len(states)],
                number=f"ZGC-BULK-{n:06d}",
                created_by=applicant,
                submitted_at=now - datetime.timedelta(minutes=n),
                award_cap=Decimal("1600000.00"),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    EvaluationSummary.objects.bulk_create(
        [
            EvaluationSummary(
                declaration=d,
                aggregation="mean",
                total=Decimal(40 + n % 60),
                spread=Decimal(n % 20),
                evaluations=2,
                assigned=2,
                passed=n % 5 != 0,
                has_outliers=n % 7 == 0,
            )
            for n, d in enumerate(declarations)
            if n % 2 == 0
        ],
        batch_size=2000,
    )
    for declaration in declarations[:3]:
        _match(declaration)
    _credit_record(organisations[0])


# session, user, the count, the ids of the page, the page's rows, unread notices, the calls and
# the programmes of the filters
QUEUE_QUERIES = 8


@pytest.mark.parametrize("count", [10, 10_000])
@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", QUEUE_QUERIES),
        ("?sort=-total_score&flags=credit&flags=double_funding&flags=outliers", QUEUE_QUERIES),
        # and the organisations whose name the search finds, read first as a list
        ("?q=bulk&score_min=40&score_max=90&state=under_review&sort=organisation&per_page=100", QUEUE_QUERIES + 1),
        # and the chosen call and programme, looked up to validate them
        ("?call={call}&programme=ART6&page=3", QUEUE_QUERIES + 2),
    ],
)
def test_queue_query_count_does_not_grow_with_declarations(
    client, staff, applicant, open_call, count, query, queries, django_assert_max_num_queries
):
    _bulk_queue(count, open_call, applicant)
    client.force_login(staff)
    with django_assert_max_num_queries(queries):
        response = client.get(f"/console/{query.format(call=open_call.pk)}")
    assert response.status_code == 200
    assert len(response.context["page"]) > 0


def _counted(client, query=""):
    return client.get(f"/console/{query}").context["table"].paginator.count


def _declarations_counted(queries):
    counts = [q["sql"] for q in queries if (q["sql"] or "").startswith("SELECT COUNT(*)")]
    return [sql for sql in counts if "declarations_declaration" in sql]


def test_the_unfiltered_queue_count_is_kept_through_submissions_until_one_is_made_or_deleted_past_its_draft(
    client, staff, applicant, open_call, django_capture_on_commit_callbacks
):
    """Staff's unfiltered queue counts every declaration past its draft once, then reads the count
    from the cache: a submission adds one to it after the commit, a draft's save and a later
    transition change nothing; a declaration made past its draft outside the workflow, or deleted
    past it, makes it read again; a filtered queue counts by its own query."""
    first, second = _declaration(open_call), _declaration(open_call)
    draft = ready_to_submit(
        DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant), applicant
    )
    client.force_login(staff)
    assert _counted(client) == 2

    def counted_from_the_cache():
        with CaptureQueriesContext(connection) as queries:
            count = _counted(client)
        assert not _declarations_counted(queries)
        return count

    assert counted_from_the_cache() == 2
    draft.title = "Saved again"
    draft.save()
    assert counted_from_the_cache() == 2
    with django_capture_on_commit_callbacks(execute=True):
        declaration_transition(declaration_id=draft.pk, action=A.SUBMIT, actor=applicant)
    assert counted_from_the_cache() == 3
    with django_capture_on_commit_callbacks(execute=True):
        declaration_transition(declaration_id=draft.pk, action=A.WITHDRAW, actor=applicant, note="Submitted twice")
    assert counted_from_the_cache() == 3
    assert _counted(client, f"?programme={first.programme.code}&state=submitted") == 2
    second.delete()
    assert _counted(client) == 2
    DeclarationFactory(call=open_call, state=S.SUBMITTED)
    assert _counted(client) == 3
    DeclarationFactory(call=open_call).delete()
    assert counted_from_the_cache() == 3


def test_a_submission_rolled_back_adds_nothing_to_the_kept_count(
    client, staff, applicant, open_call, django_capture_on_commit_callbacks
):
    _declaration(open_call)
    draft = ready_to_submit(
        DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant), applicant
    )
    client.force_login(staff)
    assert _counted(client) == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        declaration_transition(declaration_id=draft.pk, action=A.SUBMIT, actor=applicant)
    assert callbacks  # the addition waits for the commit, which a rollback never reaches
    assert _counted(client) == 1


def test_a_reviewer_queue_count_is_never_the_staff_one(client, reviewer, staff, open_call):
    """The cached count is of every declaration past its draft: a reviewer's queue counts their own."""
    _declaration(open_call)
    client.force_login(staff)
    assert _counted(client) == 1
    client.force_login(reviewer)
    assert _counted(client) == 0


def test_bulk_assign_writes_ids_without_thousands_separators(client, staff, cast):
    """Ids above 999 must not come back as "1,507" from the hidden fields (USE_THOUSAND_SEPARATOR)."""
    declaration = DeclarationFactory(id=12345, organisation=cast.applicant.organisation, created_by=cast.applicant)
    build_to(declaration, S.ACCEPTED, cast=cast)
    client.force_login(staff)
    response = client.post("/console/bulk/", {"declarations": [12345], "action": "assign", "query": ""})
    assert '<input type="hidden" name="declarations" value="12345">' in response.content.decode()


def _plan(sql, params):
    """The database's plan for a query, as text, with PostgreSQL told to avoid a sequential scan
    and a sort wherever an index can serve: the plan then shows whether one can."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_queue_default_order_is_read_from_an_index(staff, open_call):
    """The queue's first page reads its rows in index order (declarations migration 0009) instead of
    sorting every declaration past its draft: on PostgreSQL, which needs NULLS LAST in the index,
    and on SQLite, which puts NULL last when descending."""
    for days_ago in range(3):
        _declaration(open_call, days_ago=days_ago)
    ids = declaration_queue_for(staff).values_list("pk", flat=True)[:25]
    sql, params = ids.query.sql_with_params()
    plan = _plan(sql, params)
    assert "declaration_queue_order" in plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_queue_search_reads_the_trigram_indexes(staff, open_call):
    """A search of the queue finds its declarations by the trigram indexes of the number, the title
    and (through the organisations' ids) the organisation (declarations migration 0021), in one
    bitmap, instead of reading every declaration. (On a test's few rows PostgreSQL prefers reading
    the queue's partial index of every declaration past its draft: the test drops it, inside its
    transaction, to see what the search itself can be read by.)"""
    _declaration(open_call, title="Photonic chips", organisation=OrganisationFactory(name="Photonic Capital"))
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX declaration_queue_order")
    # As the page's count reads them, in no order.
    ids = queue_filter_for(staff, QueryDict("q=photonic")).declarations.order_by().values_list("pk", flat=True)
    sql, params = ids.query.sql_with_params()
    plan = _plan(sql, params)
    assert "declaration_title_trgm" in plan and "declaration_number_trgm" in plan
    assert "BitmapOr" in plan
    assert "Seq Scan on declarations_declaration" not in plan


def test_the_queue_rows_escape_what_the_declarations_hold(client, staff, open_call):
    """The queue's markup is its template's (tests/test_architecture.py): what the rows hold is
    escaped there."""
    declaration = _declaration(open_call, title='<script>alert(1)</script> & "x"')
    Organisation = type(declaration.organisation)
    Organisation.objects.filter(pk=declaration.organisation_id).update(name="<b>Unit</b> & Co")
    client.force_login(staff)
    html = client.get("/console/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in html
    assert "<b>Unit</b>" not in html
    assert "&lt;b&gt;Unit&lt;/b&gt; &amp; Co" in html


def test_queue_tables_share_their_columns_and_each_leaves_out_only_its_own():
    """A table does not copy the queue's columns as it is made (review.tables.SharedColumn); what a
    user may not see is left out of that user's table alone."""
    staff = QueueTable(Declaration.objects.none())
    reviewer = QueueTable(Declaration.objects.none(), exclude=("selection", "total_score", "score_spread", "flags"))
    again = QueueTable(Declaration.objects.none())

    assert staff.columns["number"].column is QueueTable.base_columns["number"] is reviewer.columns["number"].column
    assert [column.name for column in reviewer.columns] == [
        "number",
        "title",
        "organisation",
        "programme",
        "state",
        "award_cap",
        "approved_amount",
        "submitted_at",
    ]
    assert [column.name for column in again.columns] == [column.name for column in staff.columns]
    assert len(again.columns) == 12
    assert all(column.visible for column in again.columns)
