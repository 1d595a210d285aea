"""Terminating a project and recovery cases (Art. 21, 22): their part of a declaration's money page
(`recovery_context`, which disbursement.views' page adds), the forms it posts, and the console's
list of recovery cases with its exports."""

from decimal import Decimal

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import export_recorded
from common.confirm import is_confirmed
from common.http import query_without_page
from common.money import yuan
from common.views import permission_required
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused, actions_available, transition_refusal
from disbursement.confirmations import (
    money_page_confirmation,
    recovery_case_confirmation,
    refer_confirmation,
    repayment_confirmation,
    terminate_confirmation,
)
from disbursement.enums import RecoveryCaseAction as CA
from disbursement.exports import DISHONESTY_COLUMNS, RECOVERY_CASE_COLUMNS
from disbursement.models import RecoveryCase
from disbursement.recovery import (
    declaration_terminate,
    default_due_on,
    recovery_case_open,
    recovery_case_refer,
    recovery_case_refusal,
    repayment_record,
)
from disbursement.recovery_forms import (
    RecoveryCaseFilterForm,
    RecoveryCaseForm,
    ReferForm,
    RepaymentForm,
    TerminateForm,
)
from disbursement.recovery_selectors import (
    declaration_recovery_cases,
    dishonesty_findings,
    recovery_case_list,
    recovery_case_totals,
)
from disbursement.selectors import declaration_for_disbursement
from disbursement.workflow import REFERABLE_STATES, REPAYABLE_STATES, case_transition_refusal
from review.exports import FORMATS, export_response

CASES_PAGE_SIZE = 25


class CaseOnPage:
    """A recovery case as the money page shows it, with the forms the user may post for it."""

    def __init__(self, case, repayment_form=None, refer_form=None):
        self.case = case
        self.repayments = list(case.repayments.all())
        self.repayment_form = repayment_form
        self.refer_form = refer_form


def recovery_context(request, declaration, **bound_forms):
    """The recovery part of `declaration`'s money page: its cases with their repayments, what they
    order recovered, repaid and still due, and the forms the user may post now (terminate the
    project, open a case, record a repayment, refer a case), unbound unless a bound one with its
    errors is given in `bound_forms` (`terminate_form`, `case_form`, `repayment_form`,
    `refer_form`; a case's form by its `case`). `declaration` is declaration_for_disbursement's
    (with `paid_total`)."""
    user = request.user
    cases = declaration_recovery_cases(declaration)
    bound_repayment, bound_refer = bound_forms.get("repayment_form"), bound_forms.get("refer_form")
    may_repay = rules.has_perm("disbursement.record_repayment", user)
    may_refer = rules.has_perm("disbursement.recover", user)
    shown = []
    for case in cases:
        repayment_form = refer_form = None
        if bound_repayment is not None and bound_repayment.case.pk == case.pk:
            repayment_form = bound_repayment
        elif may_repay and case.state in REPAYABLE_STATES:
            repayment_form = RepaymentForm(case=case)
        if bound_refer is not None and bound_refer.case.pk == case.pk:
            refer_form = bound_refer
        elif may_refer and case.state in REFERABLE_STATES:
            refer_form = ReferForm(case=case)
        shown.append(CaseOnPage(case, repayment_form, refer_form))

    paid, recovered = declaration.paid_total, declaration.recovered_amount
    case_refusal = recovery_case_refusal(declaration, user)
    if case_refusal is None and paid <= recovered:
        case_refusal = _("Nothing paid is left to recover.")
    case_form = bound_forms.get("case_form")
    if case_form is None and case_refusal is None:
        case_form = RecoveryCaseForm(
            prefix="case", paid=paid, recovered=recovered, initial={"due_on": default_due_on()}
        )
    terminate_form = bound_forms.get("terminate_form")
    if terminate_form is None and A.TERMINATE in actions_available(declaration, user):
        terminate_form = TerminateForm(prefix="terminate")
    repaid = sum((case.repaid_amount for case in cases), Decimal("0.00"))
    return {
        "recovery_cases": shown,
        "recovery_totals": {"due": recovered, "repaid": repaid, "left": recovered - repaid},
        "recoverable": paid - recovered,
        "first_case": declaration.state != S.RECOVERED,
        "case_form": case_form,
        # Why no case may be opened now (None when one may): the page shows it at a disabled button.
        "case_refusal": case_refusal,
        "terminate_form": terminate_form,
        # Terminating a project in publicity also takes it off the list.
        "terminate_withdraws_from_list": declaration.state == S.IN_PUBLICITY,
    }


def _declaration(pk):
    try:
        return declaration_for_disbursement(declaration_id=pk)
    except Declaration.DoesNotExist:
        raise Http404 from None


def _page(request, declaration, **bound_forms):
    """The money page again, with a refused form and its errors."""
    from disbursement.views import _declaration_page  # noqa: PLC0415 -- circular: the page adds recovery_context

    return _declaration_page(request, declaration, **bound_forms)


def _refused(form, refusal):
    """Put a service's refusal on the form: at its field when it names one the form has."""
    field = getattr(refusal, "field", None)
    form.add_error(field if field in form.fields else None, str(refusal))


def _back(declaration):
    return redirect("disbursement:declaration", pk=declaration.pk)


