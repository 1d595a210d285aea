"""Acceptance (formal review): staff tick the checklist of formal completeness and of the
programme's declared conditions, then accept, return for revision with comments, or do not accept
with a reason. Each outcome is recorded with the checklist as ticked."""

import pytest

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from notices.models import Notice
from review.acceptance import checklist_for
from review.models import AcceptanceCheck, AcceptanceOutcome
from review.services import declaration_accept
from tests.factories import DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def submitted(cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, S.SUBMITTED, cast=cast)


def _all_items(declaration):
    return [item.key for item in checklist_for(declaration)]


def test_the_checklist_has_the_formal_items_then_every_declared_condition_of_the_programme(submitted):
    items = checklist_for(submitted)
    assert [item.key for item in items[:3]] == ["form_complete", "evidence_complete", "commitment_signed"]
    conditions = {item.key: item.declared for item in items if item.is_condition}
    assert conditions == {
        "condition:registered_in_beijing": True,
        "condition:manager_registered_with_amac": True,
        "condition:fund_filed_with_amac": True,
        "condition:first_round": True,
        "condition:high_tech_field": True,
        "condition:core_technology_or_ip": True,
    }


def test_staff_accept_with_every_item_ticked_and_the_checklist_is_recorded(client, staff, submitted):
    client.force_login(staff)
    response = client.post(
        f"/console/{submitted.pk}/",
        {
            "action": "acceptance",
            "confirmed": "yes",
            "acceptance-checklist": _all_items(submitted),
            "acceptance-note": "Complete.",
            "acceptance-outcome": "accept",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == S.ACCEPTED
    assert submitted.events.last().note == "Complete."
    check = AcceptanceCheck.objects.get(declaration=submitted)
    assert check.outcome == AcceptanceOutcome.ACCEPTED
    assert check.checked_by == staff
    assert set(check.items) == set(_all_items(submitted)) and all(check.items.values())


def test_accepting_with_an_item_unticked_shows_the_error_at_the_checklist_and_keeps_the_ticks(client, staff, submitted):
    client.force_login(staff)
    ticked = [key for key in _all_items(submitted) if key != "condition:high_tech_field"]
    response = client.post(
        f"/console/{submitted.pk}/",
        {"action": "acceptance", "confirmed": "yes", "acceptance-checklist": ticked, "acceptance-outcome": "accept"},
    )
    assert response.status_code == 200
    form = response.context["acceptance_form"]
    assert form.errors["checklist"] == [
        "Confirm every item before accepting; not confirmed: In the Zhongguancun high-tech industries"
    ]
    content = response.content.decode()
    assert 'value="form_complete" id="id_acceptance-checklist_0" checked' in content
    assert 'value="condition:high_tech_field" id="id_acceptance-checklist_7">' in content
    assert Declaration.objects.get(pk=submitted.pk).state == S.SUBMITTED
    assert not AcceptanceCheck.objects.exists()


def test_the_service_refuses_acceptance_with_an_unticked_item_too(staff, submitted):
    checklist = dict.fromkeys(_all_items(submitted), True) | {"evidence_complete": False}
    with pytest.raises(TransitionRefused, match="not confirmed: Every required evidence file"):
        declaration_accept(declaration_id=submitted.pk, actor=staff, checklist=checklist)
    assert Declaration.objects.get(pk=submitted.pk).state == S.SUBMITTED


@pytest.mark.parametrize(
    ("outcome", "state", "recorded"),
    [("return", S.RETURNED, AcceptanceOutcome.RETURNED), ("refuse", S.NOT_ACCEPTED, AcceptanceOutcome.REFUSED)],
)
def test_return_and_refusal_need_comments_at_the_field_then_tell_the_applicant(
    client, staff, applicant, submitted, outcome, state, recorded
):
    client.force_login(staff)
    ticked = ["form_complete"]
    url = f"/console/{submitted.pk}/"
    data = {"action": "acceptance", "confirmed": "yes", "acceptance-checklist": ticked, "acceptance-outcome": outcome}

    response = client.post(url, {**data, "acceptance-note": "  "})
    assert response.context["acceptance_form"].errors["note"] == ["Say why, for the applicant."]
    assert Declaration.objects.get(pk=submitted.pk).state == S.SUBMITTED

    client.post(url, {**data, "acceptance-note": "The fund's filing certificate is missing."})
    submitted.refresh_from_db()
    assert submitted.state == state
    check = AcceptanceCheck.objects.get(declaration=submitted)
    assert (check.outcome, check.note) == (recorded, "The fund's filing certificate is missing.")
    assert check.items["form_complete"] is True and check.items["evidence_complete"] is False
    notice = Notice.objects.filter(recipient=applicant, declaration=submitted).latest("pk")
    assert "The fund's filing certificate is missing." in notice.body


def test_a_declaration_not_accepted_is_final_and_the_applicant_reads_not_accepted(client, staff, applicant, submitted):
    client.force_login(staff)
    client.post(
        f"/console/{submitted.pk}/",
        {
            "action": "acceptance",
            "confirmed": "yes",
            "acceptance-outcome": "refuse",
            "acceptance-note": "Registered outside Beijing.",
        },
    )
    submitted.refresh_from_db()
    assert submitted.applicant_state_label == "Not accepted"
    response = client.get(f"/console/{submitted.pk}/")
    assert "acceptance_form" not in response.context


def test_the_acceptance_form_is_for_staff_only(client, reviewer, finance, submitted):
    for user in (finance,):
        client.force_login(user)
        response = client.get(f"/console/{submitted.pk}/")
        assert "acceptance_form" not in response.context
        posted = client.post(
            f"/console/{submitted.pk}/",
            {
                "action": "acceptance",
                "confirmed": "yes",
                "acceptance-checklist": _all_items(submitted),
                "acceptance-outcome": "accept",
            },
        )
        assert posted.status_code == 403
    assert Declaration.objects.get(pk=submitted.pk).state == S.SUBMITTED
