import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from disbursement.models import Payment
from disbursement.services import payment_record
from tests.disbursement.conftest import APPROVED


def pay(client, declaration, amount, *, paid_on=None, reference="BANK-2026-001"):
    return client.post(
        reverse("disbursement:payment_create", args=[declaration.pk]),
        {
            "payment-amount": amount,
            "payment-paid_on": (paid_on or timezone.localdate()).isoformat(),
            "payment-reference": reference,
        },
    )


def test_payment_two_instalments_take_confirmed_declaration_to_paid(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    page = reverse("disbursement:declaration", args=[declaration.pk])
    client.force_login(finance)

    first = pay(client, declaration, "600,000.00", reference="BANK-1")
    declaration.refresh_from_db()
    state_after_first = declaration.state
    second = pay(client, declaration, "1,000,000", reference="BANK-2")
    declaration.refresh_from_db()

    assert (first.status_code, first.url) == (302, page)
    assert (second.status_code, second.url) == (302, page)
    assert state_after_first == S.DISBURSING
    assert declaration.state == S.PAID
    assert list(declaration.payments.values_list("amount", "reference", "recorded_by")) == [
        (Decimal("600000.00"), "BANK-1", finance.pk),
        (Decimal("1000000.00"), "BANK-2", finance.pk),
    ]
    events = declaration.events.filter(action__in=[A.START_DISBURSEMENT, A.COMPLETE_PAYMENT])
    assert list(events.values_list("action", "from_state", "to_state", "actor")) == [
        (A.START_DISBURSEMENT, S.CONFIRMED, S.DISBURSING, finance.pk),
        (A.COMPLETE_PAYMENT, S.DISBURSING, S.PAID, finance.pk),
    ]


def test_payment_success_message_and_page_show_totals(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    response = client.post(
        reverse("disbursement:payment_create", args=[declaration.pk]),
        {
            "payment-amount": "600,000.00",
            "payment-paid_on": timezone.localdate().isoformat(),
            "payment-reference": "BANK-1",
        },
        follow=True,
    )

    content = response.content.decode()
    assert [str(message) for message in response.context["messages"]] == ["Payment of 600,000.00 yuan recorded."]
    assert response.context["declaration"].paid_total == Decimal("600000.00")
    assert response.context["declaration"].outstanding == Decimal("1000000.00")
    assert '<td class="text-end amount">600,000.00</td>' in content
    assert '<td class="text-end amount fw-semibold">600,000.00</td>' in content
    assert '<dd class="col-sm-8 amount text-start" data-testid="approved">1,600,000.00</dd>' in content


@pytest.mark.parametrize(
    ("amount", "paid_on", "errors"),
    [
        ("1,600,000.01", None, {"amount": ["This payment is more than the 1,600,000.00 yuan still to be paid."]}),
        ("0", None, {"amount": ["A payment must be more than zero."]}),
        ("-100", None, {"amount": ["A payment must be more than zero."]}),
        ("abc", None, {"amount": ["Enter a number."]}),
        ("100,000", "tomorrow", {"paid_on": ["The payment date cannot be in the future."]}),
    ],
)
def test_payment_invalid_input_refused_at_field_and_nothing_saved(
    client, finance, make_declaration, amount, paid_on, errors
):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)
    if paid_on == "tomorrow":
        paid_on = timezone.localdate() + datetime.timedelta(days=1)

    response = pay(client, declaration, amount, paid_on=paid_on)
    declaration.refresh_from_db()

    assert response.status_code == 200
    assert response.context["payment_form"].errors == errors
    assert errors[next(iter(errors))][0] in response.content.decode()
    assert Payment.objects.filter(declaration=declaration).count() == 0
    assert declaration.state == S.CONFIRMED


def test_payment_above_outstanding_of_disbursing_declaration_refused(client, finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(finance)

    response = pay(client, declaration, "800,000.01")
    declaration.refresh_from_db()

    assert response.context["payment_form"].errors == {
        "amount": ["This payment is more than the 800,000.00 yuan still to be paid."]
    }
    assert list(declaration.payments.values_list("amount", flat=True)) == [APPROVED / 2]
    assert declaration.state == S.DISBURSING


def test_payment_last_instalment_by_second_officer_refused_once_paid(client, finance, second_finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(finance)
    first = pay(client, declaration, "800,000.00", reference="BANK-A")
    client.force_login(second_finance)

    second = pay(client, declaration, "800,000.00", reference="BANK-B")
    declaration.refresh_from_db()

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["payment_form"].non_field_errors() == [
        "Payments are recorded only for declarations confirmed after publicity."
    ]
    assert declaration.state == S.PAID
    assert list(declaration.payments.values_list("reference", flat=True)) == [
        f"PAY-{declaration.pk}-1",
        "BANK-A",
    ]
    assert sum(declaration.payments.values_list("amount", flat=True)) == APPROVED


def test_payment_form_offered_only_while_payable(client, finance, make_declaration):
    confirmed = make_declaration(S.CONFIRMED)
    paid = make_declaration(S.PAID)
    client.force_login(finance)

    on_confirmed = client.get(reverse("disbursement:declaration", args=[confirmed.pk]))
    on_paid = client.get(reverse("disbursement:declaration", args=[paid.pk]))

    assert on_confirmed.context["payment_form"].outstanding == APPROVED
    assert on_paid.context["payment_form"] is None
    assert "Nothing more will be paid." in on_paid.content.decode()


def test_payment_page_of_declaration_before_disbursement_offers_nothing(client, finance, make_declaration):
    declaration = make_declaration(S.IN_PUBLICITY)
    client.force_login(finance)

    page = client.get(reverse("disbursement:declaration", args=[declaration.pk]))
    refused = pay(client, declaration, "100")
    declaration.refresh_from_db()

    assert (page.context["payment_form"], page.context["stop_form"], page.context["case_form"]) == (None, None, None)
    assert "This declaration has not been confirmed after publicity" in page.content.decode()
    assert refused.context["payment_form"].non_field_errors() == [
        "Payments are recorded only for declarations confirmed after publicity."
    ]
    assert declaration.state == S.IN_PUBLICITY
    assert declaration.payments.count() == 0


def test_payment_page_of_unknown_declaration_not_found(client, finance, db):
    client.force_login(finance)

    response = client.get(reverse("disbursement:declaration", args=[999_999]))

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_payment_page_query_count_does_not_grow_with_payments(
    client, finance, make_declaration, django_assert_max_num_queries, count
):
    declaration = make_declaration(S.CONFIRMED)
    for n in range(count):
        payment_record(
            declaration_id=declaration.pk,
            actor=finance,
            amount=Decimal("1000.00"),
            paid_on=timezone.localdate(),
            reference=f"BANK-{n}",
        )
    client.force_login(finance)

    # session, user, the declaration with its amounts, its payments, its recovery cases (none: so no
    # query of their repayments), unread notices.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("disbursement:declaration", args=[declaration.pk]))

    assert len(response.context["payments"]) == count
