from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from accounts.models import SecurityEvent


def security_event_list(
    *, kind="", outcome="", actor="", address=None, since=None, until=None
) -> QuerySet[SecurityEvent]:
    """The security events, newest first, narrowed by what is given; one query a page, whatever the
    filters (the rows carry the actor's name and the object's label)."""
    events = SecurityEvent.objects.order_by("-occurred_at", "-pk")
    if kind:
        events = events.filter(kind=kind)
    if outcome:
        events = events.filter(outcome=outcome)
    if actor:
        events = events.filter(username__iexact=actor)
    if address:
        events = events.filter(address=address)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events


def has_authenticator_app(user) -> bool:
    """Whether `user` signs in with an authenticator app (TOTP) as their second factor."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
