"""Settings of the gunicorn server and the Celery worker that `bench/load.py` starts: the project's, with
the bench's minimal page (bench.publicity_board's URLs) and what a load from one address on plain HTTP
needs. Everything else is production's: Redis cache and broker, PostgreSQL, DEBUG off."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.publicity_board"
# The bench serves no collected manifest: static files by name.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Every simulated user comes from 127.0.0.1: the per-address limits (allauth's logins, the estimator's
# and the other anonymous writes', common.limits) would refuse a city's load coming from one address.
ACCOUNT_RATE_LIMITS = False
ESTIMATE_RATE_PER_ADDRESS = "1000000/m"
# Plain HTTP on the loopback, no TLS proxy in front: the cookies must travel without it.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
