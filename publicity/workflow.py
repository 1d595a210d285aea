"""An objection's life: open, then upheld or dismissed with the commission's response. The one
function that changes `Objection.state`; the objection keeps who handled it and when."""

from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.workflow import TransitionRefused
from publicity.models import ObjectionOutcome, ObjectionState

OBJECTION_TRANSITIONS = {
    ObjectionState.UPHELD: frozenset({ObjectionState.OPEN}),
    ObjectionState.DISMISSED: frozenset({ObjectionState.OPEN}),
}


def objection_transition(*, objection, target, actor, response, outcome=""):
    """Move a locked `objection` to `target` with the response (the reply the objector reads) and,
    when upheld, the outcome for the declaration (an ObjectionOutcome), recording who and when, and
    save it. Refuses (TransitionRefused, nothing changed) from a state the table does not allow,
    without a response, or upheld without an outcome."""
    if objection.state not in OBJECTION_TRANSITIONS[target]:
        raise TransitionRefused(_("This objection was handled already."))
    response = (response or "").strip()
    if not response:
        raise TransitionRefused(_("Please write the reply to the objector."))
    if (target == ObjectionState.UPHELD) != bool(outcome) or (outcome and outcome not in ObjectionOutcome.values):
        raise TransitionRefused(_("Choose what upholding the objection does to the declaration."))
    objection.state = target
    objection.outcome = outcome
    objection.response = response
    objection.handled_by = actor
    objection.handled_at = timezone.now()
    objection.save()
    return objection
