"""Two-factor authentication (issue 15, point 1): the staff side signs in with a password and then the
code of an authenticator app, enrols before any other page and keeps its second factor; recovery codes
are shown once and sign in once each; applicants may enrol."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from accounts.enums import Role
from tests.factories import PASSWORD, StaffFactory, UserFactory, sign_in, totp_code

STAFF_SIDE = ["staff", "reviewer", "finance", "administrator"]
ENROL = "/accounts/2fa/totp/activate/"


def test_the_code_helper_follows_rfc_6238():
    # RFC 6238, appendix B (SHA-1 key "12345678901234567890"), the last six of its eight digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp_code(secret, at=59) == "287082"
    assert totp_code(secret, at=1111111109) == "081804"


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_SIDE)
def test_the_staff_side_signs_in_with_the_password_then_the_code(client, request, role):
    user = request.getfixturevalue(role)
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # The password alone signs no one in.
    assert client.get("/notices/")["Location"].startswith("/accounts/login/")
    form = client.get("/accounts/2fa/authenticate/")
    assert re.search(rb'<input[^>]+name="code"', form.content)

    wrong = str((int(totp_code()) + 1) % 1_000_000).zfill(6)
    refused = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert refused.status_code == 200 and b"Incorrect code" in refused.content
    assert client.get("/notices/")["Location"].startswith("/accounts/login/")

    signed_in = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert signed_in.status_code == 302 and "/accounts/" not in signed_in["Location"]
    assert client.get("/notices/").status_code == 200


@pytest.mark.django_db
def test_the_code_of_the_step_before_passes_but_not_an_older_one(client, staff, time_machine):
    """One time step of tolerance (MFA_TOTP_TOLERANCE, RFC 6238 5.2): a code read just before its 30
    seconds ran out still signs in; one from a minute and a half ago does not."""
    # From the first second of a time step, the clock running on: the two sign-ins end within it.
    # Started near a step's end, the step before had become two steps old by the second sign-in.
    now = time.time() // 30 * 30 + 1
    time_machine.move_to(now, tick=True)
    assert b"Incorrect code" in sign_in(client, staff.username, code=totp_code(at=now - 90)).content
    client.post("/accounts/logout/")
    assert sign_in(client, staff.username, code=totp_code(at=now - 30))["Location"] == "/console/home/"


@pytest.mark.django_db
def test_an_applicant_with_no_authenticator_signs_in_with_the_password_alone(client, applicant):
    assert sign_in(client, applicant.username)["Location"] == "/applicant/"
    assert client.get("/applicant/").status_code == 200
    # ... and may enrol.
    _enrol(client)
    assert Authenticator.objects.filter(user=applicant, type=Authenticator.Type.TOTP).exists()


def _enrol(client):
    """Activate an authenticator app on the enrolment page, as a person with the app would: read the
    key it shows (kept in the session), type the app's code. The response to the code."""
    page = client.get(ENROL)
    # Changing a factor asks for the password again (allauth's re-authentication), even after login.
    assert page["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert client.post(page["Location"], {"password": PASSWORD})["Location"] == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret.encode() in page.content
    return client.post(ENROL, {"code": totp_code(secret)})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_user",
    [
        lambda: StaffFactory(username="new-staff", totp=False),
        lambda: UserFactory(username="new-finance", role=Role.FINANCE, organisation=None, totp=False),
        # A superuser, whatever their role.
        lambda: UserFactory(
            username="new-root", role=Role.APPLICANT, organisation=None, is_superuser=True, is_staff=True, totp=False
        ),
    ],
)
def test_the_staff_side_without_an_authenticator_is_sent_to_enrol_from_every_page(client, make_user):
    user = make_user()
    sign_in(client, user.username)
    for url in ["/console/", "/notices/", "/disbursement/", "/admin/", "/", "/publicity/", "/accounts/sessions/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, ENROL), url

    activated = _enrol(client)
    assert activated["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/notices/").status_code == 200


@pytest.mark.django_db
def test_a_staff_member_without_an_authenticator_may_still_sign_out(client):
    user = StaffFactory(username="leaving", totp=False)
    sign_in(client, user.username)
    assert client.post("/accounts/logout/")["Location"] == "/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_recovery_codes_are_shown_once_and_each_signs_in_once(client):
    user = StaffFactory(username="recovering", totp=False)
    sign_in(client, user.username)
    _enrol(client)
    shown = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"\b[0-9a-f]{8}\b", shown)
    assert len(set(codes)) == 10
    # Shown once: neither the page nor a download gives them again.
    again = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert not set(codes) & set(re.findall(r"\b[0-9a-f]{8}\b", again))
    assert client.get("/accounts/2fa/recovery-codes/download/").status_code != 200

    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})["Location"] == (
        "/accounts/2fa/authenticate/"
    )
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/console/").status_code == 200

    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    reused = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert reused.status_code == 200 and b"Incorrect code" in reused.content


@pytest.mark.django_db
def test_the_staff_side_cannot_switch_its_second_factor_off_but_an_applicant_can(client, staff, applicant):
    sign_in(client, staff.username)
    # Freshly re-authenticated, so only the rule refuses.
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    refused = client.post("/accounts/2fa/totp/deactivate/", {})
    assert refused.status_code == 200 and b"You cannot deactivate two-factor authentication" in refused.content
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    sign_in(client, applicant.username)
    _enrol(client)
    assert client.post("/accounts/2fa/totp/deactivate/", {})["Location"] == "/accounts/2fa/"
    assert not Authenticator.objects.filter(user=applicant, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_the_user_menu_leads_to_two_factor_authentication_and_the_sessions(client, applicant):
    client.force_login(applicant)
    page = client.get("/applicant/").content.decode()
    assert 'href="/accounts/2fa/"' in page and 'href="/accounts/sessions/"' in page
    mfa_page = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/sessions/"' in mfa_page
