"""Security events: sign-ins, failures, lockouts, sign-outs, MFA changes, denials (403 and the 404s of
object isolation), exports and bank account numbers shown in full are recorded with actor, address,
object, outcome and path, and written as JSON lines; the administrator browses and exports them."""

import csv
import io
import json
import logging

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import SecurityEventKind as K
from accounts.enums import SecurityOutcome as O
from accounts.models import SecurityEvent
from accounts.security import MFA_RECEIVERS, security_event_record
from common.jsonlog import JsonFormatter
from disbursement.services import bank_account_set
from tests.factories import PASSWORD, DeclarationFactory, StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


class _Lines(logging.Handler):
    """The JSON lines the logger zgc.security writes, as the operator's log system reads them."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    handler = _Lines()
    logger = logging.getLogger("zgc.security")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


# Sign-in, failures, lockout, sign-out


def test_sign_in_is_recorded_with_the_address_and_a_json_line(client, applicant, json_lines):
    # An applicant signs in with a password alone (the staff side has a second step).
    response = client.post(LOGIN, {"login": applicant.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    [event] = _events(K.LOGIN)
    assert (event.actor_id, event.username, event.address, event.outcome, event.path) == (
        applicant.pk,
        applicant.username,
        "203.0.113.7",
        O.SUCCESS,
        LOGIN,
    )
    [line] = [line for line in json_lines if line["kind"] == K.LOGIN]
    assert (line["logger"], line["username"], line["address"], line["id"]) == (
        "zgc.security",
        applicant.username,
        "203.0.113.7",
        event.pk,
    )


def test_sign_in_records_the_address_the_proxy_names(client, applicant, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"

    client.post(
        LOGIN,
        {"login": applicant.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1",
    )

    assert _events(K.LOGIN)[0].address == "198.51.100.9"


def test_failed_sign_in_records_the_username_tried_and_never_the_password(client, staff, json_lines):
    response = client.post(LOGIN, {"login": staff.username, "password": "wrong-Secret-77"})

    assert response.status_code == 200
    [event] = _events(K.LOGIN_FAILED)
    assert (event.actor_id, event.username, event.outcome) == (None, staff.username, O.FAILURE)
    stored = json.dumps([SecurityEvent.objects.values().get(pk=event.pk)], default=str)
    assert "wrong-Secret-77" not in stored
    assert "wrong-Secret-77" not in json.dumps(json_lines)


def test_failed_sign_in_to_the_admin_is_recorded_too(client, administrator):
    # The administration's login is allauth's (config/urls.py): /admin/login/ sends there.
    assert client.get("/admin/login/?next=/admin/")["Location"].startswith(LOGIN)
    client.post(f"{LOGIN}?next=/admin/", {"login": administrator.username, "password": "nope-nope-nope"})

    assert [event.username for event in _events(K.LOGIN_FAILED)] == [administrator.username]


def test_lockout_after_too_many_failures_is_recorded(client, staff):
    for _attempt in range(5):
        client.post(LOGIN, {"login": staff.username, "password": "wrong-Secret-77"})
    locked = client.post(LOGIN, {"login": staff.username, "password": PASSWORD})

    assert "Too many failed login attempts" in locked.content.decode()
    assert len(_events(K.LOGIN_FAILED)) == 5
    [event] = _events(K.LOCKOUT)
    assert (event.username, event.outcome) == (staff.username, O.DENIED)
    assert not _events(K.LOGIN)


def test_allauths_429_on_the_login_page_is_recorded_as_a_lockout(client, staff, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}

    client.post(LOGIN, {"login": staff.username, "password": "wrong-Secret-77"})
    refused = client.post(LOGIN, {"login": staff.username, "password": "wrong-Secret-77"})

    assert refused.status_code == 429
    assert [(event.kind, event.detail) for event in _events(K.LOCKOUT)] == [(K.LOCKOUT, {"status": 429})]


def test_sign_out_is_recorded(client, staff):
    client.force_login(staff)

    client.post("/accounts/logout/")

    assert [(event.actor_id, event.outcome) for event in _events(K.LOGOUT)] == [(staff.pk, O.SUCCESS)]


# MFA: allauth.mfa's signals, sent directly


@pytest.fixture
def mfa_signals(settings):
    """allauth.mfa's signals, with that app installed for the test if it is not yet."""
    if not apps.is_installed("allauth.mfa"):
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "allauth.mfa"]
    from allauth.mfa import signals

    return signals


