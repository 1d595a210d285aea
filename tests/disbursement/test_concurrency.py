"""Approvals racing for one declaration's approved amount, and the database's own guard against an
overpayment (PostgreSQL only: SQLite has neither row locks nor the triggers)."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.workflow import TransitionRefused
from disbursement.models import Payment, PaymentOrder
from disbursement.models import PaymentOrderState as OS
from disbursement.services import bank_account_set, order_approve, order_mark_paid, order_prepare
from tests.disbursement.conftest import APPROVED

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and triggers (DATABASE_URL=postgres://...)")


@pytest.fixture
def confirmed(on_postgresql, make_declaration, finance):
    declaration = make_declaration(S.CONFIRMED)
    bank_account_set(
        organisation_id=declaration.organisation_id,
        actor=finance,
        account_name=declaration.organisation.name,
        bank_name="Bank of Beijing",
        account_number="6222020200112233445",
    )
    return declaration


def test_ten_concurrent_approvals_of_a_fifth_each_pay_exactly_five(confirmed, finance, second_finance):
    fifth = APPROVED / 5
    orders = [order_prepare(declaration_id=confirmed.pk, actor=finance, amount=fifth) for _ in range(10)]
    barrier = threading.Barrier(len(orders))
    outcomes = []

    def approve_and_pay(order):
        try:
            barrier.wait(timeout=20)
            order_approve(order_id=order.pk, actor=second_finance)
            order_mark_paid(
                order_id=order.pk, actor=finance, voucher_number=f"V-{order.pk}", paid_on=timezone.localdate()
            )
            outcomes.append("paid")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_and_pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    confirmed.refresh_from_db()

    assert sorted(outcomes) == ["paid"] * 5 + ["refused"] * 5
    assert PaymentOrder.objects.filter(declaration=confirmed, state=OS.PAID).count() == 5
    assert PaymentOrder.objects.filter(declaration=confirmed, state=OS.PREPARED).count() == 5
    assert sum(Payment.objects.filter(declaration=confirmed).values_list("amount", flat=True)) == APPROVED
    assert confirmed.state == S.PAID


def test_raw_insert_of_an_overpayment_refused_by_the_database(confirmed, finance):
    with pytest.raises(IntegrityError, match="overpayment"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO disbursement_payment (declaration_id, amount, paid_on, reference, recorded_by_id, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s, now())",
            [confirmed.pk, APPROVED + Decimal("0.01"), timezone.localdate(), "RAW-1", finance.pk],
        )
    assert not Payment.objects.filter(declaration=confirmed).exists()


def test_raw_inserts_within_the_approved_amount_accepted_until_it_is_reached(confirmed, finance):
    def insert(amount, reference):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO disbursement_payment"
                " (declaration_id, amount, paid_on, reference, recorded_by_id, recorded_at)"
                " VALUES (%s, %s, %s, %s, %s, now())",
                [confirmed.pk, amount, timezone.localdate(), reference, finance.pk],
            )

    insert(APPROVED - Decimal("1.00"), "RAW-1")
    insert(Decimal("1.00"), "RAW-2")
    with pytest.raises(IntegrityError, match="overpayment"):
        insert(Decimal("0.01"), "RAW-3")

    assert sum(Payment.objects.filter(declaration=confirmed).values_list("amount", flat=True)) == APPROVED


def test_raw_update_approving_orders_past_the_approved_amount_refused_by_the_database(confirmed, finance):
    orders = [order_prepare(declaration_id=confirmed.pk, actor=finance) for _ in range(2)]

    with connection.cursor() as cursor:
        cursor.execute("UPDATE disbursement_paymentorder SET state = 'approved' WHERE id = %s", [orders[0].pk])
        with pytest.raises(IntegrityError, match="overpayment"), transaction.atomic():
            cursor.execute("UPDATE disbursement_paymentorder SET state = 'approved' WHERE id = %s", [orders[1].pk])


def test_raw_update_approving_above_the_award_cap_refused_by_the_database(confirmed):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE declarations_declaration SET approved_amount = award_cap + 0.01 WHERE id = %s", [confirmed.pk]
        )
