import pytest
from django.test import Client

from api.services import token_issue


def client_with_token(value):
    return Client(HTTP_AUTHORIZATION=f"Bearer {value}")


@pytest.fixture
def token_client():
    """A client that sends a new 90-day token of `user` on every request: token_client(user)."""

    def make(user):
        _token, value = token_issue(user, name="Tests", days=90)
        return client_with_token(value)

    return make


@pytest.fixture
def declarations_of_every_kind(db, applicant, other_applicant, staff, reviewer, second_reviewer, open_call):
    """As tests/test_architecture.py's: a draft and a submitted declaration of each of two
    organisations; the submitted one of the first assigned to `reviewer`, and one assignment released.
    Keyed by name."""
    from django.utils import timezone

    from declarations.enums import DeclarationState as S
    from review.models import ReviewAssignment
    from tests.factories import DeclarationFactory

    now = timezone.now()
    mine_draft = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    theirs_draft = DeclarationFactory(
        organisation=other_applicant.organisation, call=open_call, created_by=other_applicant
    )
    mine = DeclarationFactory(
        organisation=applicant.organisation,
        call=open_call,
        created_by=applicant,
        state=S.UNDER_REVIEW,
        number="2026-ART6-0001",
        submitted_at=now,
    )
    theirs = DeclarationFactory(
        organisation=other_applicant.organisation,
        call=open_call,
        created_by=other_applicant,
        state=S.SUBMITTED,
        number="2026-ART6-0002",
        submitted_at=now,
    )
    ReviewAssignment.objects.create(declaration=mine, reviewer=reviewer, assigned_by=staff)
    ReviewAssignment.objects.create(
        declaration=theirs, reviewer=second_reviewer, assigned_by=staff, released_at=timezone.now()
    )
    return {"mine_draft": mine_draft, "theirs_draft": theirs_draft, "mine": mine, "theirs": theirs}
