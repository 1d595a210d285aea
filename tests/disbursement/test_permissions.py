import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationState as S
from disbursement.models import Payment, RecoveryCase


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
            reverse("disbursement:recovery_case_create", args=[declaration.pk]),
            {"case-amount_due": "100", "case-due_on": today, "case-reason": "Forged evidence."},
        ),
        ("post", reverse("disbursement:terminate", args=[declaration.pk]), {"terminate-reason": "Feigned."}),
        ("get", reverse("disbursement:recovery_cases"), {}),
    ]


@pytest.mark.parametrize("role", ["applicant", "reviewer", "administrator"])
def test_disbursement_pages_forbidden_to_other_roles(client, make_declaration, request, role):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(request.getfixturevalue(role))

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in requests_for(declaration)]
    declaration.refresh_from_db()

    assert statuses == [403] * 7
    assert declaration.state == S.DISBURSING
    assert Payment.objects.filter(declaration=declaration).count() == 1
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 0


def test_staff_see_the_money_page_but_neither_pay_nor_stop(client, staff, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(staff)

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in requests_for(declaration)[:4]]
    declaration.refresh_from_db()

    assert statuses == [403, 200, 403, 403]
    assert declaration.state == S.DISBURSING
    assert Payment.objects.filter(declaration=declaration).count() == 1


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
        for name in ("disbursement:payment_create", "disbursement:stop")
    ]

    assert statuses == [405, 405]
