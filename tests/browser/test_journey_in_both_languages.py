"""Each role's home and one declaration's whole life in a real browser, in Chinese and English at
1366 px and 390 px (issue 17): every page fits the width, axe-core finds no serious or critical
violation on it, and a screenshot of it is saved (journey-home-<role>-<lang>-<width>.png and
journey-<step>-<lang>-<width>.png).

Elements are found by ids, names and URLs, not by their text, so that one test reads both languages.
Publicity is opened and closed by build_to: its pages have a journey of their own
(test_public_objects_staff_reply.py), and its closing is the system's, after 5 working days."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.demo import Cast, batch_running_today
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from tests.browser.conftest import LANGUAGES, WIDTHS, assert_accessible, assert_fits_the_width, login
from tests.factories import PASSWORD, DeclarationFactory
from tests.factories.states import build_to, ready_to_submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COMBINATIONS = pytest.mark.parametrize(
    ("language", "locale", "width", "height"),
    [(language, locale, width, height) for language, locale in LANGUAGES for width, height in WIDTHS],
    ids=[f"{language}-{width}" for language, _locale in LANGUAGES for width, _height in WIDTHS],
)
APPROVED = "1,200,000.00"


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    reviewers = [reviewer, second_reviewer]
    return Cast(applicant=applicant, staff=staff, reviewers=reviewers, finance=finance, approver=second_finance)


class Pages:
    """Pages in one language and at one width, each in a context of its own (one per role), and the
    check every page of this module gets."""

    def __init__(self, browser, live_server, output_dir, language, locale, width, height):
        self.browser, self.live_server, self.output_dir = browser, live_server, output_dir
        self.language, self.locale, self.width, self.height = language, locale, width, height
        self.contexts = []

    def page(self, user=None):
        """A new page with the browser locale of the language and its cookie, signed in as `user` if given."""
        context = self.browser.new_context(viewport={"width": self.width, "height": self.height}, locale=self.locale)
        context.add_cookies([{"name": "django_language", "value": self.language, "url": self.live_server.url}])
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)  # a first page of the live server on a busy machine takes its time
        if user is not None:
            login(page, self.live_server, user.username, PASSWORD)
        return page

    def goto(self, page, path):
        page.goto(f"{self.live_server.url}{path}")

    def check(self, page, name):
        """The page is in the language, fits the width and passes axe; its screenshot is saved."""
        assert page.locator("html").get_attribute("lang") == self.language
        assert_fits_the_width(page)
        assert_accessible(page)
        page.screenshot(path=self.output_dir / f"{name}-{self.language}-{self.width}.png", full_page=True)

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, output_dir, language, locale, width, height):
    pages = Pages(browser, live_server, output_dir, language, locale, width, height)
    yield pages
    pages.close()


def _to_confirmation(page, form_selector):
    """Send the form of an irreversible action: the confirmation step comes first."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()
    expect(page.locator("#confirmation")).to_be_visible()


def _confirm(page):
    with page.expect_navigation():
        page.locator("#confirmation button[type=submit]").click()


