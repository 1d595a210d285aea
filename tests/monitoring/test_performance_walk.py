"""The walk of issue 16: a funded ART6 declaration gets its performance plan, the unit reports late
after one reminder before the due date and one after it (the task run twice sends nothing more),
staff grade the report a fail, and the fail leads to the one service that opens a recovery case."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.formats import date_format

from config.settings import CELERY_BEAT_SCHEDULE
from declarations.enums import DeclarationState as S
from disbursement.models import RecoveryCase
from monitoring.enums import PerformanceGrade, ReminderKind, ReportState
from monitoring.models import PerformanceReport, PerformanceReportEvent, ReportReminder
from monitoring.tasks import send_performance_reminders
from notices.models import Notice
from tests.monitoring.conftest import TODAY, plan

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _reminders(applicant):
    return list(Notice.objects.filter(recipient=applicant).order_by("pk").values_list("subject", flat=True))


def test_a_funded_art6_project_walks_targets_late_report_reminders_fail_and_recovery(client, funded, applicant, staff):
    assert funded.programme.code == "ART6" and funded.state == S.PAID
    # Staff set the plan from the programme's defaults on the console.
    client.force_login(staff)
    form = client.get(reverse("monitoring:performance_plan", args=[funded.pk]))
    assert [f.initial["name"] for f in form.context["formset"].forms[:2]] == [
        "Follow-on financing raised by the invested enterprises",
        "Revenue growth of the invested enterprises",
    ]
    due = TODAY + datetime.timedelta(days=20)
    saved = client.post(
        reverse("monitoring:performance_plan", args=[funded.pk]),
        {
            "indicator-TOTAL_FORMS": "2",
            "indicator-INITIAL_FORMS": "0",
            "indicator-0-name": "Follow-on financing raised by the invested enterprises",
            "indicator-0-unit": "10,000 yuan",
            "indicator-0-baseline": "0",
            "indicator-0-target": "3000",
            "indicator-1-name": "Revenue growth of the invested enterprises",
            "indicator-1-unit": "%",
            "indicator-1-baseline": "12.5",
            "indicator-1-target": "30",
            "plan-final_due_on": due.isoformat(),
        },
    )
    assert saved.status_code == 302
    report = PerformanceReport.objects.get(declaration=funded)
    assert (report.kind, report.due_on, report.state) == ("final", due, ReportState.DRAFT)
    page = client.get(reverse("review:declaration", args=[funded.pk]))
    assert "Performance (Art. 18)" in page.content.decode()
    assert "Follow-on financing raised by the invested enterprises" in page.content.decode()

    # Reminders: nothing far ahead; one 14 days before; one once overdue; each run twice.
    assert send_performance_reminders() == 0
    with time_machine.travel(due - datetime.timedelta(days=14), tick=False):
        assert send_performance_reminders() == 1
        assert send_performance_reminders() == 0
    with time_machine.travel(due + datetime.timedelta(days=1), tick=False):
        assert send_performance_reminders() == 1
        assert send_performance_reminders() == 0
    with time_machine.travel(due + datetime.timedelta(days=5), tick=False):
        assert send_performance_reminders() == 0
    assert sorted(ReportReminder.objects.filter(report=report).values_list("kind", flat=True)) == sorted(
        [ReminderKind.DUE_SOON, ReminderKind.OVERDUE]
    )
    # Two notices in all, one per kind of reminder, however often the task ran.
    assert [subject for subject in _reminders(applicant) if subject.startswith("Final report")] == [
        f"Final report of {funded.number} due on {date_format(due)}",  # dates by the locale
        f"Final report of {funded.number} is overdue",
    ]
    assert "monitoring.tasks.send_performance_reminders" in {e["task"] for e in CELERY_BEAT_SCHEDULE.values()}

    # The unit reports late: a draft first, then submitted with evidence.
    with time_machine.travel(due + datetime.timedelta(days=6), tick=False):
        client.force_login(applicant)
        detail = client.get(reverse("declarations:detail", args=[funded.pk]))
        assert reverse("monitoring:performance_fill", args=[report.pk]) in detail.content.decode()
        assert "Overdue" in detail.content.decode()
        first, second = funded.performance_indicators.order_by("position")
        url = reverse("monitoring:performance_fill", args=[report.pk])
        draft = client.post(url, {f"value_{first.pk}": "800", "narrative": "", "save": ""})
        assert draft.status_code == 302
        report.refresh_from_db()
        assert report.state == ReportState.DRAFT
        refused = client.post(url, {f"value_{first.pk}": "800", "narrative": "", "submit": ""})
        assert refused.status_code == 400
        assert "Revenue growth of the invested enterprises" in str(refused.context["form"].non_field_errors())
        sent = client.post(
            url,
            {
                f"value_{first.pk}": "800",
                f"value_{second.pk}": "-3.5",
                "narrative": "Two investees raised a follow-on round; revenue fell.",
                "file": SimpleUploadedFile("bank-statement.png", PNG, content_type="image/png"),
                "submit": "",
            },
        )
        assert sent.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert [(v.indicator_id, v.value) for v in report.values.order_by("indicator__position")] == [
        (first.pk, Decimal("800.00")),
        (second.pk, Decimal("-3.50")),
    ]
    assert [e.original_name for e in report.evidence.all()] == ["bank-statement.png"]
    # The plan is now fixed.
    client.force_login(staff)
    fixed = client.get(reverse("monitoring:performance_plan", args=[funded.pk]))
    assert fixed.context["refusal"] == "A report has been submitted: the performance plan can no longer be changed."

    # Staff grade it a fail; the page then offers the recovery case on the money page.
    graded = client.post(
        reverse("monitoring:performance_evaluate", args=[report.pk]),
        {"evaluate-grade": PerformanceGrade.FAIL, "evaluate-opinion": "Targets far from reached.", "confirmed": "yes"},
    )
    assert graded.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.grade, report.evaluated_by) == (ReportState.EVALUATED, "fail", staff)
    assert list(
        PerformanceReportEvent.objects.filter(report=report).order_by("pk").values_list("action", "to_state")
    ) == [
        ("submit", "submitted"),
        ("evaluate", "evaluated"),
    ]
    shown = client.get(reverse("monitoring:performance_report", args=[report.pk]))
    recovery_link = reverse("disbursement:declaration", args=[funded.pk]) + "#case-form-heading"
    assert recovery_link in shown.content.decode()

    # The link leads to disbursement's form, whose service opens the case.
    money = client.get(reverse("disbursement:declaration", args=[funded.pk]))
    assert money.context["case_form"] is not None
    opened = client.post(
        reverse("disbursement:recovery_case_create", args=[funded.pk]),
        {
            "case-amount_due": "100000.00",
            "case-due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "case-reason": "Performance evaluation failed (Art. 18): targets not reached.",
            "confirmed": "yes",
        },
    )
    assert opened.status_code == 302
    case = RecoveryCase.objects.get(declaration=funded)
    assert case.amount_due == Decimal("100000.00")
    funded.refresh_from_db()
    assert funded.state == S.RECOVERED


def test_the_plan_can_be_changed_until_the_first_report_is_submitted(funded, staff):
    reports = plan(funded, staff, mid_in=30, final_in=180)
    assert [r.kind for r in reports] == ["mid_term", "final"]
    reports = plan(
        funded,
        staff,
        mid_in=None,
        final_in=200,
        indicators=[{"name": "Only one", "unit": "%", "baseline": Decimal("1"), "target": Decimal("2")}],
    )
    assert [(r.kind, r.due_on) for r in reports] == [("final", TODAY + datetime.timedelta(days=200))]
    assert list(funded.performance_indicators.values_list("name", flat=True)) == ["Only one"]
    assert funded.performance_indicators.first().history.count() == 2
