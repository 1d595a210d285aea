"""Who a request is: the holder of a knox token (`Authorization: Bearer <token>`), nothing else (no
session, so no CSRF question and no page's cookie reaches the API)."""

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from accounts.rules import is_staff_side
from accounts.selectors import has_authenticator_app


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check (the digest, the expiry, an active user), and for the staff side the same
    condition as the site's: a user who must sign in with a second factor but has none set up (an
    account made by the administrator and never signed in) is refused, as the site sends them to the
    enrolment before any page."""

    def authenticate_credentials(self, token):
        # A header that is not text (knox decodes it as UTF-8) is no token either: 401, not a 500.
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if is_staff_side(user) and not has_authenticator_app(user):
            raise exceptions.AuthenticationFailed(
                _("Your role signs in with a second factor: set up an authenticator app on the site first.")
            )
        return user, token
