"""The finance officer's pages: the disbursement queue and one declaration's disbursement page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.money import yuan
from common.views import permission_required
from declarations.enums import DeclarationAction as A
from declarations.models import Declaration
from declarations.workflow import DISBURSEMENT_STATES, TransitionRefused, actions_available
from disbursement.forms import PaymentForm, QueueFilterForm, StopForm
from disbursement.recovery_views import recovery_context
from disbursement.selectors import declaration_for_disbursement, declaration_list_for_finance
from disbursement.services import declaration_stop, payment_record

QUEUE_PAGE_SIZE = 25


def _get_declaration(pk):
    try:
        return declaration_for_disbursement(declaration_id=pk)
    except Declaration.DoesNotExist:
        raise Http404 from None


@permission_required("disbursement.disburse")
def queue(request):
    filter_form = QueueFilterForm(request.GET)
    state = filter_form.cleaned_data["state"] if filter_form.is_valid() else ""
    page = Paginator(declaration_list_for_finance(state=state), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disbursement/queue.html",
        {
            "console_section": "disbursement",
            "filter_form": filter_form,
            "state": state,
            "page": page,
        },
    )


def _declaration_page(request, declaration, *, payment_form=None, stop_form=None, **recovery_forms):
    """Render the declaration's page: the forms its state allows, unbound, unless a bound one (with
    its errors) is given; a bound form is shown even if the state no longer allows it. The recovery
    part (termination, recovery cases) is recovery_views.recovery_context's, with its bound forms."""
    actions = actions_available(declaration, request.user)
    if payment_form is None and (A.START_DISBURSEMENT in actions or A.COMPLETE_PAYMENT in actions):
        payment_form = PaymentForm(prefix="payment", outstanding=declaration.outstanding)
    if stop_form is None and A.STOP in actions:
        stop_form = StopForm(prefix="stop")
    return render(
        request,
        "disbursement/declaration.html",
        {
            "console_section": "disbursement",
            "declaration": declaration,
            "in_disbursement": declaration.state in DISBURSEMENT_STATES,
            "payments": declaration.payments.all(),
            "payment_form": payment_form,
            "stop_form": stop_form,
            **recovery_context(request, declaration, **recovery_forms),
        },
    )


@permission_required("disbursement.view_money")
def declaration_detail(request, pk):
    return _declaration_page(request, _get_declaration(pk))


@permission_required("disbursement.disburse")
@require_POST
def payment_create(request, pk):
    declaration = _get_declaration(pk)
    form = PaymentForm(request.POST, prefix="payment", outstanding=declaration.outstanding)
    if form.is_valid():
        try:
            payment_record(declaration_id=declaration.pk, actor=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, _("Payment of %(amount)s yuan recorded.") % {"amount": yuan(form.cleaned_data["amount"])}
            )
            return redirect("disbursement:declaration", pk=declaration.pk)
    return _declaration_page(request, declaration, payment_form=form)


@permission_required("disbursement.disburse")
@require_POST
def support_stop(request, pk):
    declaration = _get_declaration(pk)
    form = StopForm(request.POST, prefix="stop")
    if form.is_valid():
        try:
            declaration_stop(declaration_id=declaration.pk, actor=request.user, note=form.cleaned_data["reason"])
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Support stopped after the Art. 17 re-check."))
            return redirect("disbursement:declaration", pk=declaration.pk)
    return _declaration_page(request, declaration, stop_form=form)
