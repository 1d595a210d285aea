"""disbursement migration 0003: each recovery recorded before recovery cases existed becomes an open
case, and the declaration keeps what was paid less what is to be recovered."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.migrating import migrate_to

BEFORE = [("disbursement", "0004_recovery_cases")]
AFTER = [("disbursement", "0006_delete_recovery")]


def _call_as_stored(now):
    from declarations.models import Call

    return Call.objects.create(year=2026, title="2026", opens_at=now - datetime.timedelta(days=30), closes_at=now).pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recoveries_become_open_cases_and_the_declaration_keeps_what_was_paid_less_them(applicant, staff, finance):
    apps = migrate_to(BEFORE)
    try:
        Declaration = apps.get_model("declarations", "Declaration")
        Recovery = apps.get_model("disbursement", "Recovery")
        Payment = apps.get_model("disbursement", "Payment")
        Programme = apps.get_model("declarations", "Programme")
        now = timezone.now()
        # The call's columns are today's (declarations is not migrated back): written as they are.
        call_id = _call_as_stored(now)
        declaration = Declaration.objects.create(
            organisation_id=applicant.organisation_id,
            call_id=call_id,
            programme=Programme.objects.get(code="ART6"),
            title="Recovered before cases existed",
            summary="",
            state="recovered",
            number="ZGC-2026-ART6-000001",
            approved_amount=Decimal("1600000.00"),
            created_by_id=applicant.pk,
        )
        Payment.objects.create(
            declaration=declaration,
            amount=Decimal("800000.00"),
            paid_on=now.date(),
            reference="PAY-1",
            recorded_by_id=finance.pk,
        )
        recovery = Recovery.objects.create(
            declaration=declaration,
            amount=Decimal("300000.00"),
            reason="Forged evidence.",
            barred_until=now.date() + datetime.timedelta(days=365),
            recorded_by_id=finance.pk,
        )
    finally:
        apps = migrate_to(AFTER)

    RecoveryCase = apps.get_model("disbursement", "RecoveryCase")
    Declaration = apps.get_model("declarations", "Declaration")
    case = RecoveryCase.objects.get()
    declaration = Declaration.objects.get(pk=declaration.pk)

    assert (
        case.number,
        case.amount_due,
        case.reason,
        case.barred_until,
        case.state,
        case.opened_by_id,
        case.due_on,
    ) == (
        "ZGC-2026-ART6-000001-R1",
        Decimal("300000.00"),
        "Forged evidence.",
        recovery.barred_until,
        "open",
        finance.pk,
        timezone.localdate(recovery.recorded_at),
    )
    assert list(case.events.values_list("action", "from_state", "to_state")) == [("open", "", "open")]
    assert (declaration.cancelled_amount, declaration.recovered_amount) == (
        Decimal("800000.00"),
        Decimal("300000.00"),
    )
