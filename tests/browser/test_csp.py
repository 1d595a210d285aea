"""Chromium enforces the Content-Security-Policy on the pages each role reaches over the demo data:
a page that holds anything the policy refuses (an inline script or style, an event handler, a
script that evaluates strings) makes the browser report a violation, which fails the test."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.crawl import page_key, same_site_links, start_pages, walk

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEMO_PASSWORD = "demo-pass-2026"
# Each role, with the declaration pages it works on, visited for a declaration in each state.
ROLES = {
    None: [],
    "applicant1": [],
    "staff": ["review:declaration"],
    "reviewer1": ["review:declaration"],
    "finance": ["disbursement:declaration"],
    "admin": [],
}
PAGE_LIMIT = 80
# The browser reports each violation as a DOM event (listened to from before any page script runs)
# and on the console; both are collected.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}: ${event.sample}`);
});
"""
CONSOLE_VIOLATION = re.compile(r"Content.Security.Policy|Permissions.Policy|Refused to", re.IGNORECASE)


def browser_page_key(path):
    """Pages told apart as tests/crawl.py does, except the admin's: its list, form, history and
    deletion pages run the same scripts for every model, so one of each kind stands for all."""
    view_name, kinds = page_key(path)
    if view_name.startswith("admin:") and view_name.count("_"):
        return ("admin", view_name.rsplit("_", 1)[-1], kinds)
    return (view_name, kinds)


def walk_as(browser, live_server, username, problems):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    current = {"path": None}

    def report(text):
        problems.append((username, current["path"], text))

    context.expose_function("reportViolation", report)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: CONSOLE_VIOLATION.search(message.text) and report(message.text))
    page.on("pageerror", lambda error: report(f"script error: {error}"))
    if username:
        login(page, live_server, username, DEMO_PASSWORD)

    def fetch(path):
        current["path"] = path
        try:
            page.goto(f"{live_server.url}{path}")
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return []
            raise
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))")
        return same_site_links(page.url, hrefs)

    start = start_pages(username, ROLES[username])
    if username == "admin":
        # The one admin page with an inline script of its own (a nonce'd one).
        start.append(reverse("admin:django_celery_beat_periodictask_add"))
    visited = walk(fetch, start, limit=PAGE_LIMIT, key=browser_page_key)
    exercise_scripts(page, live_server, username)
    page.wait_for_timeout(200)  # reports still on their way from the last page
    context.close()
    return visited


def exercise_scripts(page, live_server, username):
    """What the pages' scripts do after loading: Bootstrap's menu collapsed at 390 px and its
    dropdown, and, for the applicant, the live pre-check that writes HTML into the facts step."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.locator(".navbar-toggler").click()
    expect(page.locator("#site-nav")).to_have_class(re.compile(r"\bshow\b"))
    if username:
        page.locator("#user-menu").click()
        expect(page.locator("#user-menu + .dropdown-menu")).to_be_visible()
    if username == "applicant1":
        page.goto(f"{live_server.url}/applicant/")
        edit = page.locator("a[href$='/edit/']").first.get_attribute("href")
        page.goto(f"{live_server.url}{edit.removesuffix('edit/')}steps/facts/")
        with page.expect_response(lambda response: "/precheck/" in response.url):
            page.locator("form[data-precheck] input[type=text]").first.fill("1,000")


def test_no_page_of_any_role_breaks_the_content_security_policy(live_server, browser):
    call_command("load_demo", stdout=io.StringIO())
    problems = []
    visited = {username: walk_as(browser, live_server, username, problems) for username in ROLES}

    assert {username: len(paths) >= 8 for username, paths in visited.items()} == dict.fromkeys(ROLES, True)
    assert problems == []