@pytest.mark.parametrize(
    ("signal", "kind"),
    [
        ("authenticator_added", K.MFA_ADDED),
        ("authenticator_removed", K.MFA_REMOVED),
        ("authenticator_reset", K.MFA_RESET),
    ],
)
def test_mfa_changes_are_recorded(mfa_signals, rf, staff, signal, kind):
    request = rf.post("/accounts/2fa/", REMOTE_ADDR="203.0.113.8")
    request.user = staff

    class Authenticator:
        type = "totp"

    getattr(mfa_signals, signal).send(sender=None, request=request, user=staff, authenticator=Authenticator())

    [event] = _events(kind)
    assert (event.actor_id, event.address, event.detail) == (staff.pk, "203.0.113.8", {"type": "totp"})
    assert set(MFA_RECEIVERS) == {"authenticator_added", "authenticator_removed", "authenticator_reset"}


# Denials


def test_a_403_is_recorded_with_the_user_and_the_address(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("review:queue"), REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 403
    [event] = _events(K.DENIED)
    assert (event.actor_id, event.address, event.path, event.detail["status"]) == (
        applicant.pk,
        "192.0.2.44",
        reverse("review:queue"),
        403,
    )


def test_another_organisations_declaration_is_a_404_recorded_with_the_object(client, applicant, other_applicant):
    theirs = DeclarationFactory(organisation=other_applicant.organisation, created_by=other_applicant)
    client.force_login(applicant)

    hidden = client.get(reverse("declarations:detail", args=[theirs.pk]))
    missing = client.get(reverse("declarations:detail", args=[theirs.pk + 1000]))

    assert (hidden.status_code, missing.status_code) == (404, 404)
    [event] = _events(K.DENIED)
    assert (event.actor_id, event.object_type.model, event.object_id, event.detail) == (
        applicant.pk,
        "declaration",
        str(theirs.pk),
        {"status": 404},
    )


def test_a_draft_hidden_from_the_console_is_a_404_recorded(client, staff, draft):
    client.force_login(staff)

    response = client.get(reverse("review:declaration", args=[draft.pk]))

    assert response.status_code == 404
    assert [(event.object_id, event.actor_id) for event in _events(K.DENIED)] == [(str(draft.pk), staff.pk)]


# Exports and bank account numbers


CONSOLE_EXPORTS = [
    ("staff", "review:export_declarations", ["csv"]),
    ("staff", "review:export_decisions", ["xlsx"]),
    ("finance", "disbursement:orders_export", ["csv"]),
    ("finance", "disbursement:payments_export", ["xlsx"]),
    ("finance", "disbursement:recovery_cases_export", ["csv"]),
    ("finance", "disbursement:dishonesty_findings_export", ["csv"]),
]


@pytest.mark.parametrize(("who", "name", "args"), CONSOLE_EXPORTS)
def test_every_console_export_is_recorded(client, request, who, name, args):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.get(reverse(name, args=args), {"q": "x"} if "payments" in name else {})

    assert response.status_code == 200
    [event] = _events(K.EXPORT)
    assert (event.actor_id, event.detail["format"], event.outcome) == (user.pk, args[0], O.SUCCESS)


@pytest.fixture
def paid_with_account(finance, draft):
    declaration = draft
    bank_account_set(
        organisation_id=declaration.organisation_id,
        actor=finance,
        account_name=declaration.organisation.name,
        bank_name="Bank of Beijing",
        account_number="6222020200112233445",
    )
    return declaration


def test_showing_a_full_bank_account_number_is_recorded(client, finance, paid_with_account):
    client.force_login(finance)

    page = client.get(reverse("disbursement:declaration", args=[paid_with_account.pk]))
    form = client.get(reverse("disbursement:bank_account", args=[paid_with_account.organisation_id]))

    assert "6222020200112233445" in page.content.decode() and "6222020200112233445" in form.content.decode()
    events = _events(K.ACCOUNT_UNMASKED)
    assert [event.detail["where"] for event in events] == ["declaration_page", "bank_account_page"]
    assert all("2233445" not in event.object_label for event in events)


def test_the_masked_number_is_not_recorded(client, staff, paid_with_account):
    client.force_login(staff)

    page = client.get(reverse("disbursement:declaration", args=[paid_with_account.pk]))

    assert page.status_code == 200 and "6222020200112233445" not in page.content.decode()
    assert not _events(K.ACCOUNT_UNMASKED)


# Robustness


def test_a_failure_to_record_is_logged_and_the_request_goes_on(client, applicant, monkeypatch, json_lines):
    def broken(*args, **kwargs):
        raise RuntimeError("the table is gone")

    monkeypatch.setattr(SecurityEvent.objects, "create", broken)

    response = client.post(LOGIN, {"login": applicant.username, "password": PASSWORD})

    assert response.status_code == 302
    assert not SecurityEvent.objects.exists()
    assert any("could not be stored" in line["message"] and "exception" in line for line in json_lines)


def test_public_pages_record_nothing_and_query_nothing_more(client):
    with CaptureQueriesContext(connection) as queries:
        for url in ("/", "/publicity/", "/estimate/", reverse("account_login")):
            assert client.get(url).status_code == 200

    assert not any("securityevent" in query["sql"].lower() for query in queries.captured_queries)


def test_recording_without_a_request_keeps_the_actor():
    staff = StaffFactory(username="by-a-task")

    event = security_event_record(kind=K.EXPORT, outcome=O.SUCCESS, actor=staff)

    assert (event.actor_id, event.username, event.address, event.path) == (staff.pk, "by-a-task", None, "")


# The administrator's page and export


def _admin(client, administrator):
    """The administrator signed in without a sign-in event: the tests count the events they make,
    and an audit table's rows cannot be deleted (on PostgreSQL its trigger refuses)."""
    from django.contrib.auth.signals import user_logged_in

    from accounts.security import _logged_in

    user_logged_in.disconnect(dispatch_uid="security_login")
    try:
        client.force_login(administrator)
    finally:
        user_logged_in.connect(_logged_in, dispatch_uid="security_login")


def _make(count, **fields):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=K.LOGIN_FAILED, outcome=O.FAILURE, username=f"u{n}", address="192.0.2.1", **fields)
        for n in range(count)
    )


