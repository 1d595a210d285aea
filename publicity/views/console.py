"""The staff console's publicity pages: batches, opening one, keeping projects off the public list,
publishing corrections, closing, and the projects whose period is over but which wait on an open
objection."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import is_confirmed
from common.views import permission_required
from declarations.workflow import TransitionRefused
from publicity.calendar import CalendarNotCovered
from publicity.confirmations import (
    batch_close_confirmation,
    batch_open_confirmation,
    publicity_confirmation_page,
    version_publish_confirmation,
)
from publicity.forms import (
    BatchOpenForm,
    CallChoiceForm,
    ClassifyForm,
    EntryAddForm,
    EntryCorrectionForm,
    ObjectionHandleForm,
)
from publicity.models import ObjectionState, PublicityBatch
from publicity.selectors import (
    declaration_get_classifiable,
    publicity_batch_get_for_staff,
    publicity_batch_list_for_staff,
    publicity_batch_result,
    publicity_entries_overdue,
    publicity_entry_list_correctable,
    publicity_version_list_for_staff,
    publicity_window_if_opened_today,
)
from publicity.services import (
    CLASSIFIABLE_STATES,
    EntryCorrection,
    declaration_classify,
    publicity_batch_close,
    publicity_batch_close_refusal,
    publicity_batch_open,
    publicity_version_publish,
)


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
        if request.method == "POST" and open_form.is_valid() and not is_confirmed(request):
            try:
                window = publicity_window_if_opened_today()
            except CalendarNotCovered as gap:
                open_form.add_error(None, str(gap))
            else:
                return publicity_confirmation_page(
                    request, batch_open_confirmation(request, call, open_form.cleaned_data, window)
                )
        elif request.method == "POST" and open_form.is_valid():
            try:
                opened = publicity_batch_open(
                    actor=request.user,
                    call=call,
                    title=open_form.cleaned_data["title"],
                    title_en=open_form.cleaned_data["title_en"],
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
    try:
        window_start, window_end = publicity_window_if_opened_today()
    except CalendarNotCovered as gap:
        window_start = window_end = None
        window_refusal = str(gap)
    else:
        window_refusal = ""
    return _console(
        request,
        "publicity/console_batch_open.html",
        {
            "call_form": call_form,
            "open_form": open_form,
            "window_start": window_start,
            "window_end": window_end,
            "window_refusal": window_refusal,
            "counts_opening_day": settings.PUBLICITY_COUNTS_OPENING_DAY,
        },
    )


@permission_required("publicity.classify")
def console_declaration_classify(request, pk):
    """Keep a project off the public list, or allow it again, before it is publicised."""
    declaration = declaration_get_classifiable(pk=pk)
    initial = {"classified": declaration.classified, "reason": declaration.classified_reason}
    form = ClassifyForm(request.POST if request.method == "POST" else None, initial=initial)
    back = request.GET.get("call")
    if request.method == "POST" and form.is_valid():
        try:
            declaration_classify(
                actor=request.user,
                declaration_id=declaration.pk,
                classified=form.cleaned_data["classified"],
                reason=form.cleaned_data["reason"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("%(number)s will not appear on any public page.") % {"number": declaration}
                if form.cleaned_data["classified"]
                else _("%(number)s will be publicised like the others.") % {"number": declaration},
            )
            return redirect(reverse("publicity:console_batch_open") + (f"?call={declaration.call_id}" if back else ""))
    return _console(
        request,
        "publicity/console_classify.html",
        {
            "declaration": declaration,
            "form": form,
            "classifiable": declaration.state in CLASSIFIABLE_STATES,
            "history": declaration.history.filter(history_change_reason__isnull=False)
            .exclude(history_change_reason="")
            .select_related("history_user")
            .order_by("-history_date")[:20],
        },
    )


@permission_required("publicity.publicise")
def console_batch_correct(request, pk):
    """Publish the next version of a running batch: one project's title or amount corrected, or
    approved declarations of the same call added."""
    batch = get_object_or_404(PublicityBatch.objects.select_related("call"), pk=pk)
    entries = publicity_entry_list_correctable(batch=batch)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    correct_form = EntryCorrectionForm(posted if which == "correct" else None, entries=entries)
    add_form = EntryAddForm(posted if which == "add" else None, call=batch.call)
    form = {"correct": correct_form, "add": add_form}.get(which)
    if form is not None and form.is_valid() and not is_confirmed(request):
        return publicity_confirmation_page(
            request, version_publish_confirmation(request, batch, which, form.cleaned_data)
        )
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if which == "correct":
                version = publicity_version_publish(
                    actor=request.user,
                    batch_id=batch.pk,
                    changelog=data["changelog"],
                    corrections=[
                        EntryCorrection(entry_id=data["entry"].pk, title=data["title"] or None, amount=data["amount"])
                    ],
                )
            else:
                version = publicity_version_publish(
                    actor=request.user,
                    batch_id=batch.pk,
                    changelog=data["changelog"],
                    add_declaration_ids=[d.pk for d in data["declarations"]],
                )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
            return redirect("publicity:console_batch", batch.pk)
    elif which not in (None, "correct", "add"):
        messages.error(request, _("Choose what to publish."))
    return _console(
        request,
        "publicity/console_batch_correct.html",
        {
            "batch": batch,
            "correct_form": correct_form,
            "add_form": add_form,
            "versions": publicity_version_list_for_staff(batch=batch),
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
        {
            "batch": batch,
            "objection_count": objection_count,
            "result": publicity_batch_result(batch=batch),
            "close_refusal": None if batch.is_closed else publicity_batch_close_refusal(batch, batch.entries.all()),
        },
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
    if not is_confirmed(request):
        refusal = publicity_batch_close_refusal(batch, batch.entries.select_related("declaration"))
        if refusal is not None:
            messages.error(request, refusal)
            return redirect("publicity:console_batch", pk)
        return publicity_confirmation_page(request, batch_close_confirmation(request, batch))
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
    path("console/<int:pk>/correct/", console_batch_correct, name="console_batch_correct"),
    path("console/declarations/<int:pk>/classify/", console_declaration_classify, name="console_classify"),
]
