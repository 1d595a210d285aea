"""Mainland China working days: Monday to Friday, less public holidays, plus make-up working days.

The exceptions are rows of CalendarDay; everything else follows the weekday, but only in a year
whose schedule is recorded as complete (CalendarYear): a day in any other year is never guessed.
Reads and pure computation only; the administrator's writes are in publicity.calendar_services.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, DateField, IntegerField, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.messages import message_text
from publicity.models import CalendarDay, CalendarYear

PUBLICITY_WORKING_DAYS = 5
# From this month on, next year's schedule is awaited: the State Council publishes it in autumn.
NEXT_YEAR_AWAITED_FROM_MONTH = 11
# The longest public holiday ever granted is 10 days (Spring Festival 2020); a longer range is a typo.
LONGEST_HOLIDAY_DAYS = 14
# The complete years, for the console's banner: one query, then the cache, until a year changes.
COVERED_YEARS_CACHE_KEY = "publicity:calendar:covered-years"
COVERED_YEARS_CACHE_SECONDS = 3600


class CalendarNotCovered(Exception):
    """A computation reached a day of a year whose working-day schedule has not been entered."""

    def __init__(self, year):
        self.year = year
        super().__init__(
            _(
                "The working days of %(year)s are not known yet: the administrator enters the State "
                "Council's holiday schedule for %(year)s on the page %(address)s (Working-day calendar "
                "in the staff console)."
            )
            % {"year": year, "address": calendar_year_address(year)}
        )


def calendar_year_address(year):
    """The console page where the administrator enters `year`'s schedule."""
    return reverse("publicity:calendar_year", args=[year])


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


def calendar_gap_year(today=None, *, cached=True):
    """The year the console and the staff are warned about, or None: this year if its schedule is
    not complete, and from 1 November next year too. `cached` reads the covered years from the
    cache (one query when it is cold); the periodic warning asks the database."""
    today = today or timezone.localdate()
    awaited = [today.year]
    if today.month >= NEXT_YEAR_AWAITED_FROM_MONTH:
        awaited.append(today.year + 1)
    covered = cache.get(COVERED_YEARS_CACHE_KEY) if cached else None
    if covered is None:
        covered = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
        cache.set(COVERED_YEARS_CACHE_KEY, covered, COVERED_YEARS_CACHE_SECONDS)
    return next((year for year in awaited if year not in covered), None)


def calendar_covered_years_changed():
    """Forget the cached covered years (after a year is completed or reopened)."""
    cache.delete(COVERED_YEARS_CACHE_KEY)


@dataclass(frozen=True)
class HolidayRange:
    """Holidays of one name on consecutive days, a weekend between them not splitting them: what
    the State Council's notice lists as one holiday ("1 to 7 October"). `days` are the dates stored."""

    name: str
    first_day: date
    last_day: date
    days: tuple[date, ...]


def _only_weekend_between(earlier, later):
    return all((earlier + timedelta(days=n)).weekday() >= 5 for n in range(1, (later - earlier).days))


def holiday_ranges(holidays):
    """Group holiday CalendarDay rows (sorted by date) into ranges: same name, and nothing but a
    weekend between one date and the next. The administrator's ranges store every date; the
    package's store weekdays only, so a weekend inside a holiday does not split it."""
    ranges: list[list] = []
    for day in holidays:
        previous = ranges[-1][-1] if ranges else None
        if previous is not None and previous.name == day.name and _only_weekend_between(previous.date, day.date):
            ranges[-1].append(day)
        else:
            ranges.append([day])
    return [
        HolidayRange(
            name=group[0].name, first_day=group[0].date, last_day=group[-1].date, days=tuple(d.date for d in group)
        )
        for group in ranges
    ]


# --- What the administrator types, judged before anything is read or written --------------------


def _entry_date(value):
    return date_format(value, "DATE_FORMAT")


def _in_year(value, year, field, problems):
    if value is not None and value.year != year:
        problems.setdefault(field, []).append(_("Enter a date in %(year)s.") % {"year": year})


