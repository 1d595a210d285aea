"""Two finance officers paying the last instalment at the same moment (PostgreSQL only: SQLite
has no row locks; the sequential case is in test_payments.py)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.workflow import TransitionRefused
from disbursement.models import Payment
from disbursement.services import payment_record
from tests.disbursement.conftest import APPROVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payment_last_instalment_paid_once_when_two_officers_pay_together(make_declaration, finance, second_finance):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    declaration = make_declaration(S.DISBURSING)
    outstanding = APPROVED - sum(declaration.payments.values_list("amount", flat=True))
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(officer):
        try:
            barrier.wait(timeout=10)
            payment_record(
                declaration_id=declaration.pk,
                actor=officer,
                amount=outstanding,
                paid_on=timezone.localdate(),
                reference=f"BANK-{officer.username}",
            )
            outcomes.append("paid")
        except TransitionRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(officer,)) for officer in (finance, second_finance)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    declaration.refresh_from_db()

    refusal = "Payments are recorded only for declarations confirmed after publicity."
    assert sorted(outcomes) == sorted(["paid", refusal])
    assert declaration.state == S.PAID
    assert sum(Payment.objects.filter(declaration=declaration).values_list("amount", flat=True)) == APPROVED
