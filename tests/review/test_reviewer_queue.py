"""The expert reviewer's queue: their declarations split into to score, in progress and done, with
counts; "next to score" on a declaration's page; the same queries whatever the number of
assignments."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.rules import is_assigned_reviewer
from declarations.selectors import declarations_visible_to
from review.models import ReviewAssignment
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _assigned(applicant, call, reviewer, staff, *, state=S.UNDER_REVIEW, opinion="", submitted=False):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant)
    Declaration.objects.filter(pk=declaration.pk).update(state=state, number=f"2026-ART6-{declaration.pk:05d}")
    ReviewAssignment.objects.create(
        declaration=declaration,
        reviewer=reviewer,
        assigned_by=staff,
        opinion=opinion or ("Sound plan." if submitted else ""),
        started=bool(opinion) or submitted,
        score=Decimal("80.00") if submitted else None,
        submitted_at=timezone.now() if submitted else None,
    )
    return declaration


@pytest.fixture
def three(applicant, open_call, reviewer, staff):
    """One declaration to score, one with a draft saved, one whose evaluation is submitted."""
    return (
        _assigned(applicant, open_call, reviewer, staff),
        _assigned(applicant, open_call, reviewer, staff, opinion="Half written."),
        _assigned(applicant, open_call, reviewer, staff, submitted=True),
    )


def test_reviewer_queue_splits_to_score_in_progress_and_done_with_counts(client, reviewer, three):
    to_score, in_progress, done = three
    client.force_login(reviewer)
    response = client.get("/console/")
    tabs = [(t["key"], t["count"], t["current"]) for t in response.context["reviewer_tabs"]]
    assert tabs == [("to_score", 1, True), ("in_progress", 1, False), ("done", 1, False)]
    assert list(response.context["page"]) == [to_score]
    assert list(client.get("/console/?tab=in_progress").context["page"]) == [in_progress]
    assert list(client.get("/console/?tab=done").context["page"]) == [done]
    # An unknown tab is the first one, not an error.
    assert list(client.get("/console/?tab=nope").context["page"]) == [to_score]
    html = response.content.decode()
    assert 'href="?tab=in_progress"' in html
    assert '<input type="hidden" name="tab" value="to_score">' in html


def _counts(client):
    return {tab["key"]: tab["count"] for tab in client.get("/console/").context["reviewer_tabs"]}


def test_the_tab_counts_follow_every_change_to_the_assignments_though_cached(
    client, applicant, open_call, reviewer, staff, three
):
    to_score, in_progress, done = three
    client.force_login(reviewer)
    assert _counts(client) == {"to_score": 1, "in_progress": 1, "done": 1}

    assignment = ReviewAssignment.objects.get(declaration=to_score)
    assignment.started = True
    assignment.save(update_fields=["started"])
    assert _counts(client) == {"to_score": 0, "in_progress": 2, "done": 1}
    _assigned(applicant, open_call, reviewer, staff)
    assert _counts(client) == {"to_score": 1, "in_progress": 2, "done": 1}
    released = ReviewAssignment.objects.get(declaration=in_progress)
    released.released_at = timezone.now()
    released.save(update_fields=["released_at"])
    assert _counts(client) == {"to_score": 1, "in_progress": 1, "done": 1}
    ReviewAssignment.objects.get(declaration=done).delete()
    assert _counts(client) == {"to_score": 1, "in_progress": 1, "done": 0}


def _tabs_counted(queries):
    return [q for q in queries if "review_reviewassignment" in (q["sql"] or "") and "COUNT(" in (q["sql"] or "")]


def test_an_assignment_saved_in_the_same_tab_keeps_the_counts_and_one_moved_forgets_them(
    client, reviewer, second_reviewer, three
):
    """A draft of scores saved again leaves the assignment where it was: the counts stay in the
    cache. A change of tab, or of reviewer (both reviewers' counts), has them read again."""
    _to_score, in_progress, done = three
    client.force_login(reviewer)
    assert _counts(client) == {"to_score": 1, "in_progress": 1, "done": 1}
    draft = ReviewAssignment.objects.get(declaration=in_progress)
    draft.opinion = "Three quarters written."
    draft.save()
    with CaptureQueriesContext(connection) as queries:
        assert _counts(client) == {"to_score": 1, "in_progress": 1, "done": 1}
    assert not _tabs_counted(queries)

    draft.started = False  # as no real save does, to see the change of tab noticed
    draft.save()
    assert _counts(client) == {"to_score": 2, "in_progress": 0, "done": 1}

    client.force_login(second_reviewer)
    assert _counts(client) == {"to_score": 0, "in_progress": 0, "done": 0}
    moved = ReviewAssignment.objects.get(declaration=done)
    moved.reviewer = second_reviewer
    moved.save()
    assert _counts(client) == {"to_score": 0, "in_progress": 0, "done": 1}
    client.force_login(reviewer)
    assert _counts(client) == {"to_score": 2, "in_progress": 0, "done": 0}


def test_staff_queue_has_no_reviewer_tabs(client, staff, three):
    client.force_login(staff)
    response = client.get("/console/")
    assert response.context["reviewer_tabs"] is None
    assert len(response.context["page"]) == 3


def test_reviewer_visibility_is_an_exists_not_a_join(reviewer, three):
    sql = str(declarations_visible_to(reviewer).query)
    assert "EXISTS" in sql
    assert "review_reviewassignment" not in sql.split("WHERE")[0]
    assert list(declarations_visible_to(reviewer).order_by("pk")) == sorted(three, key=lambda d: d.pk)


def test_declaration_page_leads_to_the_next_declaration_to_score(client, reviewer, three):
    to_score, in_progress, done = three
    client.force_login(reviewer)
    response = client.get(f"/console/{done.pk}/")
    assert response.context["next_to_score"] == to_score.pk
    assert f'href="/console/{to_score.pk}/"' in response.content.decode()
    assert client.get(f"/console/{to_score.pk}/").context["next_to_score"] == in_progress.pk


def test_declaration_page_says_when_nothing_is_left_to_score(client, applicant, open_call, reviewer, staff):
    done = _assigned(applicant, open_call, reviewer, staff, submitted=True)
    client.force_login(reviewer)
    response = client.get(f"/console/{done.pk}/")
    assert response.context["next_to_score"] is None
    assert "Nothing else waits for your score." in response.content.decode()


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize("tab", ["to_score", "in_progress", "done"])
def test_reviewer_queue_query_count_is_the_same_for_3_and_60_assignments(
    client, applicant, open_call, reviewer, staff, count, tab, django_assert_num_queries
):
    for n in range(count):
        kind = n % 3
        _assigned(applicant, open_call, reviewer, staff, opinion="Draft." if kind == 1 else "", submitted=kind == 2)
    client.force_login(reviewer)
    client.get("/console/")
    # The layout's, the page's ids and its rows: the same for 3 and for 60. The tab counts (which
    # give the paginator its count) and the filter's calls and programmes come from the cache,
    # filled by the first request (review.selectors.reviewer_tab_counts, declarations.choices).
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(f"/console/?tab={tab}")
    assert len(response.context["page"]) == count // 3


# The tab's count is the tab counts' (no filter): no count of its own.
QUEUE_QUERIES = 5


def test_a_filtered_tab_is_counted_with_its_filter(client, reviewer, three):
    to_score, _in_progress, _done = three
    client.force_login(reviewer)
    number = Declaration.objects.get(pk=to_score.pk).number
    response = client.get(f"/console/?tab=to_score&q={number}")
    assert response.context["table"].paginator.count == 1
    assert client.get("/console/?tab=to_score&q=nothing-like-it").context["table"].paginator.count == 0
    # Without a filter, the count is the tab's.
    assert client.get("/console/?tab=done").context["table"].paginator.count == 1


def test_a_reviewer_is_assigned_to_a_declaration_while_their_assignment_is_not_released(
    applicant, open_call, reviewer, second_reviewer, staff
):
    """declarations.rules.is_assigned_reviewer, one query: the reviewer's active assignment only."""
    declaration = _assigned(applicant, open_call, reviewer, staff)
    with CaptureQueriesContext(connection) as queries:
        assert is_assigned_reviewer(reviewer, declaration)
    assert len(queries) == 1
    assert not is_assigned_reviewer(second_reviewer, declaration)
    assert not is_assigned_reviewer(reviewer, DeclarationFactory(organisation=applicant.organisation))
    assert not is_assigned_reviewer(reviewer, Declaration(organisation=applicant.organisation))  # not saved
    assert not is_assigned_reviewer(reviewer, None)
    ReviewAssignment.objects.filter(declaration=declaration).update(released_at=timezone.now())
    assert not is_assigned_reviewer(reviewer, declaration)


def test_a_reviewer_without_assignments_counts_none_in_each_tab(client, second_reviewer):
    client.force_login(second_reviewer)
    assert _counts(client) == {"to_score": 0, "in_progress": 0, "done": 0}
