import pytest
from django.template import Context, Template

from common.templatetags.masking import mask_contact, mask_email, mask_telephone


@pytest.mark.parametrize(
    ("telephone", "masked"),
    [
        ("13800001234", "*******1234"),
        ("+86 138-0000-1234", "*********1234"),
        ("010-6234 5678", "*******5678"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_telephone_keeps_the_last_four_digits(telephone, masked):
    assert mask_telephone(telephone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("li.si@example.com", "l***@example.com"),
        (" Wang@Example.com ", "W***@Example.com"),
        ("a@b", "a***@b"),
        ("@example.com", "***"),
        ("no at sign", "***"),
    ],
)
def test_mask_email_keeps_the_first_character_and_the_domain(email, masked):
    assert mask_email(email) == masked


def test_mask_contact_masks_whichever_it_is():
    assert (mask_contact("li@example.com"), mask_contact("13800001234")) == ("l***@example.com", "*******1234")


def test_mask_contact_filter_in_a_template():
    rendered = Template("{% load masking %}{{ contact|mask_contact }}").render(Context({"contact": "13800001234"}))

    assert rendered == "*******1234"
