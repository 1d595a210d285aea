"""Corrections during the period publish the next version of a batch; earlier versions read as
they were; a project added or whose amount is raised gets a full period of its own."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused, declaration_transition
from publicity.calendar import working_days_between
from publicity.models import BatchVersion, PublicityEntry, PublishedEntry
from publicity.services import EntryCorrection, publicity_batch_close, publicity_batch_open, publicity_version_publish
from tests.factories import CallFactory
from tests.publicity.conftest import ENDS_ON, OPENED_ON, STARTS_ON, on

# From Tuesday 2026-10-13, the next 5 working days end on Monday 2026-10-19.
CORRECTED_ON = date(2026, 10, 12)
OWN_START, OWN_END = date(2026, 10, 13), date(2026, 10, 19)


def rows(batch, version):
    """The public rows of `version`: (number, title, amount, starts_on, ends_on)."""
    return sorted(
        PublishedEntry.objects.filter(batch=batch, since_version__lte=version)
        .exclude(until_version__lt=version)
        .values_list("number", "title", "amount", "starts_on", "ends_on")
    )


def test_opening_publishes_version_one_with_public_rows_only(publicise):
    batch, (public, classified) = publicise(1, classified=1)

    assert batch.version == 1
    version = BatchVersion.objects.get(batch=batch)
    assert (version.number, version.published_by) == (1, batch.opened_by)
    assert rows(batch, 1) == [(public.number, public.title, public.approved_amount, STARTS_ON, ENDS_ON)]
    assert not PublishedEntry.objects.filter(entry__declaration=classified).exists()
    assert PublicityEntry.objects.get(declaration=classified).ends_on == ENDS_ON


def test_a_corrected_title_is_the_next_version_and_the_first_still_reads_as_it_was(publicise, staff):
    batch, (declaration,) = publicise(1)
    entry = declaration.publicity_entries.get()

    with on(STARTS_ON):
        version = publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="Title corrected after an objection.",
            corrections=[EntryCorrection(entry_id=entry.pk, title="Corrected title")],
        )

    batch.refresh_from_db()
    assert (version.number, batch.version, version.changelog) == (2, 2, "Title corrected after an objection.")
    amount = declaration.approved_amount
    assert rows(batch, 1) == [(declaration.number, declaration.title, amount, STARTS_ON, ENDS_ON)]
    assert rows(batch, 2) == [(declaration.number, "Corrected title", amount, STARTS_ON, ENDS_ON)]
    declaration.refresh_from_db()
    assert declaration.title == "Corrected title"
    latest = declaration.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (staff, "Title corrected after an objection.")


def test_a_lowered_amount_keeps_the_period_and_a_raised_one_gets_a_full_period_of_its_own(publicise, staff):
    batch, (declaration,) = publicise(1)
    entry = declaration.publicity_entries.get()
    amount = declaration.approved_amount

    with on(STARTS_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="Amount lowered.",
            corrections=[EntryCorrection(entry_id=entry.pk, amount=amount - 1000)],
        )
    with on(CORRECTED_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="Amount raised back to the cap.",
            corrections=[EntryCorrection(entry_id=entry.pk, amount=amount)],
        )

    assert rows(batch, 2)[0][2:] == (amount - 1000, STARTS_ON, ENDS_ON)
    assert rows(batch, 3)[0][2:] == (amount, OWN_START, OWN_END)
    assert PublicityEntry.objects.get(pk=entry.pk).ends_on == OWN_END
    batch.refresh_from_db()
    assert (batch.version, batch.ends_on) == (3, OWN_END)


def test_an_added_declaration_is_publicised_with_a_full_period_of_its_own(publicise, make_approved, staff):
    batch, _ = publicise(1)
    with on(OPENED_ON):
        (added,) = make_approved(batch.call)

    with on(CORRECTED_ON):
        publicity_version_publish(
            actor=staff, batch_id=batch.pk, changelog="One project added.", add_declaration_ids=[added.pk]
        )

    added.refresh_from_db()
    assert added.state == S.IN_PUBLICITY
    assert added.events.filter(action=A.PUBLICISE, actor=staff).exists()
    assert (added.number, added.title, added.approved_amount, OWN_START, OWN_END) in rows(batch, 2)
    assert added.number not in [r[0] for r in rows(batch, 1)]


def test_each_version_stores_its_number_of_public_rows_and_the_batch_the_current_ones(publicise, make_approved, staff):
    """The board reads these counts instead of counting rows: they must be the rows of each version."""
    batch, (first, second, _classified) = publicise(2, classified=1)
    with on(OPENED_ON):
        (added,) = make_approved(batch.call)
    with on(CORRECTED_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="A title corrected, one project added.",
            corrections=[EntryCorrection(entry_id=first.publicity_entries.get().pk, title="Corrected title")],
            add_declaration_ids=[added.pk],
        )
        declaration_transition(declaration_id=second.pk, action=A.UPHOLD_OBJECTION, actor=staff, note="Upheld.")
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="One project withdrawn.",
            withdraw_entry_ids=[second.publicity_entries.get().pk],
        )

    batch.refresh_from_db()
    counted = {number: len(rows(batch, number)) for number in (1, 2, 3)}
    assert counted == {1: 2, 2: 3, 3: 2}
    assert dict(BatchVersion.objects.filter(batch=batch).values_list("number", "row_count")) == counted
    assert (batch.version, batch.row_count) == (3, 2)
    # The added project's own period runs to OWN_END: the batch's working days reach it.
    assert (batch.starts_on, batch.ends_on) == (STARTS_ON, OWN_END)
    assert batch.working_days == [day.isoformat() for day in working_days_between(STARTS_ON, OWN_END)]
    assert batch.working_days[:5] == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"]


def test_an_entry_still_in_its_period_waits_for_its_own_end_before_confirmation(publicise, make_approved, staff):
    batch, (first,) = publicise(1)
    with on(OPENED_ON):
        (added,) = make_approved(batch.call)
    with on(CORRECTED_ON):
        publicity_version_publish(
            actor=staff, batch_id=batch.pk, changelog="One project added.", add_declaration_ids=[added.pk]
        )

    with on(OWN_START):
        publicity_batch_close(batch_id=batch.pk, actor=staff, today=OWN_END + (OWN_START - CORRECTED_ON))

    assert Declaration.objects.get(pk=first.pk).state == S.CONFIRMED
    assert Declaration.objects.get(pk=added.pk).state == S.CONFIRMED


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"changelog": ""}, "Describe the changes"),
        ({"changelog": "Nothing."}, "nothing to publish"),
        ({"changelog": "Same title.", "same_title": True}, "nothing differs"),
        ({"changelog": "Too much.", "amount": Decimal("999999999999.99")}, "above the award cap"),
        ({"changelog": "Zero.", "amount": Decimal("0")}, "more than zero"),
        ({"changelog": "Withdraw.", "withdraw": True}, "still in publicity"),
    ],
)
def test_a_correction_that_cannot_be_published_is_refused_and_changes_nothing(publicise, staff, kwargs, message):
    batch, (declaration,) = publicise(1)
    entry = declaration.publicity_entries.get()
    corrections = []
    if kwargs.pop("same_title", False):
        corrections = [EntryCorrection(entry_id=entry.pk, title=declaration.title)]
    if "amount" in kwargs:
        corrections = [EntryCorrection(entry_id=entry.pk, amount=kwargs.pop("amount"))]
    withdraw = [entry.pk] if kwargs.pop("withdraw", False) else []

    with on(STARTS_ON), pytest.raises(TransitionRefused, match=message):
        publicity_version_publish(
            actor=staff, batch_id=batch.pk, corrections=corrections, withdraw_entry_ids=withdraw, **kwargs
        )

    batch.refresh_from_db()
    assert batch.version == 1
    assert BatchVersion.objects.filter(batch=batch).count() == 1
    assert Declaration.objects.get(pk=declaration.pk).approved_amount == declaration.approved_amount


def test_a_closed_batch_cannot_be_corrected(publicise, staff):
    batch, (declaration,) = publicise(1)
    with on(ENDS_ON, 23):
        pass
    publicity_batch_close(batch_id=batch.pk, actor=staff, today=date(2026, 10, 13))

    with pytest.raises(TransitionRefused, match="closed"):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="Late.",
            corrections=[EntryCorrection(entry_id=declaration.publicity_entries.get().pk, title="Late")],
        )


def test_console_correction_page_publishes_a_version_and_shows_errors_at_the_field(publicise, staff_client):
    batch, (declaration,) = publicise(1)
    entry = declaration.publicity_entries.get()
    url = reverse("publicity:console_batch_correct", args=[batch.pk])

    with on(STARTS_ON):
        page = staff_client.get(url)
        empty = staff_client.post(url, {"form": "correct", "correct-entry": entry.pk, "correct-changelog": "x"})
        bad_amount = staff_client.post(
            url,
            {"form": "correct", "correct-entry": entry.pk, "correct-amount": "abc", "correct-changelog": "x"},
        )
        done = staff_client.post(
            url,
            {
                "form": "correct",
                "correct-entry": entry.pk,
                "correct-title": "Corrected title",
                "correct-changelog": "Title corrected.",
                "confirmed": "yes",
            },
        )

    assert page.status_code == 200
    assert declaration.number in page.content.decode()
    assert "Give a corrected title, a corrected amount, or both." in empty.content.decode()
    assert 'id="id_correct-amount"' in bad_amount.content.decode()
    assert bad_amount.context["correct_form"].errors["amount"]
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.version == 2


def test_console_open_page_says_when_the_calendar_does_not_cover_the_period(client, staff):
    with on(date(2026, 12, 28)):
        client.force_login(staff)
        page = client.get(reverse("publicity:console_batch_open"))

    assert page.status_code == 200
    assert "2027" in page.content.decode()


def test_opening_before_the_opening_day_is_refused_when_the_period_reaches_an_uncovered_year(make_approved, staff):
    with on(OPENED_ON):
        call = CallFactory()
        (declaration,) = make_approved(call)

    with on(date(2026, 12, 28)), pytest.raises(TransitionRefused, match="2027"):
        publicity_batch_open(actor=staff, call=call, declaration_ids=[declaration.pk])

    assert Declaration.objects.get(pk=declaration.pk).state == S.APPROVED


def test_publishing_a_version_asks_first_with_the_correction_then_publishes(publicise, staff_client):
    batch, (declaration,) = publicise(1)
    entry = declaration.publicity_entries.get()
    url = reverse("publicity:console_batch_correct", args=[batch.pk])
    data = {"form": "correct", "correct-entry": entry.pk, "correct-amount": "1,000.00", "correct-changelog": "Typo."}

    with on(STARTS_ON):
        pending = staff_client.post(url, data)
        batch.refresh_from_db()
        version_after_first = batch.version
        staff_client.post(url, data | {"confirmed": "yes"})
    batch.refresh_from_db()

    content = pending.content.decode()
    assert "Version 2 of the list is published on the public board at once; it cannot be withdrawn." in content
    assert "Its approved amount becomes 1,000.00 yuan." in content
    assert 'name="form" value="correct"' in content
    assert (version_after_first, batch.version) == (1, 2)