@permission_required("disbursement.terminate")
@require_POST
def terminate(request, pk):
    declaration = _declaration(pk)
    form = TerminateForm(request.POST, prefix="terminate")
    if form.is_valid():
        refusal = transition_refusal(declaration, A.TERMINATE, request.user)
        if refusal is not None:
            form.add_error(None, refusal)
            return _page(request, declaration, terminate_form=form)
        if not is_confirmed(request):
            return money_page_confirmation(request, terminate_confirmation(declaration, form.cleaned_data))
        try:
            declaration_terminate(declaration_id=declaration.pk, actor=request.user, note=form.cleaned_data["reason"])
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("The project's execution was terminated (Art. 21)."))
            return _back(declaration)
    return _page(request, declaration, terminate_form=form)


@permission_required("disbursement.recover")
@require_POST
def recovery_case_create(request, pk):
    declaration = _declaration(pk)
    # Amounts to check only where a case may be opened; otherwise the service refuses with the reason.
    refusal = recovery_case_refusal(declaration, request.user)
    may_open = refusal is None
    form = RecoveryCaseForm(
        request.POST,
        prefix="case",
        paid=declaration.paid_total if may_open else None,
        recovered=declaration.recovered_amount,
    )
    if form.is_valid() and not may_open:
        form.add_error(None, refusal)
    elif form.is_valid():
        if not is_confirmed(request):
            return money_page_confirmation(request, recovery_case_confirmation(declaration, form.cleaned_data))
        try:
            case = recovery_case_open(declaration_id=declaration.pk, actor=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request,
                _("Recovery case %(number)s opened: %(amount)s yuan to recover (Art. 21).")
                % {"number": case.number, "amount": yuan(case.amount_due)},
            )
            return _back(declaration)
    return _page(request, declaration, case_form=form)


def _case(case_pk):
    return get_object_or_404(RecoveryCase.objects.select_related("declaration"), pk=case_pk)


@permission_required("disbursement.record_repayment")
@require_POST
def repayment_create(request, case_pk):
    case = _case(case_pk)
    form = RepaymentForm(request.POST, case=case)
    if form.is_valid():
        if not is_confirmed(request):
            return money_page_confirmation(request, repayment_confirmation(case, form.cleaned_data))
        try:
            repayment_record(case_id=case.pk, actor=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request,
                _("Repayment of %(amount)s yuan recorded on recovery case %(number)s.")
                % {"amount": yuan(form.cleaned_data["amount"]), "number": case.number},
            )
            return _back(case.declaration)
    return _page(request, _declaration(case.declaration_id), repayment_form=form)


@permission_required("disbursement.recover")
@require_POST
def recovery_case_refer_view(request, case_pk):
    case = _case(case_pk)
    form = ReferForm(request.POST, case=case)
    if form.is_valid():
        refusal = case_transition_refusal(case, CA.REFER, request.user)
        if refusal is not None:
            form.add_error(None, refusal)
            return _page(request, _declaration(case.declaration_id), refer_form=form)
        if not is_confirmed(request):
            return money_page_confirmation(request, refer_confirmation(case, form.cleaned_data))
        try:
            recovery_case_refer(case_id=case.pk, actor=request.user, note=form.cleaned_data["reason"])
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Recovery case %(number)s referred for enforcement.") % {"number": case.number})
            return _back(case.declaration)
    return _page(request, _declaration(case.declaration_id), refer_form=form)


# --- The console's list of recovery cases -----------------------------------------------------------


def _filtered(request):
    form = RecoveryCaseFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {"state": "", "overdue": False}
    return form, data


@permission_required("disbursement.view_recovery_cases")
def recovery_cases(request):
    form, data = _filtered(request)
    cases = recovery_case_list(state=data["state"], overdue=data["overdue"])
    page = Paginator(cases, CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disbursement/recovery_cases.html",
        {
            "console_section": "recovery_cases",
            "filter_form": form,
            "page": page,
            "totals": recovery_case_totals(cases),
            "query": query_without_page(request),
            "formats": FORMATS,
        },
    )


@permission_required("disbursement.view_recovery_cases")
@export_recorded("recovery_cases")
def recovery_cases_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    form, data = _filtered(request)
    if not form.is_valid():
        messages.error(request, _("Please correct the filters before exporting."))
        return redirect("disbursement:recovery_cases")
    cases = recovery_case_list(state=data["state"], overdue=data["overdue"])
    return export_response(fmt, RECOVERY_CASE_COLUMNS, cases, stem="recovery-cases", sheet_title=_("Recovery cases"))


@permission_required("disbursement.view_recovery_cases")
@export_recorded("dishonesty_findings")
def dishonesty_findings_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    return export_response(
        fmt, DISHONESTY_COLUMNS, dishonesty_findings(), stem="dishonesty-findings", sheet_title=_("Art. 22 findings")
    )


urlpatterns = [
    path("<int:pk>/terminate/", terminate, name="terminate"),
    path("<int:pk>/recovery-cases/", recovery_case_create, name="recovery_case_create"),
    path("recovery-cases/", recovery_cases, name="recovery_cases"),
    path("recovery-cases/export.<slug:fmt>", recovery_cases_export, name="recovery_cases_export"),
    path("recovery-cases/dishonesty.<slug:fmt>", dishonesty_findings_export, name="dishonesty_findings_export"),
    path("recovery-cases/<int:case_pk>/repayments/", repayment_create, name="repayment_create"),
    path("recovery-cases/<int:case_pk>/refer/", recovery_case_refer_view, name="recovery_case_refer"),
]
