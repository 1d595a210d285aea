"""Security events: the one function that records them, the receivers of the sign-in and MFA
signals, and the helpers the views of every app use to record a denial, an export or a bank account
shown in full.

Each event is a `SecurityEvent` row and a JSON line on the logger `zgc.security` (the operator's log
system reads it). Recording never breaks the request it records: a failure is logged, not raised."""

import logging
from functools import wraps

from django.contrib.auth import signals as auth_signals
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404

from accounts.enums import SecurityEventKind as K
from accounts.enums import SecurityOutcome as O
from accounts.models import SecurityEvent
from common.http import client_address
from common.limits import rate_limit_refused

logger = logging.getLogger("zgc.security")

# The credentials a sign-in form may name the account by; anything else (the password) is never read.
LOGIN_NAMES = ("username", "email", "login")


def _request_actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def security_event_record(*, kind, outcome, request=None, actor=None, obj=None, username="", detail=None):
    """Record one security event: who (`actor`, else the request's signed-in user; `username` for a
    name typed at a failed sign-in), from where (the request's client address and path), on what
    (`obj`) and with which outcome. Returns the event, or None when it could not be stored."""
    actor = actor or (_request_actor(request) if request is not None else None)
    fields = {
        "kind": kind,
        "outcome": outcome,
        "actor_id": actor.pk if actor else None,
        "username": ((actor.get_username() if actor else username) or "")[:150],
        "address": client_address(request) if request is not None else None,
        "path": (request.get_full_path() if request is not None else "")[:500],
        "object_id": str(obj.pk)[:64] if obj is not None else "",
        "object_label": str(obj)[:200] if obj is not None else "",
        "detail": detail or {},
    }
    if request is not None:
        request.security_events_recorded = [*getattr(request, "security_events_recorded", []), kind]
    try:
        with transaction.atomic():
            event = SecurityEvent.objects.create(
                object_type=ContentType.objects.get_for_model(obj) if obj is not None else None, **fields
            )
    except Exception:
        logger.exception("Security event %s could not be stored", kind, extra={"security_event": fields})
        return None
    logger.info(
        "%s %s",
        kind,
        outcome,
        extra={
            "security_event": {
                **fields,
                "id": event.pk,
                "time": event.occurred_at.isoformat(),
                "object_type": event.object_type.natural_key() if event.object_type_id else None,
            }
        },
    )
    return event


# Sign-in, sign-out and failures: Django's signals, sent by allauth's login and the admin's alike.


def _logged_in(sender, request, user, **kwargs):
    security_event_record(kind=K.LOGIN, outcome=O.SUCCESS, request=request, actor=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=K.LOGOUT, outcome=O.SUCCESS, request=request, actor=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    tried = next((str(credentials[name]) for name in LOGIN_NAMES if credentials.get(name)), "")
    security_event_record(kind=K.LOGIN_FAILED, outcome=O.FAILURE, request=request, username=tried)


def lockout_record(request, credentials):
    """allauth refused a sign-in because of too many failures (ACCOUNT_RATE_LIMITS "login_failed")."""
    tried = next((str(credentials[name]) for name in LOGIN_NAMES if credentials.get(name)), "")
    security_event_record(kind=K.LOCKOUT, outcome=O.DENIED, request=request, username=tried)


# MFA: allauth.mfa's signals, connected only when that app is installed (its module needs its models).
MFA_SIGNALS = {
    "authenticator_added": K.MFA_ADDED,
    "authenticator_removed": K.MFA_REMOVED,
    "authenticator_reset": K.MFA_RESET,
}


def _mfa_receiver(kind):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        detail = {"type": str(getattr(authenticator, "type", "") or "")}
        security_event_record(kind=kind, outcome=O.SUCCESS, request=request, actor=user, detail=detail)

    return receiver


MFA_RECEIVERS = {name: _mfa_receiver(kind) for name, kind in MFA_SIGNALS.items()}


def _rate_limited(sender, request, group, **kwargs):
    security_event_record(kind=K.RATE_LIMITED, outcome=O.DENIED, request=request, detail={"limit": group})


def signals_connect(*, mfa_installed):
    """Connect the receivers (AccountsConfig.ready); the MFA ones when allauth.mfa is installed."""
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="security_login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="security_logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="security_login_failed")
    rate_limit_refused.connect(_rate_limited, dispatch_uid="security_rate_limited")
    if mfa_installed:
        from allauth.mfa import signals as mfa_signals  # noqa: PLC0415 -- circular: needs allauth.mfa's models loaded

        for name, receiver in MFA_RECEIVERS.items():
            getattr(mfa_signals, name).connect(receiver, dispatch_uid=f"security_{name}")


# What the views of the apps above record.


def visible_or_404(request, visible, **lookup):
    """The object of `visible` (a visibility selector's queryset) matching `lookup`, else 404. When
    the object exists but the user may not see it, the 404 is an isolation: recorded as a denial. A
    missing object costs no more than get_object_or_404; a hidden one, one query more."""
    try:
        return visible.get(**lookup)
    except visible.model.DoesNotExist:
        hidden = visible.model._base_manager.filter(**lookup).first()
        if hidden is not None:
            security_event_record(kind=K.DENIED, outcome=O.DENIED, request=request, obj=hidden, detail={"status": 404})
        raise Http404 from None


def export_recorded(name):
    """Record each successful answer of an export view as an export named `name` with its format."""

    def decorator(view):
        @wraps(view)
        def recorded(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                detail = {"export": name, "format": kwargs.get("fmt", ""), "query": request.GET.urlencode()[:500]}
                security_event_record(kind=K.EXPORT, outcome=O.SUCCESS, request=request, detail=detail)
            return response

        return recorded

    return decorator


def export_record(request, *, name, obj, fmt="pdf"):
    """Record the export of one object (a declaration's or a payment order's PDF)."""
    security_event_record(
        kind=K.EXPORT, outcome=O.SUCCESS, request=request, obj=obj, detail={"export": name, "format": fmt}
    )


def account_unmasked_record(request, *, obj, where):
    """Record that a full bank account number was shown (`obj`: the account or the order holding it)."""
    security_event_record(kind=K.ACCOUNT_UNMASKED, outcome=O.SUCCESS, request=request, obj=obj, detail={"where": where})


class SecurityEventMiddleware:
    """Records every 403 as a denial, and a 429 not recorded already (allauth's own limits on sign-in
    and password reset) as a lockout on the login page, else as a rate limit. Other responses cost
    nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status == 403:
            security_event_record(
                kind=K.DENIED, outcome=O.DENIED, request=request, detail={"status": 403, "method": request.method}
            )
        elif status == 429 and not getattr(request, "security_events_recorded", None):
            match = getattr(request, "resolver_match", None)
            kind = K.LOCKOUT if match is not None and match.url_name == "account_login" else K.RATE_LIMITED
            security_event_record(kind=kind, outcome=O.DENIED, request=request, detail={"status": 429})
        return response
