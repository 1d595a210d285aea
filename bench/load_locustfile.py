"""The users of `bench/load.py` (locust; run by it, not alone): anonymous readers of the publicity board
and the estimator, applicants saving drafts and submitting, expert reviewers scoring, commission staff
on the queue, and one prober of the minimal page. Each signed-in user takes its own account from the
file LOAD_ACCOUNTS names (written by load.py), so that no account's second factor is used twice.

Each request is named after the page it measures (`name=`), so load.py reports per page; a form's
POST and the page it redirects to are two. A POST that does not redirect where it should (a form sent
back with errors, a submission refused) is a failure even with status 200."""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import struct
import time

import gevent
from locust import HttpUser, between, constant, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
POOLS = {kind: iter(ACCOUNTS[kind]) for kind in ("applicants", "reviewers", "staff")}
PASSWORD = ACCOUNTS["password"]  # the demo password, not a secret
WARMUP = int(os.environ.get("LOAD_WARMUP", "0"))
# Whether the warm-up is over: the applicants keep their few declarations ready to submit for the
# measured time (they had all submitted them during the warm-up, leaving 1 or 2 submissions measured).
MEASURING = {"on": not WARMUP}


@events.test_start.add_listener
def _reset_after_warmup(environment, **_kwargs):
    """Measure only after the warm-up: the users' sign-ins and the servers' first requests left out."""

    def reset():
        gevent.sleep(WARMUP)
        environment.runner.stats.reset_all()
        MEASURING["on"] = True

    if WARMUP:
        gevent.spawn(reset)


# common.confirm's field and value (the locust process does not set Django up).
CONFIRM_FIELD, CONFIRM_VALUE = "confirmed", "yes"


def _csrf(client):
    return client.cookies.get("csrftoken", "")


def _post(client, url, data, name, expect=None, then=None):
    """POST a form with the CSRF token of the cookie, a failure unless it redirects to a URL matching
    `expect`; then, as a browser does, GET where it redirects, measured as the page `then`. The POST
    and the page after it are measured apart: each is a request a worker serves."""
    with client.post(
        url,
        data={**data, "csrfmiddlewaretoken": _csrf(client)},
        name=name,
        catch_response=True,
        allow_redirects=False,
    ) as response:
        location = response.headers.get("Location", "")
        if response.status_code >= 400:
            response.failure(f"HTTP {response.status_code}")
        elif expect and not (response.status_code == 302 and re.search(expect, location)):
            response.failure(f"answered {response.status_code}, to {location or 'no redirect'}")
        else:
            response.success()
    if location:
        return client.get(location, name=then or f"{name}, next page")
    return response


def _sign_in(user, account, code=None):
    client = user.client
    client.get("/accounts/login/", name="sign in")
    response = _post(client, "/accounts/login/", {"login": account["username"], "password": PASSWORD}, "sign in")
    if "/accounts/2fa/authenticate/" in response.url:
        _post(client, "/accounts/2fa/authenticate/", {"code": totp_code(account["totp"])}, "sign in, second factor")


def totp_code(secret):
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as tests/factories.totp_code."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# The probers ask each time on a new connection. On one kept-alive connection every request went to
# the gunicorn worker that had accepted it, and the probe measured that worker's load, not the
# server's: in run 19 (bench/README.md) the anonymous minimal page's p95 at 64 users was 27 ms and the
# signed-in one's, 2.5 ms more work, 110 ms. A new connection is taken by whichever worker accepts
# it, as a proxy in front spreads its requests over its connections to the workers.
PROBE = {"Connection": "close"}


class MinimalPage(HttpUser):
    """The baseline: a page of the site's layout whose content is one query (bench.publicity_board),
    asked once a second beside the load, so its latency is the server's under the same load."""

    fixed_count = 1
    wait_time = constant(1)

    @task
    def minimal(self):
        self.client.get("/bench/baseline/", name="minimal page", headers=PROBE)


