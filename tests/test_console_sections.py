"""The staff console's sections (templates/console/_sections.html): each user sees the sections
their permissions open, the page's own marked, in their language. They are rendered once per
process for each set of permissions, section and language (config.templatetags.console_sections),
so these tests ask for them in turn with the same and with other keys."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def _sections(client, url):
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="col-xxl-2".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a class="nav-link( active)?" href="([^"]+)"\s*(aria-current="page")?>([^<]+)</a>', nav)
    return [(href, label.strip(), bool(active)) for active, href, _current, label in links]


def test_each_console_user_sees_the_sections_their_permissions_open_the_page_s_own_marked(
    client, staff, finance, reviewer
):
    client.force_login(staff)
    on_queue = _sections(client, reverse("review:queue"))
    assert (reverse("review:queue"), "Declarations", True) in on_queue
    assert (reverse("review:ranking"), "Ranking", False) in on_queue
    on_ranking = _sections(client, reverse("review:ranking"))
    assert (reverse("review:queue"), "Declarations", False) in on_ranking
    assert (reverse("review:ranking"), "Ranking", True) in on_ranking
    # The same section and permissions again: the same sections.
    assert _sections(client, reverse("review:queue")) == on_queue

    client.force_login(finance)
    for_finance = _sections(client, reverse("review:queue"))
    assert (reverse("disbursement:queue"), "Disbursement", False) in for_finance
    assert reverse("review:ranking") not in [href for href, _label, _active in for_finance]

    client.force_login(reviewer)
    assert _sections(client, reverse("review:queue")) == [(reverse("review:queue"), "My evaluations", True)]


def test_the_console_sections_are_in_the_readers_language(client, reviewer):
    client.force_login(reviewer)
    assert _sections(client, reverse("review:queue"))[0][1] == "My evaluations"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    with translation.override("zh-hans"):
        expected = translation.gettext("My evaluations")
    assert expected != "My evaluations"
    assert _sections(client, reverse("review:queue"))[0][1] == expected
