"""A payment order's actions that a finance officer may not take now are shown disabled on the money
page, each with its reason (disbursement.workflow.order_transition_refusal's); a post made anyway is
refused with that reason and changes nothing. Actions the order is past, and those of another role,
are left out."""

import pytest
from django.urls import reverse
from django.utils import timezone

from disbursement.models import Payment, PaymentOrderEvent
from disbursement.models import PaymentOrderState as OS
from disbursement.services import order_approve, order_mark_paid

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}
OWN_ORDER = "You prepared this order: a second finance officer must approve or reject it."
WAITING = "This cannot be done while the order is “Waiting for approval”."


def _page(client, order):
    return client.get(reverse("disbursement:declaration", args=[order.declaration_id]))


def _panel(response):
    (panel,) = response.context["orders"]
    return panel


def _unchanged(order):
    """The order's state and its audit trail, and the payments recorded."""
    order.refresh_from_db()
    return order.state, PaymentOrderEvent.objects.filter(order=order).count(), Payment.objects.count()


def test_the_preparer_sees_approving_and_rejecting_their_order_disabled_with_the_reason(
    client, prepared_order, finance
):
    client.force_login(finance)

    response = _page(client, prepared_order)

    panel = _panel(response)
    # Approving and rejecting share their reason: the two disabled controls, then the reason once.
    assert panel["refused"] == [
        ("approve", [("approve", "Re-check and approve"), ("reject", "Reject")], OWN_ORDER),
        ("mark_paid", [("mark_paid", "Mark paid")], WAITING),
    ]
    assert (panel["can_approve"], panel["reject_form"], panel["paid_form"]) == (False, None, None)
    assert panel["cancel_form"] is not None
    content = response.content.decode()
    described_by = f'disabled aria-describedby="approve-refused-{prepared_order.pk}"'
    assert (content.count(f"{described_by}>Re-check and approve<"), content.count(f"{described_by}>Reject<")) == (1, 1)
    assert f'disabled aria-describedby="mark_paid-refused-{prepared_order.pk}">Mark paid<' in content
    assert content.count(OWN_ORDER) == 1
    assert f'<span class="small text-body-secondary" id="approve-refused-{prepared_order.pk}">{OWN_ORDER}</span>' in (
        content
    )


def test_the_second_officer_may_approve_reject_or_cancel_and_sees_paying_disabled_until_approved(
    client, prepared_order, second_finance
):
    client.force_login(second_finance)

    panel = _panel(_page(client, prepared_order))

    assert panel["refused"] == [("mark_paid", [("mark_paid", "Mark paid")], WAITING)]
    assert panel["can_approve"] is True
    assert (panel["reject_form"] is not None, panel["cancel_form"] is not None) == (True, True)


def test_an_approved_order_leaves_approving_and_rejecting_out_as_past(client, prepared_order, second_finance):
    order_approve(order_id=prepared_order.pk, actor=second_finance)
    client.force_login(second_finance)

    panel = _panel(_page(client, prepared_order))

    assert panel["refused"] == []
    assert (panel["can_approve"], panel["reject_form"]) == (False, None)
    assert (panel["paid_form"] is not None, panel["cancel_form"] is not None) == (True, True)


def test_a_paid_order_shows_nothing_refused(client, prepared_order, finance, second_finance):
    order_approve(order_id=prepared_order.pk, actor=second_finance)
    order_mark_paid(order_id=prepared_order.pk, actor=finance, voucher_number="V-1", paid_on=timezone.localdate())
    client.force_login(finance)

    panel = _panel(_page(client, prepared_order))

    assert (panel["refused"], panel["reject_form"], panel["cancel_form"], panel["paid_form"]) == ([], None, None, None)


def test_commission_staff_see_no_order_action_refused_as_none_is_theirs(client, prepared_order, staff):
    client.force_login(staff)

    response = _page(client, prepared_order)

    assert _panel(response)["refused"] == []
    assert 'data-testid="order-refused"' not in response.content.decode()


@pytest.mark.parametrize("confirmed", [{}, CONFIRMED], ids=["unconfirmed", "confirmed"])
@pytest.mark.parametrize("note", ["Wrong branch.", ""], ids=["with-note", "without-note"])
def test_the_preparer_rejecting_their_order_anyway_is_refused_with_the_reason(
    client, prepared_order, finance, note, confirmed
):
    client.force_login(finance)
    before = _unchanged(prepared_order)

    response = client.post(
        reverse("disbursement:order_reject", args=[prepared_order.pk]),
        {f"reject-{prepared_order.pk}-note": note} | confirmed,
    )

    assert _unchanged(prepared_order) == before == (OS.PREPARED, 1, 0)
    assert _panel(response)["reject_form"].non_field_errors() == [OWN_ORDER]


def test_marking_an_order_paid_before_its_approval_is_refused_with_the_reason(client, prepared_order, second_finance):
    client.force_login(second_finance)
    before = _unchanged(prepared_order)

    response = client.post(
        reverse("disbursement:order_paid", args=[prepared_order.pk]),
        {
            f"mark_paid-{prepared_order.pk}-voucher_number": "V-1",
            f"mark_paid-{prepared_order.pk}-paid_on": timezone.localdate().isoformat(),
        }
        | CONFIRMED,
    )

    assert _unchanged(prepared_order) == before
    assert _panel(response)["paid_form"].non_field_errors() == [WAITING]


def test_cancelling_a_paid_order_is_refused_with_the_reason(client, prepared_order, finance, second_finance):
    order_approve(order_id=prepared_order.pk, actor=second_finance)
    order_mark_paid(order_id=prepared_order.pk, actor=finance, voucher_number="V-1", paid_on=timezone.localdate())
    client.force_login(finance)
    before = _unchanged(prepared_order)

    response = client.post(
        reverse("disbursement:order_cancel", args=[prepared_order.pk]),
        {f"cancel-{prepared_order.pk}-note": "Too late."} | CONFIRMED,
    )

    assert _unchanged(prepared_order) == before == (OS.PAID, 3, 1)
    assert _panel(response)["cancel_form"].non_field_errors() == ["This cannot be done while the order is “Paid”."]


def test_the_preparer_approving_their_order_anyway_is_refused_with_the_reason(client, prepared_order, finance):
    client.force_login(finance)
    before = _unchanged(prepared_order)

    response = client.post(reverse("disbursement:order_approve", args=[prepared_order.pk]), CONFIRMED, follow=True)

    assert _unchanged(prepared_order) == before
    assert [str(message) for message in response.context["messages"]] == [OWN_ORDER]
