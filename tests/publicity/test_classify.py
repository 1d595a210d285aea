"""Staff keep a project off the public list before it is publicised, with the reason, audited."""

import pytest
from django.urls import reverse

from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from publicity.services import declaration_classify
from tests.factories import CallFactory
from tests.publicity.conftest import OPENED_ON, on


@pytest.fixture
def approved(make_approved):
    with on(OPENED_ON):
        (declaration,) = make_approved(CallFactory())
    return declaration


def test_staff_keep_a_project_off_the_list_with_the_reason_in_its_history(staff_client, staff, approved):
    url = reverse("publicity:console_classify", args=[approved.pk])

    response = staff_client.post(url, {"classified": "on", "reason": "Classified under notice 2026-17."})

    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.classified, approved.classified_reason) == (True, "Classified under notice 2026-17.")
    record = approved.history.latest()
    assert (record.history_user, record.history_change_reason) == (staff, "Classified under notice 2026-17.")
    page = staff_client.get(url).content.decode()
    assert "Classified under notice 2026-17." in page


def test_a_reason_longer_than_a_hundred_characters_is_kept_whole_in_the_history(staff_client, approved):
    """The history's change reason is a text column: the reason staff typed (up to 2,000
    characters) is kept whole, where a column of 100 refused it on PostgreSQL (a DataError, a 500)."""
    reason = ("依据保密规定，该项目不予公示。" * 70)[:1000]

    response = staff_client.post(
        reverse("publicity:console_classify", args=[approved.pk]), {"classified": "on", "reason": reason}
    )

    assert response.status_code == 302
    assert approved.history.latest().history_change_reason == reason
    assert reason in staff_client.get(reverse("publicity:console_classify", args=[approved.pk])).content.decode()


def test_keeping_a_project_off_the_list_without_a_reason_is_refused_at_the_field(staff_client, approved):
    response = staff_client.post(reverse("publicity:console_classify", args=[approved.pk]), {"classified": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Please give the reason the project is not publicised."]
    assert not Declaration.objects.get(pk=approved.pk).classified


def test_a_publicised_project_can_no_longer_be_kept_off_the_list(publicise, staff):
    _batch, (declaration,) = publicise(1)

    with pytest.raises(TransitionRefused, match="not yet publicised"):
        declaration_classify(actor=staff, declaration_id=declaration.pk, classified=True, reason="Late.")

    assert not Declaration.objects.get(pk=declaration.pk).classified


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance"])
def test_only_staff_may_keep_a_project_off_the_list(client, approved, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.post(
        reverse("publicity:console_classify", args=[approved.pk]), {"classified": "on", "reason": "x"}
    )

    assert response.status_code == 403
    assert not Declaration.objects.get(pk=approved.pk).classified
