from datetime import date, datetime, timedelta

import time_machine
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from notices.models import Notice
from publicity.cache import publicity_board_generation
from publicity.models import Objection, ObjectionOutcome, ObjectionState, PublicityBatch
from publicity.selectors import publicity_batch_result
from publicity.services import objection_handle, objection_raise
from publicity.tasks import close_due_publicity_batches
from tests.factories import CallFactory
from tests.publicity.conftest import ENDS_ON, OPENED_ON, SHANGHAI, STARTS_ON, on

# Closing acts only once confirmed (test_console_batch_close_asks_first tests the step).
CONFIRMED = {"confirmed": "yes"}

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
            entry=objected.publicity_entries.get(), name="李四", contact="13800000000", text="Not a first round."
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
            entry=removed.publicity_entries.get(), name="李四", contact="13800000000", text="Not a first round."
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
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), CONFIRMED, follow=True)

    batch.refresh_from_db()
    assert response.redirect_chain == [(reverse("publicity:console_batch", args=[batch.pk]), 302)]
    assert "The publicity period runs until 2026-10-12." in response.content.decode()
    assert (batch.is_closed, states([declaration])) == (False, [S.IN_PUBLICITY])


def test_console_batch_close_after_end_date_confirms(staff_client, batch_with_one):
    batch, declaration = batch_with_one

    with on(DAY_AFTER):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), CONFIRMED, follow=True)
        again = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), CONFIRMED, follow=True)

    batch.refresh_from_db()
    assert "Publicity closed: 1 declarations confirmed." in response.content.decode()
    assert "This publicity batch is closed already." in again.content.decode()
    assert (batch.is_closed, states([declaration])) == (True, [S.CONFIRMED])


def test_console_batch_close_with_open_objection_keeps_batch_open(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    with on(STARTS_ON):
        objection_raise(entry=declaration.publicity_entries.get(), name="李四", contact="13800000000", text="Doubt.")

    with on(DAY_AFTER):
        response = staff_client.post(reverse("publicity:console_batch_close", args=[batch.pk]), CONFIRMED, follow=True)

    assert (
        "0 declarations confirmed. The batch stays open until its open objections are handled."
        in response.content.decode()
    )
    assert (PublicityBatch.objects.get().is_closed, states([declaration])) == (False, [S.IN_PUBLICITY])


def test_console_batch_close_unknown_batch_is_not_found(staff_client, db):
    response = staff_client.post(reverse("publicity:console_batch_close", args=[999]))

    assert (response.status_code, PublicityBatch.objects.count()) == (404, 0)


# A window ends at 24:00 Beijing time of its last working day (2026-10-12 for the standard batch).


def at(year, month, day, hour, minute=0, second=0):
    return time_machine.travel(datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI), tick=False)


def test_closing_at_235959_on_the_last_working_day_confirms_nothing(publicise):
    batch, declarations = publicise(2, classified=1)
    notices = Notice.objects.count()

    with at(2026, 10, 12, 23, 59, 59):
        confirmed = close_due_publicity_batches()

    batch.refresh_from_db()
    assert (confirmed, batch.closed_at, states(declarations)) == (0, None, [S.IN_PUBLICITY] * 3)
    assert Notice.objects.count() == notices


def test_closing_at_midnight_confirms_notifies_and_publishes_the_result(publicise, django_capture_on_commit_callbacks):
    batch, declarations = publicise(2, classified=1)
    generation = publicity_board_generation()

    with at(2026, 10, 13, 0, 0, 0), django_capture_on_commit_callbacks(execute=True):
        confirmed = close_due_publicity_batches()

    batch.refresh_from_db()
    result = publicity_batch_result(batch=batch)
    public = sorted(d.number for d in declarations[:2])
    assert (confirmed, states(declarations)) == (3, [S.CONFIRMED] * 3)
    assert batch.closed_at == datetime(2026, 10, 13, 0, 0, tzinfo=SHANGHAI)
    assert (result.confirmed_count, result.numbers) == (3, public)  # the classified one counted, not named
    assert publicity_board_generation() > generation
    for declaration in declarations:
        notice = Notice.objects.filter(recipient__organisation=declaration.organisation).latest("pk")
        assert "Publicity ended on Oct. 12, 2026 without an upheld objection." in str(notice.body)
        assert notice.declaration_id == declaration.pk


def test_closing_result_is_none_while_the_batch_is_open(publicise):
    batch, _declarations = publicise(1)

    assert publicity_batch_result(batch=batch) is None


