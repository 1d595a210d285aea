"""One limiter for anonymous writes (common.limits): sign-up, password reset and the estimator count
per client address on the shared cache; past a limit the form comes back with what was typed and a
message, nothing is stored or sent, and the refusal is a security event. (The objection form's own
tests are in tests/publicity/test_objections.py.)"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from accounts.enums import SecurityEventKind as K
from accounts.models import SecurityEvent, User
from tests.accounts.test_registration import _signup_data
from tests.declarations.test_estimator import ART6
from tests.factories import ApplicantFactory, credit_code_for

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
ESTIMATE = "/estimate/"


def _signup(client, n, **extra):
    data = _signup_data(username=f"new{n}", email=f"new{n}@example.com", credit_code=credit_code_for(900 + n), **extra)
    return client.post(SIGNUP, data)


def _refusals():
    return list(SecurityEvent.objects.filter(kind=K.RATE_LIMITED).values_list("detail__limit", "address"))


def test_sign_up_past_the_limit_gets_the_message_keeps_what_was_typed_and_creates_nothing(client, settings):
    settings.SIGNUP_RATE_PER_ADDRESS = "2/h"

    accepted = []
    for n in range(2):
        accepted.append(_signup(client, n).status_code)
        client.logout()
    refused = _signup(client, 2, organisation_name="Refused Optics Co., Ltd.")
    from_elsewhere = client.post(
        SIGNUP,
        _signup_data(username="elsewhere", email="e@example.com", credit_code=credit_code_for(950)),
        REMOTE_ADDR="10.9.9.9",
    )

    html = refused.content.decode()
    assert accepted == [302, 302]
    assert refused.status_code == 429
    assert "Too many accounts were created from your network address" in html
    assert 'value="new2"' in html and 'value="Refused Optics Co., Ltd."' in html
    assert not User.objects.filter(username="new2").exists()
    assert from_elsewhere.status_code == 302
    assert _refusals() == [("accounts.signup.address", "127.0.0.1")]


def test_sign_up_refused_at_the_fields_does_not_count(client, settings):
    settings.SIGNUP_RATE_PER_ADDRESS = "1/h"

    wrong = client.post(SIGNUP, _signup_data(username="x1", email="x1@example.com", credit_code="nonsense"))
    right = _signup(client, 5)

    assert (wrong.status_code, right.status_code) == (200, 302)


def test_password_reset_past_the_limit_gets_the_message_and_sends_nothing(client, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "2/h"
    people = [ApplicantFactory(username=f"forgetful{n}") for n in range(3)]

    statuses = [client.post(RESET, {"email": person.email}).status_code for person in people]

    refused = client.post(RESET, {"email": people[0].email})
    assert statuses == [302, 302, 429]
    assert refused.status_code == 429
    assert "Too many password resets were asked for from your network address" in refused.content.decode()
    assert f'value="{people[0].email}"' in refused.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people[:2])
    assert [limit for limit, _address in _refusals()] == ["accounts.password_reset.address"] * 2


def test_estimates_past_the_limit_get_the_message_and_no_result(client, settings):
    settings.ESTIMATE_RATE_PER_ADDRESS = "2/h"

    answered = [client.get(ESTIMATE, ART6) for _n in range(2)]
    refused = client.get(ESTIMATE, {**ART6, "investment_amount": "9,000,000"})
    chooser_only = client.get(ESTIMATE, {"programme": "ART6"})

    assert [response.context["result"] is not None for response in answered] == [True, True]
    assert refused.status_code == 429
    assert refused.context["result"] is None
    assert "Too many estimates were asked for" in refused.content.decode()
    assert 'value="9,000,000"' in refused.content.decode()
    # Choosing a programme is not an estimate.
    assert chooser_only.status_code == 200
    assert _refusals() == [("declarations.estimate.address", "127.0.0.1")]


def test_a_rate_that_does_not_read_like_a_rate_stops_the_settings():
    env = {**os.environ, "SIGNUP_RATE_PER_ADDRESS": "ten an hour", "DJANGO_SETTINGS_MODULE": "config.settings"}

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "SIGNUP_RATE_PER_ADDRESS must read like 5/h" in result.stderr


@pytest.mark.redis
def test_the_count_is_shared_through_redis_by_every_process(client, settings):
    """Two processes see one count: after two sign-ups here, another Python process (with its own
    connection to the same Redis) is refused the third."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL")
    location = django_settings.CACHES["default"].get("LOCATION")
    cache = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": location or url}}
    settings.SIGNUP_RATE_PER_ADDRESS = "2/h"
    with override_settings(CACHES=cache):
        caches["default"].clear()
        for n in range(2):
            assert _signup(client, n).status_code == 302
            client.logout()
        script = (
            "import django; django.setup()\n"
            "from django.test import RequestFactory\n"
            "from common.limits import limit_reached\n"
            "from accounts.views import SignupView\n"
            "request = RequestFactory().post('/accounts/signup/')\n"
            "print('refused' if limit_reached(request, SignupView.limits, increment=False, refuse=False) else 'free')\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "REDIS_URL": location or url,
            "REDIS_CACHE_URL": location or url,
            "SIGNUP_RATE_PER_ADDRESS": "2/h",
        }
        prefix = settings.RATELIMIT_CACHE_PREFIX
        result = subprocess.run(
            [sys.executable, "-c", script.replace("django.setup()\n", _prefix_setup(prefix), 1)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.stdout.strip() == "refused", result.stderr


def _prefix_setup(prefix):
    """The other process counts under the same RATELIMIT_CACHE_PREFIX as this test."""
    return f"django.setup()\nfrom django.conf import settings\nsettings.RATELIMIT_CACHE_PREFIX = {prefix!r}\n"


def test_open_data_downloads_past_the_limit_get_the_message_and_no_file(client, settings):
    settings.OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS = "2/h"
    csv_url, json_url = reverse("monitoring:open_data_csv"), reverse("monitoring:open_data_json")

    answered = [client.get(csv_url), client.get(json_url)]
    refused = client.get(csv_url)

    assert [response.status_code for response in answered] == [200, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many downloads were asked for from your network address" in refused.content.decode()
    assert _refusals() == [("monitoring.open_data.address", "127.0.0.1")]
