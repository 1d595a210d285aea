import os
import re
import shutil
import uuid
from contextlib import contextmanager

import chinese_calendar
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from publicity.calendar import COVERED_YEARS_CACHE_KEY
from tests.factories import (
    AdminFactory,
    ApplicantFactory,
    CallFactory,
    DeclarationFactory,
    FinanceFactory,
    ReviewerFactory,
    StaffFactory,
)


def _test_settings(attachments):
    """Celery tasks run eagerly unless a test says it uses the real broker (tests/notices); English;
    a fast password hasher; e-mail kept in memory; evidence files in the folder `attachments`; a
    session's last activity written once in 5 minutes rather than every minute, so that a set-up
    slower than a minute does not add that write to a page's counted queries (tests/accounts/
    test_sessions.py uses the minute of production); sessions in the database on both databases,
    so that a page's counted queries are the same with Redis as without (tests/accounts/
    test_sessions.py proves the cached sessions of production with Redis)."""
    return {
        "CELERY_TASK_ALWAYS_EAGER": True,
        "SESSION_ACTIVITY_RESOLUTION": 5 * 60,
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "LANGUAGE_CODE": "en",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "attachments": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(attachments)},
            },
        },
    }


@pytest.fixture(autouse=True)
def _eager_celery_and_english(settings, tmp_path):
    """Every test runs with _test_settings, its evidence files in a temporary folder of its own."""
    for name, value in _test_settings(tmp_path / "attachments").items():
        setattr(settings, name, value)
    from config.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (tests/s3.py) with its bucket, once per pytest-xdist worker,
    started only when a test asks for the object store."""
    from tests.s3 import BUCKET, LocalS3Server

    server = LocalS3Server()
    server.start()
    server.client().create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture(params=["file-system", "s3"])
def file_storage(request, _eager_celery_and_english, settings):
    """Run a test twice: its files on the file system (as _test_settings puts them), then on the local
    S3-compatible server, both storages under a prefix of the test's own, removed after it. A module
    or test asks for it with `pytest.mark.usefixtures("file_storage")`; the value is the kind."""
    if request.param == "file-system":
        yield request.param
        return
    server = request.getfixturevalue("s3_server")
    prefix = f"tests/{uuid.uuid4().hex}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": server.storage_options(f"{prefix}/media"),
        "attachments": server.storage_options(f"{prefix}/private"),
    }
    yield request.param
    server.delete(prefix)


@pytest.fixture(autouse=True)
def _cache_as_migrated():
    """Each test starts with a cache holding only what the migrations imply: the public pages' cache
    is keyed by address and hour, and a test's database may give its rows the ids an earlier test's
    had. The console's banner caches the years whose working days are entered; each test's database
    starts as the migrations leave it (publicity 0005 covers the years chinesecalendar knows), so the
    cache starts so too: warm, as in a running site."""
    cache.clear()
    cache.set(COVERED_YEARS_CACHE_KEY, frozenset(day.year for day in chinese_calendar.holidays), None)


# The people of the tests: fixture name -> (factory, username).
PEOPLE = {
    "applicant": (ApplicantFactory, "applicant-a"),
    "other_applicant": (ApplicantFactory, "applicant-b"),
    "staff": (StaffFactory, "staff-a"),
    "reviewer": (ReviewerFactory, "reviewer-a"),
    "second_reviewer": (ReviewerFactory, "reviewer-b"),
    "finance": (FinanceFactory, "finance-a"),
    "second_finance": (FinanceFactory, "finance-b"),
    "administrator": (AdminFactory, "admin-a"),
}


def person(name):
    """The user the fixture `name` of PEOPLE gives."""
    factory, username = PEOPLE[name]
    return factory(username=username)


@pytest.fixture(autouse=True)
def _rate_limits_of_its_own(settings):
    """Each test counts its rate limits (django-ratelimit) afresh: the cache outlives a test, and
    with REDIS_URL it is shared by both pytest-xdist workers."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture
def applicant(db):
    return person("applicant")


@pytest.fixture
def other_applicant(db):
    return person("other_applicant")


@pytest.fixture
def staff(db):
    return person("staff")


@pytest.fixture
def reviewer(db):
    return person("reviewer")


@pytest.fixture
def second_reviewer(db):
    return person("second_reviewer")


@pytest.fixture
def finance(db):
    return person("finance")


@pytest.fixture
def second_finance(db):
    return person("second_finance")


@pytest.fixture
def administrator(db):
    return person("administrator")


@pytest.fixture
def open_call(db):
    return CallFactory()


