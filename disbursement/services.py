"""Payment plans, payment orders with two-person approval and the Art. 17 re-check, payments, and
stopping support (Art. 17). Terminating a project and recovering funds (Art. 21, 22) are
disbursement.recovery's."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import Message, message, message_from_text
from common.money import money_sum, yuan
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Organisation
from declarations.workflow import PAYABLE_STATES, TransitionRefused, declaration_transition
from disbursement.models import BankAccount, Payment, PaymentOrder, Recheck, Tranche
from disbursement.models import PaymentOrderAction as OA
from disbursement.workflow import (
    COMMITTED_ORDER_STATES,
    LIVE_ORDER_STATES,
    order_transition_refusal,
    payment_order_open,
    payment_order_transition,
)
from review.recheck import recheck_blocked, unit_recheck

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def declaration_paid_total(declaration):
    return declaration.payments.aggregate(total=money_sum("amount"))["total"]


def declaration_committed_total(declaration):
    """What is paid or approved to be paid: the orders that hold part of the approved amount, and
    payments recorded before orders existed."""
    ordered = PaymentOrder.objects.filter(declaration=declaration, state__in=COMMITTED_ORDER_STATES)
    ordered_total = ordered.aggregate(total=money_sum("amount"))["total"]
    unordered = declaration.payments.filter(order__isnull=True).aggregate(total=money_sum("amount"))["total"]
    return ordered_total + unordered


def _refuse_unless(actor, permission, obj=None):
    if not rules.has_perm(permission, actor, obj):
        raise TransitionRefused(_("You are not allowed to do this."))


def _money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_DOWN)


# --- the unit's bank account --------------------------------------------------------------------


def account_name_refusal(organisation, account_name):
    """Why `account_name` cannot receive the unit's support funds, or None: it must be the unit's
    registered name, exactly (spaces at either end aside)."""
    if account_name.strip() != organisation.name.strip():
        return _("The account name “%(account)s” is not the unit's registered name “%(name)s”.") % {
            "account": account_name.strip(),
            "name": organisation.name,
        }
    return None


def unpaid_cancelled(declaration):
    """The field change of a transition after which nothing more is paid (stop, termination, the
    first recovery): the part of the approved amount not paid so far never will be, so the award
    history keeps only what was paid (declarations.selectors.kept_amount_expression)."""
    return {"cancelled_amount": (declaration.approved_amount or Decimal("0.00")) - declaration_paid_total(declaration)}


@transaction.atomic
def bank_account_set(*, organisation_id, actor, account_name, bank_name, account_number):
    """Record or change the unit's bank account; every version is kept (django-simple-history)."""
    _refuse_unless(actor, "disbursement.manage_accounts")
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    refusal = account_name_refusal(organisation, account_name)
    if refusal:
        raise TransitionRefused(refusal)
    account = BankAccount.objects.filter(organisation=organisation).first() or BankAccount(organisation=organisation)
    account.account_name = account_name.strip()
    account.bank_name = bank_name.strip()
    account.account_number = account_number.strip()
    account.updated_by = actor
    audited(account, actor)
    account.full_clean()
    account.save()
    return account


# --- the payment plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTranche:
    amount: Decimal
    planned_on: object = None


def default_plan(declaration):
    """Post-subsidies are paid at once: one tranche of the whole approved amount."""
    return [PlannedTranche(declaration.approved_amount)]


def _lock_payable(declaration_id):
    declaration = Declaration.objects.select_for_update().select_related("organisation").get(pk=declaration_id)
    if declaration.state not in PAYABLE_STATES:
        raise TransitionRefused(_("Payments are made only for declarations confirmed after publicity."))
    return declaration


@transaction.atomic
def payment_plan_set(*, declaration_id, actor, tranches):
    """Replace the payment plan with `tranches` (PlannedTranche, in order), which must add up to the
    approved amount. Only before the first order: once one is prepared the plan is what it pays."""
    _refuse_unless(actor, "disbursement.plan")
    declaration = _lock_payable(declaration_id)
    # Orders keep the tranche they were prepared for, rejected and cancelled ones included.
    if declaration.orders.exists():
        raise TransitionRefused(_("The plan cannot change once an order has been prepared on it."))
    amounts = [_money(tranche.amount) for tranche in tranches]
    if not amounts or any(amount <= 0 for amount in amounts):
        raise TransitionRefused(_("Each tranche must be more than zero."))
    total = sum(amounts, ZERO)
    if total != declaration.approved_amount:
        raise TransitionRefused(
            _("The tranches add up to %(total)s yuan, not the approved amount of %(approved)s yuan.")
            % {"total": yuan(total), "approved": yuan(declaration.approved_amount)}
        )
    declaration.tranches.all().delete()
    return Tranche.objects.bulk_create(
        Tranche(declaration=declaration, number=number, amount=amount, planned_on=tranche.planned_on, created_by=actor)
        for number, (amount, tranche) in enumerate(zip(amounts, tranches, strict=True), start=1)
    )


