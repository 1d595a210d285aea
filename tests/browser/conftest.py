"""Playwright on the system Chromium (apt package `chromium`, /usr/bin/chromium; never a downloaded
browser) against pytest-django's live server.

Tests take `live_server` and `page`, and are marked
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the live server needs a
transactional database, and the serialized rollback restores the programmes the data migration loads.
Screenshots go to `output_dir` (test-output/, or $TEST_OUTPUT_DIR).
"""

import os
import time
from pathlib import Path

import pytest

from tests.factories import totp_code

# The publicity tests' fixtures, for the browser's look at the public pages.
from tests.publicity.conftest import bulk_batch, make_approved, publicise  # noqa: F401 -- fixtures

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def browser(monkeypatch):
    """Chromium, started and stopped for each test.

    While Playwright's sync API runs, an event loop is marked running in the main thread: Django's ORM
    refuses to run there (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and its
    `connections` hands out other connection objects than the test database's own (asgiref's Local
    switches to context storage). Those lack the serialized contents that `serialized_rollback`
    restores, so a Playwright kept for the session would break every transactional test after it.
    Per test, the database set-up and flush run before Playwright starts and after it stops, and the
    connections opened meanwhile are closed here.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install the Debian package `chromium` (make system)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            connections.close_all()
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir():
    """The test run's output folder (screenshots), created if missing."""
    path = Path(os.environ.get("TEST_OUTPUT_DIR", REPO_ROOT / "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def login(page, live_server, username, password):
    """Sign in through allauth's login page and, for a staff-side user (whose authenticator app the
    factories set up), its second step: the code. The header's language switcher holds the page's first
    submit button, so each form is submitted with Enter in its field."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/accounts/login/" not in page.url, f"login failed for {username}"
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("input[name=code]", unused_totp_code(username))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        assert "/accounts/2fa/authenticate/" not in page.url, f"the code was refused for {username}"


_last_code_period = {}


def unused_totp_code(username):
    """The current code of `username`'s authenticator app; a code is accepted once, so a second
    sign-in in the same 30 seconds waits for the next one."""
    period = int(time.time()) // 30
    if _last_code_period.get(username) == period:
        time.sleep(30 - time.time() % 30 + 0.1)
        period = int(time.time()) // 30
    _last_code_period[username] = period
    return totp_code()


# The site's two languages (with a browser locale of each) and the two widths every page is read at:
# a 1366 px laptop and a 390 px phone.
LANGUAGES = (("zh-hans", "zh-CN"), ("en", "en-US"))
WIDTHS = ((1366, 900), (390, 844))


def assert_fits_the_width(page):
    """The page as it is now does not scroll sideways: nothing in it is wider than the window."""
    scroll_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= window_width, f"{page.url} is {scroll_width} px wide in a {window_width} px window"


# axe-core's impacts that fail a page; "moderate" and "minor" ones are reported by axe but not failed.
AXE_FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, impacts=AXE_FAILING_IMPACTS):
    """axe-core's violations on the page as it is now, of the given impacts: axe.min.js from the
    installed axe-playwright-python package (no CDN), injected by Playwright's evaluate, which the
    page's Content-Security-Policy does not govern."""
    from axe_playwright_python.sync_playwright import Axe

    # A control's colours in the middle of a transition (a button just pressed, Bootstrap's 0.15 s)
    # are not the page's: wait until none runs.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')", timeout=5000)
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in impacts]


def assert_accessible(page, impacts=AXE_FAILING_IMPACTS):
    """Fail with axe-core's own account (rule, help, the elements) of each serious or critical
    violation on the page as it is now. Call it after the page has settled, on each state worth checking."""
    violations = axe_violations(page, impacts)
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(report)
