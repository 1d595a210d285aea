"""Performance management in a real browser: the unit fills its report in and submits it, staff
grade it on the console; screenshots of each page, desktop and 390 px wide in Chinese."""

import pytest
from playwright.sync_api import expect

from config.demo import Cast
from declarations.enums import DeclarationState as S
from monitoring.enums import ReportState
from monitoring.models import PerformanceReport
from tests.browser.conftest import login
from tests.factories import PASSWORD, DeclarationFactory
from tests.factories.states import build_to
from tests.monitoring.conftest import plan

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def planned(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    cast = Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )
    declaration = build_to(
        DeclarationFactory(organisation=applicant.organisation, created_by=applicant), S.PAID, cast=cast
    )
    plan(declaration, staff, mid_in=None)
    return declaration


def _narrow(browser, live_server, username, url, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow = context.new_page()
    login(narrow, live_server, username, PASSWORD)
    narrow.goto(url)
    narrow.screenshot(path=str(path), full_page=True)
    context.close()


def test_the_unit_reports_and_staff_grade_it(planned, applicant, staff, browser, page, live_server, output_dir):
    report = PerformanceReport.objects.get(declaration=planned)
    login(page, live_server, applicant.username, PASSWORD)
    page.goto(f"{live_server.url}/applicant/declarations/{planned.pk}/")
    page.get_by_role("link", name="Fill in the report").click()
    page.get_by_label("Follow-on financing raised (10,000 yuan)").fill("2500")
    page.get_by_label("Revenue growth (%)").fill("18.5")
    page.get_by_label("Progress of the project").fill("Two investees raised follow-on rounds.")
    page.screenshot(path=str(output_dir / "performance-fill.png"), full_page=True)
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("The report was submitted.")).to_be_visible()
    _narrow(
        browser,
        live_server,
        applicant.username,
        f"{live_server.url}/applicant/declarations/{planned.pk}/",
        output_dir / "performance-applicant-390.png",
    )

    page.context.clear_cookies()
    login(page, live_server, staff.username, PASSWORD)
    page.goto(f"{live_server.url}/monitoring/performance/?which=submitted")
    page.get_by_role("link", name=planned.number).click()
    page.get_by_label("Good").check()
    page.get_by_label("Evaluation opinion").fill("Targets mostly reached.")
    page.get_by_role("button", name="Record the grade").click()
    # A grade cannot be changed afterwards: a page repeats it first.
    expect(page.locator("#confirmation")).to_contain_text("The report is graded “Good”")
    page.locator("#confirmation button[type=submit]").click()
    expect(page.get_by_text("The report was evaluated.")).to_be_visible()
    page.screenshot(path=str(output_dir / "performance-graded.png"), full_page=True)
    _narrow(
        browser,
        live_server,
        staff.username,
        f"{live_server.url}/console/{planned.pk}/",
        output_dir / "performance-console-390.png",
    )
    report.refresh_from_db()
    assert (report.state, report.grade) == (ReportState.EVALUATED, "good")
