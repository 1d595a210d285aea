"""The finance officers' pages: a declaration's money page (plan, orders, payments, re-checks,
stopping, recovery) and the actions on it. The console's lists are in disbursement/console.py."""

import rules
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.security import account_unmasked_record, export_record
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.money import yuan
from common.views import permission_required
from declarations.enums import DeclarationAction as A
from declarations.models import Declaration, Organisation
from declarations.workflow import (
    DISBURSEMENT_STATES,
    TRANSITIONS,
    TransitionRefused,
    actions_available,
    states_ahead,
    transition_refusal,
)
from disbursement import documents
from disbursement.confirmations import money_page_confirmation, stop_confirmation
from disbursement.forms import (
    BankAccountForm,
    OrderNoteForm,
    OrderPaidForm,
    OrderPrepareForm,
    StopForm,
    TrancheFormSet,
)
from disbursement.models import PaymentOrder
from disbursement.models import PaymentOrderAction as OA
from disbursement.recovery_views import recovery_context
from disbursement.selectors import (
    bank_account_history,
    bank_account_of,
    declaration_for_disbursement,
    order_rows,
    payment_plan,
)
from disbursement.services import (
    OrderBlocked,
    PlannedTranche,
    bank_account_set,
    declaration_stop,
    order_approve,
    order_cancel,
    order_mark_paid,
    order_prepare,
    order_reject,
    payment_plan_set,
)
from disbursement.workflow import order_transition_refusal
from review.recheck import recheck_stop_note


def _get_declaration(pk):
    try:
        return declaration_for_disbursement(declaration_id=pk)
    except Declaration.DoesNotExist:
        raise Http404 from None


def _plan_formset(declaration, plan, data=None):
    initial = [{"amount": row.amount, "planned_on": row.planned_on} for row in plan]
    formset = TrancheFormSet(data, prefix="plan", initial=initial, approved=declaration.approved_amount)
    if data is None:
        formset.extra = 2
    return formset


# The forms of the page's recovery part (recovery_views.recovery_context's).
RECOVERY_FORMS = ("terminate_form", "case_form", "repayment_form", "refer_form")
_ORDER_FORMS = {OA.REJECT: OrderNoteForm, OA.CANCEL: OrderNoteForm, OA.MARK_PAID: OrderPaidForm}
# A refused action's disabled control says what the control that takes it says.
_ORDER_CONTROLS = {
    OA.APPROVE: gettext_lazy("Re-check and approve"),
    OA.REJECT: gettext_lazy("Reject"),
    OA.MARK_PAID: gettext_lazy("Mark paid"),
    OA.CANCEL: gettext_lazy("Cancel"),
}


def _refused_controls(refused):
    """The disabled controls of `refused` ((action, reason), in order), those with the same reason
    together: [(key, [(action, label)], reason)], the key naming the reason's element."""
    groups = {}
    for action, reason in refused:
        groups.setdefault(str(reason), []).append((action, _ORDER_CONTROLS[action]))
    return [(actions[0][0], actions, reason) for reason, actions in groups.items()]


def _order_panels(rows, bound_forms):
    """Each order with a form for each action its row allows (approving needs none): the bound one,
    with its errors, where the last post was for it; and the actions refused now, with the reason,
    which the page shows disabled (not those a bound form, with the refusal among its errors, shows)."""
    panels = []
    for row in rows:
        forms = {
            action: bound_forms.get((row.order.pk, action))
            or form_class(prefix=f"{action}-{row.order.pk}", initial={"paid_on": timezone.localdate()})
            for action, form_class in _ORDER_FORMS.items()
            if action in row.actions or (row.order.pk, action) in bound_forms
        }
        panels.append(
            {
                "order": row.order,
                "can_approve": OA.APPROVE in row.actions,
                "refused": _refused_controls(
                    [(action, reason) for action, reason in row.refused if action not in forms]
                ),
                "reject_form": forms.get(OA.REJECT),
                "cancel_form": forms.get(OA.CANCEL),
                "paid_form": forms.get(OA.MARK_PAID),
            }
        )
    return panels


