"""A declaration's life: the transition table and the one function that changes `state`.

docs/workflow.md draws this table; tests/declarations/test_workflow.py walks every pair of it.
"""

from dataclasses import dataclass

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent


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


TRANSITIONS = {
    A.SUBMIT: Transition(frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, "declarations.submit"),
    A.WITHDRAW: Transition(
        frozenset({S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED}),
        S.WITHDRAWN,
        "declarations.withdraw",
        changes_history=True,
    ),
    A.RETURN: Transition(frozenset({S.SUBMITTED}), S.RETURNED, "declarations.return", note_required=True),
    A.ACCEPT: Transition(frozenset({S.SUBMITTED}), S.ACCEPTED, "declarations.accept"),
    A.REFUSE: Transition(frozenset({S.SUBMITTED}), S.NOT_ACCEPTED, "declarations.accept", note_required=True),
    A.DISQUALIFY: Transition(
        frozenset({S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED}),
        S.DISQUALIFIED,
        "declarations.disqualify",
        note_required=True,
    ),
    A.START_REVIEW: Transition(
        frozenset({S.ACCEPTED}), S.UNDER_REVIEW, "declarations.start_review", notify_applicant=False
    ),
    A.COMPLETE_REVIEW: Transition(
        frozenset({S.UNDER_REVIEW}), S.REVIEWED, "declarations.complete_review", notify_applicant=False
    ),
    A.APPROVE: Transition(frozenset({S.REVIEWED}), S.APPROVED, "declarations.decide", changes_history=True),
    A.REJECT: Transition(frozenset({S.REVIEWED}), S.NOT_SUPPORTED, "declarations.decide", note_required=True),
    A.PUBLICISE: Transition(frozenset({S.APPROVED}), S.IN_PUBLICITY, "declarations.publicise"),
    A.UPHOLD_OBJECTION: Transition(
        frozenset({S.IN_PUBLICITY}),
        S.OBJECTION_UPHELD,
        "declarations.handle_objection",
        note_required=True,
        changes_history=True,
    ),
    A.CONFIRM: Transition(frozenset({S.IN_PUBLICITY}), S.CONFIRMED, "declarations.confirm", system=True),
    A.START_DISBURSEMENT: Transition(frozenset({S.CONFIRMED}), S.DISBURSING, "declarations.disburse"),
    A.COMPLETE_PAYMENT: Transition(frozenset({S.DISBURSING}), S.PAID, "declarations.disburse"),
    A.STOP: Transition(
        frozenset({S.CONFIRMED, S.DISBURSING}),
        S.STOPPED,
        "declarations.stop",
        note_required=True,
        changes_history=True,
    ),
    A.RECOVER: Transition(
        frozenset({S.DISBURSING, S.PAID}),
        S.RECOVERED,
        "declarations.recover",
        note_required=True,
        changes_history=True,
    ),
}


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


@transaction.atomic
def declaration_transition(*, declaration_id, action, actor, note="", changes=None, prepare=None):
    """Move a declaration along TRANSITIONS. The only writer of `Declaration.state`.

    In one transaction, in this order:
    1. lock the declaration's row;
    2. refuse (TransitionRefused, nothing changed) if the actor lacks the permission, the state is
       not a source of the action, or a required note is missing;
    3. call `prepare(declaration)`, which may refuse too and returns more field changes;
    4. apply `changes` (field -> value) and the new state, and save;
    5. write the DeclarationEvent audit record;
    6. write the notices the transition causes to the outbox, delivered after commit;
    7. when it changes what was decided (TRANSITIONS' `changes_history`), queue the recomputation
       of the award caps it affects, after commit.
    Returns the saved declaration.
    """
    from declarations.tasks import recompute_award_caps
    from notices.services import notices_for_transition

    transition = TRANSITIONS[action]
    declaration = Declaration.objects.select_for_update().select_related("programme", "call").get(pk=declaration_id)
    refusal = transition_refusal(declaration, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = (note or "").strip()
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give a reason."))
    changes = dict(changes or {})
    if prepare is not None:
        changes.update(prepare(declaration))

    from_state = declaration.state
    for field, value in changes.items():
        setattr(declaration, field, value)
    declaration.state = transition.target
    declaration.save()
    event = DeclarationEvent.objects.create(
        declaration=declaration,
        action=action,
        from_state=from_state,
        to_state=transition.target,
        actor=actor,
        note=note,
        created_at=timezone.now(),
    )
    if transition.notify_applicant:
        notices_for_transition(declaration=declaration, event=event)
    if transition.changes_history:
        transaction.on_commit(lambda: recompute_award_caps.delay(declaration.pk))
    return declaration
