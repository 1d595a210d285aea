"""The document's title: "page · site", the site's name alone where a page names itself nothing."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_a_page_with_a_title_reads_page_then_site(client):
    response = client.get(reverse("publicity:board"), HTTP_ACCEPT_LANGUAGE="en")

    assert _title(response) == "Publicity board · Zhongguancun Technology-Finance Support Funds"


def test_a_title_with_markup_is_escaped_once(client):
    response = client.get("/no-such-page-<b>/", HTTP_ACCEPT_LANGUAGE="en")

    assert _title(response) == "Page not found · Zhongguancun Technology-Finance Support Funds"


def test_in_chinese_the_title_reads_page_then_site(client):
    client.cookies["django_language"] = "zh-hans"

    assert _title(client.get(reverse("publicity:board"))) == "公示栏 · 中关村促进科技金融深度融合发展支持资金"


def test_the_home_page_without_a_title_of_its_own_reads_the_site_alone(client):
    title = _title(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))

    assert title == "Zhongguancun Technology-Finance Support Funds" or title.endswith(
        " · Zhongguancun Technology-Finance Support Funds"
    )
    assert not title.startswith(" · ")
