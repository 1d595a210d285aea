import itertools
from decimal import Decimal

import pytest

from config.demo import PATHS, Cast
from declarations.enums import DeclarationState as S
from disbursement.services import bank_account_set, order_prepare
from tests.factories import CallFactory, DeclarationFactory
from tests.factories.states import build_to

APPROVED = Decimal("1600000.00")


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
def make_declaration(cast, open_call):
    """A new declaration of the applicant's organisation, brought to `state` by the way the real
    services walk it (tests/factories/states.py, config.demo.PATHS) with APPROVED as its approved
    amount (disbursing: half paid; paid: all paid). Each is declared under a call of its own support
    year, so the Art. 6 cap of 5 million yuan per institution and year leaves room for all of them."""
    years = itertools.count(open_call.year)

    def make(state):
        call = CallFactory(year=next(years))
        declaration = DeclarationFactory(organisation=cast.applicant.organisation, call=call, created_by=cast.applicant)
        return build_to(declaration, state, cast=cast, amount=APPROVED, through=PATHS[state][:-1])

    return make


@pytest.fixture
def confirmed_with_account(make_declaration, finance):
    """A confirmed declaration whose unit's bank account `finance` has recorded: ready for an order."""
    declaration = make_declaration(S.CONFIRMED)
    organisation = declaration.organisation
    bank_account_set(
        organisation_id=organisation.pk,
        actor=finance,
        account_name=organisation.name,
        bank_name="Bank of Beijing, Haidian Branch",
        account_number="6222020200112233445",
    )
    return declaration


@pytest.fixture
def prepared_order(confirmed_with_account, finance):
    """An order of a confirmed declaration, prepared by `finance`, waiting for a second officer's approval."""
    return order_prepare(declaration_id=confirmed_with_account.pk, actor=finance)
