"""Smoke tests in a real browser: the public award estimator and signing in."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, ApplicantFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_estimator_shows_the_facts_of_the_chosen_programme(live_server, page, output_dir):
    page.goto(f"{live_server.url}/estimate/")
    page.select_option("select[name=programme]", "ART6")
    with page.expect_navigation():
        page.get_by_role("button", name="Choose").click()

    facts = page.locator("fieldset", has=page.locator("legend", has_text="2. Facts of ART6"))
    expect(facts).to_be_visible()
    expect(page.locator("select[name=programme]")).to_have_value("ART6")
    expect(facts.locator("input[name=investment_amount]")).to_be_visible()
    expect(page.get_by_role("button", name="Estimate", exact=True)).to_be_visible()
    page.screenshot(path=output_dir / "estimator.png", full_page=True)


def test_applicant_signs_in_and_sees_the_dashboard(live_server, page):
    ApplicantFactory(username="browser-applicant")
    login(page, live_server, "browser-applicant", PASSWORD)

    page.goto(f"{live_server.url}/applicant/")
    expect(page.get_by_role("heading", name="My declarations")).to_be_visible()
    expect(page.get_by_role("button", name="browser-applicant")).to_be_visible()
