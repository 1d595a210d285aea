"""Every list of every role in a real browser, on the demo's data, in Chinese and English at 1280 px,
1366 px and 390 px (issue 17, item 4): no page scrolls sideways, the header's menu stays on one line
at 1280 and 1366 px, a list fits its box there and is a stack of cards at 390 px with its amount on
the screen. Screenshots: lists-<role>-<page>-<language>-<width>.png."""

import io

import pytest
from django.core.management import call_command

from publicity.models import PublicityBatch
from tests.browser.conftest import LANGUAGES, WIDTHS, assert_fits_the_width, login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEMO_PASSWORD = "demo-pass-2026"  # nosec B105 -- the demo users' published password
# The common laptop widths of 1280 and 1366 px, and a phone's.
LIST_WIDTHS = ((1280, 800), *WIDTHS)
AMOUNT = "td.amount"
# Each role's list pages: (name for the screenshot, address, the selector of an amount cell, or None
# for a list without money). A batch's address takes the first publicised batch's key.
PAGES = {
    None: [
        ("home", "/", None),
        ("board", "/publicity/", AMOUNT),
        ("archive", "/publicity/archive/", None),
        ("batch", "/publicity/{batch}/", AMOUNT),
        ("open-data", "/monitoring/open-data/", AMOUNT),
    ],
    "applicant1": [
        ("dashboard", "/applicant/", AMOUNT),
        ("notices", "/notices/", None),
        ("api-tokens", "/api/tokens/", None),
    ],
    "reviewer1": [
        ("queue-to-score", "/console/?tab=to_score", AMOUNT),
        ("queue-done", "/console/?tab=done", AMOUNT),
        ("notices", "/notices/", None),
    ],
    "staff": [
        ("queue", "/console/", AMOUNT),
        ("ranking", "/console/ranking/", None),
        ("meetings", "/console/meetings/", None),
        ("registers", "/console/registers/", None),
        ("register-credit", "/console/registers/credit/", None),
        ("publicity-batches", "/publicity/console/", None),
        ("publicity-batch", "/publicity/console/{batch}/", AMOUNT),
        ("objections", "/publicity/console/objections/", None),
        ("budgets", "/console/budgets/", AMOUNT),
        ("statistics", "/monitoring/statistics/", AMOUNT),
        ("recovery-cases", "/disbursement/recovery-cases/", AMOUNT),
        ("performance-reports", "/monitoring/performance/", None),
        ("inspections", "/monitoring/supervision/", None),
        ("notices", "/notices/", None),
        ("api-tokens", "/api/tokens/", None),
    ],
    "finance": [
        ("to-prepare", "/disbursement/", AMOUNT),
        ("orders", "/disbursement/orders/", AMOUNT),
        ("payments", "/disbursement/payments/", AMOUNT),
        ("recovery-cases", "/disbursement/recovery-cases/", AMOUNT),
    ],
    # The administrator has the most entries in the header's menu.
    "admin": [
        ("calendar", "/publicity/console/calendar/", None),
        ("security-events", "/security/events/", None),
    ],
}

# The first list on the page that has rows, its first row's cells, and where each one ends.
FIRST_ROW = """() => {
  const table = Array.from(document.querySelectorAll("main table.table-stacked"))
    .find((t) => t.tBodies.length && t.tBodies[0].rows.length);
  if (!table) return null;
  const row = Array.from(table.tBodies[0].rows).find((r) => r.cells.length > 1) || table.tBodies[0].rows[0];
  return {
    fits: table.scrollWidth <= table.parentElement.clientWidth,
    cells: Array.from(row.cells).map((cell) => ({
      display: getComputedStyle(cell).display,
      label: cell.getAttribute("data-label"),
      left: cell.getBoundingClientRect().left,
      right: cell.getBoundingClientRect().right,
    })),
  };
}"""


def assert_list_reads_well(page, width, amount):
    """From 1200 px the page's list fits its box (no scrolling table); at 390 px it is a stack of cards,
    each cell a line inside the window and headed by its column's name, and the list's first amount
    is on the screen."""
    row = page.evaluate(FIRST_ROW)
    if row is None:
        return
    if width >= 1200:
        assert row["fits"], f"the list on {page.url} is wider than its box at {width} px"
        return
    assert {cell["display"] for cell in row["cells"]} == {"block"}, page.url
    assert [cell for cell in row["cells"] if cell["left"] < 0 or cell["right"] > width] == [], page.url
    assert any(cell["label"] for cell in row["cells"]), f"the cards on {page.url} have no labels"
    if amount:
        cells = page.locator(f"main table.table-stacked {amount}")
        assert cells.count(), f"no amount on {page.url}"
        cell = cells.first
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the amount is off the screen on {page.url}"
        assert cell.inner_text().strip()


def assert_menu_on_one_line(page):
    """The header's bar is as tall as its brand: its entries are not wrapped onto a second row."""
    assert page.locator(".site-navbar").bounding_box()["height"] < 70, f"the menu wraps on {page.url}"


def read_lists(browser, live_server, output_dir, username, pages):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    if username:
        login(page, live_server, username, DEMO_PASSWORD)
    host = live_server.url.split("//")[1].split(":")[0]
    for language, _locale in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        # The header's menu, widest in English, is not collapsed from 1200 px: at 1280 px too it fits.
        for width, height in LIST_WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            for name, address, amount in pages:
                response = page.goto(f"{live_server.url}{address}")
                assert response.status == 200, f"{address}: {response.status}"
                assert page.locator("html").get_attribute("lang") == language
                assert_fits_the_width(page)
                if width >= 1200:
                    assert_menu_on_one_line(page)
                assert_list_reads_well(page, width, amount)
                page.screenshot(
                    path=str(output_dir / f"lists-{username or 'public'}-{name}-{language}-{width}.png"), full_page=True
                )
    context.close()


@pytest.mark.parametrize("username", list(PAGES), ids=[name or "public" for name in PAGES])
def test_every_list_fits_the_screen_and_stacks_on_a_phone(browser, live_server, output_dir, username):
    call_command("load_demo", stdout=io.StringIO())
    batch = PublicityBatch.objects.order_by("pk").first()
    pages = [(name, address.format(batch=batch.pk), amount) for name, address, amount in PAGES[username]]

    read_lists(browser, live_server, output_dir, username, pages)


def test_a_table_wider_than_the_phone_fails_the_checks(browser, live_server):
    """The checks above can fail: a 2000 px table planted in the page makes it scroll sideways, and a
    plain (unstacked) list at 390 px runs off the screen."""
    call_command("load_demo", stdout=io.StringIO())
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/monitoring/open-data/")
    assert_fits_the_width(page)
    assert_list_reads_well(page, 390, AMOUNT)

    # The list drawn as a plain table again (the browser's own display of each part).
    page.evaluate(
        """() => {
          const table = document.querySelector("main table.table-stacked");
          [table, ...table.querySelectorAll("thead, tbody, tr, td, th")].forEach((part) => {
            part.style.display = "revert";
          });
        }"""
    )
    with pytest.raises(AssertionError, match="open-data"):
        assert_list_reads_well(page, 390, AMOUNT)

    page.evaluate(
        """() => {
          const table = document.createElement("table");
          table.style.width = "2000px";
          table.innerHTML = "<tr><td>wide</td></tr>";
          document.querySelector("main").append(table);
        }"""
    )
    with pytest.raises(AssertionError, match="px wide in a 390 px window"):
        assert_fits_the_width(page)
    context.close()