# The declaration's actions on this page, which are shown disabled, with the reason, when the state
# does not allow them now but may later (as on the console's declaration page).
PAGE_ACTIONS = (A.STOP, A.TERMINATE, A.RECOVER)


def _actions_refused(declaration, user, case_refusal):
    """The page's actions `user` holds the permission for but may not take now, each with its reason
    (transition_refusal's; opening a recovery case has its own, `case_refusal`); those the
    declaration is past are left out, and so is everything before disbursement."""
    if declaration.state not in DISBURSEMENT_STATES:
        return []
    ahead = states_ahead(declaration.state)
    refused = []
    for action in PAGE_ACTIONS:
        transition = TRANSITIONS[action]
        if not transition.sources & ahead or not rules.has_perm(transition.permission, user, declaration):
            continue
        reason = case_refusal if action == A.RECOVER else transition_refusal(declaration, action, user)
        if reason is not None:
            refused.append((action, A(action).label, reason))
    return refused


def _declaration_page(request, declaration, *, status=200, **bound):
    """Render the money page: the forms the state and the user's permissions allow, unbound, unless a
    bound one (with its errors) is given; a bound form is shown even if the state no longer allows it."""
    user = request.user
    actions = actions_available(declaration, user)
    plan = payment_plan(declaration)
    open_rows = [row for row in plan if row.open_amount > 0]
    orders = order_rows(declaration, user)
    payable = A.START_DISBURSEMENT in actions or A.COMPLETE_PAYMENT in actions
    plan_open = payable and not any(row.ordered for row in plan) and not any(row.actions for row in orders)
    account = getattr(declaration.organisation, "bank_account", None)
    if (account or orders) and rules.has_perm("disbursement.view_bank_account", user):
        # The page shows the account's and the orders' numbers in full to this permission.
        account_unmasked_record(request, obj=account or declaration, where="declaration_page")
    context = {
        "console_section": "disbursement",
        "declaration": declaration,
        "in_disbursement": declaration.state in DISBURSEMENT_STATES,
        "account": account,
        "plan": plan,
        "orders": _order_panels(orders, bound.get("order_forms", {})),
        "payments": declaration.payments.all(),
        "rechecks": declaration.rechecks.all(),
        "blocked": bound.get("blocked"),
        "plan_formset": bound.get("plan_formset")
        or (_plan_formset(declaration, plan) if plan_open and rules.has_perm("disbursement.plan", user) else None),
        "prepare_form": bound.get("prepare_form")
        or (
            OrderPrepareForm(prefix="order", tranches=open_rows)
            if payable and open_rows and rules.has_perm("disbursement.prepare_order", user)
            else None
        ),
        "stop_form": bound.get("stop_form") or (StopForm(prefix="stop") if A.STOP in actions else None),
        **recovery_context(
            request, declaration, **{name: form for name, form in bound.items() if name in RECOVERY_FORMS}
        ),
    }
    context["actions_refused"] = _actions_refused(declaration, user, context["case_refusal"])
    return render(request, "disbursement/declaration.html", context, status=status)


@permission_required("disbursement.view_money")
def declaration_detail(request, pk):
    return _declaration_page(request, _get_declaration(pk))


@permission_required("disbursement.plan")
@require_POST
def plan_set(request, pk):
    declaration = _get_declaration(pk)
    formset = _plan_formset(declaration, payment_plan(declaration), request.POST)
    if formset.is_valid():
        try:
            payment_plan_set(
                declaration_id=declaration.pk,
                actor=request.user,
                tranches=[PlannedTranche(row["amount"], row.get("planned_on")) for row in formset.planned()],
            )
        except TransitionRefused as refusal:
            formset._non_form_errors = formset.error_class([str(refusal)])
        else:
            messages.success(request, _("Payment plan saved."))
            return redirect("disbursement:declaration", pk=declaration.pk)
    return _declaration_page(request, declaration, plan_formset=formset)


