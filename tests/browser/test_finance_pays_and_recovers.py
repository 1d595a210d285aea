"""The money in a real browser: a finance officer records the unit's bank account and prepares a
payment order, a second finance officer approves it after the Art. 17 re-check, the first marks it
paid and the declaration is paid; staff then open a recovery case (Art. 21) and finance records it
repaid in two parts. Screenshots of each page are saved, desktop and 390 px wide."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from disbursement.enums import RecoveryCaseState
from disbursement.models import PaymentOrder, RecoveryCase
from tests.browser.conftest import login
from tests.factories import PASSWORD, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "First-round investment in a lidar start-up"


@pytest.fixture
def confirmed(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    cast = Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )
    return build_to(
        DeclarationFactory(organisation=applicant.organisation, created_by=applicant, title=TITLE),
        S.CONFIRMED,
        cast=cast,
    )


def _narrow(browser, live_server, username, url, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow = context.new_page()
    login(narrow, live_server, username, PASSWORD)
    narrow.goto(url)
    narrow.screenshot(path=str(path), full_page=True)
    context.close()


def test_finance_pays_through_two_officers_and_a_recovery_is_repaid_in_two_parts(
    confirmed, finance, second_finance, staff, browser, page, live_server, output_dir
):
    money_page = f"{live_server.url}/disbursement/{confirmed.pk}/"

    # The first officer finds the declaration among the orders to prepare and records the account.
    login(page, live_server, finance.username, PASSWORD)
    page.goto(f"{live_server.url}/disbursement/")
    page.get_by_role("link", name=confirmed.number).click()
    expect(page.get_by_role("heading", name="Payment plan")).to_be_visible()
    page.get_by_role("link", name="Record the bank account").click()
    page.get_by_label("Bank and branch").fill("北京银行中关村分行")
    page.get_by_label("Account number").fill("6222 0202 0011 2233 445")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the bank account").click()
    expect(page.get_by_text("Bank account saved.")).to_be_visible()
    assert page.url == money_page

    # ... and prepares the order for the whole tranche; they cannot approve it themselves.
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare the order").click()
    expect(page.get_by_text("a second finance officer must approve it")).to_be_visible()
    expect(page.get_by_role("button", name="Re-check and approve")).to_be_disabled()
    expect(
        page.get_by_text("You prepared this order: a second finance officer must approve or reject it.")
    ).to_be_visible()
    page.screenshot(path=str(output_dir / "finance-order-prepared.png"), full_page=True)
    order = PaymentOrder.objects.get(declaration=confirmed)

    # The second officer sees it waiting, with the unit's re-check clear, and approves it.
    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    login(approver, live_server, second_finance.username, PASSWORD)
    approver.goto(f"{live_server.url}/disbursement/orders/?state=prepared")
    expect(approver.get_by_text("Clear")).to_be_visible()
    approver.screenshot(path=str(output_dir / "finance-orders-waiting.png"), full_page=True)
    approver.get_by_role("link", name=order.number).click()
    with approver.expect_navigation():
        approver.get_by_role("button", name="Re-check and approve").click()
    expect(approver.get_by_role("heading", name="Approve the payment order")).to_be_visible()
    with approver.expect_navigation():
        approver.locator("#confirmation button[type=submit]").click()
    expect(approver.get_by_text(f"Order {order.number} approved.")).to_be_visible()
    expect(approver.get_by_text("Passed")).to_be_visible()

    # The first officer marks it paid with the voucher number.
    page.goto(money_page)
    page.get_by_label("Voucher number").fill("BOB-2026-120301")
    page.get_by_label("Paid on").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Mark paid").click()
    expect(page.locator("#confirmation")).to_contain_text("BOB-2026-120301")
    with page.expect_navigation():
        page.locator("#confirmation button[type=submit]").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    expect(page.get_by_test_id("order-state")).to_have_text("Paid")
    page.screenshot(path=str(output_dir / "finance-order-paid.png"), full_page=True)
    assert Declaration.objects.get(pk=confirmed.pk).state == S.PAID

    _narrow(browser, live_server, finance.username, money_page, output_dir / "finance-money-page-390-zh.png")

    # Staff find the support was obtained improperly and open a recovery case for 600,000 yuan.
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    login(staff_page, live_server, staff.username, PASSWORD)
    staff_page.goto(money_page)
    expect(staff_page.get_by_text("6222020200112233445")).to_have_count(0)
    staff_page.get_by_label("Amount to recover (yuan)").fill("600,000.00")
    staff_page.get_by_label("To be repaid by").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    staff_page.get_by_label("Reason").last.fill("The investment agreement was backdated.")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Open the recovery case").click()
    # Opening a case cannot be undone: a page repeats the amount and the date first.
    expect(staff_page.locator("#confirmation")).to_contain_text("600,000.00 yuan are to be repaid by")
    staff_page.screenshot(path=str(output_dir / "staff-recovery-case-confirm.png"), full_page=True)
    with staff_page.expect_navigation():
        staff_page.locator("#confirmation button[type=submit]").click()
    expect(staff_page.get_by_text("600,000.00 yuan to recover (Art. 21)")).to_be_visible()
    staff_page.screenshot(path=str(output_dir / "staff-recovery-case-opened.png"), full_page=True)
    case = RecoveryCase.objects.get(declaration=confirmed)

    # Finance records the money paid back in two parts; the case is repaid.
    for part, reference in [("250,000.00", "RET-1"), ("350,000.00", "RET-2")]:
        page.goto(money_page)
        form = page.locator(f"form[action$='/recovery-cases/{case.pk}/repayments/']")
        form.get_by_label("Amount repaid (yuan)").fill(part)
        form.get_by_label("Received on").fill(timezone.localdate().isoformat())
        form.get_by_label("Receipt reference").fill(reference)
        with page.expect_navigation():
            form.get_by_role("button", name="Record repayment").click()
        expect(page.locator("#confirmation")).to_contain_text(f"A repayment of {part} yuan")
        with page.expect_navigation():
            page.locator("#confirmation button[type=submit]").click()
        expect(page.get_by_text(f"Repayment of {part} yuan recorded")).to_be_visible()
    case.refresh_from_db()
    assert (case.state, case.repaid_amount) == (RecoveryCaseState.REPAID, Decimal("600000.00"))
    page.screenshot(path=str(output_dir / "finance-recovery-repaid.png"), full_page=True)
