"""Payments, the pre-payment re-check, stopping and recovery (Art. 17, 21)."""

from decimal import ROUND_DOWN, Decimal

import rules
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import yuan
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import PAYABLE_STATES, TransitionRefused, declaration_transition
from disbursement.models import Payment, Recovery


def declaration_paid_total(declaration):
    return declaration.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@transaction.atomic
def payment_record(*, declaration_id, actor, amount, paid_on, reference):
    """Record one payment. The first moves a confirmed declaration to `disbursing`; the one that
    reaches the approved amount moves it to `paid`. Payments never exceed the approved amount:
    the declaration's row is locked so two officers cannot both pay the last instalment."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    if not rules.has_perm("disbursement.disburse", actor, declaration):
        raise TransitionRefused(_("You are not allowed to do this."))
    if declaration.state not in PAYABLE_STATES:
        raise TransitionRefused(_("Payments are recorded only for declarations confirmed after publicity."))
    if amount <= 0:
        raise TransitionRefused(_("A payment must be more than zero."))
    if paid_on > timezone.localdate():
        raise TransitionRefused(_("A payment cannot be dated in the future."))
    outstanding = declaration.approved_amount - declaration_paid_total(declaration)
    if amount > outstanding:
        raise TransitionRefused(
            _("This payment is more than the %(outstanding)s yuan still to be paid.")
            % {"outstanding": yuan(outstanding)}
        )
    payment = Payment.objects.create(
        declaration=declaration, amount=amount, paid_on=paid_on, reference=reference, recorded_by=actor
    )
    if declaration.state == S.CONFIRMED:
        declaration_transition(
            declaration_id=declaration.pk,
            action=A.START_DISBURSEMENT,
            actor=actor,
            note=_("Payment %(reference)s") % {"reference": reference},
        )
    if amount == outstanding:
        declaration_transition(
            declaration_id=declaration.pk,
            action=A.COMPLETE_PAYMENT,
            actor=actor,
            note=_("Paid in full with payment %(reference)s") % {"reference": reference},
        )
    return payment


def declaration_stop(*, declaration_id, actor, note):
    """Art. 17 re-check before allocating funds: stop support for a unit no longer eligible."""
    return declaration_transition(declaration_id=declaration_id, action=A.STOP, actor=actor, note=note)


@transaction.atomic
def recovery_record(*, declaration_id, actor, amount, reason, barred_until=None):
    """Art. 21: record the funds to recover and move the declaration to `recovered`."""
    amount = Decimal(amount)

    def prepare(declaration):
        paid = declaration_paid_total(declaration)
        if amount <= 0 or amount > paid:
            raise TransitionRefused(
                _("The amount to recover must be more than zero and at most the %(paid)s yuan paid.")
                % {"paid": yuan(paid)}
            )
        return {}

    declaration = declaration_transition(
        declaration_id=declaration_id, action=A.RECOVER, actor=actor, note=reason, prepare=prepare
    )
    Recovery.objects.create(
        declaration=declaration, amount=amount, reason=reason, barred_until=barred_until, recorded_by=actor
    )
    return declaration
