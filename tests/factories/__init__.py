"""Factories for every model; `make_declaration_in_state` walks the real workflow to a state."""

import base64
import datetime
import hashlib
import hmac
import struct
import time
from decimal import Decimal

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_staff_side
from config.demo import DEMO_TOTP_SECRET
from declarations.models import Call, Declaration, Organisation, Programme
from review.models import Budget

PASSWORD = "demo-pass-2026"


def credit_code_for(n):
    """A valid unified social credit code, different for each n."""
    body = f"91110108{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n} Co., Ltd.")
    credit_code = factory.Sequence(lambda n: credit_code_for(n + 1000))
    organisation_type = "investment_institution"
    district = "haidian"
    registered_capital = Decimal("50000000.00")
    established_on = datetime.date(2015, 3, 1)
    annual_revenue = Decimal("80000000.00")
    legal_representative = "Zhang San"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)
    role = Role.APPLICANT
    language = "en"
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role == Role.APPLICANT), factory.SubFactory(OrganisationFactory), None
    )

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """A staff-side user has an authenticator app set up with DEMO_TOTP_SECRET (`totp_code` gives its
        code), as the forced enrolment wants before any other page; `totp=False` leaves them without."""
        if create and extracted is not False and is_staff_side(self):
            Authenticator.objects.get_or_create(
                user=self, type=Authenticator.Type.TOTP, defaults={"data": {"secret": DEMO_TOTP_SECRET}}
            )


def sign_in(client, username, password=PASSWORD, code=None, next_url=""):
    """Sign in through the real forms: the password, then, when allauth asks for it, the code of the
    user's authenticator app (`code`, else the current one of DEMO_TOTP_SECRET). The last response."""
    login_url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(login_url, {"login": username, "password": password})
    if response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/":
        response = client.post("/accounts/2fa/authenticate/", {"code": code or totp_code()})
    return response


def totp_code(secret=DEMO_TOTP_SECRET, at=None):
    """The six digits an authenticator app set up with the base32 `secret` shows now (or at the Unix
    time `at`): RFC 6238 with its defaults (HMAC-SHA1, 30 seconds), written here rather than borrowed
    from allauth, so that the tests check allauth against the standard."""
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class ApplicantFactory(UserFactory):
    role = Role.APPLICANT


class StaffFactory(UserFactory):
    role = Role.STAFF
    organisation = None


class ReviewerFactory(UserFactory):
    role = Role.REVIEWER
    organisation = None


class FinanceFactory(UserFactory):
    role = Role.FINANCE
    organisation = None


class AdminFactory(UserFactory):
    role = Role.ADMIN
    organisation = None
    is_staff = True
    is_superuser = True


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.LazyAttribute(lambda c: f"{c.year} annual declaration notice")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create:
            self.programmes.set(extracted if extracted is not None else Programme.objects.all())

    @factory.post_generation
    def budgets(self, create, extracted, **kwargs):
        """A budget of TEST_BUDGET for each of the call's programmes in its year, where none is
        recorded: a decision to support needs one (review.budgets), and few tests are about it.
        `budgets=False` records none."""
        if create and extracted is not False:
            budgets_for(self.year, self.programmes.all())


# Far above what any test decides in a programme and a year.
TEST_BUDGET = Decimal("100000000.00")


def budgets_for(year, programmes, amount=TEST_BUDGET):
    """Record a budget of `amount` for each of `programmes` in `year` that has none, as a budget
    loaded without a person (set_by empty), with its first version in the history."""
    recorded = set(Budget.objects.filter(year=year).values_list("programme_id", flat=True))
    budgets = [
        Budget(programme=programme, year=year, amount=amount, reason="The tests' budget.")
        for programme in programmes
        if programme.pk not in recorded
    ]
    Budget.objects.bulk_create(budgets)
    Budget.history.bulk_history_create(budgets, default_change_reason=None)
    return budgets


ART6_FACTS = {
    "institution_registered_capital": "50000000.00",
    "registered_in_beijing": True,
    "manager_registered_with_amac": True,
    "fund_filed_with_amac": True,
    "investee_name": "Quantum Sensing Ltd.",
    "investee_established_on": "2023-05-10",
    "investment_date": "2026-03-01",
    "investment_amount": "8000000.00",
    "equity_ratio_after_pct": "12.5",
    "first_round": True,
    "high_tech_field": True,
    "core_technology_or_ip": True,
}


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    organisation = factory.SubFactory(OrganisationFactory)
    call = factory.SubFactory(CallFactory)
    programme = factory.LazyFunction(lambda: Programme.objects.get(code="ART6"))
    title = factory.Sequence(lambda n: f"First-round investment in project {n}")
    summary = "Early hard-technology investment in a quantum sensing start-up."
    facts = factory.LazyFunction(lambda: dict(ART6_FACTS))
    created_by = factory.LazyAttribute(
        lambda d: d.organisation.users.first() or ApplicantFactory(organisation=d.organisation)
    )
