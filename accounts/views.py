import csv
import json

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.i18n import set_language

from accounts.forms import SecurityEventFilterForm
from accounts.models import SecurityEvent
from accounts.security import export_recorded
from accounts.selectors import security_event_list
from accounts.services import user_language_set
from common.exports import neutralise
from common.http import query_without_page
from common.limits import LimitedFormMixin, per_address
from common.views import permission_required


def language_set(request):
    """Django's set_language, remembering the choice on the account of a signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


class SignupView(LimitedFormMixin, allauth_views.SignupView):
    """allauth's sign-up, its valid posts counted per client address (settings.SIGNUP_RATE_PER_ADDRESS)."""

    limits = [per_address("accounts.signup.address", "SIGNUP_RATE_PER_ADDRESS")]
    limit_message = gettext_lazy(
        "Too many accounts were created from your network address in a short time. Nothing was created this "
        "time; what you typed is kept below. Please try again after %(when)s."
    )


class PasswordResetView(LimitedFormMixin, allauth_views.PasswordResetView):
    """allauth's password reset, its valid posts counted per client address
    (settings.PASSWORD_RESET_RATE_PER_ADDRESS); allauth's limit per e-mail address stays behind it."""

    limits = [per_address("accounts.password_reset.address", "PASSWORD_RESET_RATE_PER_ADDRESS")]
    limit_message = gettext_lazy(
        "Too many password resets were asked for from your network address in a short time. No e-mail was "
        "sent this time. Please try again after %(when)s."
    )


SECURITY_EVENTS_PER_PAGE = 50


def _filtered_events(request):
    form = SecurityEventFilterForm(request.GET)
    events = security_event_list(**form.cleaned_data) if form.is_valid() else SecurityEvent.objects.none()
    return form, events


@permission_required("accounts.view_security_events")
def security_events(request):
    """The security events, 50 a page, filtered by kind, user, outcome, dates and address; a filter
    that was refused shows its message at its field and lists nothing."""
    form, events = _filtered_events(request)
    return render(
        request,
        "accounts/security_events.html",
        {
            "console_section": "security_events",
            "form": form,
            "page": Paginator(events, SECURITY_EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "query": query_without_page(request),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _csv_lines(events, language):
    writer = csv.writer(_Echo())
    with translation.override(language):
        headers = [
            _("Time"),
            _("Kind"),
            _("Outcome"),
            _("User"),
            _("Client address"),
            _("Path"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Detail"),
        ]
        yield "\ufeff" + writer.writerow([str(header) for header in headers])
        for event in events:
            cells = [
                timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
                event.get_kind_display(),
                event.get_outcome_display(),
                event.username,
                event.address or "",
                event.path,
                ".".join(event.object_type.natural_key()) if event.object_type else "",
                event.object_id,
                event.object_label,
                json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
            ]
            yield writer.writerow([neutralise(cell) for cell in cells])


@permission_required("accounts.view_security_events")
@export_recorded("security_events")
def security_events_export(request):
    """The filtered security events as CSV, every page of them; the export is itself an event."""
    form, events = _filtered_events(request)
    if not form.is_valid():
        messages.error(request, _("Please correct the filters before exporting."))
        return redirect(f"{reverse('security_events')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(
        _csv_lines(events.select_related("object_type").iterator(chunk_size=500), translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="security-events-{timezone.localdate().isoformat()}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
