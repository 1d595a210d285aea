"""The public pages' cache: each key carries the board's generation, and any change to a batch
moves the generation on, so every cached public page is dropped at once, in every process.

What changes with the clock (a batch's phase, the days and hours left, the objection links) changes
by the hour at most, so a key also carries the hour in Beijing, and an entry lives until that hour
ends. What is cached is a page's content, never a whole response: the layout around it (the
language switcher's CSRF token, the signed-in user, messages) is rendered for each request."""

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

GENERATION_KEY = "publicity:board:generation"


def publicity_board_generation():
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def publicity_board_changed():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def public_page_cached(request, build):
    """`build(now)` for this address (path and query) in the reader's language, from the cache while
    the board's generation and the hour stay the same.

    The generation is read before `build` runs, so what is stored is never older than its key says;
    a change during `build` moves the generation on and the next request builds again."""
    now = timezone.localtime()
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"publicity:page:{publicity_board_generation()}:{get_language()}:{now:%Y%m%d%H}:{address}"
    value = cache.get(key)
    if value is None:
        value = build(now)
        cache.set(key, value, timeout=3600 - now.minute * 60 - now.second)
    return value
