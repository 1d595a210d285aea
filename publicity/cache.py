"""The public pages' cache: each key carries the board's generation, and any change to a batch
moves the generation on, so every cached public page is dropped at once, in every process."""

from django.core.cache import cache

GENERATION_KEY = "publicity:board:generation"


def publicity_board_generation():
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def publicity_board_changed():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)
