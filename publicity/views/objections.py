"""Objections: raised by anyone on the public board, handled by staff in the console."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.views import permission_required
from declarations.workflow import TransitionRefused
from publicity.forms import ObjectionForm, ObjectionHandleForm
from publicity.models import Objection
from publicity.selectors import publicity_entry_get_for_public
from publicity.services import objection_handle, objection_raise
from publicity.views.console import console_batch_page


def objection(request, pk):
    entry = publicity_entry_get_for_public(pk=pk)
    form = ObjectionForm(
        request.POST if request.method == "POST" else None, action=reverse("publicity:objection", args=[pk])
    )
    if request.method == "POST" and form.is_valid():
        try:
            objection_raise(entry=entry, **form.cleaned_data)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Thank you. Your objection to %(number)s was received; the commission will reply to you.")
                % {"number": entry.declaration.number},
            )
            return redirect("publicity:batch", entry.batch_id)
    return render(request, "publicity/objection.html", {"entry": entry, "batch": entry.batch, "form": form})


@permission_required("publicity.publicise")
@require_POST
def objection_handle_view(request, pk):
    item = get_object_or_404(Objection.objects.select_related("entry"), pk=pk)
    form = ObjectionHandleForm(request.POST, objection=item)
    if not form.is_valid():
        messages.error(request, _("The objection was not handled: please correct the errors below."))
        return console_batch_page(request, item.entry.batch_id, bound_form=form)
    try:
        objection_handle(
            objection_id=item.pk, actor=request.user, uphold=form.uphold, response=form.cleaned_data["response"]
        )
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The objection was upheld.") if form.uphold else _("The objection was dismissed."))
    return redirect(reverse("publicity:console_batch", args=[item.entry.batch_id]) + f"#objection-{item.pk}")


urlpatterns = [
    path("entries/<int:pk>/objection/", objection, name="objection"),
    path("console/objections/<int:pk>/handle/", objection_handle_view, name="objection_handle"),
]
