import pytest
from django.core.exceptions import ValidationError

from accounts.enums import Role
from accounts.models import User
from declarations.models import Organisation
from declarations.validators import validate_credit_code
from tests.factories import OrganisationFactory, credit_code_for

VALID_CODE = "91110000802100433B"


def _signup_data(**overrides):
    data = {
        "username": "newapplicant",
        "email": "new@example.com",
        "password1": "a-long-Pass-phrase-2026",
        "password2": "a-long-Pass-phrase-2026",
        "organisation_name": "Haidian Photonics Co., Ltd.",
        "credit_code": VALID_CODE,
        "organisation_type": "enterprise",
        "district": "haidian",
        "registered_capital": "12,000,000.00",
        "established_on": "2019-06-01",
        "annual_revenue": "45000000",
        "legal_representative": "Liu Yang",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000802100433A", "last character"),
        ("9111000080210043", "18 characters"),
        ("91110000802100433I", "not a unified social credit code"),
    ],
)
def test_validate_credit_code_names_the_problem(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)


def test_validate_credit_code_accepts_a_real_code():
    validate_credit_code(VALID_CODE)
    validate_credit_code(credit_code_for(7))


@pytest.mark.django_db
def test_signup_creates_an_applicant_with_the_organisation(client):
    response = client.post("/accounts/signup/", _signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/applicant/"
    user = User.objects.get(username="newapplicant")
    assert user.role == Role.APPLICANT
    organisation = user.organisation
    assert (organisation.name, organisation.credit_code, str(organisation.registered_capital)) == (
        "Haidian Photonics Co., Ltd.",
        VALID_CODE,
        "12000000.00",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "91110000802100433A", "The last character of this unified social credit code"),
        ("credit_code", "123", "18 characters"),
        ("registered_capital", "-5", "greater than or equal to 0"),
        ("annual_revenue", "lots", "Enter a number."),
        ("established_on", "2999-01-01", "cannot be in the future"),
        ("organisation_name", "", "This field is required."),
    ],
)
def test_signup_shows_the_error_at_the_field_and_creates_nothing(client, field, value, message):
    response = client.post("/accounts/signup/", _signup_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not User.objects.filter(username="newapplicant").exists()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_an_organisation_registered_already(client):
    OrganisationFactory(credit_code=VALID_CODE)
    response = client.post("/accounts/signup/", _signup_data())
    assert "registered already" in response.context["form"].errors["credit_code"][0]
    assert not User.objects.filter(username="newapplicant").exists()


@pytest.mark.django_db
def test_login_page_signs_in_by_username(client, applicant):
    response = client.post("/accounts/login/", {"login": applicant.username, "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert client.get("/applicant/").context["user"] == applicant
