"""Each recovery recorded before recovery cases existed becomes a case: the same amount, reason,
bar, officer and time, due on the day it was recorded (a recovery had no due date), open (no
repayment was recorded). Each declaration stopped or recovered keeps what was paid less what is to
be recovered: the part of its approved amount not paid is cancelled, and its recovered amount is
its recoveries'."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations
from django.db.models import Sum
from django.utils import timezone

ZERO = Decimal("0.00")


def cases_from_recoveries(apps, schema_editor):
    Recovery = apps.get_model("disbursement", "Recovery")
    RecoveryCase = apps.get_model("disbursement", "RecoveryCase")
    RecoveryCaseEvent = apps.get_model("disbursement", "RecoveryCaseEvent")
    Payment = apps.get_model("disbursement", "Payment")
    Declaration = apps.get_model("declarations", "Declaration")

    taken = defaultdict(int)
    recovered = defaultdict(lambda: ZERO)
    for recovery in Recovery.objects.select_related("declaration").order_by("recorded_at", "pk"):
        declaration = recovery.declaration
        taken[declaration.pk] += 1
        recovered[declaration.pk] += recovery.amount
        case = RecoveryCase.objects.create(
            declaration=declaration,
            number=f"{declaration.number or declaration.pk}-R{taken[declaration.pk]}",
            reason=recovery.reason,
            amount_due=recovery.amount,
            due_on=timezone.localdate(recovery.recorded_at),
            barred_until=recovery.barred_until,
            state="open",
            opened_by_id=recovery.recorded_by_id,
            opened_at=recovery.recorded_at,
        )
        RecoveryCaseEvent.objects.create(
            case=case,
            action="open",
            from_state="",
            to_state="open",
            actor_id=recovery.recorded_by_id,
            note=recovery.reason,
            created_at=recovery.recorded_at,
        )

    paid = dict(
        Payment.objects.values_list("declaration_id").annotate(total=Sum("amount")).values_list("declaration_id", "total")
    )
    for declaration in Declaration.objects.filter(state__in=["stopped", "recovered"]).only("pk", "approved_amount"):
        Declaration.objects.filter(pk=declaration.pk).update(
            cancelled_amount=(declaration.approved_amount or ZERO) - paid.get(declaration.pk, ZERO),
            recovered_amount=recovered[declaration.pk],
        )


def recoveries_from_cases(apps, schema_editor):
    Recovery = apps.get_model("disbursement", "Recovery")
    RecoveryCase = apps.get_model("disbursement", "RecoveryCase")
    Repayment = apps.get_model("disbursement", "Repayment")
    Declaration = apps.get_model("declarations", "Declaration")

    for case in RecoveryCase.objects.order_by("opened_at", "pk"):
        recovery = Recovery.objects.create(
            declaration_id=case.declaration_id,
            amount=case.amount_due,
            reason=case.reason,
            barred_until=case.barred_until,
            recorded_by_id=case.opened_by_id,
        )
        Recovery.objects.filter(pk=recovery.pk).update(recorded_at=case.opened_at)
    Repayment.objects.all().delete()
    RecoveryCase.objects.all().delete()
    Declaration.objects.update(cancelled_amount=ZERO, recovered_amount=ZERO)


class Migration(migrations.Migration):
    dependencies = [
        ("disbursement", "0004_recovery_cases"),
    ]

    operations = [migrations.RunPython(cases_from_recoveries, recoveries_from_cases)]
