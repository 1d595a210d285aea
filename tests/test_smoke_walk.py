import pytest

from config.demo import PATHS, Cast, walk_to
from declarations.enums import DeclarationState as S
from tests.factories import DeclarationFactory


@pytest.mark.parametrize("target", list(PATHS))
def test_walk_reaches_every_state(target, applicant, staff, reviewer, second_reviewer, finance, open_call):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer, second_reviewer], finance=finance)
    assert walk_to(declaration, target, cast).state == target
    assert S(target)
