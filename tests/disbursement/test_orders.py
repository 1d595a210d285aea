"""Payment plans and payment orders: a finance officer prepares, a second one approves after the
Art. 17 re-check, and only an approved order is paid."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from config.demo import PATHS
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.workflow import TransitionRefused
from disbursement.models import BankAccount, Payment, PaymentOrder, PaymentOrderEvent, Recheck, Tranche
from disbursement.models import PaymentOrderAction as OA
from disbursement.models import PaymentOrderState as OS
from disbursement.services import (
    OrderBlocked,
    PlannedTranche,
    bank_account_set,
    order_approve,
    order_mark_paid,
    order_prepare,
    order_reject,
    payment_plan_set,
)
from review.models import CreditList, CreditRecord, UnitStatus
from review.unit_status import unit_status_record
from tests.disbursement.conftest import APPROVED
from tests.factories import CallFactory, DeclarationFactory
from tests.factories.states import build_to


@pytest.fixture
def confirmed(confirmed_with_account):
    return confirmed_with_account


def _counts():
    return (
        PaymentOrder.objects.count(),
        PaymentOrderEvent.objects.count(),
        Payment.objects.count(),
        Tranche.objects.count(),
        Recheck.objects.count(),
    )


def test_order_prepared_approved_by_second_officer_and_paid_takes_declaration_to_paid(
    confirmed, finance, second_finance
):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    order_approve(order_id=order.pk, actor=second_finance)
    payment = order_mark_paid(
        order_id=order.pk, actor=finance, voucher_number="VOUCHER-1", paid_on=timezone.localdate()
    )
    confirmed.refresh_from_db()
    order.refresh_from_db()

    assert (order.state, order.amount, order.prepared_by, order.decided_by) == (
        OS.PAID,
        APPROVED,
        finance,
        second_finance,
    )
    assert (payment.amount, payment.reference, payment.order) == (APPROVED, "VOUCHER-1", order)
    assert confirmed.state == S.PAID
    assert list(order.events.values_list("action", "from_state", "to_state", "actor")) == [
        (OA.PREPARE, "", OS.PREPARED, finance.pk),
        (OA.APPROVE, OS.PREPARED, OS.APPROVED, second_finance.pk),
        (OA.MARK_PAID, OS.APPROVED, OS.PAID, finance.pk),
    ]
    assert list(
        confirmed.events.filter(action__in=[A.START_DISBURSEMENT, A.COMPLETE_PAYMENT]).values_list("action", flat=True)
    ) == [A.START_DISBURSEMENT, A.COMPLETE_PAYMENT]
    assert list(order.account_number) and order.account_number == "6222020200112233445"
    assert Recheck.objects.get(order=order).passed


def test_order_preparer_cannot_approve_own_order_by_the_service(confirmed, finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    before = _counts()

    with pytest.raises(TransitionRefused, match="You prepared this order: a second finance officer must approve"):
        order_approve(order_id=order.pk, actor=finance)

    order.refresh_from_db()
    assert order.state == OS.PREPARED
    assert _counts() == before


def test_order_preparer_cannot_approve_own_order_by_the_page(client, confirmed, finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    client.force_login(finance)

    page = client.get(reverse("disbursement:declaration", args=[confirmed.pk]))
    response = client.post(reverse("disbursement:order_approve", args=[order.pk]), {"confirmed": "yes"}, follow=True)

    assert reverse("disbursement:order_approve", args=[order.pk]) not in page.content.decode()
    assert "You prepared this order: a second finance officer must approve or reject it." in [
        str(m) for m in response.context["messages"]
    ]
    order.refresh_from_db()
    assert order.state == OS.PREPARED


def test_order_not_approved_cannot_be_marked_paid(confirmed, finance, second_finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    before = _counts()

    with pytest.raises(TransitionRefused, match="while the order is “Waiting for approval”"):
        order_mark_paid(order_id=order.pk, actor=second_finance, voucher_number="V-1", paid_on=timezone.localdate())

    assert _counts() == before


def test_order_rejected_with_reason_frees_the_tranche(confirmed, finance, second_finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    order_reject(order_id=order.pk, actor=second_finance, note="Wrong branch.")
    again = order_prepare(declaration_id=confirmed.pk, actor=finance)

    order.refresh_from_db()
    assert (order.state, order.decided_by) == (OS.REJECTED, second_finance)
    assert again.amount == APPROVED


def test_order_rejection_without_reason_refused_and_nothing_changes(confirmed, finance, second_finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    before = _counts()

    with pytest.raises(TransitionRefused, match=re.escape("Please give a reason.")):
        order_reject(order_id=order.pk, actor=second_finance, note="  ")

    assert _counts() == before


def test_order_refused_without_bank_account(make_declaration, finance):
    declaration = make_declaration(S.CONFIRMED)

    with pytest.raises(TransitionRefused, match=re.escape("Record the unit's bank account before preparing an order.")):
        order_prepare(declaration_id=declaration.pk, actor=finance)


def test_bank_account_refused_unless_in_the_units_registered_name(make_declaration, finance):
    declaration = make_declaration(S.CONFIRMED)

    with pytest.raises(TransitionRefused, match="is not the unit's registered name"):
        bank_account_set(
            organisation_id=declaration.organisation_id,
            actor=finance,
            account_name="Someone Else Ltd.",
            bank_name="Bank",
            account_number="6222020200112233445",
        )
    assert not BankAccount.objects.exists()


def test_bank_account_change_kept_in_history(confirmed, finance):
    bank_account_set(
        organisation_id=confirmed.organisation_id,
        actor=finance,
        account_name=confirmed.organisation.name,
        bank_name="ICBC, Zhongguancun Branch",
        account_number="6212260200001111222",
    )
    account = BankAccount.objects.get(organisation=confirmed.organisation)

    assert [(v.account_number, v.history_user) for v in account.history.order_by("history_date")] == [
        ("6222020200112233445", finance),
        ("6212260200001111222", finance),
    ]


def test_plan_of_two_tranches_paid_in_two_orders(confirmed, finance, second_finance):
    payment_plan_set(
        declaration_id=confirmed.pk,
        actor=finance,
        tranches=[PlannedTranche(Decimal("600000.00")), PlannedTranche(Decimal("1000000.00"))],
    )
    states = []
    for number in (1, 2):
        order = order_prepare(declaration_id=confirmed.pk, actor=finance, tranche_number=number)
        order_approve(order_id=order.pk, actor=second_finance)
        order_mark_paid(order_id=order.pk, actor=finance, voucher_number=f"V-{number}", paid_on=timezone.localdate())
        confirmed.refresh_from_db()
        states.append(confirmed.state)

    assert states == [S.DISBURSING, S.PAID]
    assert list(confirmed.payments.values_list("amount", flat=True)) == [Decimal("600000.00"), Decimal("1000000.00")]


def test_plan_not_adding_up_to_approved_amount_refused(confirmed, finance):
    with pytest.raises(TransitionRefused, match=r"add up to 1,000,000\.00 yuan, not the approved amount"):
        payment_plan_set(
            declaration_id=confirmed.pk,
            actor=finance,
            tranches=[PlannedTranche(Decimal("400000")), PlannedTranche(Decimal("600000"))],
        )
    assert not Tranche.objects.exists()


def test_plan_fixed_once_an_order_is_prepared(confirmed, finance):
    order_prepare(declaration_id=confirmed.pk, actor=finance)

    with pytest.raises(TransitionRefused, match="The plan cannot change once an order has been prepared"):
        payment_plan_set(declaration_id=confirmed.pk, actor=finance, tranches=[PlannedTranche(APPROVED)])


def test_order_above_tranche_open_amount_refused(confirmed, finance):
    with pytest.raises(TransitionRefused, match=re.escape("more than the 1,600,000.00 yuan of tranche 1 still open")):
        order_prepare(declaration_id=confirmed.pk, actor=finance, amount=Decimal("1600000.01"))
    assert not PaymentOrder.objects.exists()


def test_second_approval_beyond_the_approved_amount_refused(confirmed, finance, second_finance):
    first = order_prepare(declaration_id=confirmed.pk, actor=finance)
    second = order_prepare(declaration_id=confirmed.pk, actor=finance)
    order_approve(order_id=first.pk, actor=second_finance)
    before = _counts()

    with pytest.raises(TransitionRefused, match=re.escape("more than the 0.00 yuan of tranche 1 still open")):
        order_approve(order_id=second.pk, actor=second_finance)

    assert _counts() == before


def test_order_page_flow_prepare_approve_pay(client, confirmed, finance, second_finance):
    page = reverse("disbursement:declaration", args=[confirmed.pk])
    client.force_login(finance)
    prepared = client.post(
        reverse("disbursement:order_create", args=[confirmed.pk]), {"order-tranche": "1", "order-amount": ""}
    )
    order = PaymentOrder.objects.get()
    client.force_login(second_finance)
    approved = client.post(reverse("disbursement:order_approve", args=[order.pk]), {"confirmed": "yes"})
    client.force_login(finance)
    paid = client.post(
        reverse("disbursement:order_paid", args=[order.pk]),
        {
            "confirmed": "yes",
            f"mark_paid-{order.pk}-voucher_number": "V-77",
            f"mark_paid-{order.pk}-paid_on": timezone.localdate().isoformat(),
        },
    )
    confirmed.refresh_from_db()

    assert [r.status_code for r in (prepared, approved, paid)] == [302, 302, 302]
    assert all(r.url == page for r in (prepared, approved, paid))
    assert confirmed.state == S.PAID


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"order-tranche": "1", "order-amount": "0"}, "amount", "An order must be for more than zero."),
        ({"order-tranche": "1", "order-amount": "abc"}, "amount", "Enter a number."),
        (
            {"order-tranche": "1", "order-amount": "2,000,000"},
            "amount",
            "This order of 2,000,000.00 yuan is more than the 1,600,000.00 yuan of tranche 1 still open.",
        ),
        (
            {"order-tranche": "9", "order-amount": ""},
            "tranche",
            "Select a valid choice. 9 is not one of the available choices.",
        ),
    ],
)
def test_order_invalid_input_refused_at_field_and_nothing_saved(client, confirmed, finance, data, field, message):
    client.force_login(finance)

    response = client.post(reverse("disbursement:order_create", args=[confirmed.pk]), data)

    assert response.status_code == 200
    assert message in response.context["prepare_form"].errors[field]
    assert not PaymentOrder.objects.exists()


def test_paid_form_future_date_refused_at_field(client, confirmed, finance, second_finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    order_approve(order_id=order.pk, actor=second_finance)
    client.force_login(finance)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("disbursement:order_paid", args=[order.pk]),
        {
            "confirmed": "yes",
            f"mark_paid-{order.pk}-voucher_number": "V-1",
            f"mark_paid-{order.pk}-paid_on": tomorrow.isoformat(),
        },
    )

    assert response.status_code == 200
    panel = next(p for p in response.context["orders"] if p["order"].pk == order.pk)
    assert panel["paid_form"].errors["paid_on"] == ["The payment date cannot be in the future."]
    assert not Payment.objects.exists()


def test_order_pdf_shows_the_whole_account_and_the_page_masks_it_for_staff(client, confirmed, finance, staff):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    client.force_login(finance)
    pdf = client.get(reverse("disbursement:order_pdf", args=[order.pk]))
    client.force_login(staff)
    staff_page = client.get(reverse("disbursement:declaration", args=[confirmed.pk])).content.decode()
    staff_pdf = client.get(reverse("disbursement:order_pdf", args=[order.pk]))

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "6222020200112233445" not in staff_page
    assert "***************3445" in staff_page
    assert staff_pdf.status_code == 403


@pytest.mark.parametrize("count", [1, 6])
def test_money_page_query_count_does_not_grow_with_orders(
    client, confirmed, finance, second_finance, django_assert_max_num_queries, count
):
    payment_plan_set(
        declaration_id=confirmed.pk,
        actor=finance,
        tranches=[PlannedTranche(APPROVED / 8) for _ in range(8)],
    )
    for number in range(1, count + 1):
        order = order_prepare(declaration_id=confirmed.pk, actor=finance, tranche_number=number)
        order_approve(order_id=order.pk, actor=second_finance)
        order_mark_paid(order_id=order.pk, actor=finance, voucher_number=f"V-{number}", paid_on=timezone.localdate())
    client.force_login(second_finance)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("disbursement:declaration", args=[confirmed.pk]))

    assert len(response.context["orders"]) == count


def test_order_approval_blocked_by_a_credit_record_listed_after_decision(client, confirmed, finance, second_finance):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    CreditRecord.objects.create(
        credit_code=confirmed.organisation.credit_code,
        list=CreditList.choices[0][0],
        starts_on=timezone.localdate(),
        source="Credit China 2026-0042",
    )
    client.force_login(second_finance)

    response = client.post(reverse("disbursement:order_approve", args=[order.pk]), {"confirmed": "yes"})

    order.refresh_from_db()
    recheck = Recheck.objects.get(order=order)
    assert response.status_code == 409
    assert order.state == OS.PREPARED
    assert not recheck.passed and "Credit China 2026-0042" in recheck.finding_messages[0]
    content = response.content.decode()
    assert "The Art. 17 re-check blocks this payment" in content
    assert "Credit China 2026-0042" in response.context["stop_form"].initial["reason"]
    assert not Payment.objects.exists()
    with pytest.raises(OrderBlocked, match="Credit China 2026-0042"):
        order_approve(order_id=order.pk, actor=second_finance)


def test_order_approval_blocked_by_a_move_out_of_beijing_recorded_after_decision(
    client, confirmed, finance, staff, second_finance
):
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    unit_status_record(
        organisation_id=confirmed.organisation_id,
        actor=staff,
        status=UnitStatus.MOVED_OUT,
        effective_on=timezone.localdate(),
        source="Haidian market regulator, notice 2026-88",
    )
    client.force_login(second_finance)

    response = client.post(reverse("disbursement:order_approve", args=[order.pk]), {"confirmed": "yes"})

    order.refresh_from_db()
    assert response.status_code == 409
    assert order.state == OS.PREPARED
    recheck = Recheck.objects.get(order=order)
    assert not recheck.passed and "notice 2026-88" in recheck.finding_messages[0]
    assert "notice 2026-88" in response.context["stop_form"].initial["reason"]
    assert not Payment.objects.exists()

    stopped = client.post(
        reverse("disbursement:stop", args=[confirmed.pk]),
        {"stop-reason": response.context["stop_form"].initial["reason"], "confirmed": "yes"},
    )
    confirmed.refresh_from_db()
    order.refresh_from_db()
    assert stopped.status_code == 302
    assert confirmed.state == S.STOPPED
    assert order.state == OS.CANCELLED
    # The reason left as the form proposed it is kept as its message, read in the reader's language.
    note = confirmed.events.last().note
    assert note.key == "review.recheck.stopped"
    assert "第十七条" in note.in_language("zh-hans") and "notice 2026-88" in note.in_language("zh-hans")
    assert order.events.last().note == note


def test_bank_account_link_carries_the_declaration_id_unlocalised(client, cast, finance):
    # Ids from 1,000 on were written with a thousands separator (USE_THOUSAND_SEPARATOR), so the page
    # lost its way back after the account was saved.
    declaration = DeclarationFactory(
        id=12345, organisation=cast.applicant.organisation, call=CallFactory(year=2030), created_by=cast.applicant
    )
    build_to(declaration, S.CONFIRMED, cast=cast, amount=APPROVED, through=PATHS[S.CONFIRMED][:-1])
    client.force_login(finance)

    page = client.get(reverse("disbursement:declaration", args=[12345])).content.decode()
    saved = client.post(
        reverse("disbursement:bank_account", args=[declaration.organisation_id]) + "?declaration=12345",
        {"account_name": declaration.organisation.name, "bank_name": "Bank", "account_number": "6222020200112233445"},
    )

    assert "?declaration=12345" in page
    assert saved.url == reverse("disbursement:declaration", args=[12345])
