"""An objection's life: open, then upheld or dismissed with the commission's response. The one
function that changes `Objection.state`; the objection keeps who handled it and when."""

from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.workflow import TransitionRefused
from publicity.models import ObjectionState

OBJECTION_TRANSITIONS = {
    ObjectionState.UPHELD: frozenset({ObjectionState.OPEN}),
    ObjectionState.DISMISSED: frozenset({ObjectionState.OPEN}),
}


def objection_transition(*, objection, target, actor, response):
    """Move a locked `objection` to `target` with the response, recording who and when, and save it.
    Refuses (TransitionRefused, nothing changed) from a state the table does not allow, or without a
    response."""
    if objection.state not in OBJECTION_TRANSITIONS[target]:
        raise TransitionRefused(_("This objection was handled already."))
    if not (response or "").strip():
        raise TransitionRefused(_("Please give a response."))
    objection.state = target
    objection.response = response
    objection.handled_by = actor
    objection.handled_at = timezone.now()
    objection.save()
    return objection
