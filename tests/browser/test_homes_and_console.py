"""The staff's home, the finance officer's home and a declaration's console page in a real browser,
in Chinese and English at 1366 px and 390 px: each fits the width (no horizontal scroll), the task
comes first, and disabled actions carry their reason. Screenshots: home-staff-<lang>-<width>.png,
home-finance-<lang>-<width>.png, console-declaration-<lang>-<width>.png."""

import datetime

import pytest
from django.utils import timezone

from config.demo import Cast
from declarations.enums import DeclarationState as S
from tests.browser.conftest import LANGUAGES, WIDTHS, assert_fits_the_width, login
from tests.factories import PASSWORD, CallFactory, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def work(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    cast = Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)
    call = CallFactory(closes_at=timezone.now() + datetime.timedelta(days=12))
    submitted = build_to(
        DeclarationFactory(call=call, organisation=applicant.organisation, created_by=applicant),
        S.SUBMITTED,
        cast=cast,
    )
    # A fixture shortcut: the homes count states, they do not walk them.
    for state, count in ((S.SUBMITTED, 3), (S.UNDER_REVIEW, 2), (S.REVIEWED, 1)):
        for _ in range(count):
            DeclarationFactory(call=call, state=state, submitted_at=timezone.now() - datetime.timedelta(days=15))
    for _ in range(2):
        DeclarationFactory(call=call, state=S.CONFIRMED, approved_amount="1000000.00")
    return submitted


def _pages(browser, live_server, user, locale, shoot):
    """Sign `user` in once; for each language and width, call shoot(page, language, width)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
    page = context.new_page()
    login(page, live_server, user.username, PASSWORD)
    host = live_server.url.split("//")[1].split(":")[0]
    for language, _locale in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            shoot(page, language, width)
    context.close()


def test_staff_and_finance_homes_and_the_console_page(browser, live_server, output_dir, staff, finance, work):
    def staff_pages(page, language, width):
        page.goto(f"{live_server.url}/console/home/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#state-counts li").count() == 4
        assert page.locator("#overdue-work .badge").first.inner_text() == "3"
        assert_fits_the_width(page)
        page.screenshot(path=str(output_dir / f"home-staff-{language}-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/console/{work.pk}/")
        # The acceptance, the task of a submitted declaration, comes before the project.
        heading = page.locator("#acceptance-heading").bounding_box()["y"]
        assert heading < page.locator("#project-heading").bounding_box()["y"]
        refused = page.locator("#actions-refused button[disabled]")
        assert refused.count() == 3
        assert page.locator("#refused-approve").inner_text()
        assert_fits_the_width(page)
        page.screenshot(path=str(output_dir / f"console-declaration-{language}-{width}.png"), full_page=True)

    def finance_pages(page, language, width):
        page.goto(f"{live_server.url}/disbursement/home/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#count-to-prepare").inner_text() == "2"
        assert_fits_the_width(page)
        page.screenshot(path=str(output_dir / f"home-finance-{language}-{width}.png"), full_page=True)

    _pages(browser, live_server, staff, "zh-CN", staff_pages)
    _pages(browser, live_server, finance, "zh-CN", finance_pages)
