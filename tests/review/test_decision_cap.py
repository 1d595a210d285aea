"""A decision may not exceed the award cap the award engine computes from the facts and the history
decided so far (docs/awards.md); the console shows the cap and refuses above it at the amount field."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from review.services import AboveAwardCap, declaration_approve
from tests.factories import ART6_FACTS, DeclarationFactory, StaffFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def reviewed(cast, open_call):
    """A reviewed ART6 declaration of the applicant's institution (8,000,000 invested: cap 1,600,000)."""

    def make(**facts):
        declaration = DeclarationFactory(
            organisation=cast.applicant.organisation,
            call=open_call,
            created_by=cast.applicant,
            facts={**ART6_FACTS, **facts},
        )
        declaration = build_to(declaration, S.REVIEWED, cast=cast)
        meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
        return declaration

    return make


def test_decision_at_the_award_cap_is_approved_and_records_the_cap(reviewed, staff):
    declaration = reviewed()

    declaration = declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1600000.00"))

    assert (declaration.state, declaration.approved_amount, declaration.award_cap) == (
        S.APPROVED,
        Decimal("1600000.00"),
        Decimal("1600000.00"),
    )
    assert declaration.award_assessment["eligible"] is True


def test_decision_above_the_award_cap_is_refused_with_the_cap_shown(reviewed, staff):
    declaration = reviewed()

    with pytest.raises(AboveAwardCap) as refusal:
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1600000.01"))

    assert str(refusal.value) == "The approved amount 1,600,000.01 yuan is above the award cap of 1,600,000.00 yuan."
    assert refusal.value.cap == Decimal("1600000.00")
    assert Declaration.objects.get(pk=declaration.pk).state == S.REVIEWED


def test_decision_cap_counts_what_was_already_decided_for_the_institution_this_year(reviewed, staff):
    first, second, third, fourth = (reviewed() for _ in range(4))
    for earlier in (first, second, third):
        declaration_approve(declaration_id=earlier.pk, actor=staff, amount=Decimal("1600000.00"))

    with pytest.raises(AboveAwardCap, match=r"award cap of 200,000\.00 yuan"):
        declaration_approve(declaration_id=fourth.pk, actor=staff, amount=Decimal("1600000.00"))
    declaration_approve(declaration_id=fourth.pk, actor=staff, amount=Decimal("200000.00"))

    assert Declaration.objects.get(pk=fourth.pk).approved_amount == Decimal("200000.00")


def test_decision_on_an_ineligible_declaration_is_refused_with_its_reasons(reviewed, staff):
    declaration = reviewed()
    # Submission refuses an ineligible declaration; the decision checks again, whatever changed since.
    Declaration.objects.filter(pk=declaration.pk).update(facts=declaration.facts | {"equity_ratio_after_pct": "51"})

    with pytest.raises(AboveAwardCap) as refusal:
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1.00"))

    assert str(refusal.value) == (
        "The declaration is not eligible, so nothing may be approved: "
        "Art. 6 (2) 3: Equity ratio after the investment is 51%; it may be at most 50%."
    )


def test_decision_without_the_facts_the_award_needs_is_refused_naming_them(reviewed, staff):
    declaration = reviewed()
    facts = {key: value for key, value in declaration.facts.items() if key != "equity_ratio_after_pct"}
    Declaration.objects.filter(pk=declaration.pk).update(facts=facts)

    with pytest.raises(TransitionRefused, match="missing or invalid: equity_ratio_after_pct"):
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1.00"))


def test_console_shows_the_award_cap_and_its_breakdown(client, reviewed, staff):
    declaration = reviewed()
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    content = response.content.decode()
    assert '<span class="amount" data-award-cap>1,600,000.00</span>' in content
    assert "20% × Actual investment amount 8,000,000.00 = 1,600,000.00" in content
    forms = {key: form for key, _, form in response.context["action_forms"]}
    assert forms["approve"].fields["amount"].help_text == "At most the award cap of 1,600,000.00 yuan."


def test_console_refuses_a_decision_above_the_cap_at_the_amount_field_keeping_the_input(client, reviewed, staff):
    declaration = reviewed()
    client.force_login(staff)

    response = client.post(
        f"/console/{declaration.pk}/",
        {"action": "approve", "confirmed": "yes", "approve-amount": "2,000,000.00", "approve-note": "Full scheme."},
    )

    assert response.status_code == 200
    form = {key: form for key, _, form in response.context["action_forms"]}["approve"]
    assert form.errors["amount"] == [
        "The approved amount 2,000,000.00 yuan is above the award cap of 1,600,000.00 yuan."
    ]
    assert form.data["approve-note"] == "Full scheme."
    assert Declaration.objects.get(pk=declaration.pk).state == S.REVIEWED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_cannot_both_use_the_same_annual_headroom(reviewed, staff):
    """PostgreSQL only: SQLite has no row locks. 3,400,000 of the 5,000,000 a year are left after
    two decisions; two staff approving 1,600,000 each at the same moment leave 200,000 and one of
    them must be refused."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    earlier = [reviewed(), reviewed()]
    for declaration in earlier:
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1600000.00"))
    racing = [reviewed(), reviewed()]
    deciders = [staff, StaffFactory(username="staff-b")]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(declaration, decider):
        try:
            barrier.wait(timeout=10)
            declaration_approve(declaration_id=declaration.pk, actor=decider, amount=Decimal("1600000.00"))
            outcomes.append("approved")
        except AboveAwardCap as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(racing, deciders, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refusal = "The approved amount 1,600,000.00 yuan is above the award cap of 200,000.00 yuan."
    assert sorted(outcomes) == sorted(["approved", refusal])
    approved = Declaration.objects.filter(organisation=earlier[0].organisation, state=S.APPROVED)
    assert sum(approved.values_list("approved_amount", flat=True)) == Decimal("4800000.00")
