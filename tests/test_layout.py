"""The shared layout's navigation (templates/base.html): each user sees the entries their permissions
open, in their language, with their own name, unread notices and CSRF token. The parts that depend
only on the permissions and the language are rendered once per process for each
(config.templatetags.layout), so these tests ask for pages in turn as users with other permissions and
in other languages."""

import re

import pytest
from django.utils import translation

from notices.services import notice_create

pytestmark = pytest.mark.django_db


def _header(client, language="en"):
    html = client.get("/", headers={"accept-language": language}).content.decode()
    return re.search(r"<header>.*?</header>", html, re.S).group(0)


def test_each_user_sees_the_entries_their_permissions_open_one_after_another(client, applicant, staff):
    anonymous = _header(client)
    assert "Sign in" in anonymous and "Register" in anonymous and "Public pages" not in anonymous

    client.force_login(applicant)
    for_applicant = _header(client)
    assert "My declarations" in for_applicant and "Staff console" not in for_applicant
    assert f'id="user-menu">{applicant.username}</a>' in for_applicant

    client.force_login(staff)
    for_staff = _header(client)
    assert "Staff console" in for_staff and "My declarations" not in for_staff
    assert f'id="user-menu">{staff.username}</a>' in for_staff and applicant.username not in for_staff

    client.logout()
    again = _header(client)
    assert "Sign in" in again and "Public pages" not in again and staff.username not in again
    client.force_login(applicant)
    assert "My declarations" in _header(client)


def test_the_navigation_is_in_the_readers_language_and_selects_it_in_the_switcher(client, applicant):
    client.force_login(applicant)
    english = _header(client)
    assert 'value="en" lang="en" selected' in english
    chinese = _header(client, "zh-hans")
    with translation.override("zh-hans"):
        declarations = translation.gettext("My declarations")
        password = translation.gettext("Change password")
    assert declarations != "My declarations"
    assert declarations in chinese and password in chinese and "My declarations" not in chinese
    assert 'value="zh-hans" lang="zh-hans" selected' in chinese and 'value="en" lang="en" selected' not in chinese
    assert "My declarations" in _header(client)


def test_each_page_carries_its_own_address_token_and_unread_count(client, applicant):
    client.force_login(applicant)
    first = _header(client)
    assert 'name="next" type="hidden" value="/"' in first
    assert "text-bg-warning" not in first
    notice_create(recipient=applicant, subject="Hello", body="A notice")
    html = client.get("/applicant/").content.decode()
    header = re.search(r"<header>.*?</header>", html, re.S).group(0)
    assert 'name="next" type="hidden" value="/applicant/"' in header
    assert re.search(r'text-bg-warning">1<span class="visually-hidden"> unread', header)
    # Both forms of the bar (the language's and signing out) carry the request's token.
    assert len(re.findall(r'name="csrfmiddlewaretoken" value="[^"]+"', header)) == 2
