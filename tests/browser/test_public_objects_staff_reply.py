"""A visitor searches the board, opens a list, objects to a project with a file and gets a receipt;
staff dismiss the objection with a reply; the visitor looks the reply up. Screenshots of each page in
English and Chinese, at desktop width and at 390 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.demo import Cast, batch_running_today, evidence_pdf, walk_to
from declarations.enums import DeclarationState as S
from publicity.services import publicity_batch_open
from tests.browser.conftest import login
from tests.factories import PASSWORD, CallFactory, DeclarationFactory, FinanceFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shoot(browser, url, output_dir, name):
    """The page at `url` in both languages and both widths, saved; none wider than the screen."""
    for locale, language in (("en-US", "en"), ("zh-CN", "zh")):
        for size, width in ((DESKTOP, "desktop"), (PHONE, "390")):
            context = browser.new_context(viewport=size, locale=locale)
            context.add_cookies(
                [{"name": "django_language", "value": "zh-hans" if language == "zh" else "en", "url": url}]
            )
            page = context.new_page()
            page.goto(url)
            page.screenshot(path=output_dir / f"publicity-{name}-{language}-{width}.png", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, language, width)
            context.close()


def test_a_visitor_objects_with_a_file_and_reads_the_reply_staff_gave(live_server, browser, page, output_dir, tmp_path):
    staff = StaffFactory(username="browser-staff")
    call = CallFactory()
    declaration = DeclarationFactory(call=call, title="Photonic chips for 5G base stations")
    cast = Cast(
        applicant=declaration.created_by,
        staff=staff,
        reviewers=[ReviewerFactory(), ReviewerFactory()],
        finance=FinanceFactory(),
    )
    walk_to(declaration, S.APPROVED, cast)
    batch = batch_running_today(publicity_batch_open(actor=staff, call=call, declaration_ids=[declaration.pk]))
    declaration.refresh_from_db()
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(evidence_pdf("proof"))
    board = f"{live_server.url}/publicity/"
    shoot(browser, board, output_dir, "board")

    # The visitor searches the board by the project's title and opens its list.
    page.set_viewport_size(PHONE)
    page.goto(board)
    page.get_by_role("searchbox").fill("photonic")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_text(declaration.number).first).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=batch.title).first.click()
    assert page.url.rstrip("/").endswith(f"/publicity/{batch.pk}")
    shoot(browser, page.url, output_dir, "batch")

    # ... and objects with a file.
    with page.expect_navigation():
        page.get_by_role("link", name="Raise an objection").first.click()
    objection_url = page.url
    shoot(browser, objection_url, output_dir, "objection-form")
    page.get_by_label("Your name").fill("李四")
    page.get_by_label("Telephone or e-mail").fill("138 0000 0000")
    page.get_by_label("Your objection").fill("The chips are made outside Beijing.")
    page.get_by_label("Evidence (optional)").set_input_files(str(proof))
    with page.expect_navigation():
        page.get_by_role("button", name="Send the objection").click()
    receipt = page.locator("#receipt-number").inner_text().strip()
    assert receipt.startswith("GS")
    page.screenshot(path=output_dir / "publicity-objection-receipt-en-390.png", full_page=True)

    # Staff reply and dismiss.
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "browser-staff", PASSWORD)
    page.goto(f"{live_server.url}/publicity/console/objections/")
    page.get_by_role("link", name=receipt).click()
    card = page.locator("article", has_text=receipt)
    card.get_by_label("Dismiss: the project stays in publicity").check()
    card.get_by_label("Reply to the objector").fill("Checked: the chips are made in Haidian.")
    with page.expect_navigation():
        card.get_by_role("button", name="Record the decision").click()
    # The decision cannot be changed afterwards: a page repeats it and the reply first.
    expect(page.locator("#confirmation")).to_contain_text("Checked: the chips are made in Haidian.")
    page.screenshot(path=output_dir / "publicity-objection-confirm-en-desktop.png", full_page=True)
    with page.expect_navigation():
        page.locator("#confirmation button[type=submit]").click()
    expect(page.get_by_text("The objection was dismissed.").first).to_be_visible()
    page.screenshot(path=output_dir / "publicity-objection-handled-en-desktop.png", full_page=True)

    # The visitor looks the reply up with the receipt number and the contact given.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/publicity/objections/lookup/")
    page.get_by_label("Receipt number").fill(receipt.lower())
    page.get_by_label("Telephone or e-mail").fill("13800000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Look up").click()
    expect(page.locator("#reply")).to_have_text("Checked: the chips are made in Haidian.")
    page.screenshot(path=output_dir / "publicity-objection-lookup-en-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert timezone.localdate() - timedelta(days=10) < batch.starts_on <= timezone.localdate()
