"""axe-core on the main pages of every role (tests/browser/conftest.py's assert_accessible): the
public's, the applicant's dashboard and wizard steps, the reviewer's queue and scoring page, the
staff console and a declaration's page, and the finance pages. No serious or critical violation, in
English at desktop width and in Chinese at 390 px. Screenshots of each page are saved."""

import pytest

from config.demo import Cast
from declarations.enums import DeclarationState as S
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDE = {"viewport": {"width": 1366, "height": 900}, "locale": "en-US"}
NARROW = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN"}
SIZES = pytest.mark.parametrize("size", [WIDE, NARROW], ids=["en-1366", "zh-390"])


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    reviewers = [reviewer, second_reviewer]
    return Cast(applicant=applicant, staff=staff, reviewers=reviewers, finance=finance, approver=second_finance)


@pytest.fixture
def under_review(cast, applicant):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant, title="Photonic chips")
    return build_to(declaration, S.UNDER_REVIEW, cast=cast)


@pytest.fixture
def confirmed(cast, applicant):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant, title="Quantum sensing")
    return build_to(declaration, S.CONFIRMED, cast=cast)


def _check(browser, size, live_server, output_dir, name, paths, username=None):
    """Each of `paths` opened, checked with axe and photographed, signed in as `username` if given;
    every page's violations reported together."""
    failures = []
    context = browser.new_context(**size)
    page = context.new_page()
    page.set_default_timeout(30_000)  # a first page of the live server on a busy machine takes its time
    try:
        if username:
            login(page, live_server, username, PASSWORD)
        for index, path in enumerate(paths):
            page.goto(f"{live_server.url}{path}")
            shot = f"a11y-{name}-{index}-{size['locale']}-{size['viewport']['width']}.png"
            page.screenshot(path=output_dir / shot, full_page=True)
            try:
                assert_accessible(page)
            except AssertionError as violations:
                failures.append(str(violations))
    finally:
        context.close()
    assert not failures, "\n\n".join(failures)


@SIZES
def test_the_public_pages_have_no_serious_accessibility_violation(browser, live_server, output_dir, confirmed, size):
    _check(browser, size, live_server, output_dir, "public", ["/", "/publicity/", "/estimate/", "/accounts/login/"])


@SIZES
def test_the_applicant_pages_have_no_serious_accessibility_violation(
    browser, live_server, output_dir, applicant, draft, confirmed, size
):
    steps = ["organisation", "project", "facts", "attachments", "commitment", "review"]
    paths = ["/applicant/", "/applicant/declarations/new/", f"/applicant/declarations/{confirmed.pk}/"]
    paths += [f"/applicant/declarations/{draft.pk}/steps/{step}/" for step in steps]
    _check(browser, size, live_server, output_dir, "applicant", paths, applicant.username)


@SIZES
def test_the_reviewer_pages_have_no_serious_accessibility_violation(
    browser, live_server, output_dir, reviewer, under_review, size
):
    paths = ["/console/", f"/console/{under_review.pk}/"]  # the declaration's page holds the scoring form
    _check(browser, size, live_server, output_dir, "reviewer", paths, reviewer.username)


@SIZES
def test_the_staff_pages_have_no_serious_accessibility_violation(
    browser, live_server, output_dir, staff, under_review, confirmed, size
):
    paths = ["/console/", "/console/?state=under_review", f"/console/{confirmed.pk}/", f"/console/{under_review.pk}/"]
    _check(browser, size, live_server, output_dir, "staff", paths, staff.username)


@SIZES
def test_the_finance_pages_have_no_serious_accessibility_violation(
    browser, live_server, output_dir, finance, confirmed, size
):
    paths = ["/disbursement/", "/disbursement/orders/", "/disbursement/payments/", f"/disbursement/{confirmed.pk}/"]
    _check(browser, size, live_server, output_dir, "finance", paths, finance.username)
