"""Mainland China working days: Monday to Friday, less public holidays, plus make-up working days.

The exceptions are rows of CalendarDay; everything else follows the weekday, but only in a year
whose schedule is recorded as complete (CalendarYear): a day in any other year is never guessed.
"""

from datetime import date, timedelta

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


def publicity_first_day(today=None):
    """The first day a batch opened `today` may count: today itself or the next day, as
    settings.PUBLICITY_COUNTS_OPENING_DAY says (the board shows which)."""
    today = today or timezone.localdate()
    return today if settings.PUBLICITY_COUNTS_OPENING_DAY else today + timedelta(days=1)


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


def _days_after(day, days):
    """`day` plus `days`, or the last date there is."""
    return day + timedelta(days=days) if (date.max - day).days > days else date.max


class _Calendar:
    """The exceptions and covered years from `start` to `end`, read in two queries (read again,
    further, if a day after `end` is asked about); asking about a day of a year not covered raises
    CalendarNotCovered."""

    def __init__(self, start, end):
        self.start = start
        self._read(end)

    def _read(self, end):
        self.end = end
        self.exceptions = _exceptions(self.start, end)
        self.covered = covered_years(self.start, end)

    def working(self, day):
        if day > self.end:
            self._read(_days_after(day, 62))
        if day.year not in self.covered:
            raise CalendarNotCovered(day.year)
        return is_working_day(day, self.exceptions)


def working_days_window(first_possible_day, count=PUBLICITY_WORKING_DAYS):
    """The first working day on or after `first_possible_day` and the day on which `count` working
    days have passed, counting the first. Two queries however long the window. Raises
    CalendarNotCovered on reaching a day of a year whose schedule is not complete: a window is the
    State Council's answer or none."""
    # Chinese holidays are at most 10 days long, so 3 weeks per 5 working days suffice but for
    # holidays entered back to back, for which the calendar reads on.
    calendar = _Calendar(first_possible_day, _days_after(first_possible_day, 21 * (count // 5 + 1)))
    day = first_possible_day
    while not calendar.working(day):
        day += timedelta(days=1)
    start, counted = day, 1
    while counted < count:
        day += timedelta(days=1)
        if calendar.working(day):
            counted += 1
    return start, day


def working_days_left(today, ends_on):
    """How many working days of a period ending on `ends_on` are left on `today`, today counted if it
    is one: 0 once the period is over. Raises CalendarNotCovered as working_days_window does."""
    if today > ends_on:
        return 0
    calendar = _Calendar(today, ends_on)
    return sum(calendar.working(today + timedelta(days=n)) for n in range((ends_on - today).days + 1))


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
