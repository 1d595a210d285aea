import pytest

from config.demo import PATHS, Cast, walk_to
from tests.factories import DeclarationFactory


@pytest.mark.parametrize("target", list(PATHS))
def test_walk_reaches_every_state_through_the_services(
    target, applicant, staff, reviewer, second_reviewer, finance, second_finance, open_call
):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    cast = Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )
    walked = walk_to(declaration, target, cast)
    assert walked.state == target
    assert [e.to_state for e in walked.events.all()] == PATHS[target]
