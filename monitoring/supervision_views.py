"""Pages of supervision (Art. 20): staff record inspections and close them, list them with an
overdue filter; the unit (or staff for it) answers a required rectification."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import visible_or_404
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.http import query_without_page
from common.views import permission_required
from declarations.selectors import declaration_list_for_applicant
from declarations.workflow import TransitionRefused
from monitoring.enums import InspectionAction as IA
from monitoring.models import Inspection
from monitoring.performance import PerformanceRefused
from monitoring.supervision import inspection_close, inspection_record, inspection_refusal, rectification_answer
from monitoring.supervision_forms import AnswerForm, CloseForm, InspectionFilterForm, InspectionForm
from monitoring.supervision_selectors import inspection_list_for_staff
from monitoring.workflow import inspection_transition_refusal
from review.selectors import declaration_list_for_console

PAGE_SIZE = 25


def _refused(form, refusal):
    field = getattr(refusal, "field", None)
    form.add_error(field if field in form.fields else None, str(refusal))


def _staff_inspection(request, pk):
    visible = Inspection.objects.filter(declaration__in=declaration_list_for_console(request.user))
    return visible_or_404(request, visible.select_related("declaration__organisation", "declaration__programme"), pk=pk)


@permission_required("monitoring.view")
def inspections(request):
    form = InspectionFilterForm(request.GET or None)
    page = Paginator(inspection_list_for_staff(overdue=form.overdue_value), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/supervision/inspections.html",
        {"filter_form": form, "page": page, "query": query_without_page(request), "console_section": "inspections"},
    )


@permission_required("monitoring.supervise")
def inspection_create(request, pk):
    declaration = visible_or_404(request, declaration_list_for_console(request.user), pk=pk)
    refusal = inspection_refusal(declaration, request.user)
    form = InspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if refusal:
            form.add_error(None, refusal)
        elif form.is_valid():
            try:
                inspection = inspection_record(declaration_id=declaration.pk, actor=request.user, **form.cleaned_data)
            except PerformanceRefused as error:
                _refused(form, error)
            else:
                messages.success(request, _("The inspection was recorded."))
                return redirect("monitoring:inspection", pk=inspection.pk)
    return render(
        request,
        "monitoring/supervision/new.html",
        {"declaration": declaration, "form": form, "refusal": refusal},
        status=400 if request.method == "POST" else 200,
    )


def _inspection_page(request, inspection, answer_form=None, close_form=None, status=200):
    user = request.user
    may_answer = inspection.rectification_required and (
        inspection_transition_refusal(inspection, IA.ANSWER, user) is None
    )
    may_close = inspection_transition_refusal(inspection, IA.CLOSE, user) is None
    return render(
        request,
        "monitoring/supervision/inspection.html",
        {
            "inspection": inspection,
            "declaration": inspection.declaration,
            "events": list(inspection.events.select_related("actor")),
            "answer_form": answer_form or (AnswerForm(prefix="answer") if may_answer else None),
            "close_form": close_form or (CloseForm(prefix="close") if may_close else None),
        },
        status=status,
    )


@permission_required("monitoring.view")
def inspection_detail(request, pk):
    return _inspection_page(request, _staff_inspection(request, pk))


@require_POST
def inspection_answer(request, pk):
    """The rectification answer: the unit's on its declaration's page, or staff's for it."""
    user = request.user
    if rules.has_perm("monitoring.supervise", user):
        inspection = _staff_inspection(request, pk)
    elif rules.has_perm("declarations.create_declaration", user):
        visible = Inspection.objects.filter(declaration__in=declaration_list_for_applicant(user))
        inspection = visible_or_404(request, visible.select_related("declaration"), pk=pk)
    else:
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix="answer")
    if form.is_valid():
        try:
            rectification_answer(inspection_id=inspection.pk, actor=user, answer=form.cleaned_data["answer"])
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The rectification answer was recorded."))
    else:
        for error in form.errors.get("answer", []):
            messages.error(request, error)
    if rules.has_perm("monitoring.supervise", user):
        return redirect("monitoring:inspection", pk=inspection.pk)
    return redirect("declarations:detail", pk=inspection.declaration_id)


def _close_confirmation(inspection, form):
    """What closing `inspection` with the valid `form` will do."""
    declaration = inspection.declaration
    lines = [_("The inspection is closed: nothing (more) is to be rectified, and it cannot be reopened.")]
    if inspection.rectification_required and not inspection.rectification_answer:
        lines.append(_("The unit has not answered the rectification yet: it no longer can."))
    facts = [
        (_("Declaration"), f"{declaration.number or ''} {declaration.title}".strip()),
        (_("Organisation"), declaration.organisation.name),
        (_("Inspection"), f"{inspection.get_kind_display()} · {date_format(inspection.held_on, 'DATE_FORMAT')}"),
    ]
    if form.cleaned_data["note"]:
        facts.append((_("Note"), form.cleaned_data["note"]))
    return Confirmation(
        title=_("Close the inspection"),
        consequences=lines,
        facts=facts,
        button=_("Close the inspection"),
        action_url=reverse("monitoring:inspection_close", args=[inspection.pk]),
        cancel_url=reverse("monitoring:inspection", args=[inspection.pk]),
    )


@permission_required("monitoring.close_inspection")
@require_POST
def inspection_close_view(request, pk):
    inspection = _staff_inspection(request, pk)
    form = CloseForm(request.POST, prefix="close")
    if form.is_valid():
        refusal = inspection_transition_refusal(inspection, IA.CLOSE, request.user)
        if refusal is not None:
            form.add_error(None, refusal)
            return _inspection_page(request, inspection, close_form=form, status=400)
        if not is_confirmed(request):
            return confirmation_page(
                request, _close_confirmation(inspection, form), extra={"console_section": "inspections"}
            )
        try:
            inspection_close(inspection_id=inspection.pk, actor=request.user, note=form.cleaned_data["note"])
        except TransitionRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("The inspection was closed."))
            return redirect("monitoring:inspection", pk=inspection.pk)
    return _inspection_page(request, inspection, close_form=form, status=400)


supervision_urlpatterns = [
    path("supervision/", inspections, name="inspections"),
    path("supervision/declarations/<int:pk>/new/", inspection_create, name="inspection_create"),
    path("supervision/<int:pk>/", inspection_detail, name="inspection"),
    path("supervision/<int:pk>/answer/", inspection_answer, name="inspection_answer"),
    path("supervision/<int:pk>/close/", inspection_close_view, name="inspection_close"),
]
