"""Every monitoring page over the demo's data answers each role without a server error, and every
form of monitoring answers junk with messages (400), never a 500."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from monitoring.models import Inspection, PerformanceReport
from tests.monitoring.conftest import plan

junk = st.one_of(
    st.text(max_size=200),
    st.just(""),
    st.sampled_from(["-1", "0", "1e309", "NaN", "Infinity", "9" * 40, "2026-02-30", "<script>", "\uff10", "\x00"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@pytest.mark.django_db
def test_every_monitoring_page_of_the_demo_answers_every_role(client):
    call_command("load_demo", stdout=io.StringIO())
    reports, inspections = list(PerformanceReport.objects.all()), list(Inspection.objects.all())
    staff_pages = [
        reverse("monitoring:performance_reports") + f"?which={which}"
        for which in ("all", "submitted", "overdue", "evaluated", "junk")
    ]
    staff_pages += [reverse("monitoring:inspections"), reverse("monitoring:inspections") + "?overdue=on&page=99"]
    staff_pages += [reverse("monitoring:performance_report", args=[r.pk]) for r in reports]
    staff_pages += [reverse("monitoring:performance_plan", args=[r.declaration_id]) for r in reports]
    staff_pages += [reverse("monitoring:inspection", args=[i.pk]) for i in inspections]
    staff_pages += [reverse("review:declaration", args=[r.declaration_id]) for r in reports]
    for username in ("staff", "finance", "admin"):
        client.force_login(User.objects.get(username=username))
        for url in staff_pages:
            status = client.get(url).status_code
            assert status in (200, 403), (username, url, status)
    client.force_login(User.objects.get(username="staff"))
    assert all(client.get(url).status_code == 200 for url in staff_pages)
    for username in ("applicant1", "applicant2", "applicant3"):
        user = User.objects.get(username=username)
        client.force_login(user)
        for report in reports:
            mine = report.declaration.organisation_id == user.organisation_id
            fill = client.get(reverse("monitoring:performance_fill", args=[report.pk]))
            assert fill.status_code == (200 if mine else 404)
            detail = client.get(reverse("declarations:detail", args=[report.declaration_id]))
            assert detail.status_code == (200 if mine else 404)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(junk, min_size=8, max_size=8))
def test_monitoring_forms_answer_junk_with_messages(client, funded, staff, applicant, values):
    reports = list(PerformanceReport.objects.filter(declaration=funded)) or plan(funded, staff)
    report, indicator = reports[0], funded.performance_indicators.first()
    inspection = Inspection.objects.filter(declaration=funded).first()
    client.force_login(staff)
    answers = [
        client.post(
            reverse("monitoring:performance_plan", args=[funded.pk]),
            {
                "indicator-TOTAL_FORMS": values[0],
                "indicator-INITIAL_FORMS": "0",
                "indicator-0-name": values[1],
                "indicator-0-unit": values[2],
                "indicator-0-baseline": values[3],
                "indicator-0-target": values[4],
                "plan-mid_term_due_on": values[5],
                "plan-final_due_on": values[6],
            },
        ),
        client.post(
            reverse("monitoring:inspection_create", args=[funded.pk]),
            {
                "kind": values[0],
                "held_on": values[1],
                "findings": values[2],
                "rectification_required": values[3],
                "rectification_due_on": values[4],
            },
        ),
        client.post(
            reverse("monitoring:performance_evaluate", args=[report.pk]),
            {"evaluate-grade": values[5], "evaluate-opinion": values[6]},
        ),
        client.post(reverse("monitoring:performance_return", args=[report.pk]), {"return-note": values[7]}),
        client.get(reverse("monitoring:performance_reports"), {"which": values[0], "page": values[1]}),
        client.get(reverse("monitoring:inspections"), {"overdue": values[2], "page": values[3]}),
    ]
    if inspection is not None:
        answers.append(
            client.post(reverse("monitoring:inspection_close", args=[inspection.pk]), {"close-note": values[4]})
        )
    client.force_login(applicant)
    answers.append(
        client.post(
            reverse("monitoring:performance_fill", args=[report.pk]),
            {f"value_{indicator.pk}": values[0], "narrative": values[1], values[2][:20] or "save": ""},
        )
    )
    assert {answer.status_code for answer in answers} <= {200, 302, 400}
