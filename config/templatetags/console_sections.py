"""The staff console's sections, drawn on every console page."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.templatetags.layout import rendered_once

register = template.Library()

# The console's sections in the order they are drawn: (key, the layout's `may` flag that opens it, the
# URL's name, the label). A page marks its own by its context's `console_section`, the key.
SECTIONS = (
    ("home", "console_staff", "console_home", _("What needs you now")),
    ("finance_home", "disburse", "disbursement:home", _("Finance: what needs you now")),
    ("queue", "enter_console", "review:queue", _("Declarations")),
    ("ranking", "console_staff", "review:ranking", _("Ranking")),
    ("publicity", "console_staff", "publicity:console_batches", _("Publicity")),
    ("meetings", "console_staff", "review:meetings", _("Evaluation meetings")),
    ("registers", "console_staff", "review:registers", _("Registers")),
    ("disbursement", "disburse", "disbursement:queue", _("Disbursement")),
    ("budgets", "view_budgets", "review:budgets", _("Budgets")),
    ("statistics", "view_statistics", "monitoring:statistics", _("Statistics")),
    ("recovery_cases", "see_recovery_cases", "disbursement:recovery_cases", _("Recovery cases")),
    ("performance", "monitor", "monitoring:performance_reports", _("Performance reports")),
    ("inspections", "monitor", "monitoring:inspections", _("Inspections and audits")),
    ("calendar", "manage_calendar", "publicity:calendar_years", _("Working-day calendar")),
    ("security_events", "view_security_events", "security_events", _("Security events")),
)
# An expert reviewer's queue is their evaluations.
EVALUATOR_LABELS = {"queue": _("My evaluations")}


@register.simple_tag(takes_context=True)
def console_sections(context):
    """The sections the user may open (the layout's `may`), the page's own (`console_section`)
    marked: they depend on nothing else, so each set of permissions, section and language is
    rendered once per process (templates/console/_sections.html), not on every page (0.7 ms)."""
    may = context.get("may") or {}
    return _sections(tuple(sorted(may.items())), context.get("console_section", ""))


@rendered_once
def _sections(may, section):
    may = dict(may)
    shown = [
        {
            "href": reverse(url_name),
            "label": EVALUATOR_LABELS.get(key, label) if may.get("evaluate") else label,
            "current": key == section,
        }
        for key, flag, url_name, label in SECTIONS
        if may.get(flag)
    ]
    return render_to_string("console/_sections.html", {"sections": shown})
