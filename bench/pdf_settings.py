"""Settings of the gunicorn server and Celery worker that `bench/pdf_requests.py` starts: the
project's, with static files by name (the bench serves no collected manifest)."""

from config.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