@pytest.fixture
def draft(db, applicant, open_call):
    return DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)


class ModuleRows:
    """Rows built once for a whole test module: see `module_db`."""

    def __init__(self, blocker, attachments):
        self.blocker = blocker
        self.attachments = attachments

    @contextmanager
    def building(self):
        """Where a module-scoped fixture builds the rows its module's tests share, with the settings
        every test has (_test_settings)."""
        from config.celery import app

        with self.blocker.unblock(), override_settings(**_test_settings(self.attachments)):
            app.conf.task_always_eager = True
            yield


@pytest.fixture(scope="session", autouse=True)
def _prepared_reads_built(request, django_db_setup, django_db_blocker):
    """common.sql.Prepared's reads built once per test process, before any test counts a page's
    queries: the first read of each runs its queryset once more, in whichever test came first.
    The modules that define them loaded first, as a web worker loads them (config.wsgi: the views
    and the context processors, whose unread notices' count is one of the reads). Not when no test
    of the run uses the database (pytest-django then makes no test database)."""
    from common.sql import prepared_reads_built

    if not any(_uses_database(item) for item in request.session.items):
        return
    import config.wsgi  # noqa: F401 -- loaded for its imports, once the database is set up

    with django_db_blocker.unblock():
        assert prepared_reads_built()


# The fixtures by which a test asks pytest-django for the database, besides the django_db mark.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _uses_database(item):
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """One transaction around a test module, for rows its tests share, built in a module-scoped
    fixture (`with module_db.building(): ...`) once per module and pytest-xdist worker rather than
    once per test. Each test still runs in a savepoint of its own inside it, rolled back after the
    test as always; the shared rows are rolled back after the module. Only for modules whose tests
    are not transactional (django_db(transaction=True) would flush the tables under it)."""
    rows = ModuleRows(django_db_blocker, tmp_path_factory.mktemp("module-attachments"))
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield rows
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def module_files(module_db, settings):
    """The evidence files of the module's shared rows, copied to this test's own folder."""
    shutil.copytree(module_db.attachments, settings.STORAGES["attachments"]["OPTIONS"]["location"], dirs_exist_ok=True)


def worker_redis_url(url, worker):
    """The Redis database of pytest-xdist worker `worker` ("gw0", "gw1"): the one `url` names for gw0,
    the one below it for gw1 (above it when `url` names database 0); .ci/run flushes both."""
    number = int(worker.removeprefix("gw"))
    match = re.fullmatch(r"(?P<base>rediss?://[^/]+)(?:/(?P<db>\d+))?", url)
    if match is None:
        raise ValueError(f"REDIS_URL {url!r} is not redis://host:port/database")
    db = int(match["db"] or 0)
    return f"{match['base']}/{db - number if db >= number else db + number}"


@pytest.fixture(scope="session", autouse=True)
def _a_redis_database_of_its_own(worker_id):
    """Under pytest-xdist (make test runs two workers), each worker has its own Redis database
    (worker_redis_url) as Celery broker and cache: the tests that start a Celery worker on the real
    broker (marked redis) take only their own worker's tasks, and a test that clears the cache
    (allauth's rate limits) clears only its own worker's."""
    url = os.environ.get("REDIS_URL")
    if not url or worker_id == "master":
        yield
        return
    from config.celery import app

    own = worker_redis_url(url, worker_id)
    cache = {**settings.CACHES["default"], "LOCATION": worker_redis_url(settings.REDIS_CACHE_URL, worker_id)}
    os.environ["REDIS_URL"] = own  # the tests marked redis point Celery at it
    broker = app.conf.broker_url
    app.conf.broker_url = own
    try:
        with override_settings(REDIS_URL=own, CELERY_BROKER_URL=own, CACHES={**settings.CACHES, "default": cache}):
            yield
    finally:
        app.conf.broker_url = broker
        os.environ["REDIS_URL"] = url


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}; broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"


@pytest.fixture
def workers(tmp_path, settings):
    """Real Celery workers on the Redis broker, for the worker-kill tests (tests/worker_harness.py)."""
    from tests.worker_harness import workers_running

    yield from workers_running(tmp_path, settings)


@pytest.fixture
def every_migration_applied_after():
    """After the test, every app migrated to its latest migration again: going back to a migration
    unapplies the later ones of other apps that depend on it (monitoring's statistics snapshots after
    its indicator names), which going forward to the test's targets does not reapply, and the tests
    after it would find their tables missing."""
    yield
    from tests.migrating import migrate_to_latest

    migrate_to_latest()
