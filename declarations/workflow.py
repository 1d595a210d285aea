"""A declaration's life: the transition table and the one function that changes `state`.

docs/workflow.md draws this table; tests/declarations/test_workflow.py walks every pair of it.
"""

from dataclasses import dataclass
from decimal import Decimal

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import sql
from common.messages import note_stripped
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.enums import DocumentState
from declarations.models import MILESTONE_FIELDS, Declaration, DeclarationEvent
from declarations.tasks import recompute_award_caps
from notices.services import delivered_together, notices_for_submission, notices_for_transition


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    permission: str
    # The system (a periodic task, actor=None) may take this transition too.
    system: bool = False
    notify_applicant: bool = True
    note_required: bool = False
    # It changes what was decided for the declaration's keys, so other declarations' award caps.
    changes_history: bool = False
    # The commission's decision on the support scheme (Art. 15 (2)).
    decision: bool = False
    # It takes back the decision to support, as if never taken (an objection upheld, Art. 15 (3)):
    # nothing of the award is kept. Ending support later (stop, terminate, recover) keeps what was paid.
    revokes_decision: bool = False


_TABLE = {
    A.SUBMIT: Transition(frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, "declarations.submit"),
    A.WITHDRAW: Transition(
        frozenset({S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED}),
        S.WITHDRAWN,
        "declarations.withdraw",
        changes_history=True,
    ),
    A.RETURN: Transition(frozenset({S.SUBMITTED}), S.RETURNED, "review.return", note_required=True),
    A.ACCEPT: Transition(frozenset({S.SUBMITTED}), S.ACCEPTED, "review.accept"),
    A.REFUSE: Transition(frozenset({S.SUBMITTED}), S.NOT_ACCEPTED, "review.accept", note_required=True),
    A.DISQUALIFY: Transition(
        frozenset({S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED}),
        S.DISQUALIFIED,
        "review.disqualify",
        note_required=True,
    ),
    A.START_REVIEW: Transition(frozenset({S.ACCEPTED}), S.UNDER_REVIEW, "review.start_review", notify_applicant=False),
    A.COMPLETE_REVIEW: Transition(
        frozenset({S.UNDER_REVIEW}), S.REVIEWED, "review.complete_review", notify_applicant=False
    ),
    A.APPROVE: Transition(frozenset({S.REVIEWED}), S.APPROVED, "review.decide", changes_history=True, decision=True),
    A.REJECT: Transition(frozenset({S.REVIEWED}), S.NOT_SUPPORTED, "review.decide", note_required=True, decision=True),
    A.PUBLICISE: Transition(frozenset({S.APPROVED}), S.IN_PUBLICITY, "publicity.publicise"),
    A.UPHOLD_OBJECTION: Transition(
        frozenset({S.IN_PUBLICITY}),
        S.OBJECTION_UPHELD,
        "publicity.handle_objection",
        note_required=True,
        changes_history=True,
        revokes_decision=True,
    ),
    # An objection upheld because the evaluation must look again (Art. 15 (3)): the decision is
    # undone and the declaration is evaluated and decided anew.
    A.REOPEN_REVIEW: Transition(
        frozenset({S.IN_PUBLICITY}),
        S.UNDER_REVIEW,
        "publicity.handle_objection",
        note_required=True,
        changes_history=True,
        revokes_decision=True,
    ),
    A.CONFIRM: Transition(frozenset({S.IN_PUBLICITY}), S.CONFIRMED, "publicity.confirm", system=True),
    A.START_DISBURSEMENT: Transition(frozenset({S.CONFIRMED}), S.DISBURSING, "disbursement.disburse"),
    A.COMPLETE_PAYMENT: Transition(frozenset({S.DISBURSING}), S.PAID, "disbursement.disburse"),
    A.STOP: Transition(
        frozenset({S.CONFIRMED, S.DISBURSING}),
        S.STOPPED,
        "disbursement.stop",
        note_required=True,
        changes_history=True,
    ),
    # The first recovery case (Art. 21); a project stopped or terminated after a payment is recovered too.
    A.RECOVER: Transition(
        frozenset({S.DISBURSING, S.PAID, S.STOPPED, S.TERMINATED}),
        S.RECOVERED,
        "disbursement.recover",
        note_required=True,
        changes_history=True,
    ),
}


