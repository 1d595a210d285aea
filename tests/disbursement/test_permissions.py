import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationState as S
from disbursement.models import Payment, Recovery


def requests_for(declaration):
    """Every disbursement page and form, as (method, url, data)."""
    today = timezone.localdate().isoformat()
    return [
        ("get", reverse("disbursement:queue"), {}),
        ("get", reverse("disbursement:declaration", args=[declaration.pk]), {}),
        (
            "post",
            reverse("disbursement:payment_create", args=[declaration.pk]),
            {"payment-amount": "100", "payment-paid_on": today, "payment-reference": "X"},
        ),
        ("post", reverse("disbursement:stop", args=[declaration.pk]), {"stop-reason": "Moved out of Beijing."}),
        (
            "post",
            reverse("disbursement:recovery_create", args=[declaration.pk]),
            {"recovery-amount": "100", "recovery-reason": "Forged evidence."},
        ),
    ]


@pytest.mark.parametrize("role", ["applicant", "reviewer", "staff", "administrator"])
def test_disbursement_pages_forbidden_to_other_roles(client, make_declaration, request, role):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(request.getfixturevalue(role))

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in requests_for(declaration)]
    declaration.refresh_from_db()

    assert statuses == [403, 403, 403, 403, 403]
    assert declaration.state == S.DISBURSING
    assert Payment.objects.filter(declaration=declaration).count() == 1
    assert Recovery.objects.filter(declaration=declaration).count() == 0


def test_disbursement_pages_redirect_anonymous_to_login(client, make_declaration):
    declaration = make_declaration(S.DISBURSING)

    responses = [(getattr(client, method)(url, data), url) for method, url, data in requests_for(declaration)]
    declaration.refresh_from_db()

    assert [(response.status_code, response.url) for response, _ in responses] == [
        (302, f"/accounts/login/?next={url}") for _, url in responses
    ]
    assert declaration.state == S.DISBURSING
    assert Payment.objects.filter(declaration=declaration).count() == 1


def test_disbursement_forms_refuse_get(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    statuses = [
        client.get(reverse(name, args=[declaration.pk])).status_code
        for name in ("disbursement:payment_create", "disbursement:stop", "disbursement:recovery_create")
    ]

    assert statuses == [405, 405, 405]
