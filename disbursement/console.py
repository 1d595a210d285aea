"""The finance console: orders to prepare, orders waiting for approval (with the Art. 17 re-check of
each unit as it stands now), approved and paid orders, payments; each list filtered, paginated, and
exported as CSV or XLSX (formula cells neutralised)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.security import export_recorded
from common.http import query_without_page
from common.views import permission_required
from disbursement.forms import OrderFilterForm
from disbursement.models import PaymentOrderState
from disbursement.recovery_selectors import recovery_due_counts
from disbursement.selectors import (
    declarations_to_order,
    finance_worklist,
    order_list,
    payment_list,
    prepayment_rechecks,
)
from review.exports import AMOUNT, DATE, DATETIME, FORMATS, Column, export_response

PAGE_SIZE = 25


def _user(user):
    # User.__str__ is the full name, or the username without one.
    return str(user) if user else None


ORDER_COLUMNS = (
    Column(_("Order"), lambda o: o.number, width=18),
    Column(_("Number"), lambda o: o.declaration.number, width=24),
    Column(_("Organisation"), lambda o: o.declaration.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda o: o.declaration.organisation.credit_code, width=22),
    Column(_("Programme"), lambda o: o.declaration.programme.code, width=10),
    Column(_("Tranche"), lambda o: o.tranche.number, width=8),
    Column(_("Amount (yuan)"), lambda o: o.amount, AMOUNT, width=18),
    Column(_("State"), lambda o: o.get_state_display(), width=20),
    Column(_("Account name"), lambda o: o.account_name, width=32),
    Column(_("Bank and branch"), lambda o: o.bank_name, width=28),
    Column(_("Account number"), lambda o: o.account_number, width=26),
    Column(_("Prepared by"), lambda o: _user(o.prepared_by), width=16),
    Column(_("Prepared at"), lambda o: o.prepared_at, DATETIME, width=18),
    Column(_("Approved or rejected by"), lambda o: _user(o.decided_by), width=16),
    Column(_("Approved or rejected at"), lambda o: o.decided_at, DATETIME, width=18),
    Column(_("Voucher number"), lambda o: o.voucher_number or None, width=20),
    Column(_("Paid on"), lambda o: o.paid_on, DATE, width=12),
)

PAYMENT_COLUMNS = (
    Column(_("Number"), lambda p: p.declaration.number, width=24),
    Column(_("Organisation"), lambda p: p.declaration.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda p: p.declaration.organisation.credit_code, width=22),
    Column(_("Programme"), lambda p: p.declaration.programme.code, width=10),
    Column(_("Order"), lambda p: p.order.number if p.order else None, width=18),
    Column(_("Voucher number"), lambda p: p.reference, width=20),
    Column(_("Paid on"), lambda p: p.paid_on, DATE, width=12),
    Column(_("Amount (yuan)"), lambda p: p.amount, AMOUNT, width=18),
    Column(_("Recorded by"), lambda p: _user(p.recorded_by), width=16),
)


def _filters(request):
    form = OrderFilterForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["state"], form.cleaned_data["q"]
    return form, "", ""


@permission_required("disbursement.disburse")
def home(request):
    """The finance officer's home: orders to prepare, to approve and to pay, and recoveries due."""
    return render(
        request,
        "disbursement/home.html",
        {
            "console_section": "finance_home",
            "work": finance_worklist(),
            "recoveries": recovery_due_counts(),
            "title": _("Finance: what needs you now"),
        },
    )


@permission_required("disbursement.disburse")
def to_prepare(request):
    page = Paginator(declarations_to_order(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disbursement/queue.html",
        {"console_section": "disbursement", "finance_tab": "to_prepare", "page": page},
    )


@permission_required("disbursement.disburse")
def orders(request):
    form, state, q = _filters(request)
    page = Paginator(order_list(state=state, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = [order for order in page.object_list if order.state == PaymentOrderState.PREPARED]
    rechecks = prepayment_rechecks(waiting)
    rows = [{"order": order, "findings": rechecks.get(order.pk)} for order in page.object_list]
    return render(
        request,
        "disbursement/console_orders.html",
        {
            "console_section": "disbursement",
            "finance_tab": f"orders-{state}" if state else "orders",
            "filter_form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "formats": FORMATS,
        },
    )


@permission_required("disbursement.disburse")
@export_recorded("payment_orders")
def orders_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    _form, state, q = _filters(request)
    return export_response(
        fmt, ORDER_COLUMNS, order_list(state=state, q=q), stem="payment-orders", sheet_title=_("Payment orders")
    )


@permission_required("disbursement.disburse")
def payments(request):
    form, _state, q = _filters(request)
    page = Paginator(payment_list(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disbursement/console_payments.html",
        {
            "console_section": "disbursement",
            "finance_tab": "payments",
            "filter_form": form,
            "page": page,
            "query": query_without_page(request),
            "formats": FORMATS,
        },
    )


@permission_required("disbursement.disburse")
@export_recorded("payments")
def payments_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    _form, _state, q = _filters(request)
    return export_response(fmt, PAYMENT_COLUMNS, payment_list(q=q), stem="payments", sheet_title=_("Payments"))
