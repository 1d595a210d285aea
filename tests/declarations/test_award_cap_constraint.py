"""The database keeps the approved amount within the award cap, and what is cancelled and recovered
within the approved amount, to the fen, on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from declarations.models import Declaration
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def test_approved_amount_above_award_cap_refused_by_the_database(applicant, open_call):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    Declaration.objects.filter(pk=declaration.pk).update(
        award_cap=Decimal("1000.00"), approved_amount=Decimal("1000.00")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=declaration.pk).update(approved_amount=Decimal("1000.01"))

    declaration.refresh_from_db()
    assert declaration.approved_amount == Decimal("1000.00")


@pytest.mark.parametrize(
    ("approved", "cancelled", "recovered"),
    [
        # Terminated after a payment, and the payment recovered in full: what is kept is 0. In
        # SQLite's floating point the first two sums come to more than the approved amount.
        ("4148077.85", "3069468.99", "1078608.86"),
        ("2980141.65", "1504132.78", "1476008.87"),
        ("1600000.00", "1599999.99", "0.01"),
    ],
)
def test_cancelled_and_recovered_may_add_up_to_the_approved_amount_to_the_fen(
    applicant, open_call, approved, cancelled, recovered
):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    Declaration.objects.filter(pk=declaration.pk).update(
        award_cap=Decimal(approved), approved_amount=Decimal(approved), cancelled_amount=Decimal(cancelled)
    )

    Declaration.objects.filter(pk=declaration.pk).update(recovered_amount=Decimal(recovered))
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=declaration.pk).update(recovered_amount=Decimal(recovered) + Decimal("0.01"))

    declaration.refresh_from_db()
    assert declaration.recovered_amount == Decimal(recovered)
