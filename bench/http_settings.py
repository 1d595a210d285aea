"""Settings of the gunicorn server that `bench/publicity_board.py --http` starts: the project's, with
the bench's URLs (its baseline page) and the cache it names (BENCH_CACHE: Django's dummy cache for
the uncached run, so every request builds its page; local memory for the cached run)."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.publicity_board"
CACHES = {"default": {"BACKEND": os.environ["BENCH_CACHE"]}}
# The bench serves no collected manifest: static files by name.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
