"""The staff console's publicity pages: batches, opening one, closing it, and the projects whose
period is over but which wait on an open objection."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.views import permission_required
from declarations.workflow import TransitionRefused
from publicity.forms import BatchOpenForm, CallChoiceForm, ObjectionHandleForm
from publicity.models import ObjectionState, PublicityBatch
from publicity.selectors import (
    publicity_batch_get_for_staff,
    publicity_batch_list_for_staff,
    publicity_batch_result,
    publicity_entries_overdue,
    publicity_window_if_opened_today,
)
from publicity.services import publicity_batch_close, publicity_batch_open


def _console(request, template, context):
    return render(request, template, {"console_section": "publicity", **context})


@permission_required("publicity.publicise")
def console_batches(request):
    return _console(request, "publicity/console_batches.html", {"batches": publicity_batch_list_for_staff()})


@permission_required("publicity.publicise")
def console_batch_open(request):
    call_form = CallChoiceForm(request.GET if "call" in request.GET else None)
    open_form = None
    if call_form.is_valid():
        call = call_form.cleaned_data["call"]
        open_form = BatchOpenForm(request.POST if request.method == "POST" else None, call=call)
        if request.method == "POST" and open_form.is_valid():
            try:
                opened = publicity_batch_open(
                    actor=request.user,
                    call=call,
                    title=open_form.cleaned_data["title"],
                    declaration_ids=[d.pk for d in open_form.cleaned_data["declarations"]],
                )
            except TransitionRefused as refusal:
                open_form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("Publicity opened for %(count)d declarations, from %(start)s to %(end)s.")
                    % {
                        "count": len(open_form.cleaned_data["declarations"]),
                        "start": date_format(opened.starts_on, "DATE_FORMAT"),
                        "end": date_format(opened.ends_on, "DATE_FORMAT"),
                    },
                )
                return redirect("publicity:console_batch", opened.pk)
    elif request.method == "POST":
        messages.error(request, _("Choose a call first."))
        return redirect("publicity:console_batch_open")
    window_start, window_end = publicity_window_if_opened_today()
    return _console(
        request,
        "publicity/console_batch_open.html",
        {
            "call_form": call_form,
            "open_form": open_form,
            "window_start": window_start,
            "window_end": window_end,
        },
    )


def console_batch_page(request, pk, bound_form=None):
    batch = publicity_batch_get_for_staff(pk=pk)
    objection_count = 0
    for entry in batch.entries.all():
        for item in entry.objections.all():
            objection_count += 1
            if item.state == ObjectionState.OPEN:
                is_bound = bound_form is not None and bound_form.prefix == f"objection-{item.pk}"
                item.handle_form = bound_form if is_bound else ObjectionHandleForm(objection=item)
    return _console(
        request,
        "publicity/console_batch.html",
        {"batch": batch, "objection_count": objection_count, "result": publicity_batch_result(batch=batch)},
    )


@permission_required("publicity.publicise")
def console_batch(request, pk):
    return console_batch_page(request, pk)


@permission_required("publicity.handle_objection")
def console_overdue(request):
    """Projects whose publicity period is over but which wait for an open objection to be handled."""
    return _console(request, "publicity/console_overdue.html", {"entries": publicity_entries_overdue()})


@permission_required("publicity.publicise")
@require_POST
def console_batch_close(request, pk):
    batch = get_object_or_404(PublicityBatch, pk=pk)
    if batch.is_closed:
        messages.info(request, _("This publicity batch is closed already."))
        return redirect("publicity:console_batch", pk)
    try:
        confirmed = publicity_batch_close(batch_id=pk, actor=request.user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("publicity:console_batch", pk)
    batch.refresh_from_db()
    if batch.is_closed:
        messages.success(request, _("Publicity closed: %(count)d declarations confirmed.") % {"count": confirmed})
    else:
        messages.warning(
            request,
            _("%(count)d declarations confirmed. The batch stays open until its open objections are handled.")
            % {"count": confirmed},
        )
    return redirect("publicity:console_batch", pk)


urlpatterns = [
    path("console/", console_batches, name="console_batches"),
    path("console/open/", console_batch_open, name="console_batch_open"),
    path("console/overdue/", console_overdue, name="console_overdue"),
    path("console/<int:pk>/", console_batch, name="console_batch"),
    path("console/<int:pk>/close/", console_batch_close, name="console_batch_close"),
]
