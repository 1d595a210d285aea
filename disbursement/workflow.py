"""A payment order's life: its transition table and the one function that changes its `state`.

prepared --approve (a second finance officer, after the Art. 17 re-check)--> approved --mark paid--> paid
prepared --reject--> rejected
prepared, approved --cancel (support stopped or ended, or the preparer withdraws it)--> cancelled
"""

from dataclasses import dataclass

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.workflow import TransitionRefused
from disbursement.models import PaymentOrder, PaymentOrderEvent
from disbursement.models import PaymentOrderAction as OA
from disbursement.models import PaymentOrderState as OS


@dataclass(frozen=True)
class OrderTransition:
    sources: frozenset
    target: str
    permission: str
    note_required: bool = False


ORDER_TRANSITIONS = {
    OA.APPROVE: OrderTransition(frozenset({OS.PREPARED}), OS.APPROVED, "disbursement.approve_order"),
    OA.REJECT: OrderTransition(frozenset({OS.PREPARED}), OS.REJECTED, "disbursement.approve_order", note_required=True),
    OA.MARK_PAID: OrderTransition(frozenset({OS.APPROVED}), OS.PAID, "disbursement.pay_order"),
    OA.CANCEL: OrderTransition(
        frozenset({OS.PREPARED, OS.APPROVED}), OS.CANCELLED, "disbursement.cancel_order", note_required=True
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
    if not rules.has_perm(transition.permission, actor, order):
        if action in (OA.APPROVE, OA.REJECT) and order.prepared_by_id == actor.pk:
            return _("You prepared this order: a second finance officer must approve or reject it.")
        return _("You are not allowed to do this.")
    if order.state not in transition.sources:
        return _("This cannot be done while the order is “%(state)s”.") % {"state": order.get_state_display()}
    return None


def order_actions_available(order, actor):
    return [action for action in ORDER_TRANSITIONS if order_transition_refusal(order, action, actor) is None]


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
    note = (note or "").strip()
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