@permission_required("disbursement.prepare_order")
@require_POST
def order_create(request, pk):
    declaration = _get_declaration(pk)
    plan = [row for row in payment_plan(declaration) if row.open_amount > 0]
    form = OrderPrepareForm(request.POST, prefix="order", tranches=plan)
    if form.is_valid():
        try:
            order = order_prepare(
                declaration_id=declaration.pk,
                actor=request.user,
                tranche_number=form.cleaned_data["tranche"],
                amount=form.cleaned_data["amount"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Order %(number)s of %(amount)s yuan prepared: a second finance officer must approve it.")
                % {"number": order.number, "amount": yuan(order.amount)},
            )
            return redirect("disbursement:declaration", pk=declaration.pk)
    return _declaration_page(request, declaration, prepare_form=form)


def _order(pk):
    return get_object_or_404(PaymentOrder.objects.only("pk", "declaration_id", "state", "prepared_by_id"), pk=pk)


def _order_confirmation(request, order, *, title, consequences, facts=(), button="", danger=False):
    """The confirmation page of an action on `order`, repeating the order and what will happen."""
    order = PaymentOrder.objects.select_related("declaration__organisation").get(pk=order.pk)
    declaration = order.declaration
    confirmation = Confirmation(
        title=title,
        consequences=consequences,
        facts=[
            (_("Order"), order.number),
            (_("Declaration"), f"{declaration.number} {declaration.title}"),
            (_("Organisation"), declaration.organisation.name),
            (_("Amount (yuan)"), yuan(order.amount)),
            *facts,
        ],
        button=button,
        action_url=request.path,
        cancel_url=reverse("disbursement:declaration", args=[declaration.pk]),
        danger=danger,
    )
    return confirmation_page(request, confirmation, extra={"console_section": "disbursement"})


@permission_required("disbursement.disburse")
@require_http_methods(["GET", "POST"])
def order_approve_view(request, pk):
    """GET (or a POST without the confirmation) shows what approving will do; the confirmed POST approves."""
    order = _order(pk)
    refusal = order_transition_refusal(order, OA.APPROVE, request.user)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("disbursement:declaration", pk=order.declaration_id)
    if not is_confirmed(request):
        return _order_confirmation(
            request,
            order,
            title=_("Approve the payment order"),
            consequences=[
                _("The unit's credit and registration status are checked again (Art. 17) at this moment."),
                _("If nothing is found, the order is approved and may be paid; the approval cannot be taken back."),
            ],
            button=_("Approve"),
        )
    try:
        order = order_approve(order_id=order.pk, actor=request.user)
    except OrderBlocked as blocked:
        messages.error(request, str(blocked))
        declaration = _get_declaration(order.declaration_id)
        stop_form = StopForm(prefix="stop", initial={"reason": str(recheck_stop_note(blocked.findings))})
        return _declaration_page(request, declaration, blocked=blocked, stop_form=stop_form, status=409)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Order %(number)s approved.") % {"number": order.number})
    return redirect("disbursement:declaration", pk=order.declaration_id)


def _order_form_action(request, pk, form_class, action, perform, success, confirm=None):
    """Run `perform` on a valid form; with `confirm` (order, cleaned data -> the confirmation's
    arguments), only once confirmed, after a page that repeats what will happen."""
    order = _order(pk)
    form = form_class(request.POST, prefix=f"{action}-{order.pk}")
    valid = form.is_valid()
    # The refusal first: an action not allowed now is refused with its reason, whatever was typed.
    refusal = order_transition_refusal(order, action, request.user)
    if refusal is not None:
        form.add_error(None, refusal)
    elif valid and confirm is not None and not is_confirmed(request):
        return _order_confirmation(request, order, **confirm(form.cleaned_data))
    elif valid:
        try:
            perform(order, form.cleaned_data)
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, success)
            return redirect("disbursement:declaration", pk=order.declaration_id)
    declaration = _get_declaration(order.declaration_id)
    return _declaration_page(request, declaration, order_forms={(order.pk, action): form})


@permission_required("disbursement.disburse")
@require_POST
def order_reject_view(request, pk):
    return _order_form_action(
        request,
        pk,
        OrderNoteForm,
        OA.REJECT,
        lambda order, data: order_reject(order_id=order.pk, actor=request.user, note=data["note"]),
        _("Order rejected."),
        confirm=lambda data: {
            "title": _("Reject the payment order"),
            "consequences": [
                _("The order is rejected: it can no longer be approved or paid, and this cannot be taken back."),
                _("A new order can then be prepared for its amount."),
                _("The finance officer who prepared it sees your reason."),
            ],
            "facts": [(_("Reason"), data["note"])],
            "button": _("Reject the order"),
            "danger": True,
        },
    )


