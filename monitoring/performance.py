"""Performance management (Art. 18): the plan staff set when support is decided (indicators with
baselines and targets, and the reports' due dates), the unit's reports with their evidence, the
commission's grades, and the reminders of due dates.

Every write of a report's state goes through monitoring.workflow.report_transition."""

import datetime
import hashlib
from decimal import Decimal

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message, message_from_text
from declarations.models import Declaration
from declarations.validators import evidence_file_name, evidence_file_type
from declarations.workflow import DECIDED_STATES, TransitionRefused
from monitoring.enums import PerformanceGrade, ReminderKind, ReportKind
from monitoring.enums import ReportAction as RA
from monitoring.models import (
    PerformanceIndicator,
    PerformanceReport,
    PerformanceValue,
    ReportEvidence,
    ReportReminder,
)
from monitoring.workflow import AWAITING_SUBMISSION_STATES, UNSENT_STATES, report_transition
from notices.services import notices_create

# A reminder goes this many days before a report's due date, and another once it is overdue.
REMINDER_DAYS_BEFORE = 14
# The most indicators a plan holds.
MAX_INDICATORS = 8


class PerformanceRefused(TransitionRefused):
    """A refusal about one field of the form that asked (`field`), or the whole of it (None).
    Nothing was changed."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# --- the plan ------------------------------------------------------------------------------------


def plan_refusal(declaration, actor):
    """Why `actor` may not set or change `declaration`'s performance plan now, or None."""
    if actor is None or not rules.has_perm("monitoring.set_targets", actor, declaration):
        return _("You are not allowed to do this.")
    if declaration.state not in DECIDED_STATES:
        return _("A performance plan is set once support is decided, while it stands.")
    if declaration.performance_reports.exclude(state__in=UNSENT_STATES).exists():
        return _("A report has been submitted: the performance plan can no longer be changed.")
    return None


@transaction.atomic
def performance_plan_set(*, declaration_id, actor, indicators, due_dates, today=None):
    """Set or change the performance plan of a declaration (Art. 18).

    `indicators`: a list of dicts with name, unit, baseline, target (in order); `due_dates`: a
    ReportKind -> date (or None: no such report; the final report is required).

    In one transaction, in this order:
    1. lock the declaration; refuse (PerformanceRefused, nothing changed) a user without the
       permission, a declaration whose support does not stand decided, a plan with a report
       already submitted, no indicator or more than MAX_INDICATORS, a final report without a date,
       a due date before today, a mid-term report not before the final one;
    2. write the indicators by position (each change in their history), deleting those beyond the
       new list with the draft values reported for them;
    3. create or move each report to its due date, deleting a draft report no longer planned.
    Returns the declaration's reports."""
    today = today or timezone.localdate()
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    refusal = plan_refusal(declaration, actor)
    if refusal:
        raise PerformanceRefused(refusal)
    if not indicators:
        raise PerformanceRefused(_("Give at least one indicator."), "indicators")
    if len(indicators) > MAX_INDICATORS:
        raise PerformanceRefused(_("A plan has at most %(n)s indicators.") % {"n": MAX_INDICATORS}, "indicators")
    final, mid_term = due_dates.get(ReportKind.FINAL), due_dates.get(ReportKind.MID_TERM)
    if final is None:
        raise PerformanceRefused(_("Give the final report's due date."), "final_due_on")
    for kind, due in ((ReportKind.MID_TERM, mid_term), (ReportKind.FINAL, final)):
        if due is not None and due < today:
            raise PerformanceRefused(_("A report cannot be due before today."), f"{kind}_due_on")
    if mid_term is not None and mid_term >= final:
        raise PerformanceRefused(_("The mid-term report must be due before the final one."), "mid_term_due_on")

    for position, row in enumerate(indicators):
        indicator = PerformanceIndicator.objects.filter(declaration=declaration, position=position).first()
        if indicator is None:
            indicator = PerformanceIndicator(declaration=declaration, position=position)
        indicator.name = indicator_label(row["name"], "monitoring.indicator.name")
        indicator.unit = indicator_label(row["unit"], "monitoring.indicator.unit")
        indicator.baseline, indicator.target = row["baseline"], row["target"]
        audited(indicator, actor).save()
    for extra in PerformanceIndicator.objects.filter(declaration=declaration, position__gte=len(indicators)):
        audited(extra, actor).delete()

    for kind in ReportKind:
        due = due_dates.get(kind)
        report = PerformanceReport.objects.filter(declaration=declaration, kind=kind).first()
        if due is None:
            if report is not None:
                audited(report, actor).delete()
            continue
        if report is None:
            report = PerformanceReport(declaration=declaration, kind=kind)
        report.due_on = due
        audited(report, actor).save()
    return list(PerformanceReport.objects.filter(declaration=declaration))


