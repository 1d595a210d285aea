"""Opening a publicity batch, closing it and handling an objection cannot be undone: the first post
shows a page that repeats what will happen and changes nothing; only the confirmed post acts; a
refused one says why instead of asking."""

from django.urls import reverse
from django.utils.formats import date_format

from common.money import yuan
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from publicity.models import Objection, ObjectionState, PublicityBatch
from publicity.services import objection_raise
from tests.factories import CallFactory
from tests.publicity.conftest import ENDS_ON, OPENED_ON, STARTS_ON, on

CONFIRMED = {"confirmed": "yes"}
DAY_AFTER = ENDS_ON.replace(day=13)


def _state(declaration):
    return Declaration.objects.get(pk=declaration.pk).state


def _raise(declaration):
    with on(STARTS_ON):
        return objection_raise(
            entry=declaration.publicity_entries.get(), name="李四", contact="13800000000", text="Doubt."
        )


def test_opening_a_batch_asks_first_with_the_projects_and_period_then_opens(staff_client, make_approved):
    with on(OPENED_ON):
        call = CallFactory()
        one, two = make_approved(call, 2)
        url = reverse("publicity:console_batch_open") + f"?call={call.pk}"
        data = {"declarations": [one.pk, two.pk], "title": "Publicity 2026-1"}
        events = DeclarationEvent.objects.count()

        pending = staff_client.post(url, data)
        after_first = (_state(one), _state(two), PublicityBatch.objects.count(), DeclarationEvent.objects.count())
        staff_client.post(url, data | CONFIRMED)

    content = pending.content.decode()
    assert "2 approved declarations are publicised: they move to “In publicity”." in content
    assert date_format(STARTS_ON, "DATE_FORMAT") in content and date_format(ENDS_ON, "DATE_FORMAT") in content
    assert one.title in content and one.organisation.name in content
    assert yuan(one.approved_amount + two.approved_amount) in content
    assert 'name="title" value="Publicity 2026-1"' in content
    assert after_first == (S.APPROVED, S.APPROVED, 0, events)
    assert (_state(one), _state(two), PublicityBatch.objects.get().title) == (
        S.IN_PUBLICITY,
        S.IN_PUBLICITY,
        "Publicity 2026-1",
    )


def test_closing_a_batch_asks_first_then_confirms(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    url = reverse("publicity:console_batch_close", args=[batch.pk])

    with on(DAY_AFTER):
        pending = staff_client.post(url)
        after_first = (_state(declaration), PublicityBatch.objects.get().is_closed)
        staff_client.post(url, CONFIRMED)

    assert "Close the publicity and confirm" in pending.content.decode()
    assert "A declaration with an open objection waits until the objection is handled." in pending.content.decode()
    assert after_first == (S.IN_PUBLICITY, False)
    assert (_state(declaration), PublicityBatch.objects.get().is_closed) == (S.CONFIRMED, True)


def test_closing_a_batch_before_its_end_says_why_without_asking(staff_client, batch_with_one):
    batch, declaration = batch_with_one

    with on(ENDS_ON):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), follow=True)

    assert "The publicity period runs until 2026-10-12." in response.content.decode()
    assert "What will happen" not in response.content.decode()
    assert _state(declaration) == S.IN_PUBLICITY


def test_upholding_an_objection_asks_first_with_the_project_then_withdraws_it(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = _raise(declaration)
    prefix = f"objection-{objection.pk}"
    url = reverse("publicity:objection_handle", args=[objection.pk])
    data = {
        f"{prefix}-decision": "not_supported",
        f"{prefix}-reason": "An earlier round existed.",
        f"{prefix}-reply": "Verified.",
    }
    events = DeclarationEvent.objects.count()

    with on(STARTS_ON):
        pending = staff_client.post(url, data)
        after_first = (Objection.objects.get().state, _state(declaration), DeclarationEvent.objects.count())
        staff_client.post(url, data | CONFIRMED)

    content = pending.content.decode()
    assert "Uphold the objection" in content
    assert objection.receipt_number in content and declaration.title in content
    assert "The project is withdrawn from the public list, in a new version of the batch." in content
    assert "An earlier round existed." in content and "Verified." in content
    assert after_first == (ObjectionState.OPEN, S.IN_PUBLICITY, events)
    assert (Objection.objects.get().state, _state(declaration)) == (ObjectionState.UPHELD, S.OBJECTION_UPHELD)


def test_dismissing_an_objection_asks_first_then_dismisses(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = _raise(declaration)
    prefix = f"objection-{objection.pk}"
    url = reverse("publicity:objection_handle", args=[objection.pk])
    data = {f"{prefix}-decision": "dismiss", f"{prefix}-reason": "", f"{prefix}-reply": "It was a loan."}

    with on(STARTS_ON):
        pending = staff_client.post(url, data)
        state_after_first = Objection.objects.get().state
        staff_client.post(url, data | CONFIRMED)

    assert "The objection is dismissed: the project stays in publicity." in pending.content.decode()
    assert state_after_first == ObjectionState.OPEN
    assert (Objection.objects.get().state, _state(declaration)) == (ObjectionState.DISMISSED, S.IN_PUBLICITY)


def test_an_objection_handled_already_says_so_without_asking(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = _raise(declaration)
    prefix = f"objection-{objection.pk}"
    url = reverse("publicity:objection_handle", args=[objection.pk])
    dismiss = {f"{prefix}-decision": "dismiss", f"{prefix}-reason": "", f"{prefix}-reply": "No."}

    with on(STARTS_ON):
        staff_client.post(url, dismiss | CONFIRMED)
        response = staff_client.post(url, dismiss)

    assert "This objection was handled already." in response.content.decode()
    assert "What will happen" not in response.content.decode()
