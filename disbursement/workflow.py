"""The life of the money's records: each stateful model's transition table and the one function that
changes its `state`.

A payment order:
    prepared --approve (a second finance officer, after the Art. 17 re-check)--> approved --mark paid--> paid
    prepared --reject--> rejected
    prepared, approved --cancel (support stopped or ended, or the preparer withdraws it)--> cancelled

A recovery case (Art. 21): docs/workflow.md ("Recovery cases") draws its table;
tests/disbursement/test_recovery_cases.py walks every pair of it.
"""

from dataclasses import dataclass

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.messages import note_stripped
from declarations.workflow import TransitionRefused
from disbursement.enums import RecoveryCaseAction as CA
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import PaymentOrder, PaymentOrderEvent, RecoveryCase, RecoveryCaseEvent
from disbursement.models import PaymentOrderAction as OA
from disbursement.models import PaymentOrderState as OS

# --- payment orders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTransition:
    sources: frozenset
    target: str
    permission: str
    note_required: bool = False
    # The system (actor=None) takes it too: orders not yet paid are cancelled when support ends.
    system: bool = False


ORDER_TRANSITIONS = {
    OA.APPROVE: OrderTransition(frozenset({OS.PREPARED}), OS.APPROVED, "disbursement.approve_order"),
    OA.REJECT: OrderTransition(frozenset({OS.PREPARED}), OS.REJECTED, "disbursement.approve_order", note_required=True),
    OA.MARK_PAID: OrderTransition(frozenset({OS.APPROVED}), OS.PAID, "disbursement.pay_order"),
    OA.CANCEL: OrderTransition(
        frozenset({OS.PREPARED, OS.APPROVED}),
        OS.CANCELLED,
        "disbursement.cancel_order",
        note_required=True,
        system=True,
    ),
}
# An order in these states holds part of the approved amount: it has been, or is about to be, paid.
COMMITTED_ORDER_STATES = tuple(
    state for state in OS if state in {ORDER_TRANSITIONS[OA.APPROVE].target, ORDER_TRANSITIONS[OA.MARK_PAID].target}
)
# Still to be acted on: waiting for approval or for the transfer.
LIVE_ORDER_STATES = tuple(state for state in OS if state in ORDER_TRANSITIONS[OA.CANCEL].sources)
INITIAL_ORDER_STATE = PaymentOrder._meta.get_field("state").default


def order_transition_refusal(order, action, actor):
    """Why `actor` may not take `action` on `order` now, or None when they may."""
    transition = ORDER_TRANSITIONS[action]
    if actor is None:
        if not transition.system:
            return _("Only a person may do this.")
    elif not rules.has_perm(transition.permission, actor, order):
        if action in (OA.APPROVE, OA.REJECT) and order.prepared_by_id == actor.pk:
            return _("You prepared this order: a second finance officer must approve or reject it.")
        return _("You are not allowed to do this.")
    if order.state not in transition.sources:
        return _("This cannot be done while the order is “%(state)s”.") % {"state": order.get_state_display()}
    return None


def order_actions_available(order, actor):
    return [action for action in ORDER_TRANSITIONS if order_transition_refusal(order, action, actor) is None]


def order_states_ahead(state):
    """The states an order in `state` may still reach, `state` included."""
    seen, todo = {state}, [state]
    while todo:
        current = todo.pop()
        for transition in ORDER_TRANSITIONS.values():
            if current in transition.sources and transition.target not in seen:
                seen.add(transition.target)
                todo.append(transition.target)
    return frozenset(seen)


def order_actions_refused(order, actor):
    """The actions on `order` that `actor`'s role takes but that they may not take now, each with
    its reason: [(action, reason)], for the page to show disabled. An action the order is past (all
    its sources behind its state) is left out, as is one of another role."""
    ahead = order_states_ahead(order.state)
    refused = []
    for action, transition in ORDER_TRANSITIONS.items():
        # Without the order, the permission asks for the role only (prepared_the_order is then false).
        if not transition.sources & ahead or actor is None or not rules.has_perm(transition.permission, actor):
            continue
        reason = order_transition_refusal(order, action, actor)
        if reason is not None:
            refused.append((action, reason))
    return refused


@transaction.atomic
def payment_order_open(*, actor, note="", **fields):
    """Create an order in its initial state with the first record of its audit trail."""
    order = PaymentOrder.objects.create(prepared_by=actor, prepared_at=timezone.now(), **fields)
    PaymentOrderEvent.objects.create(
        order=order,
        action=OA.PREPARE,
        from_state="",
        to_state=INITIAL_ORDER_STATE,
        actor=actor,
        note=note,
        created_at=order.prepared_at,
    )
    return order


