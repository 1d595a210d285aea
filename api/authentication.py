"""Who a request is: the holder of a knox token (`Authorization: Bearer <token>`), nothing else (no
session, so no CSRF question and no page's cookie reaches the API)."""

import re

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from accounts.rules import is_staff_side
from accounts.selectors import has_authenticator_app

TOKEN_SHAPE = re.compile(rb"[A-Za-z0-9_]{1,200}")


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check (the digest, the expiry, an active user), and for the staff side the same
    condition as the site's: a user who must sign in with a second factor but has none set up (an
    account made by the administrator and never signed in) is refused, as the site sends them to the
    enrolment before any page."""

    def authenticate_credentials(self, token):
        # A token is its prefix and hex digits: anything else (bytes that are not UTF-8, which knox
        # would fail to decode; a NUL, which PostgreSQL refuses in a query) is refused before a query.
        if not TOKEN_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if is_staff_side(user) and not has_authenticator_app(user):
            raise exceptions.AuthenticationFailed(
                _("Your role signs in with a second factor: set up an authenticator app on the site first.")
            )
        return user, token
