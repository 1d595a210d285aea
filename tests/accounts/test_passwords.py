"""Passwords per OWASP ASVS 5.0 level 2 (issue 15, point 1): 12 characters at least, 64 and more
allowed, common breached passwords refused, no composition rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD


def _problems(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.parametrize(
    "password",
    [
        "kd8#mq2!xv7p",  # 12 characters
        "correct horse battery staple",  # a passphrase: spaces, lower case only
        "893017264519",  # digits only: no composition rule refuses it
        "ZZZZQQQQWWWWXXXX",  # upper case only
        "长城饮马河畔柳色新绿十二字",  # Chinese characters
        "a" * 20 + "b" * 20 + "c" * 24,  # 64 characters
        "t7" * 64,  # 128 characters
    ],
)
def test_long_enough_passwords_are_accepted_whatever_their_characters(password):
    assert _problems(password) == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kd8#mq2!xv7", "password_too_short"),  # 11 characters
        ("t7" * 64 + "x", "password_too_long"),  # 129 characters
        ("q1w2e3r4t5y6", "password_too_common"),
        ("1qaz2wsx3edc", "password_too_common"),
        ("qwerty123456", "password_too_common"),
    ],
)
def test_short_overlong_and_breached_passwords_are_refused(password, problem):
    assert problem in _problems(password)


@pytest.mark.django_db
def test_a_password_like_the_users_name_is_refused(applicant):
    applicant.username = "zhangweiming2026"
    assert "password_too_similar" in _problems("zhangweiming2026", applicant)


@pytest.mark.django_db
def test_changing_to_a_short_password_is_refused_at_its_field(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "short-pw", "password2": "short-pw"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"] == [
        "This password is too short. It must contain at least 12 characters."
    ]
