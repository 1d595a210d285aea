"""Payments, the pre-payment re-check and stopping support (Art. 17). Terminating a project and
recovering funds (Art. 21, 22) are disbursement.recovery's."""

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
from disbursement.models import Payment


def declaration_paid_total(declaration):
    return declaration.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def unpaid_cancelled(declaration):
    """The field change of a transition after which nothing more is paid (stop, termination, the
    first recovery): the part of the approved amount not paid so far never will be, so the award
    history keeps only what was paid (declarations.selectors.kept_amount_expression)."""
    return {"cancelled_amount": (declaration.approved_amount or Decimal("0.00")) - declaration_paid_total(declaration)}


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
    """Art. 17 re-check before allocating funds: stop support for a unit no longer eligible. Nothing
    more is paid: the part of the approved amount not paid is cancelled (unpaid_cancelled)."""
    return declaration_transition(
        declaration_id=declaration_id, action=A.STOP, actor=actor, note=note, prepare=unpaid_cancelled
    )