def _tranche(declaration, number, actor):
    """The plan's tranche `number`; the default plan is saved when the first order is prepared."""
    if not declaration.tranches.exists():
        Tranche.objects.bulk_create(
            Tranche(declaration=declaration, number=n, amount=t.amount, planned_on=t.planned_on, created_by=actor)
            for n, t in enumerate(default_plan(declaration), start=1)
        )
    try:
        return declaration.tranches.get(number=number)
    except Tranche.DoesNotExist:
        raise TransitionRefused(_("The payment plan has no tranche %(number)s.") % {"number": number}) from None


def tranche_open_amount(tranche):
    """What of the tranche no approved or paid order holds yet."""
    held = tranche.orders.filter(state__in=COMMITTED_ORDER_STATES).aggregate(total=money_sum("amount"))["total"]
    return tranche.amount - held


def _within_headroom(declaration, amount):
    headroom = declaration.approved_amount - declaration_committed_total(declaration)
    if amount > headroom:
        raise TransitionRefused(
            _(
                "This order of %(amount)s yuan is more than the %(headroom)s yuan of the approved amount "
                "not yet paid or approved for payment."
            )
            % {"amount": yuan(amount), "headroom": yuan(headroom)}
        )


# --- payment orders -----------------------------------------------------------------------------


@transaction.atomic
def order_prepare(*, declaration_id, actor, tranche_number=1, amount=None, note=""):
    """A finance officer's order to pay (part of) a tranche into the unit's bank account as it is now.
    `amount` defaults to what of the tranche is still open."""
    _refuse_unless(actor, "disbursement.prepare_order")
    declaration = _lock_payable(declaration_id)
    account = BankAccount.objects.filter(organisation=declaration.organisation).first()
    if account is None:
        raise TransitionRefused(_("Record the unit's bank account before preparing an order."))
    refusal = account_name_refusal(declaration.organisation, account.account_name)
    if refusal:
        raise TransitionRefused(refusal)
    tranche = _tranche(declaration, tranche_number, actor)
    open_amount = tranche_open_amount(tranche)
    amount = open_amount if amount is None else _money(amount)
    if amount <= 0:
        raise TransitionRefused(_("An order must be for more than zero."))
    if amount > open_amount:
        raise TransitionRefused(
            _("This order of %(amount)s yuan is more than the %(open)s yuan of tranche %(number)s still open.")
            % {"amount": yuan(amount), "open": yuan(open_amount), "number": tranche.number}
        )
    _within_headroom(declaration, amount)
    return payment_order_open(
        actor=actor,
        note=note,
        tranche=tranche,
        declaration=declaration,
        amount=amount,
        account_name=account.account_name,
        bank_name=account.bank_name,
        account_number=account.account_number,
    )


class OrderBlocked(TransitionRefused):
    """The Art. 17 re-check found the unit may no longer be supported; `findings` names each record."""

    def __init__(self, message, findings, recheck):
        super().__init__(message)
        self.findings = findings
        self.recheck = recheck


def recheck_record(*, declaration, actor, order=None):
    """Re-check the unit now (review.recheck.unit_recheck, the function the decision uses) and keep
    the result with its time. Returns (Recheck, findings)."""
    findings = unit_recheck(declaration.organisation)
    recheck = Recheck.objects.create(
        declaration=declaration,
        order=order,
        checked_at=timezone.now(),
        checked_by=actor,
        passed=not findings,
        findings=[{"cause": str(finding.cause), "message": finding.message.as_json()} for finding in findings],
    )
    return recheck, findings


