"""Pages of performance management (Art. 18): staff set a project's plan, list the reports and
grade them; the unit fills its reports in. Thin: authorise, validate, call monitoring.performance."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import visible_or_404
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.http import query_without_page
from common.private_files import private_file_response
from common.views import permission_required
from declarations.selectors import declaration_list_for_applicant
from declarations.validators import evidence_file_name
from declarations.workflow import TransitionRefused
from monitoring.enums import PerformanceGrade
from monitoring.enums import ReportAction as RA
from monitoring.models import PerformanceReport
from monitoring.performance import (
    PerformanceRefused,
    performance_plan_set,
    plan_initial,
    plan_refusal,
    report_evaluate,
    report_evidence_add,
    report_evidence_remove,
    report_missing,
    report_return,
    report_save,
    report_submit,
)
from monitoring.performance_forms import (
    EvaluateForm,
    IndicatorFormSet,
    PlanDatesForm,
    ReportFilterForm,
    ReportForm,
    ReturnForm,
)
from monitoring.performance_selectors import declaration_performance, report_list_for_staff
from monitoring.workflow import report_transition_refusal
from review.selectors import declaration_list_for_console

PAGE_SIZE = 25


def _refused(form, refusal):
    field = getattr(refusal, "field", None)
    form.add_error(field if field in form.fields else None, str(refusal))


def _console_declaration(request, pk):
    return visible_or_404(request, declaration_list_for_console(request.user), pk=pk)


def _staff_report(request, pk):
    visible = PerformanceReport.objects.filter(declaration__in=declaration_list_for_console(request.user))
    return visible_or_404(request, visible.select_related("declaration__organisation", "declaration__programme"), pk=pk)


def _own_report(request, pk):
    visible = PerformanceReport.objects.filter(declaration__in=declaration_list_for_applicant(request.user))
    return visible_or_404(request, visible.select_related("declaration__programme"), pk=pk)


# --- staff ---------------------------------------------------------------------------------------


@permission_required("monitoring.view")
def reports(request):
    """Every performance report, soonest due first, with a filter: awaiting evaluation, overdue, evaluated."""
    form = ReportFilterForm(request.GET or None)
    page = Paginator(report_list_for_staff(form.which_value), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/performance/reports.html",
        {"filter_form": form, "page": page, "query": query_without_page(request), "console_section": "performance"},
    )


@permission_required("monitoring.set_targets")
def plan(request, pk):
    """Set or change a project's performance plan: its indicators (from the programme's defaults)
    and the reports' due dates; refused once a report has been submitted."""
    declaration = _console_declaration(request, pk)
    refusal = plan_refusal(declaration, request.user)
    if request.method == "POST":
        formset = IndicatorFormSet(request.POST, prefix="indicator")
        dates = PlanDatesForm(request.POST, prefix="plan")
        if refusal:
            dates.add_error(None, refusal)
        elif formset.is_valid() and dates.is_valid():
            rows = [form.cleaned_data for form in formset.forms if form.cleaned_data]
            try:
                performance_plan_set(
                    declaration_id=declaration.pk,
                    actor=request.user,
                    indicators=rows,
                    due_dates={
                        "mid_term": dates.cleaned_data["mid_term_due_on"],
                        "final": dates.cleaned_data["final_due_on"],
                    },
                )
            except PerformanceRefused as error:
                if error.field == "indicators":
                    formset._non_form_errors = formset.error_class([str(error)])
                else:
                    _refused(dates, error)
            else:
                messages.success(request, _("The performance plan was saved."))
                return redirect("review:declaration", pk=declaration.pk)
    else:
        indicators, dues = plan_initial(declaration)
        formset = IndicatorFormSet(prefix="indicator", initial=indicators)
        dates = PlanDatesForm(
            prefix="plan", initial={"mid_term_due_on": dues.get("mid_term"), "final_due_on": dues.get("final")}
        )
    return render(
        request,
        "monitoring/performance/plan.html",
        {"declaration": declaration, "formset": formset, "dates_form": dates, "refusal": refusal},
        status=400 if request.method == "POST" else 200,
    )