def _send(pages, page, form_selector, step):
    """Send a form whose action may or may not ask for confirmation first; if it does, that page is
    checked too (journey-<step>-confirm) and the action confirmed."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()
    if page.locator("#confirmation").count():
        pages.check(page, f"journey-{step}-confirm")
        _confirm(page)


@pytest.fixture
def homes_work(cast, applicant, draft):
    """Something for each role to do: the applicant a draft and a declaration returned for revision,
    staff a submitted one and a reviewed one, the reviewer one to score, finance one to pay."""

    def declaration(state, title):
        made = DeclarationFactory(
            organisation=applicant.organisation, created_by=applicant, call=draft.call, title=title
        )
        return build_to(made, state, cast=cast)

    return {
        "draft": draft,
        "returned": declaration(S.RETURNED, "Seed round in a lidar start-up"),
        "submitted": declaration(S.SUBMITTED, "First round in a photonic chip maker"),
        "under_review": declaration(S.UNDER_REVIEW, "First round in a quantum sensing start-up"),
        "reviewed": declaration(S.REVIEWED, "First round in a battery materials company"),
        "confirmed": declaration(S.CONFIRMED, "First round in a robotics start-up"),
    }


@COMBINATIONS
def test_each_roles_home_shows_its_work_fits_the_width_and_passes_axe(
    pages, applicant, reviewer, staff, finance, homes_work
):
    page = pages.page(applicant)
    pages.goto(page, "/applicant/")
    for key in ("draft", "returned", "confirmed"):
        expect(page.locator(f"a[href*='/applicant/declarations/{homes_work[key].pk}/']").first).to_be_visible()
    pages.check(page, "journey-home-applicant")

    page = pages.page(reviewer)
    pages.goto(page, "/console/")
    expect(page.locator(f"main a[href$='/console/{homes_work['under_review'].pk}/']").first).to_be_visible()
    pages.check(page, "journey-home-reviewer")

    page = pages.page(staff)
    pages.goto(page, "/console/home/")
    for state in (S.SUBMITTED, S.REVIEWED):
        expect(page.locator(f"#state-counts a[href$='?state={state.value}'] .badge")).to_have_text("1")
    pages.check(page, "journey-home-staff")

    page = pages.page(finance)
    pages.goto(page, "/disbursement/home/")
    expect(page.locator("#count-to-prepare")).to_have_text("1")
    pages.check(page, "journey-home-finance")


@COMBINATIONS
def test_one_declaration_from_declaring_to_payment_in_each_roles_browser(
    pages, cast, applicant, staff, reviewer, finance, second_finance, draft
):
    declaration = ready_to_submit(draft, applicant)
    pk = declaration.pk

    # The applicant submits the completed draft through the confirmation step.
    applicant_page = pages.page(applicant)
    pages.goto(applicant_page, f"/applicant/declarations/{pk}/steps/review/")
    expect(applicant_page.locator("#submission-problems")).to_have_count(0)
    pages.check(applicant_page, "journey-review")
    _to_confirmation(applicant_page, f"form[action$='/declarations/{pk}/submit/']")
    pages.check(applicant_page, "journey-submit-confirm")
    _confirm(applicant_page)
    expect(applicant_page.locator("#declaration-number")).to_have_text(Declaration.objects.get(pk=pk).number)
    pages.check(applicant_page, "journey-submitted")

    # Staff accept it after ticking the checklist, and assign one expert reviewer.
    staff_page = pages.page(staff)
    console = f"/console/{pk}/"
    pages.goto(staff_page, console)
    expect(staff_page.locator("#acceptance-form-heading")).to_be_visible()
    pages.check(staff_page, "journey-accept")
    boxes = staff_page.locator("input[name='acceptance-checklist']")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    with staff_page.expect_navigation():
        staff_page.locator("button[name='acceptance-outcome'][value='accept']").click()
    pages.check(staff_page, "journey-accept-confirm")
    _confirm(staff_page)
    staff_page.locator(f"input[name='assign-reviewers'][value='{reviewer.pk}']").check()
    _send(pages, staff_page, "form:has(input[name='action'][value='assign'])", "assign")
    assert Declaration.objects.get(pk=pk).state == S.UNDER_REVIEW
    pages.check(staff_page, "journey-assigned")

    # The reviewer finds it in their queue, scores it and submits the evaluation.
    reviewer_page = pages.page(reviewer)
    pages.goto(reviewer_page, "/console/")
    link = reviewer_page.locator(f"main a[href$='/console/{pk}/']").first
    expect(link).to_be_visible()
    with reviewer_page.expect_navigation():
        link.click()
    inputs = reviewer_page.locator("input[name^='evaluation-criterion_']")
    for index in range(inputs.count()):
        field = inputs.nth(index)
        field.fill(str(int(Decimal(field.get_attribute("max")) * Decimal("0.8"))))
    reviewer_page.locator("textarea[name='evaluation-opinion']").fill("属中关村高新技术领域的首轮投资。")
    pages.check(reviewer_page, "journey-score")
    with reviewer_page.expect_navigation():
        reviewer_page.locator("button[name='submit']").click()
    pages.check(reviewer_page, "journey-score-confirm")
    _confirm(reviewer_page)
    assert Declaration.objects.get(pk=pk).state == S.REVIEWED
    pages.check(reviewer_page, "journey-scored")

    # Staff record the evaluation meeting and its opinion, then decide at the proposed amount.
    pages.goto(staff_page, f"/console/meetings/new/?call={declaration.call_id}")
    staff_page.locator("input[name='held_on']").fill(timezone.localdate().isoformat())
    staff_page.locator("input[name='place']").fill("301会议室")
    for member in (staff, reviewer):
        staff_page.locator(f"input[name='members'][value='{member.pk}']").check()
    _send(pages, staff_page, "form:has(input[name='held_on'])", "meeting")
    staff_page.locator("select[name='opinion-declaration']").select_option(str(pk))
    staff_page.locator("input[name='opinion-scheme'][value='support']").check()
    staff_page.locator("input[name='opinion-proposed_amount']").fill(APPROVED)
    staff_page.locator("textarea[name='opinion-opinion']").fill("建议支持。")
    _send(pages, staff_page, "form:has(select[name='opinion-declaration'])", "opinion")
    expect(staff_page.locator("#opinions")).to_contain_text("建议支持。")
    pages.check(staff_page, "journey-meeting")
    pages.goto(staff_page, console)
    expect(staff_page.locator("input[name='approve-amount']")).to_have_value(APPROVED)
    pages.check(staff_page, "journey-decide")
    _to_confirmation(staff_page, "form:has(input[name='action'][value='approve'])")
    expect(staff_page.locator("#confirmation")).to_contain_text(APPROVED)
    pages.check(staff_page, "journey-decide-confirm")
    _confirm(staff_page)
    assert Declaration.objects.get(pk=pk).state == S.APPROVED
    pages.check(staff_page, "journey-decided")

    # Publicity opens; the public board shows the project. After its 5 working days it closes.
    declaration = build_to(declaration, S.IN_PUBLICITY, cast=cast)
    batch_running_today(declaration.publicity_entries.get().batch)
    public_page = pages.page()
    pages.goto(public_page, "/publicity/")
    expect(public_page.get_by_text(declaration.number).first).to_be_visible()
    pages.check(public_page, "journey-publicity")
    build_to(declaration, S.CONFIRMED, cast=cast)

    # Finance records the bank account and prepares the order; a second officer approves it.
    finance_page = pages.page(finance)
    money = f"/disbursement/{pk}/"
    pages.goto(finance_page, money)
    with finance_page.expect_navigation():
        finance_page.locator("main a[href*='/bank-account/']").click()
    finance_page.locator("input[name='bank_name']").fill("北京银行中关村分行")
    finance_page.locator("input[name='account_number']").fill("6222 0202 0011 2233 445")
    _send(pages, finance_page, "form:has(input[name='account_number'])", "bank-account")
    _send(pages, finance_page, f"form[action$='/disbursement/{pk}/orders/']", "order-prepare")
    expect(finance_page.get_by_test_id("order-state")).to_have_count(1)
    pages.check(finance_page, "journey-order-prepared")

    approver_page = pages.page(second_finance)
    pages.goto(approver_page, money)
    _to_confirmation(approver_page, "form[action*='/approve/']")
    pages.check(approver_page, "journey-order-approve-confirm")
    _confirm(approver_page)
    pages.check(approver_page, "journey-order-approved")

    # The first officer marks it paid with the voucher number.
    pages.goto(finance_page, money)
    finance_page.locator("input[name$='-voucher_number']").fill("BOB-2026-120301")
    finance_page.locator("input[name$='-paid_on']").fill(timezone.localdate().isoformat())
    _to_confirmation(finance_page, "form[action*='/paid/']")
    expect(finance_page.locator("#confirmation")).to_contain_text("BOB-2026-120301")
    pages.check(finance_page, "journey-paid-confirm")
    _confirm(finance_page)
    assert Declaration.objects.get(pk=pk).state == S.PAID
    pages.check(finance_page, "journey-paid")

    # The applicant sees the payment on the declaration's page.
    pages.goto(applicant_page, f"/applicant/declarations/{pk}/")
    payments = applicant_page.locator("section[aria-labelledby='money-heading'] table tbody tr")
    expect(payments).to_have_count(1)
    expect(payments).to_contain_text(APPROVED)
    pages.check(applicant_page, "journey-applicant-paid")
