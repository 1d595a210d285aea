from datetime import date, timedelta

import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from publicity.calendar import CalendarNotCovered, working_days_left, working_days_window
from publicity.models import CalendarDay
from publicity.services import publicity_batch_open
from tests.factories import CallFactory
from tests.publicity.conftest import on

pytestmark = pytest.mark.django_db


def exceptions_between(start, end):
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def test_working_days_window_normal_week():
    assert exceptions_between(date(2026, 3, 9), date(2026, 3, 13)) == {}

    assert working_days_window(date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 13))


def test_working_days_window_skips_national_day_and_counts_make_up_saturday():
    # The seeded calendar: the weekdays of 1-7 October 2026 are holidays, Saturday 10 October is worked.
    assert exceptions_between(date(2026, 9, 30), date(2026, 10, 12)) == {
        date(2026, 10, 1): False,
        date(2026, 10, 2): False,
        date(2026, 10, 5): False,
        date(2026, 10, 6): False,
        date(2026, 10, 7): False,
        date(2026, 10, 10): True,
    }

    # 30 Sep, 8 Oct, 9 Oct, 10 Oct (Saturday, worked), 12 Oct.
    assert working_days_window(date(2026, 9, 30)) == (date(2026, 9, 30), date(2026, 10, 12))


def test_working_days_window_starting_in_the_holiday_begins_after_it():
    # 8, 9, 10 (Saturday, worked), 12 and 13 October.
    assert working_days_window(date(2026, 10, 1)) == (date(2026, 10, 8), date(2026, 10, 13))


def test_working_days_window_starting_on_a_weekend_begins_on_monday():
    assert working_days_window(date(2026, 3, 7)) == (date(2026, 3, 9), date(2026, 3, 13))
    assert working_days_window(date(2026, 3, 8)) == (date(2026, 3, 9), date(2026, 3, 13))


def test_working_days_window_follows_calendar_days_the_administrator_adds(client, administrator):
    client.force_login(administrator)
    add_url = reverse("admin:publicity_calendarday_add")

    holiday = client.post(add_url, {"date": "2026-03-11", "name": "Extra holiday"})
    make_up = client.post(add_url, {"date": "2026-03-14", "is_working_day": "on", "name": "Make-up day"})

    assert (holiday["Location"], make_up["Location"]) == (
        reverse("admin:publicity_calendarday_changelist"),
        reverse("admin:publicity_calendarday_changelist"),
    )
    assert exceptions_between(date(2026, 3, 9), date(2026, 3, 16)) == {
        date(2026, 3, 11): False,
        date(2026, 3, 14): True,
    }
    # 9, 10, 12, 13 March and the make-up Saturday 14 March; Wednesday 11 March is now a holiday.
    assert working_days_window(date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 14))


def test_working_days_window_after_an_added_holiday_without_make_up_day(administrator):
    CalendarDay.objects.create(date=date(2026, 3, 11), is_working_day=False, name="Extra holiday")

    assert working_days_window(date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 16))


def test_the_batch_service_refuses_a_period_that_reaches_a_year_not_entered(staff, make_approved):
    with on(date(2026, 12, 25)):
        call = CallFactory()
        (declaration,) = make_approved(call)
        with pytest.raises(TransitionRefused) as refusal:
            publicity_batch_open(actor=staff, call=call, declaration_ids=[declaration.pk])

    assert str(refusal.value) == str(CalendarNotCovered(2027))
    assert Declaration.objects.get(pk=declaration.pk).state == S.APPROVED


def test_the_batch_service_opens_on_the_last_day_whose_period_stays_in_2026(staff, make_approved):
    with on(date(2026, 12, 24)):
        call = CallFactory()
        (declaration,) = make_approved(call)
        batch = publicity_batch_open(actor=staff, call=call, declaration_ids=[declaration.pk])

    assert (batch.starts_on, batch.ends_on) == (date(2026, 12, 25), date(2026, 12, 31))


def test_the_opening_page_says_why_a_batch_cannot_be_opened_today(client, staff, make_approved):
    with on(date(2026, 12, 28)):
        make_approved(CallFactory())
        client.force_login(staff)
        response = client.get(reverse("publicity:console_batch_open"))

    assert response.status_code == 200
    assert response.context["window_refusal"] == str(CalendarNotCovered(2027))
    assert "The working days of 2027 are not known yet" in response.content.decode()


def test_working_days_left_counts_today_and_the_last_day():
    ends_on = date(2026, 10, 10)  # the make-up Saturday

    assert [working_days_left(date(2026, 9, 29) + timedelta(days=n), ends_on) for n in range(14)] == [
        5,  # Tue 29 Sep
        4,  # Wed 30 Sep
        3,  # 1 Oct, holiday
        3,
        3,
        3,
        3,
        3,
        3,  # 7 Oct, holiday
        3,  # Thu 8 Oct
        2,  # Fri 9 Oct
        1,  # Sat 10 Oct, worked
        0,  # Sun 11 Oct: over
        0,
    ]


def test_working_days_left_refuses_a_year_not_entered():
    with pytest.raises(CalendarNotCovered) as refusal:
        working_days_left(date(2026, 12, 30), date(2027, 1, 4))

    assert refusal.value.year == 2027
