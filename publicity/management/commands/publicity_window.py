"""The publicity period for planned start dates, as the console would open it: one JSON array.

    python manage.py publicity_window 2026-09-29 2026-12-28 [--days 5]
    [{"from": "2026-09-29", "starts_on": "2026-09-29", "ends_on": "2026-10-10"},
     {"from": "2026-12-28", "error": "The working days of 2027 are not known yet: ..."}]

Each DATE is the first day the list could be up; the period starts on the first working day on or
after it. The answer is publicity.calendar.working_days_window's, the function the batch service
counts with; a period that would reach a year whose schedule is not entered gets its error instead.
"""

import argparse
import json
import re
import sys
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import translation

from publicity.calendar import PUBLICITY_WORKING_DAYS, CalendarNotCovered, working_days_window

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def planned_date(text):
    try:
        if ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-09-29")


def working_days(text):
    if not re.fullmatch(r"\d{1,3}", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of working days: give a whole number from 1 to 999")
    return int(text)


def window(first_possible_day, count):
    """One element of the answer."""
    try:
        starts_on, ends_on = working_days_window(first_possible_day, count)
    except CalendarNotCovered as gap:
        return {"from": first_possible_day.isoformat(), "error": str(gap)}
    return {"from": first_possible_day.isoformat(), "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}


class Command(BaseCommand):
    help = "Print, as one JSON array, the publicity period that would run from each planned date."

    def add_arguments(self, parser):
        parser.add_argument(
            "dates", nargs="+", type=planned_date, metavar="DATE", help="the first day the list could be up, YYYY-MM-DD"
        )
        parser.add_argument(
            "--days",
            type=working_days,
            default=PUBLICITY_WORKING_DAYS,
            help=f"working days of publicity (default {PUBLICITY_WORKING_DAYS})",
        )
        parser.add_argument("--language", default="en", help="language of the errors (en or zh-hans)")

    def handle(self, *args, dates, days, language, **options):
        with translation.override(language):
            answers = [window(day, days) for day in dates]
        utf8 = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
        self.stdout.write(json.dumps(answers, ensure_ascii=not utf8, indent=2))