def indicator_label(text, key):
    """An indicator's name or unit as stored: a default one's label (monitoring.performance_defaults,
    in either language, as the form offered it) by its key, read in the reader's language; one staff
    typed, as typed."""
    text = str(text or "").strip()
    recognised = message_from_text(text, [key])
    return recognised if recognised.key else text


def plan_initial(declaration):
    """What the plan form starts from: the declaration's indicators, else its programme's defaults;
    and the reports' due dates."""
    from monitoring.performance_defaults import default_indicators  # noqa: PLC0415 -- leaf, data only

    indicators = [
        {"name": str(i.name), "unit": str(i.unit), "baseline": i.baseline, "target": i.target}
        for i in declaration.performance_indicators.all()
    ]
    if not indicators:
        indicators = [
            {"name": str(d.name), "unit": str(d.unit), "baseline": None, "target": None}
            for d in default_indicators(declaration.programme.code)
        ]
    dues = {report.kind: report.due_on for report in declaration.performance_reports.all()}
    return indicators, dues


# --- the unit's reports --------------------------------------------------------------------------


def _report_to_fill(report_id, actor):
    """The report's row, locked, if `actor` may fill it in now; PerformanceRefused otherwise."""
    report = PerformanceReport.objects.select_for_update().select_related("declaration").get(pk=report_id)
    if actor is None or not rules.has_perm("monitoring.fill_report", actor, report.declaration):
        raise PerformanceRefused(_("You are not allowed to do this."))
    if report.state not in AWAITING_SUBMISSION_STATES:
        raise PerformanceRefused(_("A submitted report can no longer be changed."))
    return report


@transaction.atomic
def report_save(*, report_id, actor, values, narrative):
    """Keep the unit's draft of a report: `values` (indicator id -> Decimal, or None to clear) and
    the narrative. The report stays a draft (or returned) until report_submit. Returns it."""
    report = _report_to_fill(report_id, actor)
    indicators = {i.pk: i for i in report.declaration.performance_indicators.all()}
    for indicator_id, value in values.items():
        if indicator_id not in indicators:
            raise PerformanceRefused(_("This indicator is not part of the project's plan."))
        if value is None:
            PerformanceValue.objects.filter(report=report, indicator_id=indicator_id).delete()
        else:
            PerformanceValue.objects.update_or_create(
                report=report, indicator_id=indicator_id, defaults={"value": Decimal(value)}
            )
    report.narrative = (narrative or "").strip()
    audited(report, actor).save(update_fields=["narrative"])
    return report