@pytest.mark.parametrize("count", [3, 120])
def test_the_page_costs_the_same_queries_at_any_size(client, administrator, count):
    _admin(client, administrator)
    _make(count)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("security_events"), {"kind": K.LOGIN_FAILED, "page": "2" if count > 50 else "1"})

    assert response.status_code == 200
    assert response.context["page"].paginator.per_page == 50
    assert len(response.context["page"].object_list) == (50 if count > 50 else count)
    # Session, user, the count, the rows, the layout's unread notices; the same at both sizes.
    assert len(queries) == EXPECTED_PAGE_QUERIES


EXPECTED_PAGE_QUERIES = 5


def test_the_page_filters_by_kind_user_outcome_address_and_dates(client, administrator):
    _admin(client, administrator)
    _make(2)
    SecurityEvent.objects.create(kind=K.DENIED, outcome=O.DENIED, username="mallory", address="198.51.100.1")

    def shown(**query):
        response = client.get(reverse("security_events"), query)
        return sorted(event.username for event in response.context["page"].object_list)

    assert shown(kind=K.DENIED) == ["mallory"]
    assert shown(outcome=O.FAILURE) == ["u0", "u1"]
    assert shown(actor="MALLORY") == ["mallory"]
    assert shown(address="198.51.100.1") == ["mallory"]
    assert shown(since="2000-01-01", until="2000-01-02") == []
    assert len(shown(since="2000-01-01")) == 3


def test_a_wrong_filter_is_shown_at_its_field_and_lists_nothing(client, administrator):
    _admin(client, administrator)
    _make(2)

    response = client.get(reverse("security_events"), {"address": "999.1.1.1", "since": "2026-02-30"})

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"address", "since"}
    assert not response.context["page"].object_list


def test_only_the_administrator_may_browse_or_export(client, staff):
    client.force_login(staff)

    assert client.get(reverse("security_events")).status_code == 403
    assert client.get(reverse("security_events_export")).status_code == 403


def test_the_export_neutralises_formulas_and_is_itself_an_event(client, administrator):
    _admin(client, administrator)
    SecurityEvent.objects.create(kind=K.LOGIN_FAILED, outcome=O.FAILURE, username="=HYPERLINK(1)", address="192.0.2.9")

    response = client.get(reverse("security_events_export"), {"kind": K.LOGIN_FAILED})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Cache-Control"] == "private, no-store"
    assert rows[1][3] == "'=HYPERLINK(1)"
    assert len(rows) == 2
    [export] = _events(K.EXPORT)
    assert (export.actor_id, export.detail["export"]) == (administrator.pk, "security_events")
