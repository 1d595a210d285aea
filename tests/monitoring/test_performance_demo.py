"""The demo's performance reports and inspections (config/demo_performance.py): every state of a
report, every grade, a fail on a paid project, and an overdue rectification."""

import io

import pytest
from django.core.management import call_command

from monitoring.enums import PerformanceGrade, ReportState
from monitoring.models import Inspection, PerformanceReport

pytestmark = pytest.mark.django_db


def test_the_demo_has_reports_in_every_state_every_grade_and_an_overdue_rectification():
    call_command("load_demo", stdout=io.StringIO())
    reports = list(PerformanceReport.objects.select_related("declaration"))
    assert {report.state for report in reports} == set(ReportState)
    assert {report.grade for report in reports if report.grade} == set(PerformanceGrade)
    assert any(report.is_overdue for report in reports)
    failed = next(report for report in reports if report.grade == PerformanceGrade.FAIL)
    assert (failed.declaration.state, failed.declaration.programme.code) == ("paid", "ART6")
    assert any(inspection.is_overdue for inspection in Inspection.objects.all())
    before = PerformanceReport.objects.count(), Inspection.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert (PerformanceReport.objects.count(), Inspection.objects.count()) == before
