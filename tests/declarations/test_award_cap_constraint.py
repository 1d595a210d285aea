"""The database keeps the approved amount within the award cap, on SQLite and PostgreSQL alike."""

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
