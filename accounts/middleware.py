"""What every signed-in request passes: the idle timeout and the staff side's forced MFA enrolment.

Both keep what they know in the session, set when the user signs in (`session_signed_in`), so a
request of a signed-in user costs no query beyond the session's and the user's own: the last activity
is written at most once every SESSION_ACTIVITY_RESOLUTION seconds (with the session list's "last
seen"), and the enrolment is looked up only until it is found.
"""

import hashlib
import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_staff_side
from accounts.selectors import has_authenticator_app

LAST_ACTIVITY = "accounts.last_activity"
SIGNED_IN_AT = "accounts.signed_in_at"
MFA_ENROLLED = "accounts.mfa_enrolled"
# A digest of the address and browser the session list last recorded for the session.
SEEN_FROM = "accounts.seen_from"
# What a staff-side user without an authenticator app may still open: the enrolment itself, the
# recovery codes it shows, the re-authentication it may ask for, signing out and the language.
ENROLMENT_PAGES = {
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_index",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "set_language",
}


def session_signed_in(sender, request, user, **kwargs):
    """Receiver of `user_logged_in`: the session starts active, and knows whether the user has enrolled."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SIGNED_IN_AT] = request.session[LAST_ACTIVITY] = int(time.time())
    if is_staff_side(user) and has_authenticator_app(user):
        request.session[MFA_ENROLLED] = True


class SessionActivityMiddleware:
    """Signs everyone out SESSION_COOKIE_AGE seconds after they signed in (Django's own expiry moves on
    with every write of the session, so it alone bounds only idleness), and a staff-side user after
    STAFF_IDLE_TIMEOUT seconds without a request; keeps every signed-in session's last activity for the
    session list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended %(hours)d hours after you signed in. Please sign in again.")
                    % {"hours": settings.SESSION_COOKIE_AGE // 3600},
                )
            elif last is not None and now - last > settings.STAFF_IDLE_TIMEOUT and is_staff_side(user):
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Please sign in again.")
                    % {"minutes": settings.STAFF_IDLE_TIMEOUT // 60},
                )
            elif last is None or now - last >= settings.SESSION_ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY] = now
                session_seen(request)
        return self.get_response(request)


def _client(request):
    text = f"{get_adapter().get_client_ip(request)}\n{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def session_seen(request):
    """The session list's "last seen" of this session set to now. From the address and browser it
    last recorded, one UPDATE; from others (or with no record left), allauth's own record, which
    stores them and tells its `session_client_changed` receivers. allauth's alone took a
    transaction, a read of the record and of its user and a write of every field: 1.3 ms against
    0.2 for the UPDATE, once a minute for every signed-in user."""
    client = _client(request)
    seen = UserSession.objects.filter(session_key=request.session.session_key, user_id=request.user.pk)
    if request.session.get(SEEN_FROM) == client and seen.update(last_seen_at=timezone.now()):
        return
    UserSession.objects.create_from_request(request)
    request.session[SEEN_FROM] = client


class MFARequiredMiddleware:
    """Sends a staff-side user without an authenticator app to its enrolment, whatever page they ask for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.session.get(MFA_ENROLLED) or not is_staff_side(user):
            return None
        if has_authenticator_app(user):
            request.session[MFA_ENROLLED] = True
            return None
        if request.resolver_match and request.resolver_match.url_name in ENROLMENT_PAGES:
            return None
        messages.warning(
            request,
            _(
                "Your role signs in with a second factor: set up an authenticator app to continue. "
                "Then keep the recovery codes shown once."
            ),
        )
        return redirect("mfa_activate_totp")
