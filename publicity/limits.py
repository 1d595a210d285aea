"""The rate limits of the public objection pages, counted by django-ratelimit on the cache
settings.RATELIMIT_USE_CACHE names (Redis in production, so every process shares the counts).
Their rates are settings, read at each request."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_ratelimit.core import get_usage

from common.http import client_address_key


class Limit:
    """One counter: its group, its key function (group, request) and the setting holding its rate
    ("<count>/<period>")."""

    def __init__(self, group, key, rate_setting):
        self.group, self.key, self.rate_setting = group, key, rate_setting

    def usage(self, request, *, increment):
        rate = getattr(settings, self.rate_setting)
        return get_usage(request, group=self.group, key=self.key, rate=rate, increment=increment)


OBJECTIONS_PER_ADDRESS = Limit(
    "publicity.objection.address", client_address_key, "PUBLICITY_OBJECTION_RATE_PER_ADDRESS"
)
FAILED_LOOKUPS_PER_ADDRESS = Limit("publicity.lookup.address", client_address_key, "PUBLICITY_LOOKUP_RATE")


def objections_per_entry(entry):
    return Limit(
        "publicity.objection.entry", lambda group, request: str(entry.pk), "PUBLICITY_OBJECTION_RATE_PER_ENTRY"
    )


def limit_reached(request, limits, *, increment):
    """The first of `limits` this request goes over, as (limit, the local time it frees up), or None.
    With `increment` the request is counted first, against each limit in turn up to the first one
    reached, so a refused request does not use up the later ones; without, it is only checked. A
    cache that does not answer counts as over (django-ratelimit fails closed)."""
    for limit in limits:
        usage = limit.usage(request, increment=increment)
        if usage is None:  # settings.RATELIMIT_ENABLE off
            continue
        # Counted, the request is over when it goes past the rate; not counted, when the rate is used up.
        if usage["should_limit"] or (not increment and usage["count"] >= usage["limit"]):
            return limit, timezone.localtime() + timedelta(seconds=max(usage["time_left"], 0))
    return None
