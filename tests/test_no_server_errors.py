"""Generated input into every form of the path: wrong input gets a message, never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import OrganisationSignupForm
from config.demo import Cast, walk_to
from declarations.enums import DeclarationState as S
from declarations.programmes import PROGRAMMES
from tests.factories import DeclarationFactory

junk = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.sampled_from(["-1", "0", "1e309", "NaN", "Infinity", "1,2,3", "9" * 40, "2026-02-30", "<script>", "\uff10"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=False).map(str),
)

FACT_FIELDS = [f"facts-{fact.name}" for fact in PROGRAMMES["ART6"].facts]
# allauth's own fields, then the organisation's, taken from the form so a new field is fed too.
SIGNUP_FIELDS = ["username", "email", "password1", "password2", *OrganisationSignupForm.base_fields]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def _clean(value):
    return value.replace("\x00", "")


@pytest.mark.django_db
@SETTINGS
@given(data=st.fixed_dictionaries(dict.fromkeys(["title", "summary", *FACT_FIELDS], junk)))
def test_declaration_edit_never_fails_on_any_input(client, draft_factory, data):
    draft, applicant = draft_factory()
    client.force_login(applicant)
    response = client.post(f"/applicant/declarations/{draft.pk}/edit/", {k: _clean(v) for k, v in data.items()})
    assert response.status_code in (200, 302)


@pytest.mark.django_db
@SETTINGS
@given(data=st.fixed_dictionaries(dict.fromkeys(SIGNUP_FIELDS, junk)))
def test_signup_never_fails_on_any_input(client, data):
    response = client.post("/accounts/signup/", {k: _clean(v) for k, v in data.items()})
    assert response.status_code in (200, 302, 429)  # 429: allauth's sign-up rate limit


@pytest.mark.django_db
@SETTINGS
@given(action=st.sampled_from(["approve", "reject", "return", "accept", "assign", "nonsense", ""]), value=junk)
def test_console_decision_never_fails_on_any_input(client, reviewed_factory, action, value):
    declaration, staff = reviewed_factory()
    client.force_login(staff)
    response = client.post(
        f"/console/{declaration.pk}/",
        {
            "action": action,
            f"{action}-amount": _clean(value),
            f"{action}-note": _clean(value),
            f"{action}-reviewers": _clean(value),
        },
    )
    assert response.status_code in (200, 302, 403)


@pytest.fixture
def draft_factory(applicant, open_call):
    def make():
        return DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant), applicant

    return make


@pytest.fixture
def reviewed_factory(applicant, staff, reviewer, finance, open_call):
    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer], finance=finance)

    def make():
        declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
        return walk_to(declaration, S.REVIEWED, cast), staff

    return make