def test_closing_leaves_an_objected_project_waiting_and_lists_it_as_overdue(staff, staff_client, publicise):
    batch, (clean, objected) = publicise(2)
    with on(STARTS_ON):
        objection = objection_raise(
            entry=objected.publicity_entries.get(), name="李四", contact="13800000000", text="Not a first round."
        )

    with at(2026, 10, 13, 0, 0, 30):
        confirmed = close_due_publicity_batches()
        overdue = staff_client.get(reverse("publicity:console_overdue"))
        objections = staff_client.get(reverse("publicity:console_objections"))
    batch.refresh_from_db()

    assert (confirmed, states([clean, objected]), batch.closed_at) == (1, [S.CONFIRMED, S.IN_PUBLICITY], None)
    assert [(e.declaration_id, e.open_objection_count) for e in overdue.context["entries"]] == [(objected.pk, 1)]
    assert objected.number in overdue.content.decode()
    assert clean.number not in overdue.content.decode()
    assert "Overdue" in objections.content.decode()
    assert publicity_batch_result(batch=batch) is None
    assert Objection.objects.get().pk == objection.pk


def test_closing_confirms_each_entry_when_its_own_window_ends(staff, make_approved):
    """A project added by a later version has a full window of its own: the first ones are
    confirmed when theirs ends, the batch closes when the last one's does."""
    from publicity.services import publicity_batch_open, publicity_version_publish

    with on(OPENED_ON):
        call = CallFactory()
        first, later = make_approved(call, 2)
        batch = publicity_batch_open(actor=staff, call=call, declaration_ids=[first.pk])
    with on(date(2026, 10, 9)):
        publicity_version_publish(
            actor=staff, batch_id=batch.pk, changelog="One more project.", add_declaration_ids=[later.pk]
        )
    later_entry = later.publicity_entries.get()

    with at(2026, 10, 13, 0, 0, 0):
        first_run = close_due_publicity_batches()
    batch.refresh_from_db()
    after_first = (first_run, states([first, later]), batch.closed_at)
    with at(later_entry.ends_on.year, later_entry.ends_on.month, later_entry.ends_on.day, 23, 59, 59):
        not_yet = close_due_publicity_batches()
    day_after = later_entry.ends_on + timedelta(days=1)
    with at(day_after.year, day_after.month, day_after.day, 0, 0, 0):
        second_run = close_due_publicity_batches()
    batch.refresh_from_db()

    assert later_entry.ends_on == date(2026, 10, 15)  # from the 10th, a make-up Saturday: 10, 12, 13, 14, 15
    assert after_first == (1, [S.CONFIRMED, S.IN_PUBLICITY], None)
    assert (not_yet, second_run, states([first, later])) == (0, 1, [S.CONFIRMED, S.CONFIRMED])
    assert batch.closed_at is not None


def test_beat_loads_the_schedule_from_the_settings_with_a_run_right_after_midnight(db, monkeypatch):
    from django_celery_beat import schedulers
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    # The scheduler closes "old" connections before it reads; inside the test's transaction that
    # would close PostgreSQL's connection under the test.
    monkeypatch.setattr(schedulers, "close_old_connections", lambda: None)

    schedulers.DatabaseScheduler(app=app)

    midnight = PeriodicTask.objects.get(name="close-publicity-at-midnight")
    periodic = PeriodicTask.objects.get(name="close-due-publicity-batches")
    assert midnight.task == periodic.task == "publicity.tasks.close_due_publicity_batches"
    assert (midnight.crontab.minute, midnight.crontab.hour, str(midnight.crontab.timezone)) == (
        "0",
        "0",
        "Asia/Shanghai",
    )
    assert (periodic.interval.every, periodic.interval.period) == (900, "seconds")


def test_console_batch_close_is_disabled_with_the_reason_until_the_period_ends(staff_client, batch_with_one):
    batch, _declaration = batch_with_one

    with on(ENDS_ON):
        during = staff_client.get(reverse("publicity:console_batch", args=[batch.pk]))
    with on(DAY_AFTER):
        after = staff_client.get(reverse("publicity:console_batch", args=[batch.pk]))

    assert during.context["close_refusal"] == "The publicity period runs until 2026-10-12."
    assert 'aria-describedby="close-help" disabled>' in during.content.decode()
    assert '<div class="form-text text-warning-emphasis" id="close-refusal">' in during.content.decode()
    assert after.context["close_refusal"] is None
    assert 'aria-describedby="close-help">' in after.content.decode()