def _decided(table):
    """The states of `table` in which support stands decided: from approval on, until a transition
    that changes what was decided (a revocation, a stop, a termination, a recovery)."""
    seen, todo = {table[A.APPROVE].target}, [table[A.APPROVE].target]
    while todo:
        state = todo.pop()
        for transition in table.values():
            if state in transition.sources and not transition.changes_history and transition.target not in seen:
                seen.add(transition.target)
                todo.append(transition.target)
    return frozenset(seen)


# Art. 21: the commission terminates the project's execution from any state where support stands
# decided, paid or not; nothing more is paid.
_TABLE[A.TERMINATE] = Transition(
    _decided(_TABLE), S.TERMINATED, "disbursement.terminate", note_required=True, changes_history=True
)
# The table in the order of DeclarationAction, which is the order of a declaration's life.
TRANSITIONS = {action: _TABLE[action] for action in A}


# The declaration's milestone columns (models.MILESTONE_FIELDS) and the actions whose first event
# sets each: declaration_transition writes the column with that event, when it is still empty.
MILESTONES = {
    "first_submitted_at": (A.SUBMIT,),
    "first_accepted_at": (A.ACCEPT,),
    "first_reviewed_at": (A.COMPLETE_REVIEW,),
    "first_decided_at": tuple(action for action, transition in TRANSITIONS.items() if transition.decision),
    "first_approved_at": (A.APPROVE,),
    "first_confirmed_at": (A.CONFIRM,),
    # Disbursement's first payment moves the declaration on by this action (disbursement.services).
    "first_paid_at": (A.START_DISBURSEMENT,),
    "paid_in_full_at": (A.COMPLETE_PAYMENT,),
}
MILESTONES = {name: MILESTONES[name] for name in MILESTONE_FIELDS}


def milestones_reached(declaration, action, moment):
    """The milestone columns `action` sets on `declaration` at `moment`: those of MILESTONES it
    names that are still empty (a milestone is the first time only)."""
    return {
        name: moment for name, actions in MILESTONES.items() if action in actions and getattr(declaration, name) is None
    }


# --- State groups, derived from the table: each is stated here once, never restated elsewhere. -----


def _in_order(states):
    """`states` as a tuple in the order of DeclarationState, so lists and choices are stable."""
    return tuple(state for state in S if state in states)


def _sources(*actions):
    return frozenset().union(*(TRANSITIONS[action].sources for action in actions))


def _reachable(starts, follow=lambda transition: True):
    """The states reachable from `starts` (included) through the transitions `follow` accepts."""
    seen, todo = set(starts), list(starts)
    while todo:
        state = todo.pop()
        for transition in TRANSITIONS.values():
            if state in transition.sources and follow(transition) and transition.target not in seen:
                seen.add(transition.target)
                todo.append(transition.target)
    return seen


DECISION_ACTIONS = tuple(action for action, transition in TRANSITIONS.items() if transition.decision)
# No transition leaves these.
TERMINAL_STATES = _in_order(set(S) - _sources(*TRANSITIONS))
# The applicant may change these, and only these: the states they submit from.
EDITABLE_STATES = _in_order(TRANSITIONS[A.SUBMIT].sources)
# A declaration starts here.
INITIAL_STATE = Declaration._meta.get_field("state").default
# Before a decision, which is still reachable: the award cap may still change with history. (A
# decided declaration sent back to review is open again once it gets there.)
OPEN_STATES = _in_order(
    {
        state
        for state in _reachable({INITIAL_STATE}, follow=lambda transition: not transition.decision)
        if _reachable({state}) & _sources(*DECISION_ACTIONS)
    }
)
# Open and in the commission's hands: submitted and not back with the applicant.
UNDER_CONSIDERATION_STATES = _in_order(set(OPEN_STATES) - set(EDITABLE_STATES))
# Ended before any decision (withdrawn, not accepted, disqualified): no longer competing.
ENDED_UNDECIDED_STATES = _in_order(
    {
        transition.target
        for action, transition in TRANSITIONS.items()
        if action not in DECISION_ACTIONS
        and transition.target in TERMINAL_STATES
        and transition.sources <= set(OPEN_STATES)
    }
)
# Support decided and standing: not revoked, stopped, terminated or recovered since.
DECIDED_STATES = _in_order(_decided(TRANSITIONS))
# Decided to support and not revoked by an objection since: each counts against the award caps
# with what it keeps of the award (docs/awards.md, "History"; selectors.kept_amount_expression).
AWARD_HISTORY_STATES = _in_order(
    _reachable({TRANSITIONS[A.APPROVE].target}, follow=lambda transition: not transition.revokes_decision)
)
# Where reviewers may be assigned: to start the evaluation, or while it runs.
REVIEWER_ASSIGNABLE_STATES = _in_order(TRANSITIONS[A.START_REVIEW].sources | {TRANSITIONS[A.START_REVIEW].target})
# The list is up, or was taken down after an objection: its publicity batch has not ended.
IN_PUBLICITY_STATES = _in_order(
    {TRANSITIONS[A.PUBLICISE].target}
    | {
        transition.target
        for transition in TRANSITIONS.values()
        if TRANSITIONS[A.PUBLICISE].target in transition.sources and transition.target in TERMINAL_STATES
    }
)
# Confirmed after publicity and every state after it: the finance officer's.
DISBURSEMENT_STATES = _in_order(_reachable({TRANSITIONS[A.CONFIRM].target}))
# More may still be paid.
PAYABLE_STATES = _in_order(_sources(A.START_DISBURSEMENT, A.COMPLETE_PAYMENT))
STOPPABLE_STATES = _in_order(TRANSITIONS[A.STOP].sources)
TERMINABLE_STATES = _in_order(TRANSITIONS[A.TERMINATE].sources)
RECOVERABLE_STATES = _in_order(TRANSITIONS[A.RECOVER].sources)


