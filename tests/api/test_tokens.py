"""Tokens: made by their holder on a page of their own, the value shown once and kept only as a
digest; issuing and revoking recorded as security events; a revoked or expired token, an inactive
holder and a staff-side holder without a second factor refused; read-only; a rate per token."""

import pytest
import time_machine
from django.utils import timezone

from accounts.models import SecurityEvent
from api.models import ApiToken
from api.services import TOKENS_PER_USER, token_issue, token_revoke
from tests.api.conftest import client_with_token
from tests.factories import PASSWORD, StaffFactory, sign_in


def sign_in_recently(client, user):
    """Sign in, then confirm the password (allauth's re-authentication) as making a token asks."""
    sign_in(client, user.username)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


def test_a_user_makes_a_token_on_its_page_and_sees_the_value_once(client, applicant):
    sign_in_recently(client, applicant)

    page = client.post("/api/tokens/", {"name": "Ledger sync", "days": "90"})

    assert page.status_code == 200
    token = ApiToken.objects.get(user=applicant)
    value = page.context["new_token"]["value"]
    assert value.startswith("zgc_") and token.token_key == value[:15] and value in page.content.decode()
    assert value not in token.digest  # kept as a digest only
    assert token.name == "Ledger sync"
    assert 89 <= (token.expiry - timezone.now()).days <= 90
    assert value not in client.get("/api/tokens/").content.decode()  # never shown again
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert client_with_token(value).get("/api/declarations/").status_code == 200


def test_issuing_and_revoking_are_security_events_without_the_value(client, applicant):
    sign_in_recently(client, applicant)
    value = client.post("/api/tokens/", {"name": "Ledger sync", "days": "30"}).context["new_token"]["value"]
    token = ApiToken.objects.get(user=applicant)

    client.post(f"/api/tokens/{token.token_key}/revoke/")

    issued = SecurityEvent.objects.get(kind="api_token_issued")
    revoked = SecurityEvent.objects.get(kind="api_token_revoked")
    assert (issued.actor, revoked.actor) == (applicant, applicant)
    assert issued.detail["token"] == token.token_key and issued.detail["name"] == "Ledger sync"
    for event in (issued, revoked):
        assert value not in str(event.detail) and token.digest not in str(event.detail)
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused(applicant):
    token, value = token_issue(applicant, name="Sync", days=30)
    client = client_with_token(value)
    assert client.get("/api/declarations/").status_code == 200

    token_revoke(token, actor=applicant)

    assert client.get("/api/declarations/").status_code == 401


def test_an_expired_token_is_refused(applicant):
    _token, value = token_issue(applicant, name="Sync", days=30)

    with time_machine.travel(timezone.now() + timezone.timedelta(days=31)):
        response = client_with_token(value).get("/api/declarations/")

    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_deactivated_holders_token_is_refused(applicant):
    _token, value = token_issue(applicant, name="Sync", days=30)
    applicant.is_active = False
    applicant.save()

    assert client_with_token(value).get("/api/declarations/").status_code == 401


def test_a_staff_side_holder_without_an_authenticator_app_is_refused(db):
    # An account the administrator made and nobody has signed in with yet: the site sends it to enrolment.
    staff = StaffFactory(username="staff-new", totp=False)
    _token, value = token_issue(staff, name="Sync", days=30)

    response = client_with_token(value).get("/api/declarations/")

    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_a_token_cannot_write(applicant, token_client, draft):
    client = token_client(applicant)

    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"/api/declarations/{draft.pk}/").status_code == 405
        assert getattr(client, method)("/api/declarations/").status_code == 405
    assert client.head("/api/declarations/").status_code == 200
    assert client.options("/api/declarations/").status_code == 200


def test_api_answers_are_not_stored_by_caches(applicant, token_client):
    response = token_client(applicant).get("/api/declarations/")

    assert "no-store" in response["Cache-Control"]


def test_requests_are_limited_per_token(settings, applicant, token_client):
    settings.API_THROTTLE_RATE = "3/min"
    first, second = token_client(applicant), token_client(applicant)

    answers = [first.get("/api/declarations/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert second.get("/api/declarations/").status_code == 200  # another token counts apart
    assert SecurityEvent.objects.filter(kind="rate_limited", actor=applicant).exists()


def test_making_a_token_needs_the_password_confirmed_first(client, applicant):
    sign_in(client, applicant.username)  # an open session is not enough: someone else may be at the desk

    response = client.post("/api/tokens/", {"name": "Sync", "days": "30"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()
    assert client.get("/api/tokens/").status_code == 200  # the list itself needs none


def test_the_page_refuses_an_odd_lifetime_and_an_empty_name_at_the_field(client, applicant):
    sign_in_recently(client, applicant)

    page = client.post("/api/tokens/", {"name": " ", "days": "100000"})

    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_a_user_holds_at_most_so_many_tokens(client, applicant):
    for n in range(TOKENS_PER_USER):
        token_issue(applicant, name=f"Sync {n}", days=30)
    sign_in_recently(client, applicant)

    page = client.post("/api/tokens/", {"name": "One more", "days": "30"})

    assert page.status_code == 400
    assert ApiToken.objects.filter(user=applicant).count() == TOKENS_PER_USER


def test_nobody_revokes_someone_elses_token(client, applicant, other_applicant):
    token, _value = token_issue(other_applicant, name="Theirs", days=30)
    sign_in(client, applicant.username)

    assert client.post(f"/api/tokens/{token.token_key}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_staff_side_reaches_the_token_page_only_after_its_second_factor(client, staff):
    response = sign_in(client, staff.username, next_url="/api/tokens/")

    assert response.status_code == 302 and response["Location"] == "/api/tokens/"
    assert client.get("/api/tokens/").status_code == 200
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    assert client.post("/api/tokens/", {"name": "Sync", "days": "30"}).status_code == 200
    assert ApiToken.objects.filter(user=staff).count() == 1


def test_the_administrator_revokes_a_token_in_the_administration(client, administrator, applicant):
    token, value = token_issue(applicant, name="Sync", days=30)
    sign_in(client, administrator.username)

    response = client.post(f"/admin/api/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert client_with_token(value).get("/api/declarations/").status_code == 401
    event = SecurityEvent.objects.get(kind="api_token_revoked")
    assert (event.actor, event.detail["holder"]) == (administrator, applicant.username)


@pytest.mark.parametrize("path", ["/api/tokens/"])
def test_the_token_page_asks_anonymous_visitors_to_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
