"""Objections: raised by anyone on the public board, looked up by the objector with the receipt
number and the contact they gave, handled by staff in the console."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from common.confirm import is_confirmed
from common.limits import TOO_MANY_REQUESTS, limit_reached
from common.private_files import private_file_response
from common.views import permission_required
from declarations.evidence import ACCEPTED_TYPES
from declarations.validators import evidence_file_name
from declarations.workflow import TransitionRefused
from publicity.confirmations import objection_handle_confirmation, publicity_confirmation_page
from publicity.contacts import is_email
from publicity.forms import ObjectionForm, ObjectionHandleForm, ObjectionLookupForm
from publicity.limits import FAILED_LOOKUPS_PER_ADDRESS, OBJECTIONS_PER_ADDRESS, objections_per_entry
from publicity.models import Objection, ObjectionState
from publicity.selectors import (
    ObjectionFilter,
    objection_get_for_objector,
    objection_list_for_staff,
    objection_received_by,
    publicity_entry_get_for_objection,
)
from publicity.services import objection_handle, objection_raise
from publicity.views.console import console_batch_page

# The receipt numbers this browser session was given: only they show their receipt page.
RECEIPTS = "publicity_objection_receipts"
PER_PAGE = 50


def _too_many_objections(reached, entry):
    limit, until = reached
    when = date_format(until, "DATETIME_FORMAT")
    if limit is OBJECTIONS_PER_ADDRESS:
        message = _(
            "Too many objections were sent from your network address in a short time. Nothing was sent this "
            "time; what you typed is kept below. Please send it again after %(when)s."
        )
    else:
        message = _(
            "Project %(number)s has received many objections today. Nothing was sent this time; what you "
            "typed is kept below. Please send it again after %(when)s, or write to the commission: %(contact)s"
        )
    return message % {"when": when, "number": entry.declaration.number, "contact": settings.PUBLICITY_CONTACT}


def _lookup_url(request):
    return request.build_absolute_uri(reverse("publicity:objection_lookup"))


@never_cache
def objection(request, pk):
    """The public objection form of one project. Posts are counted per client address and per
    project (settings.PUBLICITY_OBJECTION_RATE_*); past either limit the form comes back with what
    was typed, a message and HTTP 429, and nothing is stored."""
    entry = publicity_entry_get_for_objection(pk=pk)
    is_post = request.method == "POST"
    form = ObjectionForm(
        request.POST if is_post else None,
        request.FILES if is_post else None,
        action=reverse("publicity:objection", args=[pk]),
    )
    status = 200
    if is_post:
        limits = [OBJECTIONS_PER_ADDRESS, objections_per_entry(entry)]
        reached = limit_reached(request, limits, increment=False)
        if reached is None and form.is_valid():
            reached = limit_reached(request, limits, increment=True)
            if reached is None:
                try:
                    raised = objection_raise(
                        entry=entry, language=get_language(), lookup_url=_lookup_url(request), **form.cleaned_data
                    )
                except TransitionRefused as refusal:
                    form.add_error(None, str(refusal))
                else:
                    request.session[RECEIPTS] = [*request.session.get(RECEIPTS, [])[-19:], raised.receipt_number]
                    return redirect("publicity:objection_receipt", raised.receipt_number)
        if reached is not None:
            form.add_error(None, _too_many_objections(reached, entry))
            status = TOO_MANY_REQUESTS
        form.ask_for_the_file_again()
    return render(
        request, "publicity/objection.html", {"entry": entry, "batch": entry.batch, "form": form}, status=status
    )


@never_cache
def objection_receipt(request, receipt_number):
    """The receipt, after the redirect: only to the browser session that raised the objection."""
    raised = objection_received_by(receipt_number=receipt_number, receipt_numbers=request.session.get(RECEIPTS, []))
    return render(
        request,
        "publicity/objection_receipt.html",
        {"objection": raised, "declaration": raised.entry.declaration, "emailed": is_email(raised.contact)},
    )


@never_cache
def objection_lookup(request):
    """The objector looks an objection up with its receipt number and the contact they gave. A
    wrong pair gets one neutral message, whichever part is wrong; failed look-ups are counted per
    client address (settings.PUBLICITY_LOOKUP_RATE), and past the limit every look-up is refused
    with HTTP 429 for a while."""
    form = ObjectionLookupForm(request.POST if request.method == "POST" else None)
    found, status = None, 200
    if request.method == "POST":
        reached = limit_reached(request, [FAILED_LOOKUPS_PER_ADDRESS], increment=False)
        if reached is not None:
            form.add_error(
                None,
                _("Too many look-ups failed from your network address. Please try again after %(when)s.")
                % {"when": date_format(reached[1], "DATETIME_FORMAT")},
            )
            status = TOO_MANY_REQUESTS
        elif form.is_valid():
            found = objection_get_for_objector(**form.cleaned_data)
            if found is not None:
                # The contact is shown masked with the objection; the page does not echo it in full.
                form = ObjectionLookupForm()
            else:
                limit_reached(request, [FAILED_LOOKUPS_PER_ADDRESS], increment=True, refuse=False)
                form.add_error(
                    None,
                    _(
                        "No objection matches this receipt number and contact. Check both as they are on "
                        "your receipt and as you gave them."
                    ),
                )
    return render(
        request,
        "publicity/objection_lookup.html",
        {"form": form, "objection": found, "declaration": found.entry.declaration if found else None},
        status=status,
    )


@permission_required("publicity.handle_objection")
@require_POST
def objection_handle_view(request, pk):
    item = get_object_or_404(Objection.objects.select_related("entry__declaration__organisation"), pk=pk)
    form = ObjectionHandleForm(request.POST, objection=item)
    if not form.is_valid():
        messages.error(request, _("The objection was not handled: please correct the errors below."))
        return console_batch_page(request, item.entry.batch_id, bound_form=form)
    # One already handled goes to the service, which refuses it with the reason.
    if item.state == ObjectionState.OPEN and not is_confirmed(request):
        return publicity_confirmation_page(request, objection_handle_confirmation(request, item, form))
    try:
        handled = objection_handle(
            objection_id=item.pk,
            actor=request.user,
            outcome=form.outcome,
            reason=form.cleaned_data["reason"],
            reply=form.cleaned_data["reply"],
            lookup_url=_lookup_url(request),
        )
    except TransitionRefused as refusal:
        form.add_error(None, str(refusal))
        messages.error(request, str(refusal))
        return console_batch_page(request, item.entry.batch_id, bound_form=form)
    if handled.outcome:
        messages.success(
            request,
            _("The objection was upheld: %(outcome)s, and the project was withdrawn from the public list.")
            % {"outcome": handled.get_outcome_display().lower()},
        )
    else:
        messages.success(request, _("The objection was dismissed."))
    return redirect(reverse("publicity:console_batch", args=[item.entry.batch_id]) + f"#objection-{item.pk}")


@permission_required("publicity.handle_objection")
def objection_evidence(request, pk):
    """An objection's evidence file, to staff only, from the `attachments` storage (no URL of its own),
    always as a download (declarations.views.attachment_download says why)."""
    item = get_object_or_404(Objection, pk=pk)
    if not item.evidence:
        raise Http404
    content_type = {extension: mime for mime, extension in ACCEPTED_TYPES.items()}.get(item.evidence_extension)
    if content_type is None:
        raise Http404
    return private_file_response(
        item.evidence,
        content_type=content_type,
        # Named again from the checked type: a name kept before names were normalised is made safe.
        filename=evidence_file_name(item.evidence_name or item.receipt_number, content_type),
    )


@permission_required("publicity.handle_objection")
def console_objections(request):
    """Every objection, open ones first as a queue, or the handled ones, 50 to a page."""
    show = request.GET.get("show")
    if show not in ObjectionFilter.LABELS:
        show = ObjectionFilter.OPEN
    page = Paginator(objection_list_for_staff(show=show), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/console_objections.html",
        {
            "console_section": "publicity",
            "page": page,
            "show": show,
            "filters": list(ObjectionFilter.LABELS.items()),
            "query_string": f"show={show}",
            "today": timezone.localdate(),
        },
    )


urlpatterns = [
    path("entries/<int:pk>/objection/", objection, name="objection"),
    path("objections/receipt/<str:receipt_number>/", objection_receipt, name="objection_receipt"),
    path("objections/lookup/", objection_lookup, name="objection_lookup"),
    path("console/objections/", console_objections, name="console_objections"),
    path("console/objections/<int:pk>/handle/", objection_handle_view, name="objection_handle"),
    path("console/objections/<int:pk>/evidence/", objection_evidence, name="objection_evidence"),
]
