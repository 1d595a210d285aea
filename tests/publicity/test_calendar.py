from datetime import date

import pytest
from django.urls import reverse

from publicity.calendar import is_working_day, working_day_calendar, working_days_left, working_days_window
from publicity.models import CalendarDay

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


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 9, 30), 5),  # its first day counts
        (date(2026, 10, 3), 4),  # a holiday: 8, 9, 10 (Saturday, worked) and 12 October
        (date(2026, 10, 10), 2),  # the make-up Saturday and 12 October
        (date(2026, 10, 11), 1),  # a Sunday: 12 October
        (date(2026, 10, 12), 1),  # the last day counts until 24:00
    ],
)
def test_working_days_left_counts_today_and_the_last_day(today, left, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert working_days_left(today, date(2026, 10, 12)) == left


def test_working_days_left_is_zero_once_the_period_is_over(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert working_days_left(date(2026, 10, 13), date(2026, 10, 12)) == 0


def test_working_days_left_counts_covered_years_only():
    from publicity.models import CalendarYear

    covered = set(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    uncovered = max(covered) + 1
    CalendarYear.objects.filter(year=uncovered).delete()

    # The last days of the last covered year count; none of the next one.
    end_of_year = date(max(covered), 12, 31)
    expected = sum(1 for day in (end_of_year.replace(day=d) for d in (29, 30, 31)) if is_working_day(day))
    assert working_days_left(date(max(covered), 12, 29), date(uncovered, 1, 9)) == expected


def test_working_day_calendar_reads_exceptions_and_covered_years_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = working_day_calendar(date(2026, 9, 25), date(2026, 10, 12))

    assert (calendar.exceptions[date(2026, 10, 10)], 2026 in calendar.covered) == (True, True)
    assert [calendar.is_working_day(date(2026, 10, d)) for d in (7, 8, 10, 11)] == [False, True, True, False]
