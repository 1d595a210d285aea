"""Reads for the finance officer's disbursement pages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from common.money import MONEY, Fen, money_sum
from declarations.models import Declaration
from declarations.workflow import PAYABLE_STATES
from disbursement.models import BankAccount, Payment, PaymentOrder, PaymentOrderEvent, PaymentOrderState, Recheck
from disbursement.services import default_plan
from disbursement.workflow import COMMITTED_ORDER_STATES, order_actions_available, order_actions_refused
from review.recheck import unit_recheck_many

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def _with_amounts(queryset):
    """Annotate `paid_total` (sum of payments, 0 when none) and `outstanding` (approved less paid,
    None once nothing more will be paid) in the same query."""
    return queryset.annotate(paid_total=money_sum("payments__amount")).annotate(
        outstanding=Fen(
            Case(
                When(state__in=PAYABLE_STATES, then=F("approved_amount") - F("paid_total")),
                default=None,
                output_field=DecimalField(**MONEY),
            )
        ),
    )


def declaration_for_disbursement(*, declaration_id):
    """One declaration with its amounts, its bank account, plan, orders (with their trail), payments
    and re-checks; its recovery cases are read by disbursement.recovery_selectors. Any state: the
    staff console links here for every declaration, and the page says when one has not reached
    disbursement. Raises Declaration.DoesNotExist."""
    queryset = Declaration.objects.select_related(
        "organisation", "organisation__bank_account", "programme", "call"
    ).prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("recorded_by", "order")),
        "tranches",
        Prefetch(
            "orders",
            queryset=PaymentOrder.objects.select_related("prepared_by", "decided_by", "tranche").prefetch_related(
                Prefetch("events", queryset=PaymentOrderEvent.objects.select_related("actor"))
            ),
        ),
        Prefetch("rechecks", queryset=Recheck.objects.select_related("checked_by", "order")),
    )
    return _with_amounts(queryset).get(pk=declaration_id)


@dataclass(frozen=True)
class PlanRow:
    number: int
    amount: Decimal
    planned_on: object
    ordered: Decimal  # held by approved or paid orders
    open_amount: Decimal
    saved: bool


def payment_plan(declaration):
    """The plan's tranches with what of each is held by approved or paid orders and still open; the
    default plan (one tranche of the whole approved amount) until one is saved. Reads the tranches
    and orders `declaration_for_disbursement` prefetched."""
    orders = list(declaration.orders.all())
    held: dict[int, Decimal] = {}
    for order in orders:
        if order.state in COMMITTED_ORDER_STATES:
            held[order.tranche.number] = held.get(order.tranche.number, _ZERO_DECIMAL) + order.amount
    tranches = list(declaration.tranches.all())
    if tranches:
        rows = [(t.number, t.amount, t.planned_on, True) for t in tranches]
    elif declaration.approved_amount:
        rows = [(n, t.amount, t.planned_on, False) for n, t in enumerate(default_plan(declaration), start=1)]
    else:
        rows = []
    return [
        PlanRow(
            number, amount, planned_on, held.get(number, _ZERO_DECIMAL), amount - held.get(number, _ZERO_DECIMAL), saved
        )
        for number, amount, planned_on, saved in rows
    ]


_ZERO_DECIMAL = Decimal("0.00")


@dataclass(frozen=True)
class OrderRow:
    order: PaymentOrder
    actions: tuple
    # (action, reason) of those `user` may not take now (workflow.order_actions_refused).
    refused: tuple = ()


def order_rows(declaration, user):
    """The declaration's orders, newest first, each with the actions `user` may take on it and those
    they may not take now, with the reason."""
    return [
        OrderRow(order, tuple(order_actions_available(order, user)), tuple(order_actions_refused(order, user)))
        for order in declaration.orders.all()
    ]


def bank_account_of(organisation):
    return BankAccount.objects.filter(organisation=organisation).first()


def bank_account_history(account):
    return list(account.history.select_related("history_user").order_by("-history_date")) if account else []


def order_list(*, state="", q=""):
    """Payment orders for the finance console, newest first, with what a row shows in one query."""
    orders = PaymentOrder.objects.select_related(
        "declaration__organisation", "declaration__programme", "prepared_by", "decided_by", "tranche"
    )
    if state:
        orders = orders.filter(state=state)
    if q:
        q = q.strip()
        orders = orders.filter(
            Q(declaration__number__icontains=q)
            | Q(declaration__organisation__name__icontains=q)
            | Q(declaration__organisation__credit_code__iexact=q)
            | Q(declaration__title__icontains=q)
        )
    return orders.order_by("-prepared_at", "-pk")


def prepayment_rechecks(orders):
    """The Art. 17 re-check of each order's unit as it stands now, for a page of orders: two queries
    whatever the page's size. order pk -> findings."""
    organisations = {order.declaration.organisation_id: order.declaration.organisation for order in orders}
    findings = unit_recheck_many(list(organisations.values()))
    return {order.pk: findings.get(order.declaration.organisation_id, []) for order in orders}


def payment_list(*, q=""):
    payments = Payment.objects.select_related(
        "declaration__organisation", "declaration__programme", "recorded_by", "order"
    )
    if q:
        q = q.strip()
        payments = payments.filter(
            Q(declaration__number__icontains=q)
            | Q(declaration__organisation__name__icontains=q)
            | Q(reference__icontains=q)
        )
    return payments.order_by("-paid_on", "-pk")


def declarations_to_order():
    """Payable declarations with part of the approved amount that no approved or paid order holds:
    the finance officer's list of orders to prepare."""
    committed = (
        PaymentOrder.objects.filter(declaration=OuterRef("pk"), state__in=COMMITTED_ORDER_STATES)
        .values("declaration")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    unordered_payments = (
        Payment.objects.filter(declaration=OuterRef("pk"), order__isnull=True)
        .values("declaration")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Declaration.objects.filter(state__in=PAYABLE_STATES)
        .select_related("organisation", "programme")
        .annotate(
            committed=Fen(
                Coalesce(Subquery(committed), _ZERO, output_field=DecimalField(**MONEY))
                + Coalesce(Subquery(unordered_payments), _ZERO, output_field=DecimalField(**MONEY))
            )
        )
        .annotate(to_order=Fen(F("approved_amount") - F("committed")))
        .filter(to_order__gt=0)
        .order_by("number", "pk")
    )


def finance_worklist():
    """The finance officer's home: the declarations with an order to prepare, the orders waiting
    for a second officer's approval and those approved and still to pay. Two queries."""
    orders = PaymentOrder.objects.aggregate(
        to_approve=Count("pk", filter=Q(state=PaymentOrderState.PREPARED)),
        to_pay=Count("pk", filter=Q(state=PaymentOrderState.APPROVED)),
    )
    return {"to_prepare": declarations_to_order().count(), **orders}
