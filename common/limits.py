"""The one limiter of anonymous writes (objections and their look-ups, sign-up, password reset, the
award estimator): counters of django-ratelimit on the cache settings.RATELIMIT_USE_CACHE names
(Redis in production, so every process shares the counts). Rates are settings, read at each
request. Each refusal is announced by the signal `rate_limit_refused`, which accounts records as a
security event (common is the lowest layer and imports no app)."""

from datetime import timedelta

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django_ratelimit.core import get_usage

from common.http import client_address_key

TOO_MANY_REQUESTS = 429

# Sent with `request` and `group` (the limit's) each time a request is refused by a limit.
rate_limit_refused = Signal()


class Limit:
    """One counter: its group, its key function (group, request) and the setting holding its rate
    ("<count>/<period>")."""

    def __init__(self, group, key, rate_setting):
        self.group, self.key, self.rate_setting = group, key, rate_setting

    def usage(self, request, *, increment):
        rate = getattr(settings, self.rate_setting)
        return get_usage(request, group=self.group, key=self.key, rate=rate, increment=increment)


def per_address(group, rate_setting):
    """A limit counted per client address (common.http.client_address)."""
    return Limit(group, client_address_key, rate_setting)


def limit_reached(request, limits, *, increment, refuse=True):
    """The first of `limits` this request goes over, as (limit, the local time it frees up), or None.
    With `increment` the request is counted first, against each limit in turn up to the first one
    reached, so a refused request does not use up the later ones; without, it is only checked. A
    cache that does not answer counts as over (django-ratelimit fails closed). With `refuse` (the
    caller refuses the request when a limit is reached), the refusal is announced."""
    for limit in limits:
        usage = limit.usage(request, increment=increment)
        if usage is None:  # settings.RATELIMIT_ENABLE off
            continue
        # Counted, the request is over when it goes past the rate; not counted, when the rate is used up.
        if usage["should_limit"] or (not increment and usage["count"] >= usage["limit"]):
            if refuse:
                rate_limit_refused.send(sender=Limit, request=request, group=limit.group)
            return limit, timezone.localtime() + timedelta(seconds=max(usage["time_left"], 0))
    return None


class LimitedFormMixin:
    """For a form view whose valid post writes or sends something (allauth's sign-up and password
    reset): each valid post is counted against `limits`; past one, nothing is done and the form
    comes back with what was typed, `limit_message` (formatted with %(when)s) and HTTP 429."""

    limits: list[Limit] = []
    limit_message = ""

    def form_valid(self, form):
        reached = limit_reached(self.request, self.limits, increment=True)
        if reached is None:
            return super().form_valid(form)
        form.add_error(None, self.limit_message % {"when": date_format(reached[1], "DATETIME_FORMAT")})
        response = self.form_invalid(form)
        response.status_code = TOO_MANY_REQUESTS
        return response