@transaction.atomic
def payment_order_transition(*, order_id, action, actor, note="", changes=None):
    """Move an order along ORDER_TRANSITIONS. The only writer of `PaymentOrder.state`: lock the row,
    refuse (TransitionRefused, nothing changed) when the actor may not or the state does not allow
    it, apply `changes` and the new state, write the PaymentOrderEvent. Returns the saved order."""
    transition = ORDER_TRANSITIONS[action]
    order = PaymentOrder.objects.select_for_update().get(pk=order_id)
    refusal = order_transition_refusal(order, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = note_stripped(note)
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give a reason."))
    from_state = order.state
    now = timezone.now()
    for field, value in (changes or {}).items():
        setattr(order, field, value)
    if action in (OA.APPROVE, OA.REJECT):
        order.decided_by, order.decided_at = actor, now
    order.state = transition.target
    order.save()
    PaymentOrderEvent.objects.create(
        order=order,
        action=action,
        from_state=from_state,
        to_state=transition.target,
        actor=actor,
        note=note,
        created_at=now,
    )
    return order


# --- recovery cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTransition:
    sources: frozenset
    target: str
    permission: str
    note_required: bool = False


CASE_TRANSITIONS = {
    # A repayment that leaves something due; one that clears what is due settles the case.
    CA.REPAY: CaseTransition(frozenset({CS.OPEN, CS.PARTLY_REPAID}), CS.PARTLY_REPAID, "disbursement.record_repayment"),
    CA.SETTLE: CaseTransition(
        frozenset({CS.OPEN, CS.PARTLY_REPAID, CS.REFERRED}), CS.REPAID, "disbursement.record_repayment"
    ),
    # Part of what is due collected through enforcement: the case stays with the enforcement.
    CA.COLLECT: CaseTransition(frozenset({CS.REFERRED}), CS.REFERRED, "disbursement.record_repayment"),
    CA.REFER: CaseTransition(
        frozenset({CS.OPEN, CS.PARTLY_REPAID}), CS.REFERRED, "disbursement.recover", note_required=True
    ),
}

# A case is created in this state (RecoveryCaseAction.OPEN), by disbursement.recovery.recovery_case_open.
INITIAL_CASE_STATE = RecoveryCase._meta.get_field("state").default
# Something is still due and nobody enforces it yet: these may become overdue.
AWAITING_REPAYMENT_STATES = tuple(state for state in CS if state in CASE_TRANSITIONS[CA.REPAY].sources)
# Something may still be repaid or collected.
REPAYABLE_STATES = tuple(state for state in CS if state in CASE_TRANSITIONS[CA.SETTLE].sources)
REFERABLE_STATES = tuple(state for state in CS if state in CASE_TRANSITIONS[CA.REFER].sources)


def case_transition_refusal(case, action, actor):
    """Why `actor` may not take `action` on `case` now, or None when they may."""
    transition = CASE_TRANSITIONS[action]
    if actor is None or not rules.has_perm(transition.permission, actor, case):
        return _("You are not allowed to do this.")
    if case.state not in transition.sources:
        return _("This cannot be done while the recovery case is “%(state)s”.") % {"state": case.get_state_display()}
    return None


@transaction.atomic
def recovery_case_transition(*, case_id, action, actor, note="", changes=None):
    """Move a recovery case along CASE_TRANSITIONS. The only writer of `RecoveryCase.state` and of
    `repaid_amount` (which a repayment passes in `changes`).

    In one transaction, in this order:
    1. lock the case's row;
    2. refuse (TransitionRefused, nothing changed) if the actor lacks the permission, the state is
       not a source of the action, or a required note is missing;
    3. apply `changes` (field -> value) and the new state, and save;
    4. write the RecoveryCaseEvent audit record.
    Returns the saved case."""
    transition = CASE_TRANSITIONS[action]
    case = RecoveryCase.objects.select_for_update().get(pk=case_id)
    refusal = case_transition_refusal(case, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = note_stripped(note)
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give a reason."))
    from_state = case.state
    for field, value in (changes or {}).items():
        setattr(case, field, value)
    case.state = transition.target
    case.save()
    RecoveryCaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        note=note,
        created_at=timezone.now(),
    )
    return case
