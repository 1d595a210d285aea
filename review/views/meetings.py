"""The commission's evaluation meetings (Art. 15 (2)), for commission staff only: the list, recording
and correcting a meeting, its withdrawals and its opinions; and the meeting section of the
declaration page. Forms validate input; review.meetings decides, and its refusals are shown at the
field they concern."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.forms import MAX_PK
from common.http import query_without_page
from common.views import permission_required
from declarations.workflow import TransitionRefused
from review import meetings
from review.meeting_forms import CallFilterForm, MeetingForm, OpinionForm, WithdrawalForm, WithdrawalRemovalForm
from review.models import EvaluationMeeting, MeetingWithdrawal


def _meeting(pk):
    try:
        return meetings.meeting_get(pk)
    except EvaluationMeeting.DoesNotExist:
        raise Http404 from None


def _page(request, template, context, status=200):
    return render(request, template, {"console_section": "meetings", **context}, status=status)


def _submit(form, service, **kwargs):
    """Call the service with the form's cleaned data; its refusals go to the form's fields.
    Returns the service's result, or None when it refused."""
    try:
        return service(**kwargs)
    except ValidationError as refusal:
        form.add_error(None, refusal)
    except TransitionRefused as refusal:
        form.add_error(None, str(refusal))
    return None


@permission_required("console.staff")
def meeting_list(request):
    form = CallFilterForm(request.GET or None)
    call = form.cleaned_data["call"] if form.is_valid() else None
    page = Paginator(meetings.meetings_for(call), 25).get_page(request.GET.get("page"))
    return _page(
        request,
        "review/meetings/list.html",
        {"page": page, "filter_form": form, "call": call, "query_string": query_without_page(request)},
    )


@permission_required("console.staff")
def meeting_new(request):
    user = request.user
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            meeting = _submit(
                form,
                meetings.meeting_record,
                actor=user,
                call=data["call"],
                held_on=data["held_on"],
                place=data["place"],
                members=data["members"],
                minutes=data["minutes"],
            )
            if meeting is not None:
                messages.success(request, _("The evaluation meeting was recorded."))
                return redirect("review:meeting", pk=meeting.pk)
        messages.error(request, _("Please correct the fields marked below."))
    else:
        form = MeetingForm(initial={"call": _pk(request.GET.get("call")), "held_on": timezone.localdate()})
    return _page(request, "review/meetings/form.html", {"form": form, "meeting": None})


@permission_required("console.staff")
def meeting_edit(request, pk):
    user = request.user
    meeting = _meeting(pk)
    if request.method == "POST":
        form = MeetingForm(request.POST, meeting=meeting)
        if form.is_valid():
            data = form.cleaned_data
            updated = _submit(
                form,
                meetings.meeting_update,
                meeting_id=meeting.pk,
                actor=user,
                held_on=data["held_on"],
                place=data["place"],
                members=data["members"],
                minutes=data["minutes"],
            )
            if updated is not None:
                messages.success(request, _("The evaluation meeting was corrected."))
                return redirect("review:meeting", pk=meeting.pk)
        messages.error(request, _("Please correct the fields marked below."))
    else:
        form = MeetingForm(meeting=meeting)
    return _page(request, "review/meetings/form.html", {"form": form, "meeting": meeting})


def _pk(value):
    """A primary key typed in a query string, or None for anything else."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_PK else None


def _opinion_initial(detail, declaration_id):
    """The opinion form filled with the meeting's opinion on the declaration, to correct it."""
    if declaration_id is None:
        return None
    for row in detail.opinions:
        if row.declaration.pk == declaration_id:
            return {
                "declaration": declaration_id,
                "scheme": row.opinion.scheme,
                "proposed_amount": row.opinion.proposed_amount,
                "opinion": row.opinion.opinion,
            }
    return {"declaration": declaration_id}


