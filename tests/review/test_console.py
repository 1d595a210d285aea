from decimal import Decimal

import pytest

from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from review.models import ReviewAssignment
from review.services import reviewers_assign
from tests.factories import DeclarationFactory, ReviewerFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def _at(state, cast, **kwargs):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant, **kwargs)
    return build_to(declaration, state, cast=cast)


def test_decision_amount_errors_are_shown_at_the_field(client, staff, cast):
    declaration = _at(S.REVIEWED, cast)
    meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
    client.force_login(staff)
    for amount, message in [("0", "greater than or equal to 0.01"), ("abc", "Enter a number."), ("-5", "greater")]:
        response = client.post(
            f"/console/{declaration.pk}/", {"action": "approve", "confirmed": "yes", "approve-amount": amount}
        )
        forms = {key: form for key, _, form in response.context["action_forms"]}
        assert message in forms["approve"].errors["amount"][0]
    client.post(
        f"/console/{declaration.pk}/", {"action": "approve", "confirmed": "yes", "approve-amount": "1,600,000.00"}
    )
    declaration.refresh_from_db()
    assert (declaration.state, declaration.approved_amount) == (S.APPROVED, Decimal("1600000.00"))


def test_assignment_refuses_a_reviewer_of_the_declaring_organisation(staff, cast):
    declaration = _at(S.ACCEPTED, cast)
    conflicted = ReviewerFactory(username="conflicted", organisation=declaration.organisation)
    with pytest.raises(TransitionRefused, match="conflict of interest"):
        reviewers_assign(declaration_id=declaration.pk, actor=staff, reviewers=[conflicted])
    assert not ReviewAssignment.objects.filter(declaration=declaration).exists()
    assert Declaration.objects.get(pk=declaration.pk).state == S.ACCEPTED


def test_reviewers_are_assigned_from_the_console_and_evaluation_starts(client, staff, reviewer, cast):
    declaration = _at(S.ACCEPTED, cast)
    client.force_login(staff)
    client.post(
        f"/console/{declaration.pk}/", {"action": "assign", "assign-reviewers": [reviewer.pk], "confirmed": "yes"}
    )
    declaration.refresh_from_db()
    assert declaration.state == S.UNDER_REVIEW
    assert [a.reviewer for a in declaration.review_assignments.all()] == [reviewer]


def test_reviewer_sees_only_assigned_declarations(client, reviewer, cast):
    assigned = _at(S.UNDER_REVIEW, cast)
    other = _at(S.ACCEPTED, cast)
    client.force_login(reviewer)
    assert list(client.get("/console/").context["page"]) == [assigned]
    assert client.get(f"/console/{other.pk}/").status_code == 404


CONSOLE_POSTS = [
    {"action": "accept"},
    {"action": "return", "return-note": "x"},
    {"action": "approve", "confirmed": "yes", "approve-amount": "1"},
]


@pytest.mark.parametrize("role", ["applicant", "other_applicant", "administrator"])
def test_console_refuses_applicants_and_the_administrator(client, request, role, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(request.getfixturevalue(role))
    assert client.get("/console/").status_code == 403
    assert client.get(f"/console/{declaration.pk}/").status_code == 403
    for data in CONSOLE_POSTS:
        assert client.post(f"/console/{declaration.pk}/", data).status_code == 403
    assert Declaration.objects.get(pk=declaration.pk).state == S.SUBMITTED


@pytest.mark.parametrize("role", ["reviewer", "finance"])
def test_console_actions_of_staff_are_refused_to_reviewers_and_finance(client, request, role, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(request.getfixturevalue(role))
    for data in CONSOLE_POSTS:
        response = client.post(f"/console/{declaration.pk}/", data)
        assert response.status_code in (403, 404)
    assert Declaration.objects.get(pk=declaration.pk).state == S.SUBMITTED


def test_console_sends_anonymous_users_to_login(client):
    assert client.get("/console/")["Location"].startswith("/accounts/login/")


def test_drafts_are_not_shown_in_the_console(client, staff, draft):
    client.force_login(staff)
    assert list(client.get("/console/").context["page"]) == []
    assert client.get(f"/console/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow_with_declarations(
    client, staff, applicant, open_call, count, django_assert_max_num_queries
):
    declarations = DeclarationFactory.create_batch(
        count, organisation=applicant.organisation, call=open_call, created_by=applicant
    )
    Declaration.objects.filter(pk__in=[d.pk for d in declarations]).update(state=S.SUBMITTED)
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        response = client.get("/console/?state=submitted")
    assert len(response.context["page"]) == min(count, 25)


def test_queue_filters_by_state_programme_and_text(client, staff, cast):
    submitted = _at(S.SUBMITTED, cast, title="Photonic chips")
    _at(S.ACCEPTED, cast, title="Robotics")
    client.force_login(staff)
    assert list(client.get("/console/?state=submitted").context["page"]) == [submitted]
    assert list(client.get("/console/?q=photonic").context["page"]) == [submitted]
    assert list(client.get("/console/?programme=ART9").context["page"]) == []
    assert client.get("/console/?state=nonsense").status_code == 200
