"""The masking of a person's identifiers on public pages: one function per kind, and the finder that
masks them in free text."""

import pytest
from django.template import Context, Template
from hypothesis import example, given
from hypothesis import strategies as st

from common.masking import (
    IDENTIFIERS,
    _mask_match,
    mask_bank_account,
    mask_contact,
    mask_email,
    mask_id_number,
    mask_identifiers,
    mask_telephone,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003074578", "110101********4578"),
        ("11010119900307457X", "110101********457X"),
        ("110101900307457", "110101*****7457"),
        (" 110101199003074578 ", "110101********4578"),
        ("1234567890", "**********"),
    ],
)
def test_mask_id_number_keeps_the_first_six_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "*******5678"),
        ("010-12345678", "***-****5678"),
        ("+86 138 1234 5678", "+** *** **** 5678"),
        ("5678", "5678"),
    ],
)
def test_mask_telephone_keeps_the_last_four_digits(value, masked):
    assert mask_telephone(value) == masked


def test_mask_bank_account_keeps_the_last_four_digits():
    assert (mask_bank_account("6222020200112233445"), mask_bank_account("6222 0202 0011 2233")) == (
        "***************3445",
        "**** **** **** 2233",
    )


def test_mask_contact_masks_an_email_or_a_telephone():
    assert (mask_contact("li.si@example.com"), mask_contact("13800001111"), mask_email("x")) == (
        "l***@example.com",
        "*******1111",
        "*",
    )


def test_mask_identifiers_masks_each_kind_in_free_text():
    text = (
        "Corrected after an objection from 110101199003074578 (tel. 13812345678, 010-87654321, "
        "li.si@example.com); refund to 6222 0202 0011 2233 445."
    )

    assert mask_identifiers(text) == (
        "Corrected after an objection from 110101********4578 (tel. *******5678, ***-****4321, "
        "l***@example.com); refund to **** **** **** ***3 445."
    )


@pytest.mark.parametrize(
    "text",
    [
        "ZGC-2026-ART6-Q000123",
        "91110108000001234X",
        "2026年度第一批 1,600,000.00 元",
        "Photonic chips for 5G base stations",
        "",
        None,
    ],
)
def test_mask_identifiers_leaves_numbers_that_identify_no_person(text):
    assert mask_identifiers(text) == text


def test_masking_filters_call_the_same_functions():
    rendered = Template(
        "{% load masking %}{{ a|mask_id_number }} {{ b|mask_telephone }} {{ c|mask_bank_account }} "
        "{{ d|mask_contact }} {{ e|mask_identifiers }}"
    ).render(
        Context(
            {
                "a": "110101199003074578",
                "b": "13812345678",
                "c": "6222020200112233445",
                "d": "li@example.com",
                "e": "call 13812345678",
            }
        )
    )

    assert rendered == "110101********4578 *******5678 ***************3445 l***@example.com call *******5678"


@given(st.text(alphabet=st.sampled_from("0123456789\uff11\uff12\uff13 -+@.XxAb_\u5f20\u5e74\n"), max_size=40))
@example("call 13812345678 or 010-12345678")
@example("ID 110101199003074578, card 6222 0202 0011 2233 445")
@example("li.si@example.com")
@example("\uff16\uff12\uff12\uff12" * 4)
def test_text_the_quick_check_passes_by_has_nothing_the_pattern_masks(text):
    """mask_identifiers() runs IDENTIFIERS only on text MAY_IDENTIFY finds something in: for any
    text, what it returns is what the pattern alone makes of it."""
    assert mask_identifiers(text) == (IDENTIFIERS.sub(_mask_match, text) if text else text)
