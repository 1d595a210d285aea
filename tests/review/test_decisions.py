"""Decisions rest on the evaluation meeting's opinion and on the Art. 16 judgement: each Decision
points to the meeting opinion and the evaluations it came from, and tells the applicant."""

import datetime
from decimal import Decimal

import pytest

from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from notices.models import Notice
from review.models import Decision, DecisionOutcome, DoubleFundingMatch, FundingRecord, MatchJudgement
from review.services import declaration_approve, declaration_decide_per_opinion, declaration_reject
from tests.factories import DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def reviewed(cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, S.REVIEWED, cast=cast)


def _match(declaration, judgement):
    record = FundingRecord.objects.create(
        credit_code=declaration.organisation.credit_code,
        organisation_name=declaration.organisation.name,
        project_title=declaration.title,
        project_content=declaration.summary,
        channel="Municipal Bureau of Economy and Information Technology",
        amount=Decimal("500000.00"),
        granted_on=datetime.date(2025, 6, 1),
    )
    return DoubleFundingMatch.objects.create(
        declaration=declaration, record=record, similarity=Decimal("0.910"), judgement=judgement
    )


def test_no_decision_without_the_evaluation_meetings_opinion(staff, reviewed):
    for decide in (
        lambda: declaration_approve(declaration_id=reviewed.pk, actor=staff, amount=Decimal("1000000.00")),
        lambda: declaration_reject(declaration_id=reviewed.pk, actor=staff, note="No."),
        lambda: declaration_decide_per_opinion(declaration_id=reviewed.pk, actor=staff),
    ):
        with pytest.raises(TransitionRefused, match="Record the evaluation meeting's opinion"):
            decide()
    assert Declaration.objects.get(pk=reviewed.pk).state == S.REVIEWED


def test_an_approval_points_to_the_meeting_opinion_and_the_evaluations_and_tells_the_applicant(
    staff, applicant, cast, reviewed
):
    opinion = meeting_opinion_record(reviewed, cast, Decimal("1600000.00"))

    declaration = declaration_approve(
        declaration_id=reviewed.pk, actor=staff, amount=Decimal("1200000.00"), note="Reduced: partial scope."
    )

    decision = Decision.objects.get(declaration=declaration)
    assert (decision.outcome, decision.amount, decision.award_cap, decision.reason) == (
        DecisionOutcome.APPROVED,
        Decimal("1200000.00"),
        Decimal("1600000.00"),
        "Reduced: partial scope.",
    )
    assert decision.opinion == opinion
    assert decision.opinion.meeting == opinion.meeting
    assert set(decision.evaluations.all()) == set(declaration.review_assignments.all())
    assert decision.event == declaration.events.last()
    assert decision.decided_by == staff
    assert Notice.objects.filter(recipient=applicant, declaration=declaration).exists()


def test_approval_is_refused_when_the_meeting_proposed_not_to_support(staff, cast, reviewed):
    meeting_opinion_record(reviewed, cast, None)
    with pytest.raises(TransitionRefused, match="proposed not to support"):
        declaration_approve(declaration_id=reviewed.pk, actor=staff, amount=Decimal("1.00"))


def test_deciding_per_opinion_approves_the_proposed_amount_or_rejects_with_the_opinion(staff, cast, reviewed):
    meeting_opinion_record(reviewed, cast, Decimal("900000.00"))
    approved = declaration_decide_per_opinion(declaration_id=reviewed.pk, actor=staff)
    assert (approved.state, approved.approved_amount) == (S.APPROVED, Decimal("900000.00"))
    assert approved.events.last().note.startswith("As proposed by the evaluation meeting of ")

    other = build_to(DeclarationFactory(organisation=cast.applicant.organisation), S.REVIEWED, cast=cast)
    meeting_opinion_record(other, cast, None)
    rejected = declaration_decide_per_opinion(declaration_id=other.pk, actor=staff)
    assert (rejected.state, rejected.decision_reason) == (S.NOT_SUPPORTED, "低于合格线。")
    assert Decision.objects.get(declaration=other).outcome == DecisionOutcome.NOT_SUPPORTED


@pytest.mark.parametrize(
    ("judgement", "refusal"),
    [
        (MatchJudgement.PENDING, "Judge the possible double funding"),
        (MatchJudgement.SAME_PROJECT, "judged to be the same project"),
    ],
)
def test_possible_double_funding_blocks_the_decision_until_judged_different(staff, cast, reviewed, judgement, refusal):
    meeting_opinion_record(reviewed, cast, Decimal("1600000.00"))
    match = _match(reviewed, judgement)
    with pytest.raises(TransitionRefused, match=refusal):
        declaration_approve(declaration_id=reviewed.pk, actor=staff, amount=Decimal("1600000.00"))

    match.judgement = MatchJudgement.DIFFERENT_PROJECT
    match.save()
    assert declaration_approve(declaration_id=reviewed.pk, actor=staff, amount=Decimal("1600000.00")).state == (
        S.APPROVED
    )


def test_the_console_says_why_it_cannot_decide_yet_and_offers_the_meetings_amount_when_it_can(
    client, staff, cast, reviewed
):
    client.force_login(staff)
    response = client.get(f"/console/{reviewed.pk}/")
    assert "Record the evaluation meeting&#x27;s opinion on this declaration before deciding." in (
        response.content.decode()
    )
    assert "approve" not in {key for key, _, _ in response.context["action_forms"]}

    meeting_opinion_record(reviewed, cast, Decimal("1500000.00"))
    response = client.get(f"/console/{reviewed.pk}/")
    forms = {key: form for key, _, form in response.context["action_forms"]}
    assert forms["approve"].initial["amount"] == Decimal("1500000.00")
    # Not supporting it ends the declaration: offered apart, with the other destructive actions.
    assert "reject" in {key for key, _, _ in response.context["destructive_forms"]}


def test_a_decision_is_taken_once(staff, cast, reviewed):
    meeting_opinion_record(reviewed, cast, Decimal("1600000.00"))
    declaration_approve(declaration_id=reviewed.pk, actor=staff, amount=Decimal("1600000.00"))
    with pytest.raises(TransitionRefused):
        declaration_reject(declaration_id=reviewed.pk, actor=staff, note="Changed our mind.")
    assert Decision.objects.filter(declaration=reviewed).count() == 1
