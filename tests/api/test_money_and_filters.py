"""Amounts as strings with two decimals, dates in ISO 8601, and the filters by call, programme, state
and date."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from config.demo import Cast
from declarations.enums import DeclarationState as S
from disbursement.models import Payment, RecoveryCase, Repayment
from tests.factories import CallFactory, DeclarationFactory
from tests.factories.states import build_to


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )


@pytest.fixture
def disbursing(cast, open_call):
    declaration = DeclarationFactory(
        organisation=cast.applicant.organisation, call=open_call, created_by=cast.applicant
    )
    return build_to(declaration, S.DISBURSING, cast=cast, amount=Decimal("1600000.00"))


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_declarations_amounts_are_strings_with_two_decimals(disbursing, finance, token_client):
    row = token_client(finance).get(f"/api/declarations/{disbursing.pk}/").json()

    assert row["approved_amount"] == "1600000.00"
    assert row["paid_amount"] == "800000.00"
    assert row["recovered_amount"] == "0.00"
    assert row["award_cap"] == f"{disbursing.award_cap:.2f}"
    assert row["state"] == "disbursing"
    assert datetime.datetime.fromisoformat(row["submitted_at"]) == disbursing.submitted_at


def test_an_applicant_sees_its_award_cap_and_approved_amount_not_the_payments(disbursing, applicant, token_client):
    row = token_client(applicant).get(f"/api/declarations/{disbursing.pk}/").json()

    assert (row["approved_amount"], row["paid_amount"], row["state"]) == ("1600000.00", None, "disbursing")


def test_payments_are_listed_with_their_amount_and_day(disbursing, staff, token_client):
    payment = Payment.objects.get(declaration=disbursing)

    (row,) = rows(token_client(staff).get("/api/payments/"))

    assert row == {
        "id": payment.pk,
        "declaration": disbursing.pk,
        "declaration_number": disbursing.number,
        "amount": "800000.00",
        "paid_on": payment.paid_on.isoformat(),
        "reference": payment.reference,
        "recorded_at": row["recorded_at"],
    }
    assert datetime.datetime.fromisoformat(row["recorded_at"]) == payment.recorded_at


def test_a_recovery_case_is_listed_with_its_repayments(cast, open_call, finance, token_client):
    declaration = DeclarationFactory(
        organisation=cast.applicant.organisation, call=open_call, created_by=cast.applicant
    )
    recovered = build_to(declaration, S.RECOVERED, cast=cast)
    case = RecoveryCase.objects.get(declaration=recovered)
    Repayment.objects.create(
        case=case, amount=Decimal("100.50"), received_on=timezone.localdate(), reference="R-1", recorded_by=finance
    )

    (row,) = rows(token_client(finance).get("/api/recovery-cases/"))

    assert (row["number"], row["state"], row["amount_due"]) == (case.number, "open", f"{case.amount_due:.2f}")
    assert row["repayments"][0]["amount"] == "100.50"
    assert row["due_on"] == case.due_on.isoformat()
    declaration_row = token_client(finance).get(f"/api/declarations/{recovered.pk}/").json()
    assert declaration_row["recovered_amount"] == f"{recovered.recovered_amount:.2f}"


@pytest.fixture
def spread(applicant, open_call):
    """Declarations of two calls and two programmes, submitted and changed on different days."""
    from declarations.models import Declaration, Programme

    other_call = CallFactory(year=open_call.year - 1)
    art7 = Programme.objects.get(code="ART7")
    made = {
        "old": DeclarationFactory(organisation=applicant.organisation, call=other_call, state=S.SUBMITTED),
        "art7": DeclarationFactory(
            organisation=applicant.organisation, call=open_call, programme=art7, state=S.NOT_SUPPORTED
        ),
        "new": DeclarationFactory(organisation=applicant.organisation, call=open_call, state=S.REVIEWED),
    }
    days = {"old": "2026-01-10T09:00:00+08:00", "art7": "2026-03-10T09:00:00+08:00", "new": "2026-05-10T09:00:00+08:00"}
    for name, moment in days.items():
        Declaration.objects.filter(pk=made[name].pk).update(
            submitted_at=datetime.datetime.fromisoformat(moment), updated_at=datetime.datetime.fromisoformat(moment)
        )
    return made


def ids(response):
    return {row["id"] for row in rows(response)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"old", "art7", "new"}),
        ("programme=ART7", {"art7"}),
        ("programme=ART99", set()),
        ("state=submitted", {"old"}),
        ("state=submitted&state=not_supported", {"old", "art7"}),
        ("submitted_since=2026-03-01T00:00:00%2B08:00", {"art7", "new"}),
        ("changed_since=2026-05-10T09:00:00%2B08:00", {"new"}),
        ("changed_since=2026-04-01", {"new"}),
    ],
)
def test_declarations_filter_by_programme_state_and_date(spread, staff, token_client, query, expected):
    assert ids(token_client(staff).get(f"/api/declarations/?{query}")) == {spread[name].pk for name in expected}


def test_declarations_filter_by_call_and_year(spread, open_call, staff, token_client):
    client = token_client(staff)

    assert ids(client.get(f"/api/declarations/?call={open_call.pk}")) == {spread["art7"].pk, spread["new"].pk}
    assert ids(client.get(f"/api/declarations/?year={open_call.year - 1}")) == {spread["old"].pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=nonsense", "state"), ("changed_since=yesterday", "changed_since"), ("call=x", "call")],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_naming_the_field(spread, staff, token_client, query, field):
    response = token_client(staff).get(f"/api/declarations/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_payments_and_recovery_cases_filter(disbursing, cast, open_call, finance, token_client):
    client = token_client(finance)
    payment = Payment.objects.get(declaration=disbursing)

    assert ids(client.get(f"/api/payments/?declaration={disbursing.pk}")) == {payment.pk}
    assert ids(client.get(f"/api/payments/?call={open_call.pk + 1000}")) == set()
    assert ids(client.get(f"/api/payments/?paid_since={payment.paid_on.isoformat()}")) == {payment.pk}
    later = payment.paid_on + datetime.timedelta(days=1)
    assert ids(client.get(f"/api/payments/?paid_since={later.isoformat()}")) == set()
    assert ids(client.get("/api/recovery-cases/?state=repaid")) == set()
