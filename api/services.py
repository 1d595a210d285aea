"""Issuing and revoking API tokens: each recorded as a security event (accounts.security)."""

from datetime import timedelta

from django.db import transaction

from accounts.enums import SecurityEventKind as K
from accounts.enums import SecurityOutcome as O
from accounts.security import security_event_record
from api.models import ApiToken

# How long a token may live, in days: every token expires (the holder makes a new one).
TOKEN_LIFETIMES = (30, 90, 365)
# Tokens one user may hold at once: one for each system that reads the API, with room to rotate.
TOKENS_PER_USER = 10


class TokenRefused(Exception):
    pass


def _detail(token):
    # The token's first characters name it in the log; its value is never recorded (nor its digest).
    return {
        "token": token.token_key,
        "name": token.name,
        "holder": token.user.get_username(),
        "expiry": token.expiry.isoformat() if token.expiry else None,
    }


def token_issue(user, *, name, days, request=None) -> tuple[ApiToken, str]:
    """A new token of `user` named `name`, valid `days` days: the token and its value, which is
    stored only as a digest and must be shown to its holder now, once."""
    if days not in TOKEN_LIFETIMES:
        raise ValueError(f"A token lives {TOKEN_LIFETIMES} days, not {days}.")
    with transaction.atomic():
        if ApiToken.objects.filter(user=user).count() >= TOKENS_PER_USER:
            raise TokenRefused
        token, value = ApiToken.objects.create(user, expiry=timedelta(days=days), name=name)
        security_event_record(
            kind=K.API_TOKEN_ISSUED, outcome=O.SUCCESS, request=request, actor=user, detail=_detail(token)
        )
    return token, value


def token_revoke(token, *, request=None, actor=None) -> None:
    """Revoke `token`: its row goes, so the next request with it is refused."""
    with transaction.atomic():
        detail = _detail(token)
        token.delete()
        security_event_record(kind=K.API_TOKEN_REVOKED, outcome=O.SUCCESS, request=request, actor=actor, detail=detail)