def _report_page(request, report, evaluate_form=None, return_form=None, status=200):
    user = request.user
    performance = declaration_performance(report.declaration)
    shown = next(r for r in performance["reports"] if r.pk == report.pk)
    may_evaluate = report_transition_refusal(report, RA.EVALUATE, user) is None
    may_return = report_transition_refusal(report, RA.RETURN, user) is None
    return render(
        request,
        "monitoring/performance/report.html",
        {
            "report": shown,
            "declaration": report.declaration,
            "events": list(report.events.select_related("actor")),
            "evaluate_form": evaluate_form or (EvaluateForm(prefix="evaluate") if may_evaluate else None),
            "return_form": return_form or (ReturnForm(prefix="return") if may_return else None),
            "may_open_recovery": _may_open_recovery(report, user),
        },
        status=status,
    )


def _may_open_recovery(report, user):
    """A fail offers staff the recovery case of Art. 21, on the money page where
    disbursement.recovery.recovery_case_open is the only way to open one."""
    from disbursement.recovery import recovery_case_refusal  # noqa: PLC0415 -- slow import, only for a fail

    return report.grade == "fail" and recovery_case_refusal(report.declaration, user) is None


@permission_required("monitoring.view")
def report_detail(request, pk):
    return _report_page(request, _staff_report(request, pk))


def _evaluate_confirmation(report, form):
    """What grading `report` with the valid `form` will do."""
    declaration = report.declaration
    grade = PerformanceGrade(form.cleaned_data["grade"])
    lines = [
        _("The report is graded “%(grade)s”: the grade cannot be changed afterwards.") % {"grade": grade.label},
        _("The grade is a basis for the unit's later support (Art. 18)."),
    ]
    if grade == PerformanceGrade.FAIL:
        lines.append(_("A fail lets the commission open a recovery case (Art. 21) on the money page."))
    return Confirmation(
        title=_("Evaluate the report"),
        consequences=lines,
        facts=[
            (_("Declaration"), f"{declaration.number or ''} {declaration.title}".strip()),
            (_("Organisation"), declaration.organisation.name),
            (_("Report"), report.get_kind_display()),
            (_("Grade"), grade.label),
            (_("Evaluation opinion"), form.cleaned_data["opinion"]),
        ],
        button=_("Evaluate the report"),
        action_url=reverse("monitoring:performance_evaluate", args=[report.pk]),
        cancel_url=reverse("monitoring:performance_report", args=[report.pk]),
        danger=grade == PerformanceGrade.FAIL,
    )


@permission_required("monitoring.evaluate_report")
@require_POST
def report_evaluate_view(request, pk):
    report = _staff_report(request, pk)
    form = EvaluateForm(request.POST, prefix="evaluate")
    if form.is_valid():
        refusal = report_transition_refusal(report, RA.EVALUATE, request.user)
        if refusal is not None:
            form.add_error(None, refusal)
            return _report_page(request, report, evaluate_form=form, status=400)
        if not is_confirmed(request):
            return confirmation_page(
                request, _evaluate_confirmation(report, form), extra={"console_section": "performance"}
            )
        try:
            report_evaluate(report_id=report.pk, actor=request.user, **form.cleaned_data)
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("The report was evaluated."))
            return redirect("monitoring:performance_report", pk=report.pk)
    return _report_page(request, report, evaluate_form=form, status=400)


@permission_required("monitoring.return_report")
@require_POST
def report_return_view(request, pk):
    report = _staff_report(request, pk)
    form = ReturnForm(request.POST, prefix="return")
    if form.is_valid():
        try:
            report_return(report_id=report.pk, actor=request.user, note=form.cleaned_data["note"])
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("The report was returned to the unit for revision."))
            return redirect("monitoring:performance_report", pk=report.pk)
    return _report_page(request, report, return_form=form, status=400)


# --- the unit ------------------------------------------------------------------------------------


