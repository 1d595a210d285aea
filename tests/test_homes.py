"""The homes of the staff and of the finance officers: what needs them now, each count from the app
that owns it, in a number of queries that does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.signup import AccountAdapter
from tests.factories import CallFactory, DeclarationFactory

pytestmark = pytest.mark.django_db


def _declarations(n, state, **fields):
    call = CallFactory(closes_at=timezone.now() + datetime.timedelta(days=40 + n))
    return [DeclarationFactory(call=call, state=state, **fields) for _ in range(n)]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_staff_home_counts_each_state_as_a_link_into_the_queue(client, staff):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    _declarations(2, S.SUBMITTED, submitted_at=long_ago)
    _declarations(1, S.SUBMITTED, submitted_at=timezone.now())
    _declarations(1, S.REVIEWED)
    _declarations(1, S.DRAFT)
    client.force_login(staff)

    response = client.get("/console/home/")

    work = response.context["work"]
    assert [(state.value, count) for state, count in work["states"]] == [("submitted", 3), ("reviewed", 1)]
    assert work["overdue"] == {"objections": 0, "rectifications": 0, "reports": 0, "acceptance": 2}
    assert work["objections_open"] == 0
    content = response.content.decode()
    assert 'href="/console/?state=submitted"' in content
    assert 'href="/console/?state=reviewed"' in content
    assert "draft" not in [state.value for state, _ in work["states"]]


def test_staff_home_names_the_call_that_closes_next(client, staff):
    CallFactory(title="Closes later", closes_at=timezone.now() + datetime.timedelta(days=60))
    CallFactory(title="Closes soon", closes_at=timezone.now() + datetime.timedelta(days=3))
    CallFactory(
        title="Closed",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(staff)

    response = client.get("/console/home/")

    assert response.context["work"]["next_call"].title == "Closes soon"
    assert '<p class="fw-semibold mb-1" id="next-call">Closes soon</p>' in response.content.decode()


def test_staff_home_query_count_does_not_grow(client, staff):
    client.force_login(staff)
    _declarations(1, S.SUBMITTED, submitted_at=timezone.now())
    small = _queries(client, "/console/home/")
    for state in (S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED, S.APPROVED):
        _declarations(3, state, submitted_at=timezone.now() - datetime.timedelta(days=20))
    assert _queries(client, "/console/home/") == small


def test_staff_home_is_for_staff_only(client, reviewer, finance):
    for user in (reviewer, finance):
        client.force_login(user)
        assert client.get("/console/home/").status_code == 403


def test_finance_home_query_count_does_not_grow_and_counts_are_shown(client, finance):
    client.force_login(finance)
    small = _queries(client, "/disbursement/home/")
    _declarations(4, S.CONFIRMED, approved_amount="1000000.00")
    large = _queries(client, "/disbursement/home/")
    response = client.get("/disbursement/home/")

    assert large == small
    assert response.context["work"] == {"to_prepare": 4, "to_approve": 0, "to_pay": 0}
    assert response.context["recoveries"] == {"awaiting": 0, "due": 0, "overdue": 0}
    assert '<p class="display-6 mb-2" id="count-to-prepare">4</p>' in response.content.decode()


def test_finance_home_is_for_finance_officers_only(client, staff):
    client.force_login(staff)
    assert client.get("/disbursement/home/").status_code == 403


def test_each_role_starts_at_its_home(client, staff, finance):
    request = type("R", (), {})()
    for user, home in ((staff, "/console/home/"), (finance, "/disbursement/home/")):
        request.user = user
        assert AccountAdapter().get_login_redirect_url(request) == home
