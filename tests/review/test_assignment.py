"""Reviewer assignment: several reviewers per declaration, each one's load shown, and no reviewer
with a conflict of interest (of the declaring organisation, or declared by the reviewer)."""

import pytest

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from review.models import ConflictOfInterest, ReviewAssignment
from review.selectors import reviewers_with_load
from review.services import reviewers_assign
from tests.factories import DeclarationFactory, ReviewerFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def accepted(cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, S.ACCEPTED, cast=cast)


def test_a_reviewer_who_declared_a_conflict_with_the_organisation_is_refused_and_nothing_is_assigned(
    staff, reviewer, accepted
):
    conflicted = ReviewerFactory(username="conflicted")
    ConflictOfInterest.objects.create(
        reviewer=conflicted, organisation=accepted.organisation, reason="Former board member."
    )
    with pytest.raises(TransitionRefused, match=r"declared a conflict of interest with .*: Former board member\."):
        reviewers_assign(declaration_id=accepted.pk, actor=staff, reviewers=[reviewer, conflicted])
    assert not ReviewAssignment.objects.filter(declaration=accepted).exists()
    assert Declaration.objects.get(pk=accepted.pk).state == S.ACCEPTED


def test_a_reviewer_of_the_declaring_organisation_is_refused(staff, accepted):
    insider = ReviewerFactory(username="insider", organisation=accepted.organisation)
    with pytest.raises(TransitionRefused, match="belongs to the declaring organisation"):
        reviewers_assign(declaration_id=accepted.pk, actor=staff, reviewers=[insider])


def test_the_console_offers_only_reviewers_without_a_conflict_with_their_load(
    client, staff, reviewer, second_reviewer, cast, accepted
):
    conflicted = ReviewerFactory(username="conflicted")
    ConflictOfInterest.objects.create(reviewer=conflicted, organisation=accepted.organisation, reason="Shareholder.")
    ReviewerFactory(username="insider", organisation=accepted.organisation)
    build_to(DeclarationFactory(organisation=cast.applicant.organisation), S.UNDER_REVIEW, cast=cast)

    offered = {r.username: r.open_evaluations for r in reviewers_with_load(accepted)}
    assert offered == {reviewer.username: 1, second_reviewer.username: 1}

    client.force_login(staff)
    form = {key: f for key, _, f in client.get(f"/console/{accepted.pk}/").context["action_forms"]}["assign"]
    labels = [label for _, label in form.fields["reviewers"].choices]
    assert labels == [f"{reviewer} (1 open)", f"{second_reviewer} (1 open)"]

    response = client.post(
        f"/console/{accepted.pk}/", {"action": "assign", "assign-reviewers": [conflicted.pk], "confirmed": "yes"}
    )
    form = {key: f for key, _, f in response.context["action_forms"]}["assign"]
    assert form.errors["reviewers"][0].startswith("Select a valid choice.")
    assert not ReviewAssignment.objects.filter(declaration=accepted).exists()


def test_several_reviewers_are_assigned_and_evaluation_starts(client, staff, reviewer, second_reviewer, accepted):
    client.force_login(staff)
    client.post(
        f"/console/{accepted.pk}/",
        {"action": "assign", "assign-reviewers": [reviewer.pk, second_reviewer.pk], "confirmed": "yes"},
    )
    accepted.refresh_from_db()
    assert accepted.state == S.UNDER_REVIEW
    assert {a.reviewer for a in accepted.review_assignments.all()} == {reviewer, second_reviewer}


def test_assigning_reviewers_asks_first_with_their_names_and_changes_nothing(
    client, staff, reviewer, second_reviewer, accepted
):
    client.force_login(staff)
    events = accepted.events.count()

    response = client.post(
        f"/console/{accepted.pk}/", {"action": "assign", "assign-reviewers": [reviewer.pk, second_reviewer.pk]}
    )
    accepted.refresh_from_db()

    content = response.content.decode()
    assert "Assign expert reviewers" in content
    assert f"{reviewer}, {second_reviewer} are assigned to evaluate this declaration" in content
    assert "The expert evaluation starts: the declaration moves to “Under expert evaluation”." in content
    assert (accepted.state, accepted.events.count(), ReviewAssignment.objects.count()) == (S.ACCEPTED, events, 0)
