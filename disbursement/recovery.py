"""The measures of Art. 21 and 22 after the decision: terminating a project's execution, recovery
cases with their repayments and referral for enforcement, the overdue flag, and the dishonesty
finding that goes into the credit register.

Every write of a case's state goes through disbursement.workflow.recovery_case_transition; every
write of a declaration's state and of what it keeps through declarations.workflow.
"""

import datetime
from decimal import Decimal

import rules
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message
from common.money import yuan
from common.typography import short_date
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import (
    TRANSITIONS,
    TransitionRefused,
    declaration_recovery_add,
    declaration_transition,
    transition_refusal,
)
from disbursement.enums import RecoveryCaseAction as CA
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import RecoveryCase, RecoveryCaseEvent, Repayment
from disbursement.rules import OVERDUE_NOTIFIED_ROLES
from disbursement.services import declaration_paid_total, orders_cancel_unpaid, unpaid_cancelled
from disbursement.workflow import AWAITING_REPAYMENT_STATES, REPAYABLE_STATES, recovery_case_transition
from notices.services import notices_create
from publicity.models import PublicityEntry
from publicity.services import publicity_version_publish
from review.models import CreditList, CreditRecord

CENT = Decimal("0.01")


class RecoveryRefused(TransitionRefused):
    """A refusal about one field of the form that asked (`field`), or about the whole of it (None).
    Nothing was changed."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def declaration_terminate(*, declaration_id, actor, note):
    """Art. 21: terminate the project's execution, from any state where support stands decided,
    paid or not.

    In one transaction, in this order:
    1. declaration_transition A.TERMINATE (permission, state, reason, event, the applicant's
       notices, recomputation of award caps), which fixes the part of the approved amount not paid
       as cancelled: nothing more is paid, and the award history keeps only what was paid; the
       orders not yet paid are cancelled;
    2. a project still in publicity is taken off the list: the batch's next version withdraws its
       entry, and says why in its changelog (publicity.services.publicity_version_publish).
    What was paid is then recovered with recovery_case_open. Returns the declaration."""
    was_in_publicity = False

    def prepare(declaration):
        nonlocal was_in_publicity
        was_in_publicity = declaration.state == S.IN_PUBLICITY
        return unpaid_cancelled(declaration)

    with transaction.atomic():
        declaration = declaration_transition(
            declaration_id=declaration_id, action=A.TERMINATE, actor=actor, note=note, prepare=prepare
        )
        orders_cancel_unpaid(declaration, note)
        if was_in_publicity:
            entry = PublicityEntry.objects.filter(declaration=declaration, withdrawn_at__isnull=True).first()
            if entry is not None:
                publicity_version_publish(
                    actor=actor,
                    batch_id=entry.batch_id,
                    changelog=message("publicity.terminated_withdrawn", number=declaration.number),
                    withdraw_entry_ids=[entry.pk],
                )
    return declaration


def recoverable_amount(declaration):
    """What may still be ordered recovered from the declaration: what was paid less what its
    recovery cases already order recovered."""
    return declaration_paid_total(declaration) - declaration.recovered_amount


def recovery_case_refusal(declaration, actor):
    """Why `actor` may not open a recovery case on `declaration` now (its permission and state), or
    None when they may."""
    if declaration.state == S.RECOVERED:
        if actor is None or not rules.has_perm(TRANSITIONS[A.RECOVER].permission, actor, declaration):
            return _("You are not allowed to do this.")
        return None
    return transition_refusal(declaration, A.RECOVER, actor)


def _case_number(declaration):
    taken = RecoveryCase.objects.filter(declaration=declaration).count()
    return f"{declaration.number or declaration.pk}-R{taken + 1}"


@transaction.atomic
def recovery_case_open(
    *, declaration_id, actor, amount_due, due_on, reason, barred_until=None, dishonest=False, today=None
):
    """Art. 21: decide to recover `amount_due` of what was paid on the declaration, to be repaid by
    `due_on`, and bar the unit from applying until `barred_until` (None: no bar); `dishonest` is a
    finding of dishonesty (Art. 22).

    In one transaction, in this order:
    1. lock the declaration's row; refuse (RecoveryRefused, nothing changed) a user without the
       permission, a declaration in a state that allows no recovery, an empty reason, an amount not
       above zero or above what was paid and not yet ordered recovered (the message names both
       amounts), a due date before today, a bar that does not end after today, a finding of
       dishonesty without a bar;
    2. create the case (numbered after the declaration: <number>-R<n>) and its opening event;
    3. add the amount to what the declaration's cases recover (declarations.workflow.
       declaration_recovery_add): the first case moves the declaration to `recovered` (A.RECOVER,
       with its event, notices and recomputation of award caps);
    4. a finding of dishonesty adds a record to the credit register (review's CreditRecord, list
       of research dishonesty, from today until the bar ends, its source naming the case), so that
       the Art. 17 checks of the unit's later declarations see it, and the Art. 22 export lists it.
    Returns the case."""
    today = today or timezone.localdate()
    declaration = Declaration.objects.select_for_update().select_related("organisation").get(pk=declaration_id)
    refusal = recovery_case_refusal(declaration, actor)
    if refusal:
        raise RecoveryRefused(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise RecoveryRefused(_("Please give a reason."), "reason")
    amount_due = Decimal(amount_due).quantize(CENT)
    if amount_due <= 0:
        raise RecoveryRefused(_("The amount to recover must be more than zero."), "amount_due")
    paid = declaration_paid_total(declaration)
    left = paid - declaration.recovered_amount
    if amount_due > left:
        raise RecoveryRefused(
            _(
                "The amount to recover is more than the %(left)s yuan paid and not yet recovered "
                "(%(paid)s yuan paid, %(recovered)s yuan already to be recovered)."
            )
            % {"left": yuan(left), "paid": yuan(paid), "recovered": yuan(declaration.recovered_amount)},
            "amount_due",
        )
    if due_on < today:
        raise RecoveryRefused(_("The repayment cannot be due before today."), "due_on")
    if barred_until is not None and barred_until <= today:
        raise RecoveryRefused(_("The bar must end after today."), "barred_until")
    if dishonest and barred_until is None:
        raise RecoveryRefused(
            _("A finding of dishonesty needs the date until which the unit is barred (its discipline period)."),
            "barred_until",
        )

    case = RecoveryCase.objects.create(
        declaration=declaration,
        number=_case_number(declaration),
        reason=reason,
        amount_due=amount_due,
        due_on=due_on,
        barred_until=barred_until,
        dishonest=dishonest,
        opened_by=actor,
    )
    RecoveryCaseEvent.objects.create(
        case=case, action=CA.OPEN, from_state="", to_state=case.state, actor=actor, note=reason
    )
    declaration_recovery_add(
        declaration_id=declaration.pk,
        actor=actor,
        amount=amount_due,
        note=message("recovery.opened", number=case.number, amount=amount_due, due=due_on, reason=reason),
        unpaid=unpaid_cancelled(declaration)["cancelled_amount"],
    )
    if dishonest:
        organisation = declaration.organisation
        # Read in each reader's language (common.messages), as the findings that name it are.
        source = message("recovery.dishonesty_source", number=case.number)
        case.credit_record = CreditRecord(
            credit_code=organisation.credit_code,
            name=organisation.name[:200],
            list=CreditList.RESEARCH_DISHONESTY,
            starts_on=today,
            ends_on=barred_until,
            source=source,
        )
        audited(case.credit_record, actor).save()
        case.save(update_fields=["credit_record"])
    return case


@transaction.atomic
def repayment_record(*, case_id, actor, amount, received_on, reference):
    """Record money the unit paid back on a recovery case, as the finance officer received it.

    In one transaction, in this order:
    1. lock the case's row; refuse (RecoveryRefused, nothing changed) a user without the
       permission, a case repaid already, an amount not above zero or above what is still due (the
       message names it), a date in the future or before the case was opened, an empty reference;
    2. create the Repayment;
    3. recovery_case_transition with the new repaid amount: SETTLE when nothing is left due,
       COLLECT on a case referred for enforcement, REPAY otherwise.
    Returns the repayment."""
    case = RecoveryCase.objects.select_for_update().get(pk=case_id)
    if actor is None or not rules.has_perm("disbursement.record_repayment", actor, case):
        raise RecoveryRefused(_("You are not allowed to do this."))
    if case.state not in REPAYABLE_STATES:
        raise RecoveryRefused(
            _("This cannot be done while the recovery case is “%(state)s”.") % {"state": case.get_state_display()}
        )
    amount = Decimal(amount).quantize(CENT)
    if amount <= 0:
        raise RecoveryRefused(_("A repayment must be more than zero."), "amount")
    still_due = case.still_due
    if amount > still_due:
        raise RecoveryRefused(
            _("This repayment is more than the %(due)s yuan still due.") % {"due": yuan(still_due)}, "amount"
        )
    opened_on = timezone.localdate(case.opened_at)
    if received_on > timezone.localdate():
        raise RecoveryRefused(_("A repayment cannot be dated in the future."), "received_on")
    if received_on < opened_on:
        raise RecoveryRefused(
            _("A repayment cannot be dated before the case was opened (%(date)s).") % {"date": short_date(opened_on)},
            "received_on",
        )
    reference = (reference or "").strip()
    if not reference:
        raise RecoveryRefused(_("Please give the receipt reference."), "reference")
    repayment = Repayment.objects.create(
        case=case, amount=amount, received_on=received_on, reference=reference, recorded_by=actor
    )
    if amount == still_due:
        action = CA.SETTLE
    elif case.state == CS.REFERRED:
        action = CA.COLLECT
    else:
        action = CA.REPAY
    recovery_case_transition(
        case_id=case.pk,
        action=action,
        actor=actor,
        note=message("recovery.received", amount=amount, date=received_on, reference=reference),
        changes={"repaid_amount": case.repaid_amount + amount},
    )
    return repayment


def recovery_case_refer(*, case_id, actor, note):
    """Refer a recovery case for enforcement (Art. 22: those who do not repay are dealt with under
    the relevant provisions); repayments collected through it are still recorded on the case."""
    return recovery_case_transition(case_id=case_id, action=CA.REFER, actor=actor, note=note)


def _overdue_notice(case):
    subject = message("recovery.overdue.subject", number=case.number)
    body = message(
        "recovery.overdue.body",
        number=case.number,
        organisation=case.declaration.organisation.name,
        declaration=str(case.declaration),
        due_on=case.due_on,
        left=case.still_due,
        due=case.amount_due,
    )
    return subject, body


@transaction.atomic
def recovery_cases_flag_overdue(*, today=None):
    """The periodic task's work: flag every case still awaiting repayment whose due date has passed
    (`overdue_since` today, with a RecoveryCaseEvent by the system) and tell each active commission
    staff member and finance officer by a notice, in their own language. A case is flagged once: the
    rows are locked and an already flagged one is skipped, so the task may run as often as beat
    likes. Returns the number of cases flagged."""
    today = today or timezone.localdate()
    cases = list(
        RecoveryCase.objects.select_for_update(of=("self",))
        .filter(state__in=AWAITING_REPAYMENT_STATES, due_on__lt=today, overdue_since__isnull=True)
        .select_related("declaration__organisation")
        .order_by("due_on", "pk")
    )
    if not cases:
        return 0
    recipients = list(get_user_model().objects.filter(is_active=True, role__in=OVERDUE_NOTIFIED_ROLES).order_by("pk"))
    now = timezone.now()
    for case in cases:
        case.overdue_since = today
        case.save(update_fields=["overdue_since"])
        RecoveryCaseEvent.objects.create(
            case=case,
            action=CA.FLAG_OVERDUE,
            from_state=case.state,
            to_state=case.state,
            actor=None,
            note=message("recovery.due", date=case.due_on),
            created_at=now,
        )
        subject, body = _overdue_notice(case)
        notices_create(recipients=recipients, subject=subject, body=body, declaration=case.declaration)
    return len(cases)


def default_due_on(today=None):
    """The due date the form proposes: 30 days from today."""
    return (today or timezone.localdate()) + datetime.timedelta(days=30)
