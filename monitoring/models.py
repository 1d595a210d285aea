"""Performance management (Art. 18) and supervision (Art. 20) of a supported project.

A report's `state` is written only by monitoring.workflow.report_transition, an inspection's by
monitoring.workflow.inspection_transition; each change leaves an event (an audit table)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.messages import MessageField
from declarations.evidence import ACCEPTED_TYPES
from declarations.models import attachment_storage
from monitoring.enums import (
    InspectionAction,
    InspectionKind,
    InspectionState,
    PerformanceGrade,
    ReminderKind,
    ReportAction,
    ReportKind,
    ReportState,
)

# An indicator's value: money in 万元, percentages, counts; to two decimals.
INDICATOR_VALUE = {"max_digits": 16, "decimal_places": 2}


class PerformanceIndicator(models.Model):
    """One indicator of a project's performance plan (Art. 18): its baseline and the target to reach."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="performance_indicators",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # A default indicator's name and unit are stored as messages (monitoring.performance.indicator_label).
    name = MessageField(_("indicator"), max_length=200)
    unit = MessageField(_("unit"), max_length=30)
    baseline = models.DecimalField(_("baseline"), **INDICATOR_VALUE)
    target = models.DecimalField(_("target"), **INDICATOR_VALUE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")
        ordering = ["declaration", "position"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "position"], name="performance_indicator_position_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"


class PerformanceReport(models.Model):
    """The unit's report on its indicators at one due date of the plan, and the commission's grade."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="performance_reports",
    )
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT, db_index=True
    )
    narrative = models.TextField(_("narrative"), max_length=10000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=PerformanceGrade.choices, blank=True, db_index=True)
    opinion = models.TextField(_("evaluation opinion"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("performance report")
        verbose_name_plural = _("performance reports")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "kind"], name="performance_report_kind_unique"),
            # A grade is given with the evaluation, and only then.
            models.CheckConstraint(
                condition=(models.Q(state=ReportState.EVALUATED) & ~models.Q(grade=""))
                | (~models.Q(state=ReportState.EVALUATED) & models.Q(grade="")),
                name="performance_report_graded_when_evaluated",
            ),
        ]

    def __str__(self):
        return f"{self.declaration} {self.get_kind_display()}"

    @property
    def is_overdue(self):
        from monitoring.workflow import AWAITING_SUBMISSION_STATES  # noqa: PLC0415 -- circular: the workflow imports the models

        return self.state in AWAITING_SUBMISSION_STATES and self.due_on < timezone.localdate()


class PerformanceValue(models.Model):
    """The value the unit reports for one indicator in one report."""

    report = models.ForeignKey(
        PerformanceReport, verbose_name=_("performance report"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        PerformanceIndicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    value = models.DecimalField(_("value reached"), **INDICATOR_VALUE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="performance_value_once_per_indicator")
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"


def report_evidence_path(evidence, filename):
    return f"performance/{evidence.report_id}/{uuid.uuid4().hex}.{ACCEPTED_TYPES[evidence.content_type]}"


class ReportEvidence(models.Model):
    """An evidence file of a performance report, checked and stored as a declaration's evidence is."""

    report = models.ForeignKey(
        PerformanceReport, verbose_name=_("performance report"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=report_evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("report evidence")
        verbose_name_plural = _("report evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class PerformanceReportEvent(models.Model):
    """The audit record of a report: each change of state, who, when, why."""

    report = models.ForeignKey(
        PerformanceReport, verbose_name=_("performance report"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=ReportAction.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=ReportState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ReportState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = MessageField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("performance report event")
        verbose_name_plural = _("performance report events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report_id}: {self.get_from_state_display()} → {self.get_to_state_display()}"


class ReportReminder(models.Model):
    """A reminder sent about a report's due date: one of each kind per report, whatever the task's
    runs (the unique constraint holds it)."""

    report = models.ForeignKey(
        PerformanceReport, verbose_name=_("performance report"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField(_("for the due date"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "due_on", "kind"], name="report_reminder_once_per_due_date")
        ]

    def __str__(self):
        return f"{self.report_id} {self.kind} {self.due_on}"


class Inspection(models.Model):
    """An inspection or audit of a supported project's use of funds (Art. 20): what was found,
    whether the unit must rectify it and by when, the unit's answer, and its closing by staff."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    held_on = models.DateField(_("held on"))
    findings = models.TextField(_("findings"), max_length=10000)
    rectification_required = models.BooleanField(_("rectification required"), default=False)
    rectification_due_on = models.DateField(_("rectify by"), null=True, blank=True)
    rectification_answer = models.TextField(_("rectification answer"), max_length=10000, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=InspectionState.choices, default=InspectionState.OPEN, db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rectification_required=False, rectification_due_on__isnull=True)
                | models.Q(rectification_required=True, rectification_due_on__isnull=False),
                name="inspection_rectification_has_due_date",
            )
        ]
        indexes = [models.Index(fields=["state", "rectification_due_on"], name="inspection_overdue_idx")]

    def __str__(self):
        return f"{self.declaration} {self.get_kind_display()} {date_format(self.held_on)}"

    @property
    def is_overdue(self):
        """A rectification still awaited after its due date."""
        from monitoring.workflow import AWAITING_RECTIFICATION_STATES  # noqa: PLC0415 -- circular: the workflow imports the models

        return (
            self.rectification_required
            and self.state in AWAITING_RECTIFICATION_STATES
            and self.rectification_due_on < timezone.localdate()
        )


class InspectionEvent(models.Model):
    """The audit record of an inspection: its recording, the unit's answer, its closing."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=InspectionAction.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=InspectionState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=InspectionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = MessageField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.inspection_id}: {self.get_from_state_display()} → {self.get_to_state_display()}"


class StatisticsSnapshot(models.Model):
    """The statistics page's figures of a support year, and of one call of it or all (`call` None),
    as a task last counted them (monitoring.statistics_snapshots): the page reads them in one query
    and, when the data has moved on since (`data_version`), shows them as of `computed_at` while the
    task counts again. Not a record: recomputed at will, never edited."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    year = models.PositiveIntegerField(_("support year"))
    call = models.ForeignKey(
        "declarations.Call", verbose_name=_("call"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    data_version = models.CharField(_("data version"), max_length=200)
    computed_at = models.DateTimeField(_("computed at"))
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")

    def __str__(self):
        return self.key
