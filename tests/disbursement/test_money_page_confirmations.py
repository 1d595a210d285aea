"""Every irreversible action on a declaration's money page (stopping, terminating, a recovery case's
opening, repayment and referral, rejecting or cancelling an order) first shows a page that repeats
what will happen and changes nothing; only the confirmed post acts; a refused one says why."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.models import DeclarationEvent
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import PaymentOrderEvent, RecoveryCase, RecoveryCaseEvent, Repayment
from disbursement.models import PaymentOrderState as OS
from disbursement.recovery import recovery_case_open

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONFIRMED = {"confirmed": "yes"}


def _audit():
    return (
        DeclarationEvent.objects.count(),
        PaymentOrderEvent.objects.count(),
        RecoveryCaseEvent.objects.count(),
        Repayment.objects.count(),
    )


def _page(declaration):
    return reverse("disbursement:declaration", args=[declaration.pk])


def _open_case(declaration, staff, amount="600000.00"):
    return recovery_case_open(
        declaration_id=declaration.pk,
        actor=staff,
        amount_due=Decimal(amount),
        due_on=TODAY + datetime.timedelta(days=30),
        reason="The investment evidence was forged.",
    )


def test_stop_support_asks_first_then_stops(client, finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    url = reverse("disbursement:stop", args=[declaration.pk])
    data = {"stop-reason": "Registration moved out of Beijing."}
    client.force_login(finance)
    before = _audit()

    pending = client.post(url, data)
    declaration.refresh_from_db()
    state_after_first, audit_after_first = declaration.state, _audit()
    client.post(url, data | CONFIRMED)
    declaration.refresh_from_db()

    content = pending.content.decode()
    assert "Stop support (Art. 17 re-check)" in content
    assert "Registration moved out of Beijing." in content
    assert "The 800,000.00 yuan of the approved amount not yet paid are cancelled" in content
    assert 'name="stop-reason" value="Registration moved out of Beijing."' in content
    assert (state_after_first, audit_after_first) == (S.DISBURSING, before)
    assert declaration.state == S.STOPPED


def test_stop_support_refused_now_says_why_without_asking(client, finance, make_declaration):
    declaration = make_declaration(S.PAID)
    client.force_login(finance)

    response = client.post(reverse("disbursement:stop", args=[declaration.pk]), {"stop-reason": "Moved out."})

    assert "This cannot be done while the declaration is “Paid in full”." in response.content.decode()
    assert "What will happen" not in response.content.decode()


def test_terminate_asks_first_with_what_was_paid_then_terminates(client, staff, make_declaration):
    declaration = make_declaration(S.PAID)
    url = reverse("disbursement:terminate", args=[declaration.pk])
    data = {"terminate-reason": "The investment was feigned."}
    client.force_login(staff)
    before = _audit()

    pending = client.post(url, data)
    declaration.refresh_from_db()
    state_after_first, audit_after_first = declaration.state, _audit()
    client.post(url, data | CONFIRMED)
    declaration.refresh_from_db()

    content = pending.content.decode()
    assert "Terminate the project execution (Art. 21)" in content
    assert "The 1,600,000.00 yuan already paid are recovered by opening a recovery case next." in content
    assert (state_after_first, audit_after_first) == (S.PAID, before)
    assert declaration.state == S.TERMINATED


def test_opening_a_recovery_case_asks_first_with_amount_and_bar_then_opens(client, staff, make_declaration):
    declaration = make_declaration(S.PAID)
    url = reverse("disbursement:recovery_case_create", args=[declaration.pk])
    barred_until = TODAY + datetime.timedelta(days=365)
    data = {
        "case-amount_due": "600,000.00",
        "case-due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "case-reason": "The investment evidence was forged.",
        "case-barred_until": barred_until.isoformat(),
    }
    client.force_login(staff)
    before = _audit()

    pending = client.post(url, data)
    declaration.refresh_from_db()
    after_first = (declaration.state, _audit(), RecoveryCase.objects.count())
    client.post(url, data | CONFIRMED)
    declaration.refresh_from_db()

    content = pending.content.decode()
    assert "Open a recovery case (Art. 21)" in content
    assert "A recovery case is opened: 600,000.00 yuan are to be repaid by" in content
    assert "is barred from applying until" in content
    assert "The declaration moves to “Funds recovered”; the applicant is told." in content
    assert after_first == (S.PAID, before, 0)
    assert (declaration.state, RecoveryCase.objects.get().amount_due) == (S.RECOVERED, Decimal("600000.00"))


def test_opening_a_recovery_case_refused_now_says_why_without_asking(client, staff, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(staff)

    response = client.post(
        reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        {
            "case-amount_due": "1.00",
            "case-due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "case-reason": "Forged.",
        },
    )

    assert "This cannot be done while the declaration is “Confirmed after publicity”." in response.content.decode()
    assert not RecoveryCase.objects.exists()


def test_recording_a_repayment_asks_first_with_what_stays_due_then_records(client, staff, finance, make_declaration):
    case = _open_case(make_declaration(S.PAID), staff)
    url = reverse("disbursement:repayment_create", args=[case.pk])
    data = {
        f"repayment-{case.pk}-amount": "250,000",
        f"repayment-{case.pk}-received_on": TODAY.isoformat(),
        f"repayment-{case.pk}-reference": "BANK-1",
    }
    client.force_login(finance)
    before = _audit()

    pending = client.post(url, data)
    audit_after_first = _audit()
    client.post(url, data | CONFIRMED)
    case.refresh_from_db()

    content = pending.content.decode()
    assert "A repayment of 250,000.00 yuan, received on" in content
    assert "350,000.00 yuan are then still due." in content
    assert audit_after_first == before
    assert (case.state, case.repaid_amount) == (CS.PARTLY_REPAID, Decimal("250000.00"))


def test_referring_a_case_asks_first_then_refers(client, staff, make_declaration):
    case = _open_case(make_declaration(S.PAID), staff)
    url = reverse("disbursement:recovery_case_refer", args=[case.pk])
    data = {f"refer-{case.pk}-reason": "No answer to two reminders."}
    client.force_login(staff)
    before = _audit()

    pending = client.post(url, data)
    case.refresh_from_db()
    state_after_first, audit_after_first = case.state, _audit()
    client.post(url, data | CONFIRMED)
    case.refresh_from_db()

    assert f"Recovery case {case.number} is referred for enforcement (Art. 22)" in pending.content.decode()
    assert (state_after_first, audit_after_first) == (CS.OPEN, before)
    assert case.state == CS.REFERRED


@pytest.mark.parametrize(
    ("name", "prefix", "title", "target"),
    [
        ("disbursement:order_reject", "reject", "Reject the payment order", OS.REJECTED),
        ("disbursement:order_cancel", "cancel", "Cancel the payment order", OS.CANCELLED),
    ],
)
def test_rejecting_or_cancelling_an_order_asks_first_then_acts(
    client, prepared_order, second_finance, name, prefix, title, target
):
    url = reverse(name, args=[prepared_order.pk])
    data = {f"{prefix}-{prepared_order.pk}-note": "Wrong branch."}
    client.force_login(second_finance)
    before = _audit()

    pending = client.post(url, data)
    prepared_order.refresh_from_db()
    state_after_first, audit_after_first = prepared_order.state, _audit()
    client.post(url, data | CONFIRMED)
    prepared_order.refresh_from_db()

    content = pending.content.decode()
    assert title in content
    assert prepared_order.number in content
    assert "Wrong branch." in content
    assert (state_after_first, audit_after_first) == (OS.PREPARED, before)
    assert prepared_order.state == target


def test_the_preparer_rejecting_their_own_order_is_told_why_without_asking(client, prepared_order, finance):
    client.force_login(finance)

    response = client.post(
        reverse("disbursement:order_reject", args=[prepared_order.pk]),
        {f"reject-{prepared_order.pk}-note": "Wrong branch."},
    )
    prepared_order.refresh_from_db()

    assert "You prepared this order: a second finance officer must approve or reject it." in response.content.decode()
    assert prepared_order.state == OS.PREPARED


def test_money_page_shows_opening_a_case_disabled_with_the_reason_before_any_payment(client, staff, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(staff)

    response = client.get(_page(declaration))

    assert response.context["actions_refused"] == [
        (
            "recover",
            "Recover funds (Art. 21)",
            "This cannot be done while the declaration is “Confirmed after publicity”.",
        )
    ]
    assert response.context["case_form"] is None
    assert 'id="refused-recover"' in response.content.decode()


def test_money_page_of_a_stopped_declaration_with_nothing_paid_says_nothing_is_left_to_recover(
    client, staff, finance, make_declaration
):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)
    client.post(reverse("disbursement:stop", args=[declaration.pk]), {"stop-reason": "Moved out."} | CONFIRMED)
    client.force_login(staff)

    response = client.get(_page(declaration))

    # Stopping and terminating are past, not refused: they are left out.
    assert response.context["actions_refused"] == [
        ("recover", "Recover funds (Art. 21)", "Nothing paid is left to recover.")
    ]


def test_money_page_shows_nothing_refused_to_a_user_without_the_permissions(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    response = client.get(_page(declaration))

    # Finance officers stop support; terminating and recovering are the staff's.
    assert response.context["actions_refused"] == []
    assert response.context["stop_form"] is not None