@permission_required("disbursement.disburse")
@require_POST
def order_cancel_view(request, pk):
    return _order_form_action(
        request,
        pk,
        OrderNoteForm,
        OA.CANCEL,
        lambda order, data: order_cancel(order_id=order.pk, actor=request.user, note=data["note"]),
        _("Order cancelled."),
        confirm=lambda data: {
            "title": _("Cancel the payment order"),
            "consequences": [
                _("The order is cancelled: it can no longer be approved or paid, and this cannot be taken back."),
                _("A new order can then be prepared for its amount."),
            ],
            "facts": [(_("Reason"), data["note"])],
            "button": _("Cancel the order"),
            "danger": True,
        },
    )


@permission_required("disbursement.disburse")
@require_POST
def order_paid_view(request, pk):
    return _order_form_action(
        request,
        pk,
        OrderPaidForm,
        OA.MARK_PAID,
        lambda order, data: order_mark_paid(order_id=order.pk, actor=request.user, **data),
        _("Payment recorded."),
        confirm=lambda data: {
            "title": _("Record the payment"),
            "consequences": [
                _("The payment is recorded against the declaration and cannot be taken back."),
                _("The applicant is told that the funds were paid."),
            ],
            "facts": [(_("Voucher number"), data["voucher_number"]), (_("Paid on"), data["paid_on"])],
            "button": _("Record the payment"),
        },
    )


@permission_required("disbursement.view_bank_account")
def order_pdf(request, pk):
    order = get_object_or_404(
        PaymentOrder.objects.select_related(
            "declaration__organisation", "declaration__programme", "prepared_by", "decided_by", "tranche"
        ),
        pk=pk,
    )
    response = HttpResponse(documents.payment_order_pdf(order), content_type="application/pdf")
    export_record(request, name="payment_order_pdf", obj=order)
    account_unmasked_record(request, obj=order, where="payment_order_pdf")
    response["Content-Disposition"] = f'attachment; filename="{order.number}.pdf"'
    return response


@permission_required("disbursement.manage_accounts")
def bank_account(request, organisation_id):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    account = bank_account_of(organisation)
    initial = (
        {"account_name": account.account_name, "bank_name": account.bank_name, "account_number": account.account_number}
        if account
        else {"account_name": organisation.name}
    )
    form = BankAccountForm(request.POST or None, organisation=organisation, initial=initial)
    if account:
        # The form and the history show the numbers in full.
        account_unmasked_record(request, obj=account, where="bank_account_page")
    if request.method == "POST" and form.is_valid():
        try:
            bank_account_set(organisation_id=organisation.pk, actor=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Bank account saved."))
            back = request.GET.get("declaration")
            if back and back.isdigit():
                return redirect("disbursement:declaration", pk=int(back))
            return redirect("disbursement:bank_account", organisation_id=organisation.pk)
    return render(
        request,
        "disbursement/bank_account.html",
        {
            "console_section": "disbursement",
            "organisation": organisation,
            "account": account,
            "history": bank_account_history(account),
            "form": form,
        },
    )


@permission_required("disbursement.stop")
@require_POST
def support_stop(request, pk):
    declaration = _get_declaration(pk)
    form = StopForm(request.POST, prefix="stop")
    if form.is_valid():
        refusal = transition_refusal(declaration, A.STOP, request.user)
        if refusal is not None:
            form.add_error(None, refusal)
            return _declaration_page(request, declaration, stop_form=form)
        if not is_confirmed(request):
            return money_page_confirmation(request, stop_confirmation(declaration, form.cleaned_data))
        try:
            declaration_stop(declaration_id=declaration.pk, actor=request.user, note=form.cleaned_data["reason"])
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Support stopped after the Art. 17 re-check."))
            return redirect("disbursement:declaration", pk=declaration.pk)
    return _declaration_page(request, declaration, stop_form=form)
