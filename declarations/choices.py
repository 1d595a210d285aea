"""The calls and the programmes as a list's filter offers them, (value, label) in the reader's
language, kept in the cache: every page of the console's queue offers both, and reading and
labelling them on each request took a tenth of the page (bench/README.md). A change to a call or a
programme drops them (`choices_changed`, connected in DeclarationsConfig.ready); the cache's
timeout bounds how long a process-local cache (the embedded default's) may lag another process."""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from common.cache import kept
from declarations.models import Call, Programme

TIMEOUT = 300
_KEY = "declarations:choices:{kind}:{language}"


def _cached(kind, read):
    language = translation.get_language()
    if language not in dict(settings.LANGUAGES):  # no key of choices_changed's
        return read()
    return kept(_KEY.format(kind=kind, language=language), TIMEOUT, read)


def call_choices():
    """Every call, newest first, by its id: [(pk as text, title)]."""
    return _cached("call", lambda: [(str(call.pk), str(call)) for call in Call.objects.order_by("-year", "-opens_at")])


def programme_choices():
    """Every programme in the policy's order, by its code: [(code, "code title")]."""
    return _cached("programme", lambda: [(programme.code, str(programme)) for programme in Programme.objects.all()])


def choices_changed(**kwargs):
    cache.delete_many(
        [_KEY.format(kind=kind, language=code) for kind in ("call", "programme") for code, _name in settings.LANGUAGES]
    )
