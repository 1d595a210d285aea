"""Sessions (issue 15, point 1): the staff side is signed out after 30 minutes without a request,
applicants keep a session of at most 12 hours, and a user sees their sessions and ends the others."""

import datetime

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.utils import timezone

from tests.factories import sign_in

START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _activity_written_every_minute(settings):
    """As in production (the other tests write it once in 5 minutes: tests/conftest.py)."""
    settings.SESSION_ACTIVITY_RESOLUTION = 60


def minutes(n):
    return datetime.timedelta(minutes=n)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "reviewer", "finance", "administrator"])
def test_the_staff_side_is_signed_out_after_thirty_idle_minutes(client, request, role):
    user = request.getfixturevalue(role)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        # Each request keeps the session alive for another 30 minutes ...
        for _ in range(3):
            clock.shift(minutes(29))
            assert client.get("/notices/").status_code == 200
        # ... a minute more without one ends it.
        clock.shift(minutes(31))
        response = client.get("/notices/", follow=True)
        assert response.redirect_chain[0][0].startswith("/accounts/login/")
        assert b"signed out after 30 minutes without activity" in response.content
        clock.shift(minutes(1))
        assert client.get("/notices/").status_code == 302


@pytest.mark.django_db
def test_the_idle_timeout_comes_from_the_settings(client, staff, settings):
    settings.STAFF_IDLE_TIMEOUT = 10 * 60
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        clock.shift(minutes(9))
        assert client.get("/notices/").status_code == 200
        clock.shift(minutes(11))
        assert client.get("/notices/").status_code == 302


@pytest.mark.django_db
def test_an_applicant_keeps_the_session_when_idle_but_not_beyond_twelve_hours(client, applicant):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(applicant)
        clock.shift(datetime.timedelta(hours=5))
        assert client.get("/applicant/").status_code == 200
        # However busy: twelve hours after signing in, the session ends.
        for _ in range(13):
            clock.shift(minutes(30))
            assert client.get("/applicant/").status_code == 200
        clock.shift(minutes(31))
        response = client.get("/applicant/", follow=True)
        assert response.redirect_chain[0][0].startswith("/accounts/login/")
        assert b"Your session ended 12 hours after you signed in" in response.content


