"""The parts of a declaration's console page that belong to other parts of the work: the expert
evaluation, the double-funding check, the evaluation meetings and the programme's budget. Each is a
function of the request and the declaration returning its part of the page's context."""

import rules
from django.urls import reverse

from declarations.enums import DeclarationState as S
from review import evaluation, meetings, selectors
from review.budgets import budget_position
from review.double_funding import double_funding_summary
from review.evaluation_forms import ConflictForm, EvaluationForm


def evaluation_section(request, declaration):
    """The evaluation panel for this user, and the reviewer's forms while their evaluation is open."""
    panel = evaluation.evaluation_panel(request.user, declaration)
    context = {"evaluation": panel, "evaluation_form": None, "conflict_form": None, "next_to_score": None}
    own = panel.own if panel is not None else None
    if own is not None:
        context["next_to_score"] = selectors.next_to_score(request.user, after=declaration)
    if own is not None and not own.is_submitted:
        if declaration.state == S.UNDER_REVIEW and panel.criteria:
            context["evaluation_form"] = EvaluationForm.for_assignment(own, panel.criteria)
        context["conflict_form"] = ConflictForm(prefix="conflict")
    return context


def double_funding_section(request, declaration):
    """The double-funding card of the declaration page: for commission staff only."""
    if not rules.has_perm("console.staff", request.user):
        return {}
    return {"double_funding": double_funding_summary(declaration)}


def meetings_section(request, declaration):
    """For commission staff: the meeting opinions on the declaration and, while it awaits a decision,
    where to record the meeting's opinion. Nothing for other console users."""
    if not rules.has_perm("console.staff", request.user):
        return {}
    record_url, no_meeting_yet = None, False
    if declaration.state == S.REVIEWED:
        latest = meetings.meeting_latest_for_call(declaration.call_id)
        no_meeting_yet = latest is None
        if no_meeting_yet:
            record_url = f"{reverse('review:meeting_new')}?call={declaration.call_id}"
        else:
            record_url = f"{reverse('review:meeting', args=[latest.pk])}?declaration={declaration.pk}#record-opinion"
    return {
        "meeting_section": {
            "opinions": meetings.opinions_for(declaration),
            "record_url": record_url,
            "no_meeting_yet": no_meeting_yet,
        }
    }


def budget_section(request, declaration):
    """The budget of the declaration's programme for its call's year, with what is committed and
    left, for those who may read budgets (commission staff, who decide within it)."""
    if not rules.has_perm("review.view_budgets", request.user):
        return {}
    return {"budget_position": budget_position(declaration.programme, declaration.call.year)}


SECTIONS = (evaluation_section, double_funding_section, meetings_section, budget_section)
