"""The choices of monitoring: performance reports and grades (Art. 18), inspections (Art. 20)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PerformanceGrade(models.TextChoices):
    """The commission's grade of a performance report (Art. 18: the results are a basis for later
    support). statistics reads it for its table of grades."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class ReportKind(models.TextChoices):
    MID_TERM = "mid_term", _("Mid-term report")
    FINAL = "final", _("Final report")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted, awaiting evaluation")
    RETURNED = "returned", _("Returned for revision")
    # A report graded (评价), not a declaration evaluated by experts (评审): a context of its own.
    EVALUATED = "evaluated", pgettext_lazy("performance report", "Evaluated")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return for revision")
    EVALUATE = "evaluate", _("Evaluate")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class InspectionKind(models.TextChoices):
    ON_SITE = "on_site", _("On-site inspection")
    AUDIT = "audit", _("Audit")
    SPOT_CHECK = "spot_check", _("Spot check")
    DESK_REVIEW = "desk_review", _("Desk review of the use of funds")
    OTHER = "other", _("Other supervision")


class InspectionState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Rectification answered")
    CLOSED = "closed", _("Closed")


class InspectionAction(models.TextChoices):
    RECORD = "record", _("Record")
    ANSWER = "answer", _("Answer the rectification")
    CLOSE = "close", _("Close")
