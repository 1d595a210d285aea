"""Hypothesis over random payment plans, orders, approvals, rejections, cancellations and payments of
one declaration: the paid total never exceeds the approved amount, nor do the orders that hold part of
it, the declaration is paid exactly when everything is, and every refused step changes nothing."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from disbursement.models import Payment, PaymentOrder, PaymentOrderEvent, Recheck, Tranche
from disbursement.models import PaymentOrderState as OS
from disbursement.services import (
    PlannedTranche,
    bank_account_set,
    order_approve,
    order_cancel,
    order_mark_paid,
    order_prepare,
    order_reject,
    payment_plan_set,
)
from tests.disbursement.conftest import APPROVED

CENTS = int(APPROVED * 100)

amounts = st.one_of(st.none(), st.integers(min_value=-100, max_value=CENTS + 10_000).map(lambda c: Decimal(c) / 100))
plans = st.lists(st.integers(min_value=1, max_value=CENTS - 1), min_size=0, max_size=3, unique=True).map(
    lambda cuts: [Decimal(b - a) / 100 for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), CENTS], strict=True)]
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("plan"), plans, st.booleans()),
        st.tuples(st.just("prepare"), st.integers(min_value=1, max_value=4), amounts),
        st.tuples(st.just("approve"), st.integers(min_value=0, max_value=5), st.booleans()),
        st.tuples(st.just("reject"), st.integers(min_value=0, max_value=5), st.sampled_from(["", "Wrong account."])),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=5), st.sampled_from(["", "Not needed."])),
        st.tuples(st.just("pay"), st.integers(min_value=0, max_value=5), st.sampled_from(["", "V-1"])),
    ),
    max_size=14,
)


@pytest.fixture
def confirmed(make_declaration, finance):
    declaration = make_declaration(S.CONFIRMED)
    bank_account_set(
        organisation_id=declaration.organisation_id,
        actor=finance,
        account_name=declaration.organisation.name,
        bank_name="Bank of Beijing",
        account_number="6222020200112233445",
    )
    return declaration


def snapshot(declaration):
    return (
        Declaration.objects.get(pk=declaration.pk).state,
        list(PaymentOrder.objects.filter(declaration=declaration).order_by("pk").values_list("pk", "state", "amount")),
        list(Payment.objects.filter(declaration=declaration).order_by("pk").values_list("amount", "order_id")),
        list(Tranche.objects.filter(declaration=declaration).order_by("number").values_list("number", "amount")),
        PaymentOrderEvent.objects.count(),
        Recheck.objects.count(),
        declaration.events.count(),
    )


def _total(values):
    return sum(values, Decimal("0.00"))


def check_invariants(declaration):
    state, orders, payments, tranches, *_ = snapshot(declaration)
    paid = _total(amount for amount, _ in payments)
    held = _total(amount for _, order_state, amount in orders if order_state in (OS.APPROVED, OS.PAID))
    assert paid <= APPROVED
    assert held <= APPROVED
    assert paid == _total(amount for _, order_state, amount in orders if order_state == OS.PAID)
    assert (state == S.PAID) == (paid == APPROVED)
    assert (state == S.CONFIRMED) == (paid == 0)
    if tranches:
        assert _total(amount for _, amount in tranches) == APPROVED


def run(step, declaration, finance, second_finance):
    kind, first, second = step
    orders = list(PaymentOrder.objects.filter(declaration=declaration).order_by("pk").values_list("pk", flat=True))
    pick = orders[first % len(orders)] if orders and kind not in ("plan", "prepare") else None
    if kind == "plan":
        tranches = [PlannedTranche(amount) for amount in first]
        if second and tranches:  # a plan that does not add up
            tranches[0] = PlannedTranche(tranches[0].amount + Decimal("0.01"))
        payment_plan_set(declaration_id=declaration.pk, actor=finance, tranches=tranches)
    elif kind == "prepare":
        order_prepare(declaration_id=declaration.pk, actor=finance, tranche_number=first, amount=second)
    elif pick is None:
        raise TransitionRefused("no order to act on")
    elif kind == "approve":
        order_approve(order_id=pick, actor=second_finance if second else finance)
    elif kind == "reject":
        order_reject(order_id=pick, actor=second_finance, note=second)
    elif kind == "cancel":
        order_cancel(order_id=pick, actor=finance, note=second)
    else:
        order_mark_paid(order_id=pick, actor=finance, voucher_number=second, paid_on=timezone.localdate())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_random_orders_never_pay_more_than_approved_and_refusals_change_nothing(
    confirmed, finance, second_finance, steps
):
    with transaction.atomic():
        for step in steps:
            before = snapshot(confirmed)
            try:
                run(step, confirmed, finance, second_finance)
            except TransitionRefused:
                assert snapshot(confirmed) == before, step
            check_invariants(confirmed)
        transaction.set_rollback(True)