def states_ahead(state):
    """The states a declaration in `state` may still reach, `state` included: an action whose
    sources are all behind it is past, not merely refused now."""
    return frozenset(_reachable({state}))


class TransitionRefused(Exception):
    """A transition that may not happen; its message is for the user and nothing was changed."""


def transition_refusal(declaration, action, actor):
    """Why `actor` may not take `action` on `declaration` now, or None when they may."""
    transition = TRANSITIONS[action]
    if actor is None:
        if not transition.system:
            return _("Only a person may do this.")
    elif not rules.has_perm(transition.permission, actor, declaration):
        return _("You are not allowed to do this.")
    if declaration.state not in transition.sources:
        return _("This cannot be done while the declaration is “%(state)s”.") % {
            "state": declaration.get_state_display()
        }
    return None


def actions_available(declaration, actor):
    """The workflow actions `actor` may take on `declaration` now, in table order."""
    return [action for action in TRANSITIONS if transition_refusal(declaration, action, actor) is None]


# What each page and each change of a declaration reads with it, in the same statement.
DECLARATION_PARTS = ("programme", "call", "organisation")


def declaration_with_parts_query(pk):
    """The declaration `pk` with its DECLARATION_PARTS, as a queryset (common.sql.Prepared builds
    its reads from it: declarations.selectors.declaration_with_parts, declaration_locked)."""
    return Declaration.objects.select_related(*DECLARATION_PARTS).filter(pk=pk).order_by()


# Every change to a declaration starts by this read: built once (common.sql.Prepared), since the ORM
# took a millisecond to build it, several times what PostgreSQL takes to answer.
_LOCKED = sql.Prepared(
    lambda pk: declaration_with_parts_query(pk).select_for_update(of=("self",)),
    related=DECLARATION_PARTS,
    pk=sql.STAND_IN_ID,
)


def declaration_locked(declaration_id):
    """The declaration's row, locked until the transaction ends, with its programme, call and
    organisation read in the same statement. Only the declaration's row is locked (`of`): locking
    the joined rows too made every change to any declaration of a call wait for every other."""
    found = _LOCKED.rows(pk=declaration_id)
    if not found:
        raise Declaration.DoesNotExist(f"No declaration {declaration_id}.")
    return found[0]


