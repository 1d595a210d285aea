"""Supervision of a supported project's use of funds (Art. 20): inspections and audits recorded by
staff, the rectification they require by a date, the unit's answer, and their closing.

Every write of an inspection's state goes through monitoring.workflow.inspection_transition."""

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.models import Declaration
from declarations.workflow import DECIDED_STATES, DISBURSEMENT_STATES
from monitoring.enums import InspectionAction as IA
from monitoring.enums import InspectionKind
from monitoring.performance import PerformanceRefused
from monitoring.workflow import inspection_open, inspection_transition

# Where a project can be inspected: support decided, or its money paid (and whatever came of it).
SUPERVISED_STATES = tuple(dict.fromkeys((*DECIDED_STATES, *DISBURSEMENT_STATES)))


def inspection_refusal(declaration, actor):
    if actor is None or not rules.has_perm("monitoring.supervise", actor, declaration):
        return _("You are not allowed to do this.")
    if declaration.state not in SUPERVISED_STATES:
        return _("Only a supported project is inspected.")
    return None


@transaction.atomic
def inspection_record(
    *, declaration_id, actor, kind, held_on, findings, rectification_required=False, rectification_due_on=None
):
    """Record an inspection or audit of a supported project (Art. 20).

    Lock the declaration; refuse (PerformanceRefused, at the field) a user without the permission,
    a project not supported, a date in the future, empty findings, a rectification without a due
    date or a due date before the inspection, a due date without a rectification; create the
    inspection with its first event (monitoring.workflow.inspection_open). Returns it."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    refusal = inspection_refusal(declaration, actor)
    if refusal:
        raise PerformanceRefused(refusal)
    if kind not in InspectionKind.values:
        raise PerformanceRefused(_("Choose the kind of inspection."), "kind")
    if held_on > timezone.localdate():
        raise PerformanceRefused(_("An inspection cannot be dated in the future."), "held_on")
    findings = (findings or "").strip()
    if not findings:
        raise PerformanceRefused(_("Please write what the inspection found."), "findings")
    if rectification_required and rectification_due_on is None:
        raise PerformanceRefused(_("Give the date by which the unit must rectify."), "rectification_due_on")
    if not rectification_required and rectification_due_on is not None:
        raise PerformanceRefused(
            _("A rectification date is given only when rectification is required."), "rectification_due_on"
        )
    if rectification_due_on is not None and rectification_due_on < held_on:
        raise PerformanceRefused(_("The rectification cannot be due before the inspection."), "rectification_due_on")
    return inspection_open(
        actor=actor,
        note=findings,
        declaration=declaration,
        kind=kind,
        held_on=held_on,
        findings=findings,
        rectification_required=rectification_required,
        rectification_due_on=rectification_due_on,
    )


def rectification_answer(*, inspection_id, actor, answer):
    """The unit's answer to a required rectification, entered by the unit or by staff for it."""
    answer = (answer or "").strip()
    return inspection_transition(
        inspection_id=inspection_id,
        action=IA.ANSWER,
        actor=actor,
        note=answer,
        changes={"rectification_answer": answer},
    )


def inspection_close(*, inspection_id, actor, note=""):
    """Staff close an inspection: nothing (more) to rectify."""
    return inspection_transition(inspection_id=inspection_id, action=IA.CLOSE, actor=actor, note=note)