def _browser(client_class, address, agent):
    return client_class(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


@pytest.mark.django_db
def test_a_user_sees_their_sessions_and_ends_the_others(client, staff):
    office = _browser(type(client), "10.1.1.1", "Mozilla/5.0 (Windows NT 10.0) Office")
    laptop = _browser(type(client), "10.2.2.2", "Mozilla/5.0 (X11; Linux) Laptop")
    with time_machine.travel(START, tick=True) as clock:
        sign_in(office, staff.username)
        clock.shift(minutes(1))
        sign_in(laptop, staff.username)
        clock.shift(minutes(5))
        assert laptop.get("/notices/").status_code == 200

        page = office.get("/accounts/sessions/").content.decode()
        for shown in ["10.1.1.1", "10.2.2.2", "Office", "Laptop", "Last seen"]:
            assert shown in page
        last_seen = UserSession.objects.get(ip="10.2.2.2").last_seen_at
        assert last_seen >= timezone.now() - minutes(1)

        assert office.post("/accounts/sessions/", {})["Location"] == "/accounts/sessions/"
        assert laptop.get("/notices/")["Location"].startswith("/accounts/login/")
        assert office.get("/notices/").status_code == 200
        assert list(UserSession.objects.filter(user=staff).values_list("ip", flat=True)) == ["10.1.1.1"]


def _session_list_queries(browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/notices/").status_code == 200
    # A statement PostgreSQL runs prepared (common.sql) is captured without its text.
    statements = [q["sql"] or "" for q in queries.captured_queries]
    return [sql.split(" ", 1)[0] for sql in statements if "usersessions" in sql]


@pytest.mark.django_db
def test_last_seen_is_one_update_from_the_same_browser_and_allauths_record_from_another(client, applicant):
    from allauth.usersessions.signals import session_client_changed

    changes = []

    def client_changed(sender, request, from_session, to_session, **kwargs):
        changes.append((from_session.ip, to_session.ip))

    session_client_changed.connect(client_changed)
    browser = _browser(type(client), "10.1.1.1", "Mozilla/5.0 (Windows NT 10.0) Office")
    try:
        with time_machine.travel(START, tick=True) as clock:
            sign_in(browser, applicant.username)
            assert _session_list_queries(browser) == []  # within the minute: nothing written
            clock.shift(minutes(2))
            _session_list_queries(browser)  # the first time, allauth's record: the session learns its client
            clock.shift(minutes(2))
            assert _session_list_queries(browser) == ["UPDATE"]
            record = UserSession.objects.get(user=applicant)
            assert (record.ip, record.last_seen_at >= START + minutes(4)) == ("10.1.1.1", True)

            # The same session from another address (a laptop moved to another network).
            browser.defaults["REMOTE_ADDR"] = "10.3.3.3"
            clock.shift(minutes(2))
            assert "SELECT" in _session_list_queries(browser)
            record = UserSession.objects.get(user=applicant)
            assert (record.ip, record.last_seen_at >= START + minutes(6)) == ("10.3.3.3", True)
            assert changes == [("10.1.1.1", "10.3.3.3")]

            clock.shift(minutes(2))
            assert _session_list_queries(browser) == ["UPDATE"]
            assert UserSession.objects.get(user=applicant).last_seen_at >= START + minutes(8)
    finally:
        session_client_changed.disconnect(client_changed)


@pytest.mark.django_db
def test_a_signed_in_request_costs_no_query_for_the_session_checks(client, staff, django_assert_num_queries):
    client.force_login(staff)
    client.get("/notices/")
    # The session and the user, the page's own queries: the same as before the identity checks.
    with django_assert_num_queries(len_of_notices_page(client)):
        client.get("/notices/")


def len_of_notices_page(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/notices/")
    assert not [q for q in queries.captured_queries if "usersessions" in q["sql"] or "mfa_authenticator" in q["sql"]]
    return len(queries)


@pytest.fixture
def cached_sessions(settings):
    """Production's sessions with Redis (config/settings.py): read from the cache, written through."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_with_cached_sessions_a_signed_in_request_reads_no_session_row(client, applicant, cached_sessions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, applicant.username)
    client.get("/notices/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notices/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_with_cached_sessions_a_session_ended_elsewhere_or_signed_out_is_over(client, staff, cached_sessions):
    office = _browser(type(client), "10.1.1.1", "Mozilla/5.0 (Windows NT 10.0) Office")
    laptop = _browser(type(client), "10.2.2.2", "Mozilla/5.0 (X11; Linux) Laptop")
    with time_machine.travel(START, tick=True) as clock:
        sign_in(office, staff.username)
        clock.shift(minutes(1))  # a second factor's code is taken once
        sign_in(laptop, staff.username)
        assert laptop.get("/notices/").status_code == 200
        assert office.post("/accounts/sessions/", {})["Location"] == "/accounts/sessions/"
        assert laptop.get("/notices/")["Location"].startswith("/accounts/login/")
        office.post("/accounts/logout/")
        assert office.get("/notices/")["Location"].startswith("/accounts/login/")


def test_production_reads_sessions_from_the_cache_only_when_redis_shares_it():
    import importlib
    import os
    from unittest import mock

    import config.settings

    try:
        for redis_url, engine in [("redis://127.0.0.1:6379/9", "cached_db"), ("", "db")]:
            with mock.patch.dict(os.environ, {"REDIS_URL": redis_url, "REDIS_CACHE_URL": ""}):
                chosen = importlib.reload(config.settings).SESSION_ENGINE
                assert chosen == f"django.contrib.sessions.backends.{engine}"
    finally:
        importlib.reload(config.settings)
