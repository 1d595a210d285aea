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


def test_the_chinese_estimator_reads_the_award_in_wan_yuan_with_full_width_punctuation(
    live_server, browser, output_dir
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(
        f"{live_server.url}/estimate/?programme=ART6&institution_registered_capital=50000000"
        "&manager_registered_with_amac=yes&investee_established_on=2023-05-10&investment_date=2026-03-01"
        "&investment_amount=8000000&equity_ratio_after_pct=12.5&first_round=yes&high_tech_field=yes"
    )

    expect(page.locator("[data-estimated-award]")).to_have_text("1,600,000.00")
    expect(page.get_by_text("（约 160.00 万元）")).to_be_visible()
    page.screenshot(path=output_dir / "estimator-zh.png", full_page=True)
    context.close()


def test_an_amount_typed_reads_in_wan_yuan_under_its_field_in_chinese_only(live_server, browser, output_dir):
    """Every amount field (common.forms.MoneyInput: the estimator's and the facts step's alike)
    says what the yuan typed come to in 万元, as they are typed; in English nothing is added."""
    chinese = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = chinese.new_page()
    page.goto(f"{live_server.url}/estimate/?programme=ART6")
    field = page.locator("input[name=investment_amount]")
    reading = field.locator("xpath=following-sibling::div[contains(@class, 'wan-reading')][1]")
    field.fill("8,000,000")
    expect(reading).to_have_text("约 800.00 万元")
    field.fill("12345678.9")
    expect(reading).to_have_text("约 1,234.57 万元")
    field.fill("9999")
    expect(reading).to_have_text("")
    field.fill("8,000,000")
    page.screenshot(path=output_dir / "estimator-zh-wan-reading.png", full_page=True)
    chinese.close()

    english = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = english.new_page()
    page.goto(f"{live_server.url}/estimate/?programme=ART6")
    page.locator("input[name=investment_amount]").fill("8,000,000")
    expect(page.locator(".wan-reading")).to_have_count(0)
    english.close()