@transaction.atomic
def declaration_transition(*, declaration_id, action, actor, note="", changes=None, prepare=None):
    """Move a declaration along TRANSITIONS. The only writer of `Declaration.state`.

    In one transaction, in this order:
    1. lock the declaration's row;
    2. refuse (TransitionRefused, nothing changed) if the actor lacks the permission, the state is
       not a source of the action, or a required note is missing;
    3. call `prepare(declaration)`, which may refuse too and returns more field changes;
    4. apply `changes` (field -> value), the new state and the milestones the action reaches for
       the first time (MILESTONES, at the event's time), and save;
    5. write the DeclarationEvent audit record;
    6. write the notices the transition causes to the outbox, delivered after commit;
    7. when it changes what was decided (TRANSITIONS' `changes_history`), queue the recomputation
       of the award caps it affects, after commit.
    Returns the saved declaration.
    """
    transition = TRANSITIONS[action]
    declaration = declaration_locked(declaration_id)
    refusal = transition_refusal(declaration, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = note_stripped(note)
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give a reason."))
    changes = dict(changes or {})
    if prepare is not None:
        changes.update(prepare(declaration))

    from_state = declaration.state
    moment = timezone.now()
    changes.update(milestones_reached(declaration, action, moment))
    for field, value in changes.items():
        setattr(declaration, field, value)
    declaration.state = transition.target
    declaration.save()
    _recorded(declaration, action, from_state, actor, note, moment)
    return declaration


def _recorded(declaration, action, from_state, actor, note, moment=None):
    """Steps 5 to 7 of declaration_transition, for a change saved under the declaration's lock."""
    transition = TRANSITIONS[action]
    event = DeclarationEvent.objects.create(
        declaration=declaration,
        action=action,
        from_state=from_state,
        to_state=declaration.state,
        actor=actor,
        note=note,
        created_at=moment or timezone.now(),
    )
    with delivered_together():
        if transition.notify_applicant:
            notices_for_transition(declaration=declaration, event=event)
        if action == A.SUBMIT:
            notices_for_submission(declaration=declaration, event=event)
    if transition.changes_history:
        transaction.on_commit(lambda: recompute_award_caps.delay(declaration_id=declaration.pk))
    return event


@transaction.atomic
def declaration_recovery_add(*, declaration_id, actor, amount, note, unpaid):
    """Art. 21: add `amount` to what is recovered from the declaration. With declaration_transition,
    the only writer of `recovered_amount` and `cancelled_amount`, so of what a declaration keeps of
    its award (selectors.kept_amount_expression). `unpaid` is the part of the approved amount not
    paid, which will never be paid once the declaration is recovered. The caller (a recovery case
    of disbursement) has checked the amount against what was paid, under the declaration's lock.

    The first recovery is the transition A.RECOVER (declaration_transition: its checks, event,
    notices and recomputation), which also fixes `cancelled_amount` at `unpaid`. A later one, on a
    declaration already recovered, is refused as the transition would be (permission, reason) and
    otherwise, in one transaction: locks the row, adds to `recovered_amount` and writes the same
    event (from and to `recovered`), the applicant's notices and the recomputation of award caps.
    Returns the saved declaration."""
    declaration = declaration_locked(declaration_id)
    amount = Decimal(amount)
    if amount <= 0:
        raise TransitionRefused(_("The amount to recover must be more than zero."))
    if declaration.state != S.RECOVERED:
        return declaration_transition(
            declaration_id=declaration_id,
            action=A.RECOVER,
            actor=actor,
            note=note,
            changes={"recovered_amount": declaration.recovered_amount + amount, "cancelled_amount": unpaid},
        )
    if actor is None or not rules.has_perm(TRANSITIONS[A.RECOVER].permission, actor, declaration):
        raise TransitionRefused(_("You are not allowed to do this."))
    note = note_stripped(note)
    if not note:
        raise TransitionRefused(_("Please give a reason."))
    declaration.recovered_amount += amount
    declaration.save()
    _recorded(declaration, A.RECOVER, S.RECOVERED, actor, note)
    return declaration


# --- a declaration's generated documents (DeclarationDocument, declarations.document_services) ---

# A state's possible next states. RENDERING -> RENDERING is a worker taking over a document whose
# worker died (rendering for longer than RENDER_TIMEOUT); RENDERING -> QUEUED is a failed attempt
# waiting for its retry.
DOCUMENT_TRANSITIONS = {
    DocumentState.QUEUED: {DocumentState.RENDERING},
    DocumentState.RENDERING: {DocumentState.RENDERING, DocumentState.READY, DocumentState.QUEUED, DocumentState.FAILED},
    DocumentState.FAILED: {DocumentState.QUEUED},
    DocumentState.READY: set(),
}


class DocumentTransitionRefused(Exception):
    pass


def document_transition(document, target, **fields):
    """The one writer of a document's state: checks DOCUMENT_TRANSITIONS and saves the state with
    `fields`. The caller holds the row's lock."""
    if target not in DOCUMENT_TRANSITIONS[document.state]:
        raise DocumentTransitionRefused(f"{document.state} -> {target}")
    document.state = target
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=["state", *fields])
    return document
