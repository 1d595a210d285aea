"""Properties of the money after the decision, over random sequences of steps taken by random people:
terminations, stops, recovery cases (opened, repaid in parts, referred) on declarations approved,
half paid and paid. After every step:

- paid never exceeds approved, and no more is ordered recovered than was paid;
- the award history equals what each declaration keeps, computed here apart from the application's
  expression: its approved amount while support stands, what was paid less what is to be recovered
  once support ended (stopped, terminated, recovered);
- a declaration's recovered amount is its cases' amounts due; a case's repaid amount its
  repayments', never more than is due, and its state says how much was repaid;
- every refused step changes nothing.

The payment plans and orders will add their own steps here."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from declarations.selectors import award_histories, award_rows
from declarations.workflow import DECIDED_STATES, TransitionRefused
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import Payment, RecoveryCase, RecoveryCaseEvent, Repayment
from disbursement.recovery import (
    declaration_terminate,
    recovery_case_open,
    recovery_case_refer,
    repayment_record,
)
from disbursement.services import declaration_stop
from notices.models import Notice
from review.models import CreditRecord
from tests.disbursement.conftest import APPROVED
from tests.factories import CallFactory, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
PEOPLE = ("staff", "finance", "applicant")
# The three declarations under test: approved (nothing paid), disbursing (half paid), paid.
STARTS = (S.APPROVED, S.DISBURSING, S.PAID)


@pytest.fixture
def world(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    """Three awards of 1,600,000 to the same institution in the same support year (4,800,000 of its
    5,000,000), and a draft of the same year whose history the caps count."""
    cast = Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)
    call = CallFactory(year=2026)
    declarations = []
    for state in STARTS:
        declaration = DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant)
        through = [S.PAID] if state == S.PAID else []
        declarations.append(build_to(declaration, state, cast=cast, amount=APPROVED, through=through))
    probe = DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant)
    return {
        "people": {"staff": staff, "finance": finance, "applicant": applicant},
        "declarations": [d.pk for d in declarations],
        "probe": probe.pk,
    }


amounts = st.one_of(
    st.decimals(min_value=Decimal("-1.00"), max_value=Decimal("1700000.00"), places=2),
    st.sampled_from([ZERO, Decimal("0.01"), Decimal("1.00"), APPROVED / 2, APPROVED, APPROVED + Decimal("0.01")]),
)
who = st.sampled_from(PEOPLE)
index = st.integers(min_value=0, max_value=len(STARTS) - 1)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("terminate"), index, who),
        st.tuples(st.just("stop"), index, who),
        st.tuples(st.just("open"), index, amounts, who, st.booleans()),
        st.tuples(st.just("repay"), st.integers(min_value=0, max_value=5), amounts, who),
        st.tuples(st.just("refer"), st.integers(min_value=0, max_value=5), who),
    ),
    min_size=1,
    max_size=8,
)


def _take(step, world):
    """Take one step; raises TransitionRefused when the application refuses it."""
    today = timezone.localdate()
    kind, target, *rest = step
    actor = world["people"][rest[-1] if kind != "open" else rest[1]]
    if kind in ("terminate", "stop", "open"):
        declaration_id = world["declarations"][target]
        if kind == "terminate":
            declaration_terminate(declaration_id=declaration_id, actor=actor, note="Feigned investment.")
        elif kind == "stop":
            declaration_stop(declaration_id=declaration_id, actor=actor, note="Moved out of Beijing.")
        else:
            amount, _who, dishonest = rest
            recovery_case_open(
                declaration_id=declaration_id,
                actor=actor,
                amount_due=amount,
                due_on=today + datetime.timedelta(days=30),
                reason="Forged evidence.",
                barred_until=today + datetime.timedelta(days=365),
                dishonest=dishonest,
            )
        return
    cases = list(RecoveryCase.objects.order_by("pk").values_list("pk", flat=True))
    if not cases:
        raise TransitionRefused("No case to act on.")
    case_id = cases[target % len(cases)]
    if kind == "repay":
        repayment_record(case_id=case_id, actor=actor, amount=rest[0], received_on=today, reference="BANK")
    else:
        recovery_case_refer(case_id=case_id, actor=actor, note="No answer to the reminders.")


def _everything(world):
    """Every row the steps may write, as plain values."""
    return {
        "declarations": list(
            Declaration.objects.filter(pk__in=world["declarations"])
            .order_by("pk")
            .values_list("state", "approved_amount", "cancelled_amount", "recovered_amount")
        ),
        "cases": list(RecoveryCase.objects.order_by("pk").values_list("state", "amount_due", "repaid_amount")),
        "counts": [
            model.objects.count()
            for model in (Payment, Repayment, RecoveryCaseEvent, DeclarationEvent, CreditRecord, Notice)
        ],
    }


def _paid(declaration):
    return declaration.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def _kept(declaration):
    """What the declaration keeps of its award, by the policy's words rather than the application's
    expression: the award while support stands; once it ended, what was paid less what is to be
    recovered."""
    recovered = declaration.recovery_cases.aggregate(total=Sum("amount_due"))["total"] or ZERO
    if declaration.state in DECIDED_STATES:
        return declaration.approved_amount - recovered
    return _paid(declaration) - recovered


def _check_invariants(world):
    declarations = list(Declaration.objects.filter(pk__in=world["declarations"]))
    for declaration in declarations:
        paid = _paid(declaration)
        due = declaration.recovery_cases.aggregate(total=Sum("amount_due"))["total"] or ZERO
        assert paid <= declaration.approved_amount
        assert declaration.recovered_amount == due <= paid
        if declaration.state in DECIDED_STATES:
            assert declaration.cancelled_amount == ZERO
        else:
            assert declaration.cancelled_amount == declaration.approved_amount - paid
    for case in RecoveryCase.objects.all():
        repaid = case.repayments.aggregate(total=Sum("amount"))["total"] or ZERO
        assert case.repaid_amount == repaid <= case.amount_due
        if case.state == CS.OPEN:
            assert repaid == ZERO
        elif case.state == CS.PARTLY_REPAID:
            assert ZERO < repaid < case.amount_due
        elif case.state == CS.REPAID:
            assert repaid == case.amount_due
        else:
            assert repaid < case.amount_due
    probe = Declaration.objects.filter(pk=world["probe"])
    history = award_histories(award_rows(probe))[world["probe"]]
    assert history.awarded_this_year == sum((_kept(d) for d in declarations), ZERO)


@given(sequence=steps)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_paid_recovered_and_kept_amounts_hold_after_every_step(world, sequence):
    with transaction.atomic():
        _check_invariants(world)
        for step in sequence:
            before = _everything(world)
            try:
                _take(step, world)
            except TransitionRefused as refusal:
                note(f"refused {step}: {refusal}")
                assert _everything(world) == before
            else:
                note(f"took {step}")
            _check_invariants(world)
        transaction.set_rollback(True)