@permission_required("declarations.create_declaration")
def report_fill(request, pk):
    """The unit fills its report in: saved as a draft, or submitted (the button `submit`)."""
    report = _own_report(request, pk)
    if not rules.has_perm("monitoring.fill_report", request.user, report.declaration):
        raise PermissionDenied
    indicators = list(report.declaration.performance_indicators.all())
    editable = report.state in ("draft", "returned")
    if request.method == "POST":
        if not editable:
            messages.info(request, _("A submitted report can no longer be changed."))
            return redirect("monitoring:performance_fill", pk=report.pk)
        form = ReportForm(request.POST, request.FILES, indicators=indicators)
        if form.is_valid():
            try:
                report_save(
                    report_id=report.pk,
                    actor=request.user,
                    values=form.values(),
                    narrative=form.cleaned_data["narrative"],
                )
                if form.cleaned_data["file"]:
                    report_evidence_add(
                        report_id=report.pk, actor=request.user, uploaded_file=form.cleaned_data["file"]
                    )
                if "submit" in request.POST:
                    report_submit(report_id=report.pk, actor=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            except TransitionRefused as refusal:
                _refused(form, refusal)
            else:
                done = _("The report was submitted.") if "submit" in request.POST else _("The draft was saved.")
                messages.success(request, done)
                return redirect("monitoring:performance_fill", pk=report.pk)
        status = 400
    else:
        values = {f"value_{pk}": value for pk, value in report.values.values_list("indicator_id", "value")}
        form = ReportForm(initial={"narrative": report.narrative, **values}, indicators=indicators)
        status = 200
    report.refresh_from_db()
    return render(
        request,
        "monitoring/performance/fill.html",
        {
            "report": report,
            "declaration": report.declaration,
            "form": form if report.state in ("draft", "returned") else None,
            "missing": report_missing(report) if report.state in ("draft", "returned") else [],
            "evidence": list(report.evidence.all()),
            "returned_note": report.events.filter(action=RA.RETURN)
            .order_by("-created_at")
            .values_list("note", flat=True)
            .first(),
            "performance": declaration_performance(report.declaration),
        },
        status=status,
    )


@permission_required("declarations.create_declaration")
@require_POST
def evidence_remove(request, pk, evidence_pk):
    report = _own_report(request, pk)
    evidence = get_object_or_404(report.evidence, pk=evidence_pk)
    try:
        report_evidence_remove(evidence_id=evidence.pk, actor=request.user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": evidence.original_name})
    return redirect("monitoring:performance_fill", pk=report.pk)


def evidence_download(request, pk, evidence_pk):
    """An evidence file of a report, to the unit and to the staff side; 404 to everyone else;
    always a download, as a declaration's evidence."""
    if not request.user.is_authenticated:
        raise Http404
    staff_side = rules.has_perm("monitoring.view", request.user)
    report = _staff_report(request, pk) if staff_side else _own_report(request, pk)
    evidence = get_object_or_404(report.evidence, pk=evidence_pk)
    return private_file_response(
        evidence.file,
        content_type=evidence.content_type,
        filename=evidence_file_name(evidence.original_name, evidence.content_type),
    )


performance_urlpatterns = [
    path("performance/", reports, name="performance_reports"),
    path("performance/declarations/<int:pk>/plan/", plan, name="performance_plan"),
    path("performance/reports/<int:pk>/", report_detail, name="performance_report"),
    path("performance/reports/<int:pk>/evaluate/", report_evaluate_view, name="performance_evaluate"),
    path("performance/reports/<int:pk>/return/", report_return_view, name="performance_return"),
    path("performance/reports/<int:pk>/fill/", report_fill, name="performance_fill"),
    path("performance/reports/<int:pk>/evidence/<int:evidence_pk>/", evidence_download, name="performance_evidence"),
    path(
        "performance/reports/<int:pk>/evidence/<int:evidence_pk>/remove/",
        evidence_remove,
        name="performance_evidence_remove",
    ),
]
