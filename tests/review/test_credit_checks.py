"""Art. 17 at each of its three points: an organisation on a credit list cannot submit, is
disqualified at acceptance, and is disqualified before the decision, every time with the record named."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from config.demo import Cast, complete_for_submission, meeting_opinion_record
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.services import SubmissionRefused, declaration_submit
from review.acceptance import checklist_for
from review.models import AcceptanceCheck, AcceptanceOutcome, CreditList, CreditRecord, Decision
from review.services import declaration_accept, declaration_approve, declaration_decide_per_opinion, declaration_reject
from tests.factories import DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def _at(state, cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, state, cast=cast)


def _listed(organisation, credit_list=CreditList.SERIOUSLY_ILLEGAL):
    return CreditRecord.objects.create(
        credit_code=organisation.credit_code,
        name=organisation.name,
        list=credit_list,
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
        source="Credit China ref. 2026-77",
    )


def _assert_disqualified_naming(declaration, record):
    declaration.refresh_from_db()
    assert declaration.state == S.DISQUALIFIED
    event = declaration.events.last()
    assert event.action == A.DISQUALIFY
    assert record.describe() in event.note
    assert "Credit China ref. 2026-77" in event.note


def test_point_one_submission_is_refused_naming_the_record(applicant, draft):
    complete_for_submission(draft, applicant)
    record = _listed(applicant.organisation)
    with pytest.raises(SubmissionRefused) as refusal:
        declaration_submit(declaration_id=draft.pk, actor=applicant)
    assert str(record.describe()) in str(refusal.value)
    assert Declaration.objects.get(pk=draft.pk).state == S.DRAFT


@pytest.mark.parametrize("credit_list", list(CreditList))
def test_point_two_acceptance_disqualifies_naming_the_record(staff, cast, credit_list):
    declaration = _at(S.SUBMITTED, cast)
    record = _listed(declaration.organisation, credit_list)
    checklist = {item.key: True for item in checklist_for(declaration)}

    result = declaration_accept(declaration_id=declaration.pk, actor=staff, checklist=checklist)

    assert result.state == S.DISQUALIFIED
    _assert_disqualified_naming(declaration, record)
    check = AcceptanceCheck.objects.get(declaration=declaration)
    assert check.outcome == AcceptanceOutcome.DISQUALIFIED


def test_point_two_through_the_console_warns_with_the_record(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    record = _listed(declaration.organisation)
    client.force_login(staff)

    page = client.get(f"/console/{declaration.pk}/").content.decode()
    assert "Art. 17 records for" in page
    assert str(record.describe()) in page

    response = client.post(
        f"/console/{declaration.pk}/",
        {
            "action": "acceptance",
            "confirmed": "yes",
            "acceptance-checklist": [item.key for item in checklist_for(declaration)],
            "acceptance-outcome": "accept",
        },
        follow=True,
    )
    assert str(record.describe()) in next(str(m) for m in response.context["messages"])
    _assert_disqualified_naming(declaration, record)


@pytest.mark.parametrize("decide", ["approve", "reject", "per_opinion"])
def test_point_three_the_decision_disqualifies_instead_naming_the_record(staff, cast, decide):
    declaration = _at(S.REVIEWED, cast)
    meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
    record = _listed(declaration.organisation, CreditList.RESEARCH_DISHONESTY)

    if decide == "approve":
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1000000.00"))
    elif decide == "reject":
        declaration_reject(declaration_id=declaration.pk, actor=staff, note="低于合格线。")
    else:
        declaration_decide_per_opinion(declaration_id=declaration.pk, actor=staff)

    _assert_disqualified_naming(declaration, record)
    assert declaration.approved_amount is None
    assert not Decision.objects.filter(declaration=declaration).exists()


def test_a_listing_that_ended_does_not_disqualify(staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    record = _listed(declaration.organisation)
    record.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    record.starts_on = record.ends_on - datetime.timedelta(days=30)
    record.save()
    checklist = {item.key: True for item in checklist_for(declaration)}
    assert declaration_accept(declaration_id=declaration.pk, actor=staff, checklist=checklist).state == S.ACCEPTED
