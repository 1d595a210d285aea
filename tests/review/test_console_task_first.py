"""A declaration's console page puts the task the state calls for first, keeps the actions that end
a declaration apart, shows the actions not possible now disabled with their reason, and asks for a
confirmation that repeats what will happen before any decision."""

from decimal import Decimal

import pytest

from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import DeclarationEvent
from tests.factories import DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def _at(state, cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, state, cast=cast)


def _reviewed(cast):
    declaration = _at(S.REVIEWED, cast)
    meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
    return declaration


def test_approve_without_confirmation_repeats_the_decision_and_changes_nothing(client, staff, cast):
    declaration = _reviewed(cast)
    events = DeclarationEvent.objects.count()
    client.force_login(staff)

    response = client.post(
        f"/console/{declaration.pk}/", {"action": "approve", "approve-amount": "1,500,000.00", "approve-note": "Yes."}
    )

    content = response.content.decode()
    assert response.templates[0].name == "common/confirm.html"
    assert "Support of 1,500,000.00 yuan is decided for this project (the support scheme)." in content
    assert declaration.number in content
    # What was typed is carried to the confirmation, to be posted again with it.
    assert '<input type="hidden" name="approve-amount" value="1,500,000.00">' in content
    assert '<input type="hidden" name="confirmed" value="yes">' in content
    declaration.refresh_from_db()
    assert (declaration.state, declaration.approved_amount) == (S.REVIEWED, None)
    assert DeclarationEvent.objects.count() == events


def test_approve_with_confirmation_decides(client, staff, cast):
    declaration = _reviewed(cast)
    client.force_login(staff)

    client.post(
        f"/console/{declaration.pk}/",
        {"action": "approve", "approve-amount": "1,500,000.00", "approve-note": "Yes.", "confirmed": "yes"},
    )

    declaration.refresh_from_db()
    assert (declaration.state, declaration.approved_amount) == (S.APPROVED, Decimal("1500000.00"))


def test_an_invalid_decision_shows_its_errors_and_no_confirmation(client, staff, cast):
    declaration = _reviewed(cast)
    client.force_login(staff)

    response = client.post(f"/console/{declaration.pk}/", {"action": "approve", "approve-amount": "abc"})

    assert response.templates[0].name == "review/declaration.html"
    forms = {key: form for key, _, form in response.context["action_forms"]}
    assert forms["approve"].errors["amount"] == ["Enter a number."]


@pytest.mark.parametrize(
    ("action", "data", "says"),
    [
        ("disqualify", {"disqualify-note": "Listed."}, "cancelled under Art. 17: this ends the declaration."),
        ("reject", {"reject-note": "Weak."}, "the project is not supported: this ends the declaration."),
    ],
)
def test_destructive_decisions_ask_for_confirmation_in_red(client, staff, cast, action, data, says):
    declaration = _reviewed(cast)
    client.force_login(staff)

    pending = client.post(f"/console/{declaration.pk}/", {"action": action, **data})
    content = pending.content.decode()
    assert says in content
    assert 'class="btn btn-danger"' in content
    declaration.refresh_from_db()
    assert declaration.state == S.REVIEWED

    client.post(f"/console/{declaration.pk}/", {"action": action, **data, "confirmed": "yes"})
    declaration.refresh_from_db()
    assert declaration.state == (S.DISQUALIFIED if action == "disqualify" else S.NOT_SUPPORTED)


def test_acceptance_is_confirmed_before_it_is_recorded(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(staff)
    data = {"action": "acceptance", "acceptance-outcome": "refuse", "acceptance-note": "Incomplete."}

    pending = client.post(f"/console/{declaration.pk}/", data)

    assert "The declaration is not accepted: this ends it" in pending.content.decode()
    declaration.refresh_from_db()
    assert declaration.state == S.SUBMITTED
    client.post(f"/console/{declaration.pk}/", {**data, "confirmed": "yes"})
    declaration.refresh_from_db()
    assert declaration.state == S.NOT_ACCEPTED


def test_the_acceptance_form_comes_first_and_decisions_are_disabled_with_their_reason(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    content = response.content.decode()
    assert content.index('id="acceptance-heading"') < content.index('id="project-heading"')
    refused = {key: reason for key, _, reason in response.context["actions_refused"]}
    state = "Submitted, awaiting acceptance"
    assert refused == {
        "complete_review": f"This cannot be done while the declaration is “{state}”.",
        "approve": f"This cannot be done while the declaration is “{state}”.",
        "reject": f"This cannot be done while the declaration is “{state}”.",
    }
    assert (
        '<button type="button" class="btn btn-sm btn-outline-secondary" disabled aria-describedby="refused-approve">'
        in content
    )


def test_the_decision_comes_first_and_ending_actions_stand_apart(client, staff, cast):
    declaration = _reviewed(cast)
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    content = response.content.decode()
    assert [key for key, _, _ in response.context["action_forms"]] == ["approve"]
    assert [key for key, _, _ in response.context["destructive_forms"]] == ["reject", "disqualify"]
    assert content.index('id="next-step"') < content.index('id="project-heading"')
    assert content.index('id="project-heading"') < content.index('id="destructive-actions"')
    # Completing the evaluation is still ahead (an upheld objection may send it back), not now.
    assert [key for key, _, _ in response.context["actions_refused"]] == ["complete_review"]
