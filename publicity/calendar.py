"""Mainland China working days: Monday to Friday, less public holidays, plus make-up working days.

The exceptions are rows of CalendarDay; everything else follows the weekday.
"""

from datetime import timedelta

import chinese_calendar

from publicity.models import CalendarDay

PUBLICITY_WORKING_DAYS = 5


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
    day = first_possible_day
    while not is_working_day(day, exceptions):
        day += timedelta(days=1)
    start, counted = day, 1
    while counted < count:
        day += timedelta(days=1)
        if is_working_day(day, exceptions):
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
