"""The public board, a list and an earlier version in a real browser, at desktop width and at 390 px,
in English and in Chinese: screenshots for a reader to look at, and what a reader must be able to
do (search, move to a page, read the superseded version's notice) without a horizontal page scroll."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publicity.services import EntryCorrection, publicity_version_publish
from tests.publicity.conftest import OPENED_ON, on

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The last day of the standard list (opened on 29 September 2026), in the afternoon.
LAST_DAY = date(2026, 10, 12)


@pytest.fixture
def lists(staff, publicise, make_approved, bulk_batch):
    """A running list of three (one title corrected in version 2, one project added with a period of
    its own, a classified project), and a closed list of 60 in the archive."""
    batch, (first, _second, _third, _secret) = publicise(3, classified=1)
    with on(OPENED_ON):
        (added,) = make_approved(batch.call, 1)
    with on(date(2026, 10, 8)):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="The title of the first project is corrected after an objection; one project is added.",
            corrections=[EntryCorrection(entry_id=first.publicity_entries.get().pk, title="Quantum sensing platform")],
            add_declaration_ids=[added.pk],
        )
    archive = bulk_batch(
        60, title="List of projects to be supported, 2025 annual declaration notice", closed_at=timezone.now()
    )
    return batch, archive


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [1280, 390])
def test_public_pages_read_at_every_width_in_both_languages(live_server, browser, output_dir, lists, width, language):
    batch, _archive = lists
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        with on(LAST_DAY, hour=15):
            for name, path in [
                ("board", "/publicity/"),
                ("batch", f"/publicity/{batch.pk}/"),
                ("version", f"/publicity/{batch.pk}/v1/"),
            ]:
                page.goto(f"{live_server.url}{path}")
                expect(page.locator("h1")).to_be_visible()
                page.screenshot(path=output_dir / f"publicity-{name}-{width}-{language}.png", full_page=True)
                # The page never scrolls sideways; a wide table scrolls inside its own box.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_reader_searches_the_board_and_pages_through_it(live_server, page, lists):
    _batch, archive = lists

    page.goto(f"{live_server.url}/publicity/")
    page.get_by_label("Unit, project or number").fill("Quantum sensing")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.locator("table.entries tbody tr")).to_have_count(2)  # the list's header row and the project

    page.goto(f"{live_server.url}/publicity/?batch={archive.pk}")
    with page.expect_navigation():
        page.get_by_role("link", name="2", exact=True).click()
    expect(page.locator("caption")).to_contain_text("page 2 of 2")
