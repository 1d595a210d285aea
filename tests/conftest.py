import pytest
from django.conf import settings

from tests.factories import (
    AdminFactory,
    ApplicantFactory,
    CallFactory,
    DeclarationFactory,
    FinanceFactory,
    ReviewerFactory,
    StaffFactory,
)


@pytest.fixture(autouse=True)
def _eager_celery_and_english(settings, tmp_path):
    """Tests run Celery tasks eagerly unless a test says it uses the real broker (tests/notices);
    evidence files go to a temporary folder."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    from config.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the public pages' cache is keyed by address and hour, and
    a test's database may give its rows the ids an earlier test's had."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def applicant(db):
    return ApplicantFactory(username="applicant-a")


@pytest.fixture
def other_applicant(db):
    return ApplicantFactory(username="applicant-b")


@pytest.fixture
def staff(db):
    return StaffFactory(username="staff-a")


@pytest.fixture
def reviewer(db):
    return ReviewerFactory(username="reviewer-a")


@pytest.fixture
def second_reviewer(db):
    return ReviewerFactory(username="reviewer-b")


@pytest.fixture
def finance(db):
    return FinanceFactory(username="finance-a")


@pytest.fixture
def administrator(db):
    return AdminFactory(username="admin-a")


@pytest.fixture
def open_call(db):
    return CallFactory()


@pytest.fixture
def draft(db, applicant, open_call):
    return DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}; broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (make test runs two workers, --dist loadgroup), the tests that start a
    Celery worker on the real Redis broker share one queue, so they run in one worker, one after
    the other: a worker of another test could otherwise take their tasks."""
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis-broker"))