@transaction.atomic
def report_evidence_add(*, report_id, actor, uploaded_file):
    """Keep one evidence file of a report, typed and checked by its content as a declaration's
    evidence is (declarations.validators.evidence_file_type; a refusal is a ValidationError), in the
    attachments' storage."""
    report = _report_to_fill(report_id, actor)
    content_type = evidence_file_type(uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    evidence = ReportEvidence(
        report=report,
        original_name=evidence_file_name(uploaded_file.name, content_type),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save("evidence", uploaded_file, save=False)
    try:
        audited(evidence, actor).save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def report_evidence_remove(*, evidence_id, actor):
    evidence = ReportEvidence.objects.get(pk=evidence_id)
    _report_to_fill(evidence.report_id, actor)
    stored = evidence.file.name
    audited(evidence, actor).delete()
    storage = ReportEvidence._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(stored))


def report_missing(report):
    """What the report still lacks before it can be submitted: a list of messages."""
    missing = []
    reported = set(report.values.values_list("indicator_id", flat=True))
    for indicator in report.declaration.performance_indicators.all():
        if indicator.pk not in reported:
            missing.append(_("The value reached for “%(name)s”.") % {"name": indicator.name})
    if not report.narrative.strip():
        missing.append(_("The narrative of the project's progress."))
    return missing


@transaction.atomic
def report_submit(*, report_id, actor):
    """Send the report to the commission: refused (PerformanceRefused, naming what is missing)
    unless every indicator has its value and the narrative is written; then
    report_transition SUBMIT, which records when. Returns the report."""
    report = _report_to_fill(report_id, actor)
    missing = report_missing(report)
    if missing:
        raise PerformanceRefused(_("The report is not complete: %(missing)s") % {"missing": " ".join(missing)})
    return report_transition(
        report_id=report.pk, action=RA.SUBMIT, actor=actor, changes={"submitted_at": timezone.now()}
    )


def report_evaluate(*, report_id, actor, grade, opinion):
    """The commission's grade of a submitted report with its opinion (Art. 18: the result is a
    basis for the unit's later support)."""
    if grade not in PerformanceGrade.values:
        raise PerformanceRefused(_("Choose a grade."), "grade")
    opinion = (opinion or "").strip()
    if not opinion:
        raise PerformanceRefused(_("Please give the evaluation opinion."), "opinion")
    return report_transition(
        report_id=report_id,
        action=RA.EVALUATE,
        actor=actor,
        note=opinion,
        changes={"grade": grade, "opinion": opinion, "evaluated_by": actor, "evaluated_at": timezone.now()},
    )


def report_return(*, report_id, actor, note):
    """Send a submitted report back to the unit for revision, saying why."""
    return report_transition(report_id=report_id, action=RA.RETURN, actor=actor, note=note)


# --- reminders -----------------------------------------------------------------------------------


def _reminder_text(report, kind):
    values = {
        "report": report.kind,
        "declaration": str(report.declaration),
        "title": report.declaration.title,
        "due_on": report.due_on,
    }
    prefix = "monitoring.report.due_soon" if kind == ReminderKind.DUE_SOON else "monitoring.report.overdue"
    subject_values = {
        name: values[name]
        for name in ("report", "declaration", "due_on")
        if kind == ReminderKind.DUE_SOON or name != "due_on"
    }
    return message(f"{prefix}.subject", **subject_values), message(f"{prefix}.body", **values)


def _reminder_due(report, today):
    if report.due_on < today:
        return ReminderKind.OVERDUE
    if report.due_on - datetime.timedelta(days=REMINDER_DAYS_BEFORE) <= today:
        return ReminderKind.DUE_SOON
    return None


def performance_reminders_send(*, today=None):
    """The periodic task's work: for every report not yet submitted, a notice to each active user of
    its unit REMINDER_DAYS_BEFORE days before its due date and another once it is overdue. Each
    (report, due date, kind) is sent once: the ReportReminder row is written first, under its
    unique constraint, and a run that finds it written (an earlier run, or one running alongside)
    sends nothing. A report whose date moved gets its reminders for the new date. Returns the
    number of reminders sent."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMINDER_DAYS_BEFORE)
    reports = (
        PerformanceReport.objects.filter(state__in=AWAITING_SUBMISSION_STATES, due_on__lte=horizon)
        .select_related("declaration__organisation")
        .order_by("due_on", "pk")
    )
    sent = 0
    for report in reports:
        kind = _reminder_due(report, today)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                ReportReminder.objects.create(report=report, due_on=report.due_on, kind=kind)
                subject, body = _reminder_text(report, kind)
                notices_create(
                    recipients=report.declaration.organisation.users.filter(is_active=True).order_by("pk"),
                    subject=subject,
                    body=body,
                    declaration=report.declaration,
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


def clean_upload(uploaded):
    """The form's check of an evidence file: the declarations' own (evidence_file_type), its
    messages naming the file."""
    try:
        evidence_file_type(uploaded)
    except ValidationError as refusal:
        raise ValidationError(
            [f"{uploaded.name[-100:]}: {message}" for message in refusal.messages], code="file"
        ) from None
    return uploaded
