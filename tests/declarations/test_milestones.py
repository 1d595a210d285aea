"""The declaration's milestone columns (declarations.workflow.MILESTONES): written by the workflow
with the first event of their actions, never moved by a later one."""

from decimal import Decimal

import pytest

from config.demo import Cast, walk_to
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import MILESTONE_FIELDS, Declaration
from declarations.workflow import MILESTONES
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def test_every_milestone_column_has_its_actions():
    assert tuple(MILESTONES) == MILESTONE_FIELDS
    assert all(MILESTONES.values())


def test_the_services_set_each_milestone_at_its_first_event(
    applicant, staff, reviewer, second_reviewer, finance, second_finance, open_call
):
    cast = Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    # Returned once and submitted again: the first submission stays the milestone.
    walk_to(declaration, S.RETURNED, cast)
    walk_to(declaration, S.PAID, cast, amount=Decimal("1600000.00"))

    declaration = Declaration.objects.get(pk=declaration.pk)
    events = list(declaration.events.order_by("created_at", "pk"))
    for name, actions in MILESTONES.items():
        assert getattr(declaration, name) == next(event.created_at for event in events if event.action in actions), name
    submissions = [event.created_at for event in events if event.action == A.SUBMIT]
    assert len(submissions) == 2
    assert declaration.first_submitted_at == submissions[0] < submissions[1]
    assert declaration.submitted_at > declaration.first_submitted_at
    # The first payment, recorded by disbursement, is the start of disbursement's event.
    assert declaration.first_paid_at < declaration.paid_in_full_at
    assert declaration.first_decided_at == declaration.first_approved_at


def test_a_draft_has_no_milestone(draft):
    assert all(getattr(draft, name) is None for name in MILESTONE_FIELDS)
