"""A recovery case's life (Art. 21): the transition table and the one function that changes `state`.

docs/workflow.md ("Recovery cases") draws this table; tests/disbursement/test_recovery_cases.py
walks every pair of it.
"""

from dataclasses import dataclass

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declarations.workflow import TransitionRefused
from disbursement.enums import RecoveryCaseAction as CA
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import RecoveryCase, RecoveryCaseEvent


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
    note = (note or "").strip()
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