class SignedInMinimalPage(HttpUser):
    """The same page asked by a signed-in applicant (an account of its own) once a second: the least a
    signed-in user's page costs (session, user, unread notices), beside which their pages are shown."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self):
        _sign_in(self, ACCOUNTS["prober"])

    @task
    def minimal(self):
        self.client.get("/bench/baseline/", name="minimal page, signed in", headers=PROBE)


class Reader(HttpUser):
    """The public: the board, a list, and the award estimator."""

    weight = 4
    wait_time = between(1, 3)

    @task(3)
    def board(self):
        page = random.randint(1, ACCOUNTS["board_pages"])  # nosec B311 # load, not security
        self.client.get(f"/publicity/?page={page}", name="board")

    @task(2)
    def a_list(self):
        batch = random.choice(ACCOUNTS["batches"])  # nosec B311
        self.client.get(f"/publicity/{batch}/?page={random.randint(1, 10)}", name="a list")  # nosec B311

    @task(1)
    def board_search(self):
        self.client.get(f"/publicity/?q=Unit+{random.randint(1, 900)}", name="board, search")  # nosec B311

    @task(2)
    def estimator(self):
        self.client.get("/estimate/?programme=ART6", name="estimator, form")
        with self.client.get(
            "/estimate/", params=ACCOUNTS["estimate"], name="estimator, estimate", catch_response=True
        ) as response:
            if response.status_code == 200 and b"is-invalid" in response.content:
                response.failure("the estimate's form came back with errors")


class Applicant(HttpUser):
    """A unit's user: the dashboard, a draft saved, and ready declarations submitted one by one."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(POOLS["applicants"])
        self.ready = list(self.account["ready"])
        _sign_in(self, self.account)

    @task(2)
    def dashboard(self):
        self.client.get("/applicant/", name="applicant dashboard")

    @task(3)
    def save_draft(self):
        url = f"/applicant/declarations/{self.account['draft']}/steps/project/"
        self.client.get(url, name="draft, project step")
        n = random.randint(1, 10**6)  # nosec B311
        _post(
            self.client,
            url,
            {"title": f"Quantum sensing investment, revision {n}", "summary": f"Revised summary {n}.", "stay": "1"},
            "draft, save",
            expect=r"/steps/project/$",
            then="draft, project step",
        )

    @task(1)
    def submit(self):
        if not self.ready or not MEASURING["on"]:
            return
        pk = self.ready.pop()
        url = f"/applicant/declarations/{pk}/submit/"
        # Submitting cannot be undone: the first post shows what it will do and asks to confirm
        # (common.confirm); the post that confirms it (CONFIRM_FIELD) submits.
        with self.client.post(
            url, data={"csrfmiddlewaretoken": _csrf(self.client)}, name="submit, confirmation", catch_response=True
        ) as response:
            if response.status_code != 200 or f'name="{CONFIRM_FIELD}"' not in response.text:
                response.failure(f"answered {response.status_code} without the confirmation")
            else:
                response.success()
        _post(
            self.client,
            url,
            {CONFIRM_FIELD: CONFIRM_VALUE},
            "submit",
            expect=rf"/declarations/{pk}/submitted/$",
            then="submitted, what happens next",
        )


class Reviewer(HttpUser):
    """An expert reviewer: their queue, an assigned declaration, a draft of its scores saved."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(POOLS["reviewers"])
        _sign_in(self, self.account)

    @task(1)
    def queue(self):
        self.client.get("/console/", name="reviewer's queue")

    @task(2)
    def score(self):
        pk, scores = random.choice(self.account["assignments"])  # nosec B311
        self.client.get(f"/console/{pk}/", name="declaration, console")
        scores = {name: str(round(float(value) * random.uniform(0.8, 1.0), 2)) for name, value in scores.items()}  # nosec B311
        _post(
            self.client,
            f"/console/{pk}/evaluation/",
            {**scores, "evaluation-opinion": "Sound technology, modest market risk."},
            "evaluation, save",
            expect=rf"/console/{pk}/$",
            then="declaration, console",
        )


class Staff(HttpUser):
    """Commission staff on the evaluation queue: the default list, filtered, ranked, searched, paged."""

    weight = 1
    wait_time = between(1, 3)
    VARIANTS = (
        "/console/",
        "/console/?state=submitted",
        "/console/?sort=-total_score",
        "/console/?q=project+12",
        "/console/?page=100",
    )

    def on_start(self):
        self.account = next(POOLS["staff"])
        _sign_in(self, self.account)

    @task
    def queue(self):
        self.client.get(random.choice(self.VARIANTS), name="staff queue")  # nosec B311
