import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common import typography


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "甲、乙、丙"), ("en", "A, B, C")],
)
def test_a_list_is_joined_as_the_readers_language_writes_one(language, expected):
    items = ["甲", "乙", "丙"] if language == "zh-hans" else ["A", "B", "C"]
    with translation.override(language):
        assert typography.join_list(items) == expected


def test_clauses_and_sentences_are_run_on_as_the_readers_language_writes_them():
    with translation.override("zh-hans"):
        assert typography.join_clauses(["列入失信名单", "已迁出北京"]) == "列入失信名单；已迁出北京"
        assert typography.join_sentences(["请补充事实。", "请上传附件。"]) == "请补充事实。请上传附件。"
    with translation.override("en"):
        assert typography.join_clauses(["On a credit list", "moved out"]) == "On a credit list; moved out"
        assert typography.join_sentences(["Complete the facts.", "Attach."]) == "Complete the facts. Attach."


def test_labels_and_brackets_take_full_width_forms_in_chinese_and_half_width_with_spaces_in_english():
    with translation.override("zh-hans"):
        assert (typography.colon(), typography.parenthesised("法定代表人")) == ("：", "（法定代表人）")
    with translation.override("en"):
        assert (typography.colon(), typography.parenthesised("legal representative")) == (
            ": ",
            " (legal representative)",
        )


def test_a_date_as_facts_store_it_is_written_in_the_locales_format():
    with translation.override("zh-hans"):
        assert typography.local_date("2026-12-09") == "2026年12月9日"
        assert typography.local_date(datetime.date(2026, 12, 9)) == "2026年12月9日"
    with translation.override("en"):
        assert typography.local_date("2026-12-09") == "Dec. 9, 2026"
    assert typography.local_date("not a date") == "not a date"
    assert typography.local_date("2026-02-30") == "2026-02-30"


@pytest.mark.parametrize(
    ("amount", "reading"),
    [
        (Decimal("1234567.00"), "（约 123.46 万元）"),
        (Decimal("1600000"), "（约 160.00 万元）"),
        (Decimal("72000.00"), "（约 7.20 万元）"),
        (Decimal("9999.99"), ""),
        ("not an amount", ""),
        (None, ""),
    ],
)
def test_an_amount_in_yuan_gets_its_wan_yuan_reading_in_chinese(amount, reading):
    with translation.override("zh-hans"):
        assert typography.wan_yuan_reading(amount) == reading


def test_english_readers_get_no_wan_yuan_reading():
    with translation.override("en"):
        assert typography.wan_yuan_reading(Decimal("1234567.00")) == ""


def test_the_template_tags_write_the_same_rules():
    template = Template(
        "{% load typography %}{{ label }}{% colon %}{{ amount }}{{ amount|wan_yuan_reading }}"
        "{{ name|parenthesised }}{% list_separator %}{{ items|join_list }}"
    )
    context = Context(
        {"label": "核定支持金额", "amount": Decimal("1600000.00"), "name": "<b>", "items": ["甲", "<乙>"]}
    )
    with translation.override("zh-hans"):
        assert template.render(context) == "核定支持金额：1600000.00（约 160.00 万元）（&lt;b&gt;）、甲、&lt;乙&gt;"
