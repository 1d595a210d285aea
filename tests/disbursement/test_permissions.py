import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationState as S
from disbursement.models import Payment, PaymentOrder, RecoveryCase


def requests_for(declaration):
    """Every page and form of the finance officers alone, as (method, url, data). (Those of recovery,
    which staff use too, are in test_recovery_cases.py.)"""
    today = timezone.localdate().isoformat()
    order = declaration.orders.first()
    return [
        ("get", reverse("disbursement:queue"), {}),
        ("get", reverse("disbursement:home"), {}),
        ("get", reverse("disbursement:orders"), {}),
        ("get", reverse("disbursement:orders_export", args=["csv"]), {}),
        ("get", reverse("disbursement:payments"), {}),
        ("get", reverse("disbursement:payments_export", args=["xlsx"]), {}),
        ("get", reverse("disbursement:bank_account", args=[declaration.organisation_id]), {}),
        ("get", reverse("disbursement:order_pdf", args=[order.pk]), {}),
        ("post", reverse("disbursement:order_create", args=[declaration.pk]), {"order-tranche": "2"}),
        ("post", reverse("disbursement:plan", args=[declaration.pk]), {}),
        ("post", reverse("disbursement:order_approve", args=[order.pk]), {}),
        (
            "post",
            reverse("disbursement:order_reject", args=[order.pk]),
            {f"reject-{order.pk}-note": "No.", "confirmed": "yes"},
        ),
        (
            "post",
            reverse("disbursement:order_cancel", args=[order.pk]),
            {f"cancel-{order.pk}-note": "No.", "confirmed": "yes"},
        ),
        (
            "post",
            reverse("disbursement:order_paid", args=[order.pk]),
            {"confirmed": "yes", f"mark_paid-{order.pk}-voucher_number": "X", f"mark_paid-{order.pk}-paid_on": today},
        ),
        (
            "post",
            reverse("disbursement:stop", args=[declaration.pk]),
            {"stop-reason": "Moved out of Beijing.", "confirmed": "yes"},
        ),
    ]


def _unchanged(declaration):
    declaration.refresh_from_db()
    assert declaration.state == S.DISBURSING
    assert Payment.objects.filter(declaration=declaration).count() == 1
    assert list(PaymentOrder.objects.filter(declaration=declaration).values_list("state", flat=True)) == ["paid"]
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 0


@pytest.mark.parametrize("role", ["applicant", "reviewer", "staff", "administrator"])
def test_finance_pages_forbidden_to_other_roles(client, make_declaration, request, role):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(request.getfixturevalue(role))

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in requests_for(declaration)]

    assert statuses == [403] * len(statuses)
    _unchanged(declaration)


@pytest.mark.parametrize(("role", "status"), [("applicant", 403), ("reviewer", 403), ("staff", 200), ("finance", 200)])
def test_money_page_readable_by_staff_and_finance_only(client, make_declaration, request, role, status):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("disbursement:declaration", args=[declaration.pk])).status_code == status


def test_money_page_offers_staff_no_payment_form(client, make_declaration, staff):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(staff)

    response = client.get(reverse("disbursement:declaration", args=[declaration.pk]))

    assert all(response.context[name] is None for name in ("plan_formset", "prepare_form", "stop_form"))
    assert all(not panel["paid_form"] and not panel["can_approve"] for panel in response.context["orders"])


def test_finance_pages_redirect_anonymous_to_login(client, make_declaration):
    declaration = make_declaration(S.DISBURSING)

    responses = [(getattr(client, method)(url, data), url) for method, url, data in requests_for(declaration)]

    assert [(response.status_code, response.url) for response, _ in responses] == [
        (302, f"/accounts/login/?next={url}") for _, url in responses
    ]
    _unchanged(declaration)


def test_finance_forms_refuse_get(client, finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    order = declaration.orders.first()
    client.force_login(finance)

    statuses = [
        client.get(reverse(name, args=[declaration.pk])).status_code
        for name in (
            "disbursement:order_create",
            "disbursement:plan",
            "disbursement:stop",
        )
    ] + [
        client.get(reverse(name, args=[order.pk])).status_code
        for name in (
            "disbursement:order_reject",
            "disbursement:order_cancel",
            "disbursement:order_paid",
        )
    ]

    assert statuses == [405] * 6
