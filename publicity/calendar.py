"""Mainland China working days: Monday to Friday, less public holidays, plus make-up working days.

The exceptions are rows of CalendarDay; everything else follows the weekday, but only in a year
whose schedule is recorded as complete (CalendarYear): a day in any other year is never guessed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.db.models import BooleanField, DateField, IntegerField, Value
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


@dataclass(frozen=True)
class WorkingDayCalendar:
    """The calendar of the days from `start` to `end` as read once: the exceptions and which of the
    years are covered."""

    start: date
    end: date
    exceptions: dict[date, bool]
    covered: frozenset[int]

    def is_working_day(self, day):
        """A working day of a covered year; a day of any other year is never counted."""
        return day.year in self.covered and is_working_day(day, self.exceptions)

    def window_end(self, first_day, count=PUBLICITY_WORKING_DAYS):
        """The day `count` working days from `first_day` (a working day, counted), as
        working_days_window says; None if that is past `end`."""
        day, counted = first_day, int(self.is_working_day(first_day))
        while counted < count:
            day += timedelta(days=1)
            if day > self.end:
                return None
            counted += self.is_working_day(day)
        return day


# The union's missing columns (a day has no year, a year no day), typed once.
_NO_YEAR = Value(None, output_field=IntegerField())
_NO_DAY = Value(None, output_field=DateField())
_WORKING = Value(True, output_field=BooleanField())


def working_day_calendar(start, end):
    """The exceptions between `start` and `end` and the covered years among theirs, in one query
    (the two tables' rows as one list), so that a public page spends one query on every count."""
    days = (
        CalendarDay.objects.filter(date__gte=start, date__lte=end)
        .order_by()
        .values_list("date", "is_working_day", _NO_YEAR)
    )
    years = (
        CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year, complete=True)
        .order_by()
        .values_list(_NO_DAY, _WORKING, "year")
    )
    exceptions, covered = {}, set()
    for day, working, year in days.union(years, all=True):
        if year is None:
            exceptions[day] = working
        else:
            covered.add(year)
    return WorkingDayCalendar(start=start, end=end, exceptions=exceptions, covered=frozenset(covered))


def working_days_left(today, ends_on, calendar=None):
    """The working days from `today` to `ends_on`, both counted (a period runs until 24:00 of its
    last day), of covered years only; 0 once `ends_on` has passed. One query, none when given the
    `working_day_calendar` of a span that holds both days."""
    if ends_on < today:
        return 0
    calendar = calendar or working_day_calendar(today, ends_on)
    return sum(calendar.is_working_day(today + timedelta(days=n)) for n in range((ends_on - today).days + 1))


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