def _meeting_page(request, meeting, withdrawal_form=None, opinion_form=None, removal_form=None, status=200):
    detail = meetings.meeting_detail(meeting)
    # Each withdrawal with the form that removes it; the one posted with an error keeps it.
    posted = {removal_form.withdrawal.pk: removal_form} if removal_form is not None else {}
    withdrawals = [(w, posted.get(w.pk) or WithdrawalRemovalForm(withdrawal=w)) for w in detail.withdrawals]
    if opinion_form is None:
        initial = _opinion_initial(detail, _pk(request.GET.get("declaration")))
        opinion_form = OpinionForm(meeting=meeting, initial=initial)
    return _page(
        request,
        "review/meetings/meeting.html",
        {
            "meeting": meeting,
            "detail": detail,
            "withdrawal_form": withdrawal_form or WithdrawalForm(meeting=meeting),
            "withdrawals": withdrawals,
            "opinion_form": opinion_form,
            "awaiting_opinion": meetings.declarations_awaiting_opinion(meeting).exists(),
        },
        status=status,
    )


@permission_required("console.staff")
def meeting_page(request, pk):
    return _meeting_page(request, _meeting(pk))


@permission_required("console.staff")
def withdrawal_new(request, pk):
    user = request.user
    meeting = _meeting(pk)
    if request.method != "POST":
        return redirect("review:meeting", pk=pk)
    form = WithdrawalForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        withdrawal = _submit(
            form,
            meetings.withdrawal_record,
            meeting_id=meeting.pk,
            actor=user,
            member=data["member"],
            declaration=data["declaration"],
            reason=data["reason"],
        )
        if withdrawal is not None:
            messages.success(request, _("The withdrawal of %(name)s was recorded.") % {"name": withdrawal.member})
            return redirect(reverse("review:meeting", args=[pk]) + "#withdrawals")
    messages.error(request, _("The withdrawal was not recorded: please correct the fields marked below."))
    return _meeting_page(request, meeting, withdrawal_form=form)


@permission_required("console.staff")
def withdrawal_remove(request, pk, withdrawal):
    user = request.user
    meeting = _meeting(pk)
    if request.method != "POST":
        return redirect("review:meeting", pk=pk)
    try:
        withdrawal = meeting.withdrawals.select_related("member", "declaration").get(pk=withdrawal)
    except MeetingWithdrawal.DoesNotExist:
        raise Http404 from None
    form = WithdrawalRemovalForm(request.POST, withdrawal=withdrawal)
    if form.is_valid():
        try:
            removed = _submit(
                form,
                meetings.withdrawal_remove,
                withdrawal_id=withdrawal.pk,
                actor=user,
                reason=form.cleaned_data["removal_reason"],
            )
        except MeetingWithdrawal.DoesNotExist:  # removed by another click meanwhile, as for a later one
            raise Http404 from None
        if removed is not None:
            messages.success(request, _("The withdrawal of %(name)s was removed.") % {"name": withdrawal.member})
            return redirect(reverse("review:meeting", args=[pk]) + "#withdrawals")
    messages.error(request, _("The withdrawal was not removed: please correct the field marked below."))
    return _meeting_page(request, meeting, removal_form=form)


@permission_required("console.staff")
def opinion_new(request, pk):
    user = request.user
    meeting = _meeting(pk)
    if request.method != "POST":
        return redirect("review:meeting", pk=pk)
    form = OpinionForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        opinion = _submit(
            form,
            meetings.opinion_record,
            meeting_id=meeting.pk,
            declaration_id=data["declaration"].pk,
            actor=user,
            opinion=data["opinion"],
            scheme=data["scheme"],
            proposed_amount=data["proposed_amount"],
        )
        if opinion is not None:
            messages.success(
                request,
                _("The meeting's opinion on %(declaration)s was recorded.") % {"declaration": opinion.declaration},
            )
            return redirect(reverse("review:meeting", args=[pk]) + "#opinions")
    messages.error(request, _("The opinion was not recorded: please correct the fields marked below."))
    return _meeting_page(request, meeting, opinion_form=form)


urlpatterns = [
    path("meetings/", meeting_list, name="meetings"),
    path("meetings/new/", meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_page, name="meeting"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/withdrawals/", withdrawal_new, name="meeting_withdrawal"),
    path(
        "meetings/<int:pk>/withdrawals/<int:withdrawal>/remove/",
        withdrawal_remove,
        name="meeting_withdrawal_remove",
    ),
    path("meetings/<int:pk>/opinions/", opinion_new, name="meeting_opinion"),
]
