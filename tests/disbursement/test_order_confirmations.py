"""Approving and paying an order: a page first repeats the order and what will happen; only the
confirmed post acts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from disbursement.models import Payment
from disbursement.models import PaymentOrderState as OS
from disbursement.services import order_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(prepared_order):
    return prepared_order


def test_order_approve_get_repeats_the_order_and_changes_nothing(client, order, second_finance):
    client.force_login(second_finance)

    response = client.get(reverse("disbursement:order_approve", args=[order.pk]))

    content = response.content.decode()
    assert "Approve the payment order" in content
    assert order.number in content
    assert "The unit&#x27;s credit and registration status are checked again (Art. 17)" in content
    order.refresh_from_db()
    assert order.state == OS.PREPARED


def test_order_approve_confirmed_approves(client, order, second_finance):
    client.force_login(second_finance)

    client.post(reverse("disbursement:order_approve", args=[order.pk]), {"confirmed": "yes"})

    order.refresh_from_db()
    assert order.state == OS.APPROVED


def test_order_paid_asks_for_confirmation_with_the_voucher_then_records(client, order, finance, second_finance):
    order_approve(order_id=order.pk, actor=second_finance)
    client.force_login(finance)
    url = reverse("disbursement:order_paid", args=[order.pk])
    data = {f"mark_paid-{order.pk}-voucher_number": "V-77", f"mark_paid-{order.pk}-paid_on": str(timezone.localdate())}

    pending = client.post(url, data)

    assert "V-77" in pending.content.decode()
    assert "The payment is recorded against the declaration and cannot be taken back." in pending.content.decode()
    assert not Payment.objects.exists()
    client.post(url, {**data, "confirmed": "yes"})
    order.refresh_from_db()
    assert (order.state, Payment.objects.get().reference) == (OS.PAID, "V-77")
