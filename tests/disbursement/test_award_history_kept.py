"""The award history counts each declaration with what it keeps (docs/awards.md, "History"): the
approved amount while support stands; once it ended, what was paid less what is to be recovered. A
1-yuan recovery of a 1,600,000-yuan award frees 1 yuan of the unit's caps, not 1,600,000."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from config.demo import Cast
from declarations.awards import History
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.selectors import award_histories, award_rows, declaration_award_assessment, kept_amount_expression
from declarations.workflow import AWARD_HISTORY_STATES
from disbursement.recovery import declaration_terminate, recovery_case_open
from disbursement.services import declaration_stop
from review.budgets import committed_amounts
from tests.disbursement.conftest import APPROVED
from tests.factories import CallFactory, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def call():
    return CallFactory(year=2026)


def history_of(declaration):
    return award_histories(award_rows(Declaration.objects.filter(pk=declaration.pk)))[declaration.pk]


def built(cast, call, state, through=()):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, call=call, created_by=cast.applicant)
    return build_to(declaration, state, cast=cast, amount=APPROVED, through=through)


def recover(declaration, staff, amount):
    return recovery_case_open(
        declaration_id=declaration.pk,
        actor=staff,
        amount_due=Decimal(amount),
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        reason="Part of the investment was feigned.",
    )


def test_history_counts_every_state_decided_and_not_revoked_by_an_objection():
    assert AWARD_HISTORY_STATES == (
        S.APPROVED,
        S.IN_PUBLICITY,
        S.CONFIRMED,
        S.DISBURSING,
        S.PAID,
        S.STOPPED,
        S.TERMINATED,
        S.RECOVERED,
    )


def test_a_1_yuan_recovery_of_a_1_600_000_award_frees_1_yuan_of_the_cap(
    cast, call, staff, django_capture_on_commit_callbacks
):
    paid = built(cast, call, S.PAID, through=[S.PAID])
    # Two more awards of the institution in the same support year: 4,800,000 of the 5,000,000 a year.
    for _ in range(2):
        DeclarationFactory(organisation=cast.applicant.organisation, call=call, state=S.PAID, approved_amount=APPROVED)
    waiting = DeclarationFactory(
        organisation=cast.applicant.organisation, call=call, created_by=cast.applicant, state=S.SUBMITTED
    )
    before = history_of(waiting)

    with django_capture_on_commit_callbacks(execute=True):
        recover(paid, staff, "1.00")
    waiting.refresh_from_db()
    assessment = declaration_award_assessment(waiting)

    assert before == History(awarded_this_year=Decimal("4800000.00"))
    assert history_of(waiting) == History(awarded_this_year=Decimal("4799999.00"))
    assert assessment.award == Decimal("200001.00")
    # The stored cap was recomputed after the recovery's commit.
    assert waiting.award_cap == Decimal("200001.00")


def test_support_ended_keeps_what_was_paid_less_what_is_recovered(cast, call, staff, finance):
    stopped = built(cast, call, S.DISBURSING)
    declaration_stop(declaration_id=stopped.pk, actor=finance, note="Moved out of Beijing.")
    terminated_unpaid = built(cast, CallFactory(year=2026), S.CONFIRMED)
    declaration_terminate(declaration_id=terminated_unpaid.pk, actor=staff, note="Feigned investment.")
    recovered = built(cast, CallFactory(year=2026), S.DISBURSING)
    recover(recovered, staff, "300000.00")

    kept = dict(
        Declaration.objects.filter(pk__in=[stopped.pk, terminated_unpaid.pk, recovered.pk])
        .annotate(kept=kept_amount_expression())
        .values_list("pk", "kept")
    )

    assert kept == {
        stopped.pk: APPROVED / 2,
        terminated_unpaid.pk: Decimal("0.00"),
        recovered.pk: APPROVED / 2 - Decimal("300000.00"),
    }


def test_what_is_kept_is_one_expression_a_sum_can_use(cast, call, staff):
    paid = built(cast, call, S.PAID, through=[S.PAID])
    recover(paid, staff, "100000.00")
    DeclarationFactory(
        organisation=cast.applicant.organisation, call=call, state=S.APPROVED, approved_amount=Decimal("50000.00")
    )
    # Revoked by an objection: nothing is kept, whatever its approved amount says.
    DeclarationFactory(
        organisation=cast.applicant.organisation,
        call=call,
        state=S.OBJECTION_UPHELD,
        approved_amount=Decimal("70000.00"),
    )

    total = Declaration.objects.filter(call=call).aggregate(kept=Sum(kept_amount_expression()))["kept"]

    assert total == APPROVED - Decimal("100000.00") + Decimal("50000.00")


def test_a_year_whose_support_keeps_nothing_is_not_a_year_supported(applicant):
    investor = applicant.organisation
    art5 = Programme.objects.get(code="ART5")
    fund = {"fund_name": "Haidian VC Fund I"}

    def declare(year, state, **amounts):
        return DeclarationFactory(
            organisation=investor,
            call=CallFactory(year=year),
            programme=art5,
            state=state,
            approved_amount=Decimal("5000000.00"),
            facts=dict(fund),
            **amounts,
        )

    declare(2023, S.PAID)
    declare(2024, S.TERMINATED, cancelled_amount=Decimal("5000000.00"))  # terminated before any payment
    declare(2025, S.RECOVERED, recovered_amount=Decimal("5000000.00"))  # paid, then recovered in full
    declare(2025, S.STOPPED, cancelled_amount=Decimal("4000000.00"))  # 1,000,000 paid before the stop
    current = DeclarationFactory(organisation=investor, call=CallFactory(year=2026), programme=art5, facts=dict(fund))

    assert history_of(current) == History(years_supported=2)


def test_what_is_kept_is_exact_to_the_fen_where_the_database_subtracts_in_floating_point(applicant):
    # SQLite computes 1,600,000.00 - 1,599,999.99 as 0.0100000000093132, and a further 0.01 less as
    # a trace above 0 (the random orders of test_order_properties found the first).
    call = CallFactory(year=2026)

    def terminated(**amounts):
        return DeclarationFactory(
            organisation=applicant.organisation,
            call=call,
            state=S.TERMINATED,
            approved_amount=APPROVED,
            cancelled_amount=APPROVED - Decimal("0.01"),
            **amounts,
        )

    a_fen_paid = [terminated() for _ in range(3)]
    repaid = terminated(recovered_amount=Decimal("0.01"))
    kept = dict(Declaration.objects.filter(call=call).annotate(kept=kept_amount_expression()).values_list("pk", "kept"))

    assert {pk: str(amount) for pk, amount in kept.items()} == {
        **{declaration.pk: "0.01" for declaration in a_fen_paid},
        repaid.pk: "0.00",
    }
    assert set(
        Declaration.objects.annotate(kept=kept_amount_expression()).filter(kept__gt=0).values_list("pk", flat=True)
    ) == {declaration.pk for declaration in a_fen_paid}
    waiting = DeclarationFactory(organisation=applicant.organisation, call=call, state=S.SUBMITTED)
    assert history_of(waiting) == History(awarded_this_year=Decimal("0.03"))
    programme_year = (a_fen_paid[0].programme_id, 2026)
    assert str(committed_amounts([programme_year])[programme_year]) == "0.03"
