"""Mainland China working days: Monday to Friday, less public holidays, plus make-up working days.

The exceptions are rows of CalendarDay; everything else follows the weekday, but only in a year
whose schedule is recorded as complete (CalendarYear): a day in any other year is never guessed.
"""

from datetime import timedelta

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity.models import CalendarDay, CalendarYear

PUBLICITY_WORKING_DAYS = 5


class CalendarNotCovered(Exception):
    """A computation reached a day of a year whose working-day schedule has not been entered."""

    def __init__(self, year):
        self.year = year
        super().__init__(
            _(
                "The working days of %(year)s are not known yet: the administrator enters the State "
                "Council's holiday schedule for %(year)s in the console, under Working-day calendar."
            )
            % {"year": year}
        )


def covered_years(start, end):
    """The years from `start`'s to `end`'s whose schedule is complete."""
    return set(
        CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year, complete=True).values_list(
            "year", flat=True
        )
    )


def _exceptions(start, end):
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day"))


def is_working_day(day, exceptions=None):
    exceptions = _exceptions(day, day) if exceptions is None else exceptions
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def working_days_window(first_possible_day, count=PUBLICITY_WORKING_DAYS):
    """The first working day on or after `first_possible_day` and the day on which `count` working
    days have passed, counting the first. One query however long the window."""
    # Chinese holidays are at most 8 days long, so 3 weeks per 5 working days always suffice.
    horizon = first_possible_day + timedelta(days=21 * max(1, count // 5 + 1))
    exceptions = _exceptions(first_possible_day, horizon)
    covered = covered_years(first_possible_day, horizon)

    def working(day):
        if day.year not in covered:
            raise CalendarNotCovered(day.year)
        return is_working_day(day, exceptions)

    day = first_possible_day
    while not working(day):
        day += timedelta(days=1)
    start, counted = day, 1
    while counted < count:
        day += timedelta(days=1)
        if working(day):
            counted += 1
    return start, day


def calendar_seed_from_package():
    """Store the exceptions the chinesecalendar package knows (holidays on weekdays, make-up
    working days on weekends). Idempotent; returns the number of rows created."""
    created = 0
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:
            created += CalendarDay.objects.get_or_create(date=day, defaults={"is_working_day": False, "name": name})[1]
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            created += CalendarDay.objects.get_or_create(date=day, defaults={"is_working_day": True, "name": name})[1]
    return created


def publicity_first_day(today=None):
    """The first day a batch opened `today` may count: today itself or the next day, as
    settings.PUBLICITY_COUNTS_OPENING_DAY says (the board shows which)."""
    today = today or timezone.localdate()
    return today if settings.PUBLICITY_COUNTS_OPENING_DAY else today + timedelta(days=1)
