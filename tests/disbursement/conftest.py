from decimal import Decimal

import pytest

from config.demo import Cast, walk_to
from tests.factories import DeclarationFactory, FinanceFactory

APPROVED = Decimal("1600000.00")


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance):
    return Cast(applicant=applicant, staff=staff, reviewers=[reviewer, second_reviewer], finance=finance)


@pytest.fixture
def make_declaration(cast, open_call):
    """A new declaration of the applicant's organisation, walked by the real services to `state`
    with APPROVED as its approved amount (disbursing: half paid; paid: all paid)."""

    def make(state):
        declaration = DeclarationFactory(
            organisation=cast.applicant.organisation, call=open_call, created_by=cast.applicant
        )
        return walk_to(declaration, state, cast, amount=APPROVED)

    return make


@pytest.fixture
def second_finance(db):
    return FinanceFactory(username="finance-b")
