"""Two people acting on the same recovery at the same moment (PostgreSQL only: SQLite has no row
locks; the sequential cases are in test_recovery_cases.py): the cases never order more than was
paid, and a case is never repaid more than is due."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.workflow import TransitionRefused
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import RecoveryCase, Repayment
from disbursement.recovery import recovery_case_open, repayment_record
from tests.disbursement.conftest import APPROVED
from tests.factories import StaffFactory


def _together(act, people):
    """Run act(person) for each of `people` at the same moment; the outcomes ("done" or the refusal)."""
    barrier = threading.Barrier(len(people))
    outcomes = []

    def run(person):
        try:
            barrier.wait(timeout=10)
            act(person)
            outcomes.append("done")
        except TransitionRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_cases_opened_together_never_order_more_than_was_paid(make_declaration, staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    declaration = make_declaration(S.PAID)
    other_staff = StaffFactory(username="staff-b")

    outcomes = _together(
        lambda person: recovery_case_open(
            declaration_id=declaration.pk,
            actor=person,
            amount_due=Decimal("1000000.00"),
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            reason=f"Forged evidence, found by {person.username}.",
        ),
        [staff, other_staff],
    )
    declaration.refresh_from_db()

    assert sorted(outcomes) == sorted(
        [
            "done",
            "The amount to recover is more than the 600,000.00 yuan paid and not yet recovered "
            "(1,600,000.00 yuan paid, 1,000,000.00 yuan already to be recovered).",
        ]
    )
    assert (declaration.state, declaration.recovered_amount) == (S.RECOVERED, Decimal("1000000.00"))
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 1
    assert declaration.recovered_amount <= APPROVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_what_is_still_due_is_repaid_once_when_two_officers_record_it_together(
    make_declaration, staff, finance, second_finance
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    case = recovery_case_open(
        declaration_id=make_declaration(S.PAID).pk,
        actor=staff,
        amount_due=Decimal("5000.00"),
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        reason="Forged evidence.",
    )

    outcomes = _together(
        lambda person: repayment_record(
            case_id=case.pk,
            actor=person,
            amount=Decimal("5000.00"),
            received_on=timezone.localdate(),
            reference=f"BANK-{person.username}",
        ),
        [finance, second_finance],
    )
    case.refresh_from_db()

    assert sorted(outcomes) == sorted(["done", "This cannot be done while the recovery case is “Repaid in full”."])
    assert (case.state, case.repaid_amount, Repayment.objects.filter(case=case).count()) == (
        CS.REPAID,
        Decimal("5000.00"),
        1,
    )
