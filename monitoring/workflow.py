"""The life of a performance report and of an inspection: each one's transition table and the one
function that changes its `state`.

A performance report (Art. 18), created with the plan:
    draft --submit (the unit)--> submitted --evaluate (staff: a grade and an opinion)--> evaluated
    submitted --return (staff, with a reason)--> returned --submit--> submitted

An inspection (Art. 20), recorded by staff:
    open --answer (the unit, or staff for it)--> answered --close (staff)--> closed
    open --close--> closed   (nothing to rectify, or staff saw it done)
"""

from dataclasses import dataclass

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message, note_stripped
from declarations.workflow import TransitionRefused
from monitoring.enums import InspectionAction as IA
from monitoring.enums import InspectionState as IS
from monitoring.enums import ReportAction as RA
from monitoring.enums import ReportState as RS
from monitoring.models import Inspection, InspectionEvent, PerformanceReport, PerformanceReportEvent


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    permission: str
    note_required: bool = False


REPORT_TRANSITIONS = {
    RA.SUBMIT: Transition(frozenset({RS.DRAFT, RS.RETURNED}), RS.SUBMITTED, "monitoring.submit_report"),
    RA.RETURN: Transition(frozenset({RS.SUBMITTED}), RS.RETURNED, "monitoring.return_report", note_required=True),
    RA.EVALUATE: Transition(frozenset({RS.SUBMITTED}), RS.EVALUATED, "monitoring.evaluate_report"),
}

INSPECTION_TRANSITIONS = {
    IA.ANSWER: Transition(frozenset({IS.OPEN}), IS.ANSWERED, "monitoring.answer_rectification", note_required=True),
    IA.CLOSE: Transition(frozenset({IS.OPEN, IS.ANSWERED}), IS.CLOSED, "monitoring.close_inspection"),
}


def _in_order(choices, states):
    return tuple(state for state in choices if state in states)


# --- state groups, derived from the tables ---------------------------------------------------------
INITIAL_REPORT_STATE = PerformanceReport._meta.get_field("state").default
# The unit may change these, and only these: the states it submits from. Reminders are sent for them.
AWAITING_SUBMISSION_STATES = _in_order(RS, REPORT_TRANSITIONS[RA.SUBMIT].sources)
# A report no longer in these has been sent to the commission at least once: the plan is fixed.
UNSENT_STATES = (INITIAL_REPORT_STATE,)
INITIAL_INSPECTION_STATE = Inspection._meta.get_field("state").default
# Waiting for the unit's rectification: overdue after its date.
AWAITING_RECTIFICATION_STATES = _in_order(IS, INSPECTION_TRANSITIONS[IA.ANSWER].sources)
CLOSABLE_STATES = _in_order(IS, INSPECTION_TRANSITIONS[IA.CLOSE].sources)


def report_transition_refusal(report, action, actor):
    """Why `actor` may not take `action` on `report` now, or None when they may."""
    transition = REPORT_TRANSITIONS[action]
    if actor is None or not rules.has_perm(transition.permission, actor, report.declaration):
        return _("You are not allowed to do this.")
    if report.state not in transition.sources:
        return _("This cannot be done while the report is “%(state)s”.") % {"state": report.get_state_display()}
    return None


@transaction.atomic
def report_transition(*, report_id, action, actor, note="", changes=None):
    """Move a report along REPORT_TRANSITIONS. The only writer of `PerformanceReport.state`.

    In one transaction, in this order: lock the row; refuse (TransitionRefused, nothing changed)
    when the actor may not, the state does not allow it or a required note is missing; apply
    `changes` and the new state and save (a history row); write the PerformanceReportEvent.
    Returns the saved report."""
    transition = REPORT_TRANSITIONS[action]
    report = PerformanceReport.objects.select_for_update().select_related("declaration").get(pk=report_id)
    refusal = report_transition_refusal(report, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = note_stripped(note)
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give a reason."))
    from_state = report.state
    for field, value in (changes or {}).items():
        setattr(report, field, value)
    report.state = transition.target
    audited(report, actor, message("monitoring.report.action", action=action)).save()
    PerformanceReportEvent.objects.create(
        report=report, action=action, from_state=from_state, to_state=report.state, actor=actor, note=note
    )
    return report


def inspection_transition_refusal(inspection, action, actor):
    transition = INSPECTION_TRANSITIONS[action]
    if actor is None or not rules.has_perm(transition.permission, actor, inspection.declaration):
        return _("You are not allowed to do this.")
    if inspection.state not in transition.sources:
        return _("This cannot be done while the inspection is “%(state)s”.") % {"state": inspection.get_state_display()}
    return None


@transaction.atomic
def inspection_open(*, actor, note="", **fields):
    """Create an inspection in its initial state with the first record of its audit trail."""
    inspection = Inspection(recorded_by=actor, recorded_at=timezone.now(), **fields)
    audited(inspection, actor, message("monitoring.inspection.action", action=IA.RECORD)).save()
    InspectionEvent.objects.create(
        inspection=inspection,
        action=IA.RECORD,
        from_state="",
        to_state=INITIAL_INSPECTION_STATE,
        actor=actor,
        note=note,
        created_at=inspection.recorded_at,
    )
    return inspection


@transaction.atomic
def inspection_transition(*, inspection_id, action, actor, note="", changes=None):
    """Move an inspection along INSPECTION_TRANSITIONS. The only writer of `Inspection.state`: lock
    the row, refuse (TransitionRefused, nothing changed), apply `changes` and the new state, write
    the InspectionEvent. Returns the saved inspection."""
    transition = INSPECTION_TRANSITIONS[action]
    inspection = Inspection.objects.select_for_update().select_related("declaration").get(pk=inspection_id)
    refusal = inspection_transition_refusal(inspection, action, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note = note_stripped(note)
    if transition.note_required and not note:
        raise TransitionRefused(_("Please give the answer."))
    from_state = inspection.state
    for field, value in (changes or {}).items():
        setattr(inspection, field, value)
    inspection.state = transition.target
    audited(inspection, actor, message("monitoring.inspection.action", action=action)).save()
    InspectionEvent.objects.create(
        inspection=inspection, action=action, from_state=from_state, to_state=inspection.state, actor=actor, note=note
    )
    return inspection
