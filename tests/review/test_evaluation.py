"""Scoring against the programme's rubric: drafts, submission, blind scoring, the summary, who may
score, the default rubrics and the ranking page."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.demo import Cast
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.services import declaration_withdraw
from declarations.workflow import TransitionRefused
from review.evaluation import assignment_score, evaluations_visible_to, programme_rubric
from review.models import Criterion, CriterionScore, EvaluationSummary, ReviewAssignment, Rubric
from tests.factories import CallFactory, DeclarationFactory, ReviewerFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

D = Decimal
OPINION = "属中关村高新技术领域的首轮投资，情况属实。"


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def under_review(cast, **kwargs):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant, **kwargs)
    return build_to(declaration, S.UNDER_REVIEW, cast=cast)


def criteria_of(declaration):
    return list(programme_rubric(declaration.programme_id).criteria.all())


def assignment_of(declaration, reviewer):
    return ReviewAssignment.objects.get(declaration=declaration, reviewer=reviewer)


def scores_at(declaration, fraction):
    """Every criterion scored at the same fraction of its range, so the weighted total is 100 x fraction."""
    return {
        c.pk: (c.min_score + (c.max_score - c.min_score) * D(fraction)).quantize(D("0.01"))
        for c in criteria_of(declaration)
    }


def submit(declaration, reviewer, fraction="0.8", opinion=OPINION):
    return assignment_score(
        assignment_id=assignment_of(declaration, reviewer).pk,
        actor=reviewer,
        scores=scores_at(declaration, fraction),
        opinion=opinion,
        submit=True,
    )


def name(criterion):
    return f"criterion_{criterion.pk}"


def field(criterion):
    return f"evaluation-{name(criterion)}"


def post_data(declaration, values, opinion="", final=False):
    data = {field(c): value for c, value in zip(criteria_of(declaration), values, strict=False)}
    data["evaluation-opinion"] = opinion
    data["submit" if final else "save"] = "1"
    data["confirmed"] = "yes"
    return data


# --- The default rubrics --------------------------------------------------------------------------


def test_every_programme_has_a_default_rubric_with_pass_marks():
    for programme in Programme.objects.all():
        rubric = programme_rubric(programme.pk)
        criteria = list(rubric.criteria.all())
        assert 4 <= len(criteria) <= 6, programme.code
        assert (rubric.pass_mark, rubric.outlier_margin) == (D("60"), D("15"))
        for criterion in criteria:
            assert all([criterion.name_en, criterion.name_zh, criterion.guidance_en, criterion.guidance_zh])
            assert criterion.weight > 0
            assert criterion.min_score < criterion.pass_mark <= criterion.max_score


def test_the_default_rubrics_migration_reverses_and_reloads():
    migration = importlib.import_module("review.migrations.0005_default_rubrics")
    migration.unload(django_apps, None)
    assert Rubric.objects.count() == 0
    migration.load(django_apps, None)
    assert Rubric.objects.count() == Programme.objects.count() == 12


# --- Scoring through the page ---------------------------------------------------------------------


def test_a_reviewer_saves_a_draft_then_submits_it(client, reviewer, cast):
    declaration = under_review(cast)
    criteria = criteria_of(declaration)
    client.force_login(reviewer)

    response = client.post(
        f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["24", "16.5"], "First thoughts")
    )
    assert response["Location"] == f"/console/{declaration.pk}/"
    assignment = assignment_of(declaration, reviewer)
    assert (assignment.submitted_at, assignment.score, assignment.opinion) == (None, None, "First thoughts")
    assert {s.criterion_id: s.score for s in assignment.criterion_scores.all()} == {
        criteria[0].pk: D("24.00"),
        criteria[1].pk: D("16.50"),
    }
    page = client.get(f"/console/{declaration.pk}/")
    assert page.context["evaluation_form"][name(criteria[1])].value() == D("16.50")
    assert "First thoughts" in page.content.decode()

    client.post(
        f"/console/{declaration.pk}/evaluation/",
        post_data(declaration, ["24", "16", "16", "16", "8"], OPINION, final=True),
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert (assignment.score, assignment.opinion) == (D("80.00"), OPINION)
    assert Declaration.objects.get(pk=declaration.pk).state == S.UNDER_REVIEW
    page = client.get(f"/console/{declaration.pk}/")
    assert page.context["evaluation_form"] is None
    assert "You submitted your evaluation" in page.content.decode()


def test_submitting_with_a_criterion_missing_shows_the_error_there_and_keeps_the_other_values(client, reviewer, cast):
    declaration = under_review(cast)
    criteria = criteria_of(declaration)
    client.force_login(reviewer)
    response = client.post(
        f"/console/{declaration.pk}/evaluation/",
        post_data(declaration, ["24", "16", "", "16", "8"], OPINION, final=True),
    )
    assert response.status_code == 200
    form = response.context["evaluation_form"]
    assert form.errors == {name(criteria[2]): ["Score this criterion before submitting."]}
    assert [form[name(c)].value() for c in criteria] == ["24", "16", "", "16", "8"]
    assert form["opinion"].value() == OPINION
    assert "Score this criterion before submitting." in response.content.decode()
    assert not CriterionScore.objects.exists()
    assert assignment_of(declaration, reviewer).submitted_at is None


def test_submitting_shows_every_problem_at_once(client, reviewer, cast):
    declaration = under_review(cast)
    criteria = criteria_of(declaration)
    client.force_login(reviewer)
    response = client.post(
        f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["25", "31", "", "15", "7"], "", final=True)
    )
    assert response.context["evaluation_form"].errors == {
        name(criteria[1]): ["Enter a score from 0 to 20."],
        name(criteria[2]): ["Score this criterion before submitting."],
        "opinion": ["Write your evaluation opinion before submitting."],
    }


def test_submitting_without_an_opinion_shows_the_error_at_the_opinion(client, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)
    response = client.post(
        f"/console/{declaration.pk}/evaluation/",
        post_data(declaration, ["24", "16", "16", "16", "8"], "  ", final=True),
    )
    assert response.context["evaluation_form"].errors == {
        "opinion": ["Write your evaluation opinion before submitting."]
    }
    assert assignment_of(declaration, reviewer).submitted_at is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31", "Enter a score from 0 to 30."),
        ("-1", "Enter a score from 0 to 30."),
        ("abc", "Enter a number."),
        ("NaN", "Enter a number."),
        ("1e400", "Enter a score from 0 to 30."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_wrong_score_shows_the_error_at_its_field_and_saves_nothing(client, reviewer, cast, typed, message):
    declaration = under_review(cast)
    client.force_login(reviewer)
    for final in (False, True):
        response = client.post(
            f"/console/{declaration.pk}/evaluation/",
            post_data(declaration, [typed, "16", "16", "16", "8"], OPINION, final),
        )
        assert response.status_code == 200
        form = response.context["evaluation_form"]
        assert form.errors == {name(criteria_of(declaration)[0]): [message]}
        assert form[name(criteria_of(declaration)[1])].value() == "16"
    assert not CriterionScore.objects.exists()


def test_the_service_refuses_a_score_out_of_range_at_its_criterion(reviewer, cast):
    declaration = under_review(cast)
    first = criteria_of(declaration)[0]
    with pytest.raises(TransitionRefused) as refused:
        assignment_score(
            assignment_id=assignment_of(declaration, reviewer).pk,
            actor=reviewer,
            scores={first.pk: D("30.01")},
            opinion="",
            submit=False,
        )
    assert refused.value.errors == {first.pk: "Enter a score from 0 to 30."}
    assert not CriterionScore.objects.exists()


def test_a_draft_keeps_criteria_it_does_not_mention_and_clears_those_given_as_none(reviewer, cast):
    declaration = under_review(cast)
    first, second, *_ = criteria_of(declaration)
    assignment = assignment_of(declaration, reviewer)
    kwargs = {"assignment_id": assignment.pk, "actor": reviewer, "opinion": "", "submit": False}
    assignment_score(scores={first.pk: D("20"), second.pk: D("10")}, **kwargs)
    assignment_score(scores={first.pk: None}, **kwargs)
    assert {s.criterion_id: s.score for s in assignment.criterion_scores.all()} == {second.pk: D("10.00")}


def test_completing_the_last_evaluation_moves_the_declaration_to_reviewed(reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer, "0.9")
    assert Declaration.objects.get(pk=declaration.pk).state == S.UNDER_REVIEW
    submit(declaration, second_reviewer, "0.7")
    declaration.refresh_from_db()
    assert declaration.state == S.REVIEWED
    event = declaration.events.last()
    assert (event.action, event.actor) == (A.COMPLETE_REVIEW, second_reviewer)
    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.evaluations, summary.assigned, summary.total, summary.spread, summary.passed) == (
        2,
        2,
        D("80.00"),
        D("20.00"),
        True,
    )
    # Two totals 20 apart, more than the margin of 15: both are flagged.
    assert summary.has_outliers
    assert sorted(summary.outliers) == sorted(a.pk for a in declaration.review_assignments.all())


@pytest.mark.parametrize(("aggregation", "total"), [("mean", D("73.33")), ("median", D("80.00"))])
def test_the_summary_takes_the_totals_as_the_call_chose(cast, aggregation, total):
    third = ReviewerFactory(username="reviewer-c")
    cast.reviewers.append(third)
    declaration = under_review(cast, call=CallFactory(score_aggregation=aggregation))
    for reviewer, fraction in zip(cast.reviewers, ["0.5", "0.8", "0.9"], strict=True):
        submit(declaration, reviewer, fraction)
    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.aggregation, summary.total, summary.spread, summary.evaluations) == (
        aggregation,
        total,
        D("40.00"),
        3,
    )


def test_a_criterion_taken_below_its_pass_mark_fails_the_declaration(reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    first, *rest = criteria_of(declaration)
    for person in (reviewer, second_reviewer):
        scores = {c.pk: c.max_score for c in rest} | {first.pk: D("10")}  # 10 of 30, pass mark 18
        assignment_score(
            assignment_id=assignment_of(declaration, person).pk,
            actor=person,
            scores=scores,
            opinion=OPINION,
            submit=True,
        )
    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.total, summary.criteria_missed, summary.passed) == (D("80.00"), [first.pk], False)


# --- Blind scoring --------------------------------------------------------------------------------


def test_scoring_is_blind_until_the_reviewer_has_submitted(client, reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    first = criteria_of(declaration)[0]
    other = assignment_of(declaration, second_reviewer)
    kwargs = {"assignment_id": other.pk, "actor": second_reviewer}
    assignment_score(scores={first.pk: D("17.35")}, opinion="DRAFT-OPINION-OF-B", submit=False, **kwargs)
    client.force_login(reviewer)
    html = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "17.35" not in html and "DRAFT-OPINION-OF-B" not in html

    scores = scores_at(declaration, "0.8") | {first.pk: D("17.35")}
    assignment_score(scores=scores, opinion="SUBMITTED-OPINION-OF-B", submit=True, **kwargs)
    html = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "17.35" not in html and "SUBMITTED-OPINION-OF-B" not in html

    client.post(
        f"/console/{declaration.pk}/evaluation/",
        post_data(declaration, ["24", "16", "16", "16", "8"], OPINION, final=True),
    )
    html = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "17.35" in html and "SUBMITTED-OPINION-OF-B" in html
    assert "Expert reviewer 1" in html


def test_a_submitted_reviewer_does_not_see_the_others_drafts(client, reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer)
    first = criteria_of(declaration)[0]
    assignment_score(
        assignment_id=assignment_of(declaration, second_reviewer).pk,
        actor=second_reviewer,
        scores={first.pk: D("17.35")},
        opinion="DRAFT-OPINION-OF-B",
        submit=False,
    )
    client.force_login(reviewer)
    html = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "17.35" not in html and "DRAFT-OPINION-OF-B" not in html
    assert "No other reviewer has submitted an evaluation yet." in html


def test_staff_see_every_evaluation_with_totals_pass_marks_and_outliers(client, staff, reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer, "0.9", opinion="OPINION-A")
    submit(declaration, second_reviewer, "0.2", opinion="OPINION-B")
    client.force_login(staff)
    response = client.get(f"/console/{declaration.pk}/")
    panel = response.context["evaluation"]
    assert [(c.label, c.assignment.score, c.outlier) for c in panel.columns] == [
        ("reviewer-a", D("90.00"), True),
        ("reviewer-b", D("20.00"), True),
    ]
    assert (panel.result.total, panel.result.spread, panel.result.passed) == (D("55.00"), D("70.00"), False)
    html = response.content.decode()
    for text in ("OPINION-A", "OPINION-B", "Outlier", "the mean of 2 submitted evaluations", "Not all met", "missed"):
        assert text in html


# --- Who may score --------------------------------------------------------------------------------


def test_a_reviewer_not_assigned_gets_404(client, cast):
    declaration = under_review(cast)
    client.force_login(ReviewerFactory(username="reviewer-c"))
    response = client.post(f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["24"] * 5, OPINION, True))
    assert response.status_code == 404
    assert not CriterionScore.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 403), ("finance", 403), ("applicant", 403), ("administrator", 403)]
)
def test_nobody_but_the_assigned_reviewer_scores(client, request, cast, role, status):
    declaration = under_review(cast)
    client.force_login(request.getfixturevalue(role))
    response = client.post(f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["24"] * 5, OPINION, True))
    assert response.status_code == status
    assert not CriterionScore.objects.exists()
    assert Declaration.objects.get(pk=declaration.pk).state == S.UNDER_REVIEW


def test_a_second_reviewer_posting_scores_changes_only_their_own(client, reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    client.force_login(second_reviewer)
    client.post(f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["24"], "mine"))
    assert assignment_of(declaration, second_reviewer).criterion_scores.count() == 1
    assert assignment_of(declaration, reviewer).criterion_scores.count() == 0
    assert assignment_of(declaration, reviewer).opinion == ""


@pytest.mark.parametrize("role", ["second_reviewer", "staff"])
def test_the_service_refuses_someone_elses_assignment(request, reviewer, cast, role):
    declaration = under_review(cast)
    with pytest.raises(TransitionRefused, match="not assigned to you"):
        assignment_score(
            assignment_id=assignment_of(declaration, reviewer).pk,
            actor=request.getfixturevalue(role),
            scores=scores_at(declaration, "0.8"),
            opinion=OPINION,
            submit=True,
        )
    assert not CriterionScore.objects.exists()


def test_a_submitted_evaluation_can_no_longer_be_changed(client, reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer, "0.8")
    client.force_login(reviewer)
    response = client.post(
        f"/console/{declaration.pk}/evaluation/", post_data(declaration, ["1"] * 5, "changed", True), follow=True
    )
    assert "submitted already and can no longer be changed" in response.content.decode()
    assert assignment_of(declaration, reviewer).score == D("80.00")


def test_a_declaration_no_longer_under_review_cannot_be_scored(applicant, reviewer, cast):
    declaration = under_review(cast)
    declaration_withdraw(declaration_id=declaration.pk, actor=applicant, note="Wrong programme.")
    with pytest.raises(TransitionRefused, match="not under evaluation"):
        submit(declaration, reviewer)


def test_the_score_endpoint_takes_only_posts(client, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)
    assert client.get(f"/console/{declaration.pk}/evaluation/").status_code == 405


# --- Query counts ---------------------------------------------------------------------------------


def _evaluated_by(count, cast):
    cast.reviewers = [ReviewerFactory(username=f"panel-{count}-{n}") for n in range(count)]
    declaration = under_review(cast)
    for n, reviewer in enumerate(cast.reviewers):
        submit(declaration, reviewer, ["0.6", "0.7", "0.8", "0.9", "0.75"][n % 5])
    return declaration


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_the_declaration_page_costs_as_many_queries_with_five_evaluations_as_with_one(
    client, django_assert_max_num_queries, cast, role
):
    one, five = _evaluated_by(1, cast), _evaluated_by(5, cast)
    user = cast.staff if role == "staff" else None
    client.force_login(user or one.review_assignments.get().reviewer)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(f"/console/{one.pk}/").status_code == 200
    client.force_login(user or five.review_assignments.first().reviewer)
    with django_assert_max_num_queries(len(baseline)):
        assert len(client.get(f"/console/{five.pk}/").context["evaluation"].columns) == 5


def test_staff_read_the_active_evaluations_with_reviewers_and_scores_in_two_queries(cast, staff):
    """As the ORM reads them (the assignments not released, in the order assigned, each reviewer's
    criterion scores), by two prepared reads; a released assignment is left out."""
    declaration = _evaluated_by(3, cast)
    released = declaration.review_assignments.order_by("pk").last()
    ReviewAssignment.objects.filter(pk=released.pk).update(released_at=timezone.now())
    first = declaration.review_assignments.order_by("pk").first()
    CriterionScore.objects.filter(assignment=first).first().delete()  # one score left unsaved
    expected = [
        (a.pk, a.reviewer.username, {s.criterion_id: s.score for s in a.criterion_scores.all()})
        for a in declaration.review_assignments.filter(released_at__isnull=True).order_by("assigned_at", "pk")
    ]

    with CaptureQueriesContext(connection) as queries:
        read = evaluations_visible_to(staff, declaration)
        found = [(a.pk, a.reviewer.username, a.saved_scores) for a in read]

    assert len(queries) == 2
    assert found == expected
    assert len(found) == 2 and all(scores for _pk, _name, scores in found)
    assert sum(len(scores) for _pk, _name, scores in found) == 2 * len(criteria_of(declaration)) - 1


# --- The ranking ----------------------------------------------------------------------------------


def test_the_ranking_lists_evaluated_declarations_by_total_with_shared_ranks(client, staff, reviewer, cast):
    cast.reviewers = [reviewer]
    totals = {}
    for fraction in ("0.7", "0.9", "0.7", "0.5"):
        declaration = under_review(cast)
        submit(declaration, reviewer, fraction)
        totals[declaration.pk] = D(fraction) * 100
    not_scored = under_review(cast)
    client.force_login(staff)
    response = client.get("/console/ranking/")
    rows = [(s.rank, s.declaration_id, s.total, s.passed) for s in response.context["page"]]
    first, second, third, fourth = sorted(totals, key=lambda pk: (-totals[pk], Declaration.objects.get(pk=pk).number))
    assert rows == [
        (1, first, D("90.00"), True),
        (2, second, D("70.00"), True),
        (2, third, D("70.00"), True),
        (4, fourth, D("50.00"), False),
    ]
    assert not_scored.pk not in [row[1] for row in rows]
    assert f'href="/console/{first}/"' in response.content.decode()


def test_the_ranking_filters_by_call_and_programme(client, staff, reviewer, cast):
    cast.reviewers = [reviewer]
    mine = under_review(cast)
    elsewhere = under_review(cast, call=CallFactory(title="Another call"))
    for declaration in (mine, elsewhere):
        submit(declaration, reviewer)
    client.force_login(staff)
    by_call = client.get("/console/ranking/", {"call": mine.call_id})
    assert [s.declaration_id for s in by_call.context["page"]] == [mine.pk]
    assert [s.rank for s in by_call.context["page"]] == [1]
    other_programme = Programme.objects.get(code="ART7")
    assert list(client.get("/console/ranking/", {"programme": other_programme.pk}).context["page"]) == []


@pytest.mark.parametrize("typed", ["abc", "999999", str(2**70)])
def test_a_wrong_ranking_filter_shows_its_error(client, staff, typed):
    client.force_login(staff)
    response = client.get("/console/ranking/", {"call": typed})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["call"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


@pytest.mark.parametrize("role", ["reviewer", "finance", "applicant", "administrator"])
def test_the_ranking_is_for_staff_only(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/console/ranking/").status_code == 403


def _summaries(count, call):
    for _ in range(count):
        declaration = DeclarationFactory(call=call, state=S.REVIEWED)
        EvaluationSummary.objects.create(
            declaration=declaration, aggregation="mean", total=D("70"), spread=D("0"), evaluations=2, assigned=2
        )


def test_the_ranking_costs_as_many_queries_for_many_declarations_as_for_few(
    client, staff, django_assert_max_num_queries
):
    call = CallFactory()
    _summaries(2, call)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as baseline:
        client.get("/console/ranking/")
    _summaries(60, call)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get("/console/ranking/")
    assert [s.rank for s in response.context["page"]] == [1] * 50
    assert response.context["page"].paginator.count == 62


# --- Generated input and the admin ----------------------------------------------------------------

junk = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "-0", "0", "1e309", "1e400", "NaN", "-Infinity", "\uff11\uff10", "10,5", "9" * 40, "<b>"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(junk, min_size=5, max_size=5), opinion=st.text(max_size=80), final=st.booleans())
def test_generated_scores_get_a_message_never_a_server_error(client, reviewer, cast, values, opinion, final):
    declaration = Declaration.objects.filter(title="generated").first()
    if declaration is None:
        declaration = under_review(cast, title="generated")
    client.force_login(reviewer)
    data = {key: value.replace("\x00", "") for key, value in post_data(declaration, values, opinion, final).items()}
    response = client.post(f"/console/{declaration.pk}/evaluation/", data)
    assert response.status_code in (200, 302)
    for score in CriterionScore.objects.filter(assignment__declaration=declaration):
        assert score.criterion.min_score <= score.score <= score.criterion.max_score


def test_the_administrator_keeps_rubrics_and_reads_conflicts_and_summaries(client, administrator, reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer)
    rubric = programme_rubric(declaration.programme_id)
    client.force_login(administrator)
    page = client.get(f"/admin/review/rubric/{rubric.pk}/change/")
    assert page.status_code == 200
    assert "Technology and innovation of the invested enterprise" in page.content.decode()
    assert client.get("/admin/review/evaluationsummary/").status_code == 200
    assert client.get("/admin/review/conflictofinterest/").status_code == 200
    assert client.get(f"/admin/review/rubric/{rubric.pk}/delete/").status_code == 403
    assert client.get("/admin/review/evaluationsummary/add/").status_code == 403


def test_a_programme_rubric_is_kept_in_the_cache_until_a_rubric_or_criterion_changes(cast):
    programme_id = under_review(cast).programme_id
    rubric = programme_rubric(programme_id)
    count = len(rubric.criteria.all())
    with CaptureQueriesContext(connection) as queries:
        assert [c.pk for c in programme_rubric(programme_id).criteria.all()] == [c.pk for c in rubric.criteria.all()]
    assert not queries.captured_queries

    first = rubric.criteria.all()[0]
    first.pass_mark -= 1
    first.save()
    assert programme_rubric(programme_id).criteria.all()[0].pass_mark == first.pass_mark
    rubric.pass_mark = D("55")
    rubric.save()
    assert programme_rubric(programme_id).pass_mark == D("55")
    extra = Criterion.objects.create(
        rubric=rubric, position=99, name_en="Extra", name_zh="额外", weight=1, max_score=10, pass_mark=5
    )
    assert len(programme_rubric(programme_id).criteria.all()) == count + 1
    extra.delete()
    assert len(programme_rubric(programme_id).criteria.all()) == count
    rubric.delete()
    assert programme_rubric(programme_id) is None


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (D("1e400"), "Enter a score from 0 to 30."),
        (D("NaN"), "Enter a number."),
        (D("-Infinity"), "Enter a number."),
        (D("12.345"), "Enter a score with at most two decimals."),
        (12, "Enter a number."),
    ],
)
def test_the_service_refuses_scores_no_form_would_send(reviewer, cast, score, message):
    declaration = under_review(cast)
    first = criteria_of(declaration)[0]
    with pytest.raises(TransitionRefused) as refused:
        assignment_score(
            assignment_id=assignment_of(declaration, reviewer).pk,
            actor=reviewer,
            scores={first.pk: score},
            opinion="",
            submit=False,
        )
    assert refused.value.errors == {first.pk: message}


def test_a_score_typed_as_minus_zero_is_stored_as_zero(reviewer, cast):
    declaration = under_review(cast)
    first = criteria_of(declaration)[0]
    assignment = assignment_of(declaration, reviewer)
    assignment_score(assignment_id=assignment.pk, actor=reviewer, scores={first.pk: D("-0")}, opinion="", submit=False)
    assert str(assignment.criterion_scores.get().score) == "0.00"


def test_submitting_an_evaluation_repeats_it_and_changes_nothing_until_confirmed(client, cast, reviewer):
    declaration = under_review(cast)
    client.force_login(reviewer)
    data = post_data(declaration, ["24", "16", "16", "16", "8"], OPINION, final=True)
    data.pop("confirmed")

    pending = client.post(f"/console/{declaration.pk}/evaluation/", data)

    content = pending.content.decode()
    assert "Submit your evaluation" in content
    assert OPINION in content
    assert '<input type="hidden" name="submit" value="1">' in content
    assert assignment_of(declaration, reviewer).submitted_at is None
    client.post(f"/console/{declaration.pk}/evaluation/", {**data, "confirmed": "yes"})
    assert assignment_of(declaration, reviewer).submitted_at is not None


def test_saving_a_draft_reads_the_rubric_from_the_cache_and_the_declaration_once(client, reviewer, cast):
    """The view takes the rubric for its form from the cache (programme_rubric) and hands it to the
    service; the service's lock reads the declaration with its call, which the summary's refresh uses."""
    declaration = under_review(cast)
    client.force_login(reviewer)
    data = post_data(declaration, ["20", "16", "16", "16", "8"], OPINION)
    client.post(f"/console/{declaration.pk}/evaluation/", data)
    data[field(criteria_of(declaration)[0])] = "21"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/console/{declaration.pk}/evaluation/", data)
    assert response.status_code == 302
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if 'FROM "review_rubric"' in sql or 'FROM "review_criterion"' in sql]
    # The declaration's row, read with its columns (the page's read, then the lock), not the rule's
    # test of the assignment, which reads its id alone.
    assert len([sql for sql in statements if sql.startswith('SELECT "declarations_declaration"."id", ')]) == 2
    assert assignment_of(declaration, reviewer).criterion_scores.get(criterion=criteria_of(declaration)[0]).score == 21


def test_a_draft_changing_every_criterion_costs_as_many_queries_as_one_changing_one(client, reviewer, cast):
    """The changed scores are written in one statement, the new ones in another, whatever their
    number, and the existing summary in one UPDATE (no savepoint and locking read around it)."""
    declaration = under_review(cast)
    client.force_login(reviewer)
    data = post_data(declaration, ["20", "16", "16", "16", "8"], OPINION)
    client.post(f"/console/{declaration.pk}/evaluation/", data)

    def queries_for(values):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/console/{declaration.pk}/evaluation/", post_data(declaration, values, OPINION))
        assert response.status_code == 302
        return [query["sql"] for query in queries.captured_queries]

    one = queries_for(["21", "16", "16", "16", "8"])
    every = queries_for(["22", "17", "17", "17", "9"])

    assert len(every) == len(one)
    # The one savepoint is the service's own transaction, nested in the test's.
    assert len([sql for sql in every if sql.startswith("SAVEPOINT")]) == 1
    assert len([sql for sql in every if sql.startswith('UPDATE "review_evaluationsummary"')]) == 1
    stored = {s.criterion_id: s.score for s in assignment_of(declaration, reviewer).criterion_scores.all()}
    assert [stored[c.pk] for c in criteria_of(declaration)] == [22, 17, 17, 17, 9]
    assert EvaluationSummary.objects.get(declaration=declaration).assigned == 2


def test_the_first_evaluation_saved_creates_the_summary_when_none_exists(reviewer, cast):
    declaration = under_review(cast)
    EvaluationSummary.objects.filter(declaration=declaration).delete()

    assignment_score(
        assignment_id=assignment_of(declaration, reviewer).pk,
        actor=reviewer,
        scores=scores_at(declaration, "0.5"),
        opinion="",
        submit=False,
    )

    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.assigned, summary.evaluations, summary.total) == (2, 0, None)
