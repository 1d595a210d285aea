"""What every response carries, on every page each role reaches from its first pages over the demo
data (tests/crawl.py): a strict Content-Security-Policy, pages with nothing inline that policy
refuses, `Cache-Control: no-store` for a signed-in user and for every download, a Permissions-Policy
and a Referrer-Policy."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.crawl import page_key, same_site_links, start_pages, walk

pytestmark = pytest.mark.django_db

# One demo user of each role; None is the anonymous reader.
ROLES = [None, "applicant1", "staff", "reviewer1", "finance", "admin"]
PAGE_LIMIT = 200
# A declaration's pages in the console and in the finance console, which show different parts in each state.
DECLARATION_PAGES = ["review:declaration", "disbursement:declaration"]
STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi"]
# The public board's pages, cached by publicity for anonymous readers (publicity.cache).
BOARD_PAGES = {"publicity:board", "publicity:batch", "publicity:version", "publicity:feed"}
DOWNLOAD_TYPES = ("text/csv", "application/pdf", "application/vnd.openxmlformats-officedocument")


class PageScan(HTMLParser):
    """The links of a page, and whatever in it a strict policy would refuse: a script or a style
    element without the request's nonce, a style attribute, an event handler attribute, a
    javascript: address."""

    EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.links = []
        self.inline = []
        self._open_script = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")
            elif name == "style":
                self.inline.append(f'<{tag} style="{value}">')
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {name}={value}>")
        has_nonce = self.nonce is not None and values.get("nonce") == self.nonce
        if tag == "style" and not has_nonce:
            self.inline.append("<style> without the nonce")
        if tag == "script" and "src" not in values and not has_nonce:
            self._open_script = (values.get("type") or "").lower()

    def handle_data(self, data):
        if self._open_script is not None and self._open_script in self.EXECUTABLE and data.strip():
            self.inline.append(f"<script> without the nonce: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._open_script = None


def policy_directives(header):
    """The header's directives as {name: [sources]}, a nonce source left out."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = [s for s in sources if not s.startswith("'nonce-")]
    return directives


def header_nonce(header):
    match = re.search(r"'nonce-([^']+)'", header)
    return match[1] if match else None


@pytest.fixture(scope="module")
def visits(module_db):
    """Every role's walk over the demo data: (username or None, path, response, inline findings)."""
    found = []
    with module_db.building():
        call_command("load_demo", stdout=io.StringIO())
        for username in ROLES:
            client = Client(raise_request_exception=False)
            if username:
                client.force_login(User.objects.get(username=username))

            def fetch(path, client=client, username=username):
                response = client.get(path)
                links, inline = [], []
                if response.status_code in (301, 302, 303, 307, 308):
                    links = [response["Location"]]
                elif response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                    scan = PageScan(header_nonce(response.get("Content-Security-Policy", "")))
                    scan.feed(response.content.decode())
                    links, inline = scan.links, scan.inline
                found.append((username, path, response, inline))
                return same_site_links(f"http://testserver{path}", links)

            walk(fetch, start_pages(username, DECLARATION_PAGES), limit=PAGE_LIMIT)
    return found


def test_the_walk_reaches_the_pages_of_every_role(visits):
    reached = dict.fromkeys(ROLES, 0)
    for username, _, response, _ in visits:
        reached[username] += response.status_code == 200
    downloads = [path for _, path, response, _ in visits if response.has_header("Content-Disposition")]
    failed = [(username, path) for username, path, response, _ in visits if response.status_code >= 500]
    assert failed == []
    # Far more than the start pages for each role, and the exports of the console and of finance.
    assert all(count >= 8 for count in reached.values()), reached
    assert reached["staff"] >= 25 and reached["finance"] >= 15 and reached["admin"] >= 40, reached
    assert len(downloads) >= 5, downloads


def test_every_response_carries_the_strict_content_security_policy(visits):
    wrong = {}
    for username, path, response, _ in visits:
        header = response.get("Content-Security-Policy", "")
        if not header or policy_directives(header) != STRICT_POLICY or "unsafe-" in header:
            wrong[(username, path)] = header
    assert wrong == {}


def test_no_page_holds_a_script_or_style_the_policy_refuses(visits):
    inline = {(username, path): found for username, path, _, found in visits if found}
    assert inline == {}


def test_every_response_to_a_signed_in_user_is_kept_out_of_caches(visits):
    stored = {
        (username, path): response.get("Cache-Control")
        for username, path, response, _ in visits
        if username and "no-store" not in response.get("Cache-Control", "")
    }
    assert stored == {}


def test_every_download_is_kept_out_of_caches_whoever_asks(visits):
    downloads = [
        (username, path, response)
        for username, path, response, _ in visits
        if response.has_header("Content-Disposition") or response.get("Content-Type", "").startswith(DOWNLOAD_TYPES)
    ]
    stored = {(u, p): r.get("Cache-Control") for u, p, r in downloads if "no-store" not in r.get("Cache-Control", "")}
    assert {u for u, _, _ in downloads} >= {None, "staff", "finance"}
    assert stored == {}


def test_anonymous_pages_of_the_board_keep_their_own_caching(visits):
    board = [
        response
        for username, path, response, _ in visits
        if username is None and page_key(urlsplit(path).path)[0] in BOARD_PAGES
    ]
    assert len(board) == len(BOARD_PAGES)
    assert [r.get("Cache-Control") for r in board if "no-store" in r.get("Cache-Control", "")] == []


def test_every_response_denies_the_browser_features_the_product_does_not_use(visits):
    wrong = {}
    for username, path, response, _ in visits:
        policy = dict(
            part.strip().split("=", 1) for part in response.get("Permissions-Policy", "").split(",") if "=" in part
        )
        if any(policy.get(feature) != "()" for feature in DENIED_FEATURES):
            wrong[(username, path)] = response.get("Permissions-Policy")
    assert wrong == {}


def test_every_response_keeps_the_referrer_on_this_site(visits):
    wrong = {
        (username, path): response.get("Referrer-Policy")
        for username, path, response, _ in visits
        if response.get("Referrer-Policy") != "same-origin"
    }
    assert wrong == {}


def test_the_page_scan_finds_what_the_policy_refuses_and_passes_what_it_allows():
    page = """<html><head><link rel="stylesheet" href="/static/css/site.css"><style>p {}</style>
    <style nonce="n0nce">p {}</style></head><body><p style="color: red">x</p><a href="javascript:go()">go</a>
    <button onclick="go()">go</button><a href="/next/">next</a><script>go()</script>
    <script nonce="n0nce">go()</script><script type="application/json">{"a": 1}</script>
    <script src="/static/js/declaration.js"></script></body></html>"""
    scan = PageScan("n0nce")
    scan.feed(page)
    assert scan.inline == [
        "<style> without the nonce",
        '<p style="color: red">',
        "<a href=javascript:go()>",
        "<button onclick=...>",
        "<script> without the nonce: go()",
    ]
    assert scan.links == ["javascript:go()", "/next/"]