def order_approve(*, order_id, actor):
    """The second finance officer's approval, after the Art. 17 re-check of the unit at this moment.

    Approvals of one declaration wait for each other (its row is locked), so together they never
    hold more than the approved amount. A re-check that finds a record refuses the approval
    (OrderBlocked, naming each record); the re-check itself is kept, nothing else changes."""
    with transaction.atomic():
        order = PaymentOrder.objects.get(pk=order_id)
        declaration = _lock_payable(order.declaration_id)
        order = PaymentOrder.objects.select_for_update().get(pk=order_id)
        refusal = order_transition_refusal(order, OA.APPROVE, actor)
        if refusal:
            raise TransitionRefused(refusal)
        open_amount = tranche_open_amount(order.tranche)
        if order.amount > open_amount:
            raise TransitionRefused(
                _("This order of %(amount)s yuan is more than the %(open)s yuan of tranche %(number)s still open.")
                % {"amount": yuan(order.amount), "open": yuan(open_amount), "number": order.tranche.number}
            )
        _within_headroom(declaration, order.amount)
        recheck, findings = recheck_record(declaration=declaration, actor=actor, order=order)
        if not findings:
            return payment_order_transition(order_id=order.pk, action=OA.APPROVE, actor=actor)
    raise OrderBlocked(str(recheck_blocked(findings)), findings, recheck)


@transaction.atomic
def order_reject(*, order_id, actor, note):
    return payment_order_transition(order_id=order_id, action=OA.REJECT, actor=actor, note=note)


@transaction.atomic
def order_cancel(*, order_id, actor, note):
    return payment_order_transition(order_id=order_id, action=OA.CANCEL, actor=actor, note=note)


@transaction.atomic
def order_mark_paid(*, order_id, actor, voucher_number, paid_on):
    """Record the transfer of an approved order: the payment, and the declaration's move to
    disbursing (first payment) or paid (the one that reaches the approved amount)."""
    order = PaymentOrder.objects.get(pk=order_id)
    declaration = Declaration.objects.select_for_update().get(pk=order.declaration_id)
    voucher_number = (voucher_number or "").strip()
    if not voucher_number:
        raise TransitionRefused(_("Give the voucher number of the transfer."))
    if paid_on > timezone.localdate():
        raise TransitionRefused(_("A payment cannot be dated in the future."))
    order = payment_order_transition(
        order_id=order.pk,
        action=OA.MARK_PAID,
        actor=actor,
        changes={"voucher_number": voucher_number, "paid_on": paid_on},
    )
    payment = Payment.objects.create(
        declaration=declaration,
        order=order,
        amount=order.amount,
        paid_on=paid_on,
        reference=voucher_number,
        recorded_by=actor,
    )
    _after_payment(declaration, actor, voucher_number)
    return payment


def _after_payment(declaration, actor, reference):
    if declaration.state == S.CONFIRMED:
        declaration_transition(
            declaration_id=declaration.pk,
            action=A.START_DISBURSEMENT,
            actor=actor,
            note=message("disbursement.payment.first", reference=reference),
        )
    if declaration_paid_total(declaration) == declaration.approved_amount:
        declaration_transition(
            declaration_id=declaration.pk,
            action=A.COMPLETE_PAYMENT,
            actor=actor,
            note=message("disbursement.payment.full", reference=reference),
        )


def orders_cancel_unpaid(declaration, note):
    """Support ended (stopped, terminated): the system cancels the orders not yet paid, with the reason."""
    for order_id in declaration.orders.filter(state__in=LIVE_ORDER_STATES).values_list("pk", flat=True):
        payment_order_transition(order_id=order_id, action=OA.CANCEL, actor=None, note=note)


@transaction.atomic
def declaration_stop(*, declaration_id, actor, note):
    """Art. 17 re-check before allocating funds: stop support for a unit no longer eligible. Nothing
    more is paid: the part of the approved amount not paid is cancelled (unpaid_cancelled), and the
    orders not yet paid are cancelled with the same reason. A reason that is the re-check's proposed
    note as the stop form offered it (review.recheck.recheck_stop_note), in either language, is
    stored as that message, read in the reader's language; a reason staff wrote, as written."""
    if not (isinstance(note, Message) and note.key):
        proposed = message_from_text(str(note or "").strip(), ["review.recheck.stopped"])
        note = proposed if proposed.key else note
    declaration = declaration_transition(
        declaration_id=declaration_id, action=A.STOP, actor=actor, note=note, prepare=unpaid_cancelled
    )
    orders_cancel_unpaid(declaration, note)
    return declaration