def holiday_problems(*, year, name, first_day, last_day):
    """What is wrong with a holiday of `year` as typed, by field (a date that could not be read is
    None): the form shows them all at once, the service refuses with them."""
    problems: dict[str, list[str]] = {}
    if not (name or "").strip():
        problems["name"] = [_("Name the holiday, as the State Council's notice does (e.g. Spring Festival).")]
    _in_year(first_day, year, "first_day", problems)
    _in_year(last_day, year, "last_day", problems)
    if first_day is not None and last_day is not None:
        if last_day < first_day:
            problems.setdefault("last_day", []).append(_("The last day cannot be before the first day."))
        elif (last_day - first_day).days + 1 > LONGEST_HOLIDAY_DAYS:
            problems.setdefault("last_day", []).append(
                _("That is %(days)s days; no holiday is longer than %(longest)s. Check the dates.")
                % {"days": (last_day - first_day).days + 1, "longest": LONGEST_HOLIDAY_DAYS}
            )
    return problems


def make_up_day_problems(*, year, day, name):
    """What is wrong with a make-up working day of `year` as typed, by field."""
    problems: dict[str, list[str]] = {}
    if not (name or "").strip():
        problems["name"] = [_("Name the holiday it makes up for (e.g. Spring Festival).")]
    _in_year(day, year, "day", problems)
    if day is not None and day.weekday() < 5:
        problems.setdefault("day", []).append(
            _("%(date)s is a %(weekday)s, a working day anyway: a make-up working day is a Saturday or a Sunday.")
            % {"date": _entry_date(day), "weekday": WEEKDAYS[day.weekday()]}
        )
    return problems


# --- Reads for the console's calendar pages --------------------------------------------------------


class YearStatus:
    COMPLETE = "complete"
    ENTERING = "entering"  # a row, not complete: being entered, or reopened
    MISSING = "missing"


def _year_status(calendar_year):
    if calendar_year.pk is None:
        return YearStatus.MISSING
    return YearStatus.COMPLETE if calendar_year.complete else YearStatus.ENTERING


@dataclass(frozen=True)
class YearRow:
    """A line of the console's list of years. `record` is unsaved when nothing is entered yet."""

    record: CalendarYear
    status: str
    is_next: bool
    holiday_count: int  # holidays as the notice lists them
    make_up_count: int

    @property
    def year(self):
        return self.record.year


def calendar_year_list_for_console(*, today=None):
    """Every year recorded, and this year and next year even when nothing is entered for them,
    newest first. Two queries."""
    today = today or timezone.localdate()
    years = {row.year: row for row in CalendarYear.objects.select_related("completed_by")}
    for year in (today.year, today.year + 1):
        years.setdefault(year, CalendarYear(year=year, complete=False))
    days_by_year: dict[int, list[CalendarDay]] = {}
    for day in CalendarDay.objects.only("date", "is_working_day", "name").order_by("date"):
        days_by_year.setdefault(day.date.year, []).append(day)
    rows = []
    for year in sorted(years, reverse=True):
        days = days_by_year.get(year, [])
        rows.append(
            YearRow(
                record=years[year],
                status=_year_status(years[year]),
                is_next=year == today.year + 1,
                holiday_count=len(holiday_ranges([day for day in days if not day.is_working_day])),
                make_up_count=sum(day.is_working_day for day in days),
            )
        )
    return rows


@dataclass(frozen=True)
class HistoryLine:
    """One line of a year's history: a write of the administrator (a holiday range is one line),
    with who and when."""

    when: datetime
    who: object
    what: str


def _same_write(earlier, later):
    """Two historical days written by one action: a holiday range entered or removed at once."""
    return (
        later.history_type == earlier.history_type
        and later.history_user_id == earlier.history_user_id
        and later.is_working_day == earlier.is_working_day
        and later.name == earlier.name
        and later.date == earlier.date + timedelta(days=1)
        and (later.history_date - earlier.history_date) < timedelta(minutes=1)
    )


def _describe_days(group):
    first, last = group[0], group[-1]
    dates = (
        date_format(first.date, "DATE_FORMAT")
        if first.date == last.date
        else _("%(first)s to %(last)s")
        % {"first": date_format(first.date, "DATE_FORMAT"), "last": date_format(last.date, "DATE_FORMAT")}
    )
    values = {"name": first.name, "dates": dates}
    if first.is_working_day:
        described = {
            "+": _("Make-up working day entered: %(dates)s (%(name)s)."),
            "-": _("Make-up working day removed: %(dates)s (%(name)s)."),
            "~": _("Day changed: %(dates)s is now a make-up working day (%(name)s)."),
        }
    else:
        described = {
            "+": _("Holiday “%(name)s” entered: %(dates)s."),
            "-": _("Holiday “%(name)s” removed: %(dates)s."),
            "~": _("Day changed: %(dates)s is now the holiday “%(name)s”."),
        }
    return described[first.history_type] % values


