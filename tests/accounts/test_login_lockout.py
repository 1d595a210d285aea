"""One login for every door (issue 15, point 1): the administration's login is allauth's, so its
lockout after failed passwords and its second step apply to the administrator too."""

import pytest

from tests.factories import PASSWORD, sign_in, totp_code

WRONG = "not-the-password-2026"


def _fail(client, username, times, next_url="", address="10.0.0.1"):
    login_url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    for _ in range(times):
        response = client.post(login_url, {"login": username, "password": WRONG}, REMOTE_ADDR=address)
        assert response.status_code in (200, 429)


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["", "/admin/"], ids=["site", "administration"])
def test_thirty_wrong_passwords_lock_the_account_out_of_the_login(client, administrator, next_url):
    _fail(client, administrator.username, 30, next_url)
    # The right password, even from another address, no longer passes: the account is locked out.
    login_url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(login_url, {"login": administrator.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


@pytest.mark.django_db
def test_a_few_wrong_passwords_do_not_lock_the_account(client, staff):
    _fail(client, staff.username, 3)
    assert sign_in(client, staff.username)["Location"] == "/console/home/"


@pytest.mark.django_db
def test_the_administration_login_page_sends_to_the_one_login(client, administrator):
    response = client.get("/admin/login/?next=/admin/declarations/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fdeclarations%2F"
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # Its own form no longer signs anyone in, however right the password.
    posted = client.post("/admin/login/?next=/admin/", {"username": administrator.username, "password": PASSWORD})
    assert posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_administration_is_not_reached_with_a_password_alone(client, administrator):
    response = client.post("/accounts/login/?next=/admin/", {"login": administrator.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_user_without_the_right_is_refused_the_administration_login(client, staff):
    client.force_login(staff)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.django_db
def test_behind_the_proxy_the_lockout_counts_the_clients_address_not_the_proxys(client, settings):
    """allauth's per-address limit (10 a minute) reads the address common.http.client_address reads:
    eleven failures from one client behind the proxy are locked out at the eleventh, while other clients
    behind the same proxy still reach the form."""
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"

    def fail(username, client_address):
        return client.post(
            "/accounts/login/",
            {"login": username, "password": WRONG},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_REAL_IP=client_address,
        )

    locked = b"Too many failed login attempts"
    # Ten different accounts, so that the per-account limit (5 in 5 minutes) never counts.
    for n in range(10):
        assert locked not in fail(f"nobody-{n}", "198.51.100.7").content
    assert locked in fail("nobody-10", "198.51.100.7").content
    assert locked not in fail("nobody-11", "198.51.100.8").content
