"""The monitoring sections of the declaration pages of the apps below (the staff console's and the
applicant's): an inclusion tag each, so that those apps include a template and import nothing of
monitoring."""

import rules
from django import template

from monitoring.enums import PerformanceGrade
from monitoring.performance import plan_refusal
from monitoring.performance_selectors import declaration_performance, organisation_grades
from monitoring.supervision import inspection_refusal
from monitoring.supervision_forms import AnswerForm
from monitoring.supervision_selectors import declaration_inspections

register = template.Library()

GRADE_BADGES = {
    PerformanceGrade.EXCELLENT: "text-bg-success",
    PerformanceGrade.GOOD: "text-bg-primary",
    PerformanceGrade.PASS: "text-bg-secondary",
    PerformanceGrade.FAIL: "text-bg-danger",
}


@register.filter
def grade_badge(grade):
    return GRADE_BADGES.get(grade, "text-bg-light")


@register.inclusion_tag("monitoring/performance/_staff_section.html", takes_context=True)
def performance_staff_section(context, declaration):
    """The console declaration page's "Performance and supervision" section: the plan, the reports
    and their grades, the unit's grades on its other declarations, the inspections."""
    user = context["request"].user
    if not rules.has_perm("monitoring.view", user):
        return {"shown": False}
    inspections = declaration_inspections(declaration)
    return {
        "shown": True,
        "declaration": declaration,
        "performance": declaration_performance(declaration),
        "may_plan": plan_refusal(declaration, user) is None,
        "other_grades": organisation_grades(declaration),
        "inspections": inspections,
        "may_inspect": inspection_refusal(declaration, user) is None,
    }


@register.inclusion_tag("monitoring/performance/_applicant_section.html", takes_context=True)
def performance_applicant_section(context, declaration):
    """The applicant's declaration page: the targets, due dates and reports, and the inspections
    with a rectification to answer."""
    user = context["request"].user
    if not rules.has_perm("monitoring.view_own", user, declaration):
        return {"shown": False}
    performance = declaration_performance(declaration)
    inspections = [i for i in declaration_inspections(declaration) if i.rectification_required]
    return {
        "shown": bool(performance["reports"] or inspections),
        "declaration": declaration,
        "performance": performance,
        "inspections": inspections,
        "answer_form": AnswerForm(prefix="answer"),
        "csrf_token": context.get("csrf_token"),
    }