def _describe_year(record, previous):
    if record.history_type == "+":
        return _("Entry of the year's schedule begun.")
    if record.history_type == "-":
        return _("Year deleted.")
    if record.complete and not (previous and previous.complete):
        return _("Schedule marked complete.")
    # A year's first record may be this one: the package's years were created without history.
    if not record.complete and (previous is None or previous.complete):
        reason = message_text(record.history_change_reason)
        return _("Year reopened: %(reason)s") % {"reason": reason} if reason else _("Year reopened.")
    return _("Year changed.")


def calendar_year_history(year):
    """The history of `year`'s schedule, newest first: its days (a range entered at once is one
    line) and the year itself (begun, complete, reopened). Two queries."""
    day_records = list(
        CalendarDay.history.filter(date__year=year)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    groups: list[list] = []
    for record in day_records:
        if groups and _same_write(groups[-1][-1], record):
            groups[-1].append(record)
        else:
            groups.append([record])
    # Within one instant: the year begun, then its days, then the year complete or reopened.
    keyed = [
        (
            (g[-1].history_date, 1, g[-1].history_id),
            HistoryLine(g[-1].history_date, g[0].history_user, _describe_days(g)),
        )
        for g in groups
    ]
    previous = None
    for record in (
        CalendarYear.history.filter(year=year).select_related("history_user").order_by("history_date", "history_id")
    ):
        order = 0 if record.history_type == "+" else 2
        line = HistoryLine(record.history_date, record.history_user, _describe_year(record, previous))
        keyed.append(((record.history_date, order, record.history_id), line))
        previous = record
    return [line for _, line in sorted(keyed, key=lambda item: item[0], reverse=True)]


@dataclass
class YearSchedule:
    """What the console's page of one year shows."""

    calendar_year: CalendarYear
    status: str
    holidays: list[HolidayRange]
    make_up_days: list[CalendarDay]
    history: list[HistoryLine]

    @property
    def editable(self):
        return self.status != YearStatus.COMPLETE


def calendar_year_get_for_console(*, year):
    """One year's schedule as entered: its row (unsaved when nothing is entered yet), its holidays
    as ranges, its make-up working days and its history. Four queries."""
    calendar_year = CalendarYear.objects.select_related("completed_by").filter(year=year).first()
    calendar_year = calendar_year or CalendarYear(year=year, complete=False)
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    return YearSchedule(
        calendar_year=calendar_year,
        status=_year_status(calendar_year),
        holidays=holiday_ranges([day for day in days if not day.is_working_day]),
        make_up_days=[day for day in days if day.is_working_day],
        history=calendar_year_history(year),
    )


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


@lru_cache(maxsize=1)
def _union_parts():
    """The two parts of working_day_calendar()'s query before they are narrowed to its days: built
    once (their typed columns cost more to set up than reading a page's few days), never evaluated
    themselves, as each filter() makes a new QuerySet."""
    return (
        CalendarDay.objects.order_by().values_list("date", "is_working_day", _NO_YEAR),
        CalendarYear.objects.filter(complete=True).order_by().values_list(_NO_DAY, _WORKING, "year"),
    )


def working_day_calendar(start, end):
    """The exceptions between `start` and `end` and the covered years among theirs, in one query
    (the two tables' rows as one list), so that a public page spends one query on every count."""
    days, years = _union_parts()
    days = days.filter(date__gte=start, date__lte=end)
    years = years.filter(year__gte=start.year, year__lte=end.year)
    exceptions, covered = {}, set()
    for day, working, year in days.union(years, all=True):
        if year is None:
            exceptions[day] = working
        else:
            covered.add(year)
    return WorkingDayCalendar(start=start, end=end, exceptions=exceptions, covered=frozenset(covered))


def working_days_between(start, end):
    """The working days from `start` to `end`, both counted, of covered years only: what a batch
    stores of its period when a version is published (PublicityBatch.working_days). One query."""
    calendar = working_day_calendar(start, end)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if calendar.is_working_day(day)]


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
