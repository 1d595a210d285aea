from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.models import Objection, ObjectionOutcome, ObjectionState, PublicityBatch
from publicity.services import objection_handle, objection_raise
from publicity.tasks import close_due_publicity_batches
from tests.publicity.conftest import ENDS_ON, STARTS_ON, on

DAY_AFTER = ENDS_ON.replace(day=13)


def states(declarations):
    return [Declaration.objects.get(pk=d.pk).state for d in declarations]


# The task is queued with .delay(); Celery runs eagerly in the tests, so .get() returns its result
# (the number of declarations confirmed) in process.


def test_close_due_publicity_batches_waits_until_the_last_day_has_passed(publicise):
    batch, declarations = publicise(2, classified=1)

    with on(ENDS_ON, hour=23):
        confirmed_on_last_day = close_due_publicity_batches.delay().get()

    batch.refresh_from_db()
    assert (confirmed_on_last_day, batch.closed_at, states(declarations)) == (0, None, [S.IN_PUBLICITY] * 3)


def test_close_due_publicity_batches_confirms_after_the_end_date(publicise):
    batch, declarations = publicise(2, classified=1)

    with on(DAY_AFTER, hour=0):
        confirmed = close_due_publicity_batches.delay().get()

    batch.refresh_from_db()
    assert (confirmed, states(declarations)) == (3, [S.CONFIRMED] * 3)
    assert batch.is_closed is True


def test_close_due_publicity_batches_leaves_declaration_with_open_objection_waiting(staff, publicise):
    batch, (clean, objected) = publicise(2)
    with on(STARTS_ON):
        objection = objection_raise(
            entry=objected.publicity_entries.get(), name="Li Si", contact="13800000000", text="Not a first round."
        )

    with on(DAY_AFTER):
        first = close_due_publicity_batches.delay().get()
    batch.refresh_from_db()
    after_first = (first, states([clean, objected]), batch.is_closed)
    with on(DAY_AFTER):
        objection_handle(objection_id=objection.pk, actor=staff, outcome=None, reply="A loan, not equity.")
        second = close_due_publicity_batches.delay().get()
    batch.refresh_from_db()

    assert after_first == (1, [S.CONFIRMED, S.IN_PUBLICITY], False)
    assert (second, states([clean, objected]), batch.is_closed) == (1, [S.CONFIRMED, S.CONFIRMED], True)


def test_close_due_publicity_batches_skips_declaration_whose_objection_was_upheld(staff, publicise):
    batch, (kept, removed) = publicise(2)
    with on(STARTS_ON):
        objection = objection_raise(
            entry=removed.publicity_entries.get(), name="Li Si", contact="13800000000", text="Not a first round."
        )
        objection_handle(
            objection_id=objection.pk,
            actor=staff,
            outcome=ObjectionOutcome.NOT_SUPPORTED,
            reason="An earlier round existed.",
            reply="Verified.",
        )

    with on(DAY_AFTER):
        confirmed = close_due_publicity_batches()  # called directly: the same function the worker runs

    batch.refresh_from_db()
    assert (confirmed, states([kept, removed]), batch.is_closed) == (1, [S.CONFIRMED, S.OBJECTION_UPHELD], True)
    assert Objection.objects.get().state == ObjectionState.UPHELD


def test_console_batch_close_before_end_date_is_refused_with_the_date(staff_client, batch_with_one):
    batch, declaration = batch_with_one

    with on(ENDS_ON):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert response.redirect_chain == [(reverse("publicity:console_batch", args=[batch.pk]), 302)]
    assert "The publicity period runs until 2026-10-12." in response.content.decode()
    assert (batch.is_closed, states([declaration])) == (False, [S.IN_PUBLICITY])


def test_console_batch_close_after_end_date_confirms(staff_client, batch_with_one):
    batch, declaration = batch_with_one

    with on(DAY_AFTER):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), follow=True)
        again = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert "Publicity closed: 1 declarations confirmed." in response.content.decode()
    assert "This publicity batch is closed already." in again.content.decode()
    assert (batch.is_closed, states([declaration])) == (True, [S.CONFIRMED])


def test_console_batch_close_with_open_objection_keeps_batch_open(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    with on(STARTS_ON):
        objection_raise(entry=declaration.publicity_entries.get(), name="Li Si", contact="13800000000", text="Doubt.")

    with on(DAY_AFTER):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), follow=True)

    assert (
        "0 declarations confirmed. The batch stays open until its open objections are handled."
        in response.content.decode()
    )
    assert (PublicityBatch.objects.get().is_closed, states([declaration])) == (False, [S.IN_PUBLICITY])


def test_console_batch_close_unknown_batch_is_not_found(staff_client, db):
    response = staff_client.post(reverse("publicity:console_batch_close", args=[999]))

    assert (response.status_code, PublicityBatch.objects.count()) == (404, 0)
