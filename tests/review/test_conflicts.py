"""A reviewer declares a conflict of interest on an assigned declaration, which releases it."""

from decimal import Decimal

import pytest

from config.demo import Cast
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from notices.models import Notice
from review.evaluation import assignment_score, conflict_declare, programme_rubric
from review.models import ConflictOfInterest, EvaluationSummary, ReviewAssignment
from tests.factories import DeclarationFactory, ReviewerFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

REASON = "I advised this organisation on its financing until last year."


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def under_review(cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, S.UNDER_REVIEW, cast=cast)


def assignment_of(declaration, reviewer):
    return ReviewAssignment.objects.get(declaration=declaration, reviewer=reviewer)


def submit(declaration, reviewer):
    criteria = programme_rubric(declaration.programme_id).criteria.all()
    assignment_score(
        assignment_id=assignment_of(declaration, reviewer).pk,
        actor=reviewer,
        scores={c.pk: c.max_score * Decimal("0.8") for c in criteria},
        opinion="Sound.",
        submit=True,
    )


def test_declaring_a_conflict_releases_the_assignment_records_it_and_tells_the_staff(client, staff, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)
    response = client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": REASON, "confirmed": "yes"})
    assert response["Location"] == "/console/"

    assignment = assignment_of(declaration, reviewer)
    assert assignment.released_at is not None
    assert assignment.release_reason == REASON
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.reviewer, conflict.organisation, conflict.declaration, conflict.reason) == (
        reviewer,
        declaration.organisation,
        declaration,
        REASON,
    )
    notice = Notice.objects.filter(recipient=staff).latest("pk")  # after the one of its submission
    assert notice.declaration == declaration
    assert notice.subject == f"Conflict of interest declared on {declaration.number}"
    assert REASON in notice.body
    assert "Assign another expert reviewer" in notice.body
    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.assigned, summary.evaluations) == (1, 0)

    assert client.get(f"/console/{declaration.pk}/").status_code == 404
    assert client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": REASON}).status_code == 404
    assert declaration not in client.get("/console/").context["page"]
    assert Declaration.objects.get(pk=declaration.pk).state == S.UNDER_REVIEW


def test_a_conflict_without_a_reason_shows_the_error_at_the_field(client, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)
    response = client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": "   "})
    assert response.status_code == 200
    assert response.context["conflict_form"].errors == {"reason": ["This field is required."]}
    assert "This field is required." in response.content.decode()
    assert not ConflictOfInterest.objects.exists()
    assert assignment_of(declaration, reviewer).released_at is None


def test_the_reviewer_page_explains_that_a_conflict_releases_the_declaration(client, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)
    html = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "Declare a conflict of interest" in html
    assert "This releases the declaration" in html


def test_a_conflict_completes_the_evaluation_when_every_other_is_submitted(reviewer, second_reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, second_reviewer)
    conflict_declare(assignment_id=assignment_of(declaration, reviewer).pk, actor=reviewer, reason=REASON)
    declaration.refresh_from_db()
    assert declaration.state == S.REVIEWED
    event = declaration.events.last()
    assert (event.action, event.actor) == (A.COMPLETE_REVIEW, reviewer)
    summary = EvaluationSummary.objects.get(declaration=declaration)
    assert (summary.assigned, summary.evaluations, summary.total) == (1, 1, Decimal("80.00"))
    assert "the evaluation is complete" in Notice.objects.get(subject__contains="review.conflict.subject").body


def test_the_only_reviewer_declaring_a_conflict_leaves_the_declaration_under_review(reviewer, cast):
    cast.reviewers = [reviewer]
    declaration = under_review(cast)
    conflict_declare(assignment_id=assignment_of(declaration, reviewer).pk, actor=reviewer, reason=REASON)
    assert Declaration.objects.get(pk=declaration.pk).state == S.UNDER_REVIEW
    assert EvaluationSummary.objects.get(declaration=declaration).assigned == 0


def test_a_submitted_evaluation_cannot_be_released_for_a_conflict(reviewer, cast):
    declaration = under_review(cast)
    submit(declaration, reviewer)
    with pytest.raises(TransitionRefused, match="submitted already"):
        conflict_declare(assignment_id=assignment_of(declaration, reviewer).pk, actor=reviewer, reason=REASON)
    assert not ConflictOfInterest.objects.exists()


@pytest.mark.parametrize("role", ["second_reviewer", "staff"])
def test_nobody_declares_a_conflict_on_someone_elses_assignment(request, reviewer, cast, role):
    declaration = under_review(cast)
    with pytest.raises(TransitionRefused, match="not assigned to you"):
        conflict_declare(
            assignment_id=assignment_of(declaration, reviewer).pk, actor=request.getfixturevalue(role), reason=REASON
        )
    assert not ConflictOfInterest.objects.exists()
    assert assignment_of(declaration, reviewer).released_at is None


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("finance", 403), ("applicant", 403)])
def test_the_conflict_endpoint_refuses_everyone_without_an_assignment(client, request, cast, role, status):
    declaration = under_review(cast)
    client.force_login(request.getfixturevalue(role))
    assert (
        client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": REASON, "confirmed": "yes"}).status_code
        == status
    )
    client.force_login(ReviewerFactory(username="reviewer-c"))
    assert (
        client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": REASON, "confirmed": "yes"}).status_code
        == 404
    )
    assert not ConflictOfInterest.objects.exists()


def test_a_conflict_needs_a_reason_in_the_service_too(reviewer, cast):
    declaration = under_review(cast)
    with pytest.raises(TransitionRefused, match="reason"):
        conflict_declare(assignment_id=assignment_of(declaration, reviewer).pk, actor=reviewer, reason="  ")


def test_staff_see_who_declared_a_conflict_and_why(client, staff, reviewer, cast):
    declaration = under_review(cast)
    conflict_declare(assignment_id=assignment_of(declaration, reviewer).pk, actor=reviewer, reason=REASON)
    client.force_login(staff)
    response = client.get(f"/console/{declaration.pk}/")
    assert [(c.reviewer, c.reason) for c in response.context["evaluation"].conflicts] == [(reviewer, REASON)]
    html = response.content.decode()
    assert "Conflicts of interest declared" in html and REASON in html
    # The released reviewer's evaluation is no longer among the evaluations.
    assert [c.label for c in response.context["evaluation"].columns] == ["reviewer-b"]


def test_declaring_a_conflict_asks_first_and_changes_nothing(client, reviewer, cast):
    declaration = under_review(cast)
    client.force_login(reviewer)

    response = client.post(f"/console/{declaration.pk}/conflict/", {"conflict-reason": REASON})

    content = response.content.decode()
    assert "Declare a conflict of interest" in content
    assert "declarations are no longer assigned to you. This cannot be taken back." in content
    assert REASON in content
    assert assignment_of(declaration, reviewer).released_at is None
    assert not ConflictOfInterest.objects.exists()
