"""A walk over the site's pages as one user sees them, for the tests that check what every response
carries (tests/test_headers.py with Django's client, tests/browser/test_csp.py in Chromium).

Every first address is visited (a declaration's page in each state, say), then each page's links
on this site are followed, breadth first. Pages found by their links are told apart by their URL
pattern and its non-numeric arguments (an export's format, a register's kind), not by the ids in
them or the query: one found declaration page stands for all of them, and a list's second page for
its first.
"""

from collections import deque
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from declarations.selectors import declarations_visible_to

# The first addresses of every walk: the public pages, and the signed-in user's own.
PUBLIC_START = ["/", "/publicity/", "/estimate/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
SIGNED_IN_START = ["/", "/notices/", "/accounts/password/change/", "/accounts/email/"]


def page_key(path):
    """What tells one page from another: its URL pattern and the arguments that are not ids. An
    address no pattern matches is its own page."""
    try:
        match = resolve(path)
    except Resolver404:
        return ("unresolved", path)
    kinds = tuple(sorted((k, v) for k, v in match.kwargs.items() if not str(v).isdigit()))
    return (match.view_name, kinds)


def same_site_links(base, hrefs):
    """The addresses among `hrefs` (found on the page at `base`) that stay on this site, as paths
    with their query; fragments dropped."""
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        url = urlsplit(urljoin(base, href))
        if url.scheme not in ("http", "https") or url.netloc != urlsplit(base).netloc:
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def walk(fetch, start, *, limit, key=page_key):
    """Visit every address of `start`, then the pages reachable from them, each `key` once, at
    most `limit` pages in all. `fetch(path)` visits one address and returns the paths of the links
    found there (same_site_links); returns the paths visited, in order."""
    queue = deque(dict.fromkeys(start))
    first = set(queue)
    seen_keys = set()
    visited = []
    while queue and len(visited) < limit:
        path = queue.popleft()
        kind = key(urlsplit(path).path)
        if kind in seen_keys and path not in first:
            continue
        seen_keys.add(kind)
        first.discard(path)
        visited.append(path)
        queue.extend(fetch(path))
    return visited


def start_pages(username, declaration_pages):
    """Where a role's walk starts: the public pages, a page that does not exist, the console (a
    redirect or a refusal for most), and, signed in, the user's own pages and, for each state of
    the declarations the user may see, one declaration's pages (`declaration_pages`, URL names; an
    applicant's own page for an applicant)."""
    start = [*PUBLIC_START, "/no-such-page/", reverse("review:queue")]
    if username is None:
        return start
    user = User.objects.get(username=username)
    one_in_each_state = {d.state: d.pk for d in declarations_visible_to(user).order_by("-pk")}.values()
    if username.startswith("applicant"):
        declaration_pages = ["declarations:detail"]
    pages = [reverse(name, args=[pk]) for pk in one_in_each_state for name in declaration_pages]
    return start + SIGNED_IN_START + pages
