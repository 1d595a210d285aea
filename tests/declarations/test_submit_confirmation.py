"""Submitting asks for a confirmation that repeats what will happen, and then tells the applicant
the declaration's number, what happens next and when."""

import pytest
from django.utils import formats, timezone

from config.demo import complete_for_submission
from declarations.enums import DeclarationState as S
from declarations.models import DeclarationEvent

pytestmark = pytest.mark.django_db


def test_submit_get_shows_what_will_happen_and_changes_nothing(client, draft, applicant):
    complete_for_submission(draft, applicant)
    client.force_login(applicant)

    response = client.get(f"/applicant/declarations/{draft.pk}/submit/")

    content = response.content.decode()
    assert response.templates[0].name == "common/confirm.html"
    assert "Submit the declaration" in content
    assert draft.title in content
    assert "It goes to the commission and can no longer be changed" in content
    assert 'name="confirmed" value="yes"' in content
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (S.DRAFT, None)
    assert not DeclarationEvent.objects.filter(declaration=draft).exists()


def test_submit_post_without_confirmation_changes_nothing(client, draft, applicant):
    complete_for_submission(draft, applicant)
    client.force_login(applicant)

    response = client.post(f"/applicant/declarations/{draft.pk}/submit/")

    assert "Submit the declaration" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_confirmed_submission_shows_the_number_what_happens_next_and_when(client, draft, applicant):
    complete_for_submission(draft, applicant)
    client.force_login(applicant)

    response = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)

    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED
    assert response.redirect_chain == [(f"/applicant/declarations/{draft.pk}/submitted/", 302)]
    content = response.content.decode()
    assert f'<p class="display-6 fw-semibold mb-2" id="declaration-number">{draft.number}</p>' in content
    for step in ("Acceptance check", "Review of the project", "Publicity of the results", "Disbursement of funds"):
        assert step in content
    assert "5 working days" in content
    closes = formats.date_format(timezone.localtime(draft.call.closes_at), "DATETIME_FORMAT")
    assert f"after the call closes on {closes}" in content


def test_the_submitted_page_of_a_draft_sends_back_to_the_declaration(client, draft, applicant):
    client.force_login(applicant)

    response = client.get(f"/applicant/declarations/{draft.pk}/submitted/")

    assert response["Location"] == f"/applicant/declarations/{draft.pk}/"


def test_withdrawing_asks_for_confirmation_before_it_withdraws(client, draft, applicant):
    complete_for_submission(draft, applicant)
    client.force_login(applicant)
    client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"})

    pending = client.post(f"/applicant/declarations/{draft.pk}/withdraw/", {"note": "Wrong programme."})

    content = pending.content.decode()
    assert "it leaves the evaluation and cannot be submitted again." in content
    assert '<input type="hidden" name="note" value="Wrong programme.">' in content
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED
    client.post(f"/applicant/declarations/{draft.pk}/withdraw/", {"note": "Wrong programme.", "confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
