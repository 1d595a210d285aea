import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from disbursement.models import RecoveryCase
from tests.disbursement.conftest import APPROVED

REASON = "Registration moved out of Beijing (Tongzhou market regulation bureau, 2026-03-02)."


def stop(client, declaration, reason=REASON):
    return client.post(reverse("disbursement:stop", args=[declaration.pk]), {"stop-reason": reason, "confirmed": "yes"})


def recover(client, declaration, amount, *, reason="Investment evidence was forged.", barred_until="", due_on=None):
    """Open a recovery case through the money page's form."""
    due_on = due_on or (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    return client.post(
        reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        {
            "case-amount_due": amount,
            "case-reason": reason,
            "case-barred_until": barred_until,
            "case-due_on": due_on,
            "confirmed": "yes",
        },
    )


@pytest.mark.parametrize("state", [S.CONFIRMED, S.DISBURSING])
def test_stop_moves_declaration_to_stopped_with_reason(client, finance, make_declaration, state):
    declaration = make_declaration(state)
    client.force_login(finance)

    response = stop(client, declaration)
    declaration.refresh_from_db()

    assert (response.status_code, response.url) == (302, reverse("disbursement:declaration", args=[declaration.pk]))
    assert declaration.state == S.STOPPED
    assert list(declaration.events.filter(action=A.STOP).values_list("from_state", "actor", "note")) == [
        (state, finance.pk, REASON)
    ]
    # Nothing more is paid: what was not paid is cancelled (half was paid while disbursing).
    assert declaration.cancelled_amount == (APPROVED if state == S.CONFIRMED else APPROVED / 2)


def test_stop_of_paid_declaration_refused_with_message(client, finance, make_declaration):
    declaration = make_declaration(S.PAID)
    client.force_login(finance)

    response = stop(client, declaration)
    declaration.refresh_from_db()

    message = "This cannot be done while the declaration is “Paid in full”."
    assert response.status_code == 200
    assert response.context["stop_form"].non_field_errors() == [message]
    assert message in response.content.decode()
    assert declaration.state == S.PAID
    assert declaration.events.filter(action=A.STOP).count() == 0


def test_stop_without_reason_refused_at_field(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    response = stop(client, declaration, reason="   ")
    declaration.refresh_from_db()

    assert response.context["stop_form"].errors == {"reason": ["This field is required."]}
    assert declaration.state == S.CONFIRMED


def test_stop_form_explains_article_17(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    response = client.get(reverse("disbursement:declaration", args=[declaration.pk]))

    content = " ".join(response.content.decode().split())
    assert "Stop support (Art. 17 re-check)" in content
    assert (
        "is no longer supported if it has been revoked or cancelled, if its registered place has moved out of "
        "Beijing, or if the unit or its relevant personnel have been punished for dishonesty." in content
    )


def test_recovery_of_paid_declaration_recorded_and_moves_to_recovered(client, staff, make_declaration):
    declaration = make_declaration(S.PAID)
    barred_until = timezone.localdate() + datetime.timedelta(days=3 * 365)
    due_on = timezone.localdate() + datetime.timedelta(days=60)
    client.force_login(staff)

    response = recover(client, declaration, "1,600,000.00", barred_until=barred_until.isoformat(), due_on=due_on)
    declaration.refresh_from_db()

    assert (response.status_code, response.url) == (302, reverse("disbursement:declaration", args=[declaration.pk]))
    assert declaration.state == S.RECOVERED
    assert list(
        declaration.recovery_cases.values_list("amount_due", "reason", "due_on", "barred_until", "state", "opened_by")
    ) == [(APPROVED, "Investment evidence was forged.", due_on, barred_until, "open", staff.pk)]
    assert (declaration.recovered_amount, declaration.cancelled_amount) == (APPROVED, Decimal("0.00"))
    assert list(declaration.events.filter(action=A.RECOVER).values_list("from_state", "to_state", "actor")) == [
        (S.PAID, S.RECOVERED, staff.pk)
    ]


def test_recovery_page_lists_the_recovery_cases(client, finance, make_declaration):
    declaration = make_declaration(S.RECOVERED)
    client.force_login(finance)

    response = client.get(reverse("disbursement:declaration", args=[declaration.pk]))

    assert [item.case.amount_due for item in response.context["recovery_cases"]] == [APPROVED]
    assert response.context["recovery_totals"] == {"due": APPROVED, "repaid": Decimal("0.00"), "left": APPROVED}
    assert response.context["case_form"] is None  # the finance officer records repayments, staff open cases
    assert "投资证明材料系伪造。" in response.content.decode()


AT_MOST = (
    "The amount to recover is more than the %s yuan paid and not yet recovered "
    "(%s yuan paid, 0.00 yuan already to be recovered)."
)


@pytest.mark.parametrize(
    ("state", "amount", "message"),
    [
        (S.PAID, "1,600,000.01", AT_MOST % ("1,600,000.00", "1,600,000.00")),
        (S.DISBURSING, "800,000.01", AT_MOST % ("800,000.00", "800,000.00")),
        (S.PAID, "0", "The amount to recover must be more than zero."),
        (S.PAID, "-5", "The amount to recover must be more than zero."),
        (S.PAID, "abc", "Enter a number."),
    ],
)
def test_recovery_invalid_amount_refused_at_field(client, staff, make_declaration, state, amount, message):
    declaration = make_declaration(state)
    client.force_login(staff)

    response = recover(client, declaration, amount)
    declaration.refresh_from_db()

    assert response.context["case_form"].errors == {"amount_due": [message]}
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 0
    assert declaration.state == state


def test_recovery_of_confirmed_declaration_refused_with_message(client, staff, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    client.force_login(staff)
    page = client.get(reverse("disbursement:declaration", args=[declaration.pk]))

    response = recover(client, declaration, "1.00")
    declaration.refresh_from_db()

    assert page.context["case_form"] is None
    assert response.context["case_form"].non_field_errors() == [
        "This cannot be done while the declaration is “Confirmed after publicity”."
    ]
    assert declaration.state == S.CONFIRMED
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 0


def test_recovery_bar_ending_today_refused_at_field(client, staff, make_declaration):
    declaration = make_declaration(S.PAID)
    client.force_login(staff)

    response = recover(client, declaration, "100", barred_until=timezone.localdate().isoformat())

    assert response.context["case_form"].errors == {"barred_until": ["The bar must end after today."]}
    assert RecoveryCase.objects.filter(declaration=declaration).count() == 0


def test_recovery_amount_accepts_partial_recovery(client, staff, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(staff)

    recover(client, declaration, "300,000.50")
    declaration.refresh_from_db()

    assert declaration.state == S.RECOVERED
    assert list(declaration.recovery_cases.values_list("amount_due", "barred_until")) == [(Decimal("300000.50"), None)]
    # Nothing more is paid on a recovered declaration: the unpaid half is cancelled.
    assert (declaration.recovered_amount, declaration.cancelled_amount) == (Decimal("300000.50"), APPROVED / 2)
