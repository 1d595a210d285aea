from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (settings.API_THROTTLE_RATE, e.g. "1200/hour"), counted in the Django cache
    (Redis in production, so every process counts together). Anonymous requests are refused before."""

    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        # The token's digest (its primary key): one count per token, whatever its holder's other tokens do.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk[:40]}
