"""The administrator's writes to the working-day calendar, and the warning while a year is missing.

A year is entered as the State Council's notice reads: holidays as named ranges of dates, make-up
working days as single weekend dates, then "this year's schedule is complete", from which moment
publicity periods may reach it. A complete year (the package's too) is read-only until reopened.
Each write locks the year's row, refuses with a ValidationError naming the field at fault, and is
kept in the models' history with the administrator as its user.
"""

import datetime

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message
from notices.models import Notice
from notices.services import notices_create
from publicity.calendar import (
    calendar_covered_years_changed,
    calendar_gap_year,
    calendar_year_address,
    holiday_problems,
    holiday_ranges,
    make_up_day_problems,
)
from publicity.models import CalendarDay, CalendarYear
from publicity.rules import CALENDAR_WARNED_ROLES


def _day(value):
    return date_format(value, "DATE_FORMAT")


def _entered_as(day):
    """What a stored calendar day is, in a sentence's words."""
    if day.is_working_day:
        return _("%(date)s is entered already, as a make-up working day (%(name)s).") % {
            "date": _day(day.date),
            "name": day.name,
        }
    return _("%(date)s is entered already, as the holiday “%(name)s”.") % {"date": _day(day.date), "name": day.name}


def _year_for_update(*, actor, year):
    """The year's row, locked, created (not complete) on the first entry; refuses a user who may
    not keep the calendar."""
    if not rules.has_perm("publicity.manage_calendar", actor):
        raise ValidationError(_("You are not allowed to do this."))
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValidationError(_("There is no year %(year)s.") % {"year": year})
    try:
        return CalendarYear.objects.select_for_update().get(year=year)
    except CalendarYear.DoesNotExist:
        pass
    calendar_year = CalendarYear(year=year, source=CalendarYear.Source.ADMINISTRATOR, complete=False)
    audited(calendar_year, actor)
    try:
        with transaction.atomic():
            calendar_year.save()
    except IntegrityError:  # another request created it meanwhile
        return CalendarYear.objects.select_for_update().get(year=year)
    return calendar_year


def _editable_year(*, actor, year):
    calendar_year = _year_for_update(actor=actor, year=year)
    if calendar_year.complete:
        raise ValidationError(
            _("The schedule of %(year)s is complete, so it cannot be changed: reopen the year first.") % {"year": year}
        )
    return calendar_year


def _refuse_if(errors):
    if errors:
        raise ValidationError(errors)


def _save(day, actor):
    audited(day, actor)
    day.save()


def _delete(day, actor):
    audited(day, actor)
    day.delete()


@transaction.atomic
def calendar_holiday_add(*, actor, year, name, first_day, last_day):
    """Enter a public holiday of `year`, from `first_day` to `last_day` both included, weekend days
    too, as the notice gives it: one CalendarDay (not a working day) per date, named `name`.
    Refuses dates outside the year, a range backwards or longer than any holiday, and dates
    already entered. Returns the days created."""
    _editable_year(actor=actor, year=year)
    _refuse_if(holiday_problems(year=year, name=name, first_day=first_day, last_day=last_day))
    name = name.strip()
    clash = CalendarDay.objects.filter(date__gte=first_day, date__lte=last_day).first()
    if clash is not None:
        raise ValidationError({"first_day": [_entered_as(clash)]})
    days = []
    for offset in range((last_day - first_day).days + 1):
        day = CalendarDay(date=first_day + datetime.timedelta(days=offset), is_working_day=False, name=name)
        _save(day, actor)
        days.append(day)
    return days


@transaction.atomic
def calendar_holiday_remove(*, actor, year, first_day):
    """Remove the holiday of `year` that begins on `first_day` (every date of its range)."""
    _editable_year(actor=actor, year=year)
    holidays = CalendarDay.objects.filter(date__year=year, is_working_day=False).order_by("date")
    found = next((r for r in holiday_ranges(holidays) if r.first_day == first_day), None)
    if found is None:
        raise ValidationError(_("No holiday of %(year)s begins on that day.") % {"year": year})
    for day in holidays:
        if day.date in found.days:
            _delete(day, actor)
    return found


@transaction.atomic
def calendar_make_up_day_add(*, actor, year, day, name):
    """Enter a make-up working day of `year`: a Saturday or Sunday worked in exchange for a holiday,
    named after that holiday. Returns the CalendarDay."""
    _editable_year(actor=actor, year=year)
    _refuse_if(make_up_day_problems(year=year, day=day, name=name))
    name = name.strip()
    clash = CalendarDay.objects.filter(date=day).first()
    if clash is not None:
        raise ValidationError({"day": [_entered_as(clash)]})
    entered = CalendarDay(date=day, is_working_day=True, name=name)
    _save(entered, actor)
    return entered


@transaction.atomic
def calendar_make_up_day_remove(*, actor, year, day):
    _editable_year(actor=actor, year=year)
    entered = CalendarDay.objects.filter(date=day, date__year=year, is_working_day=True).first()
    if entered is None:
        raise ValidationError(
            _("%(date)s is not a make-up working day of %(year)s.") % {"date": _day(day), "year": year}
        )
    _delete(entered, actor)
    return entered


def _covered_years_changed():
    # Now, for this process; after the commit, for every process that read the cache meanwhile.
    calendar_covered_years_changed()
    transaction.on_commit(calendar_covered_years_changed)


@transaction.atomic
def calendar_year_complete(*, actor, year):
    """Declare `year`'s schedule complete: from now on publicity periods may reach it, counted with
    what is entered. Refuses a year without any holiday and one complete already. Records who and
    when; the console's banner and the periodic warning stop."""
    calendar_year = _year_for_update(actor=actor, year=year)
    if calendar_year.complete:
        raise ValidationError(_("The schedule of %(year)s is complete already.") % {"year": year})
    if not CalendarDay.objects.filter(date__year=year, is_working_day=False).exists():
        raise ValidationError(
            _("No holiday of %(year)s is entered: enter the holidays of the State Council's notice first.")
            % {"year": year}
        )
    calendar_year.complete = True
    calendar_year.completed_by = actor
    calendar_year.completed_at = timezone.now()
    audited(calendar_year, actor)
    calendar_year.save()
    _covered_years_changed()
    return calendar_year


@transaction.atomic
def calendar_year_reopen(*, actor, year, reason):
    """Reopen a complete year to correct it, with the reason (kept in its history). Until it is
    complete again, every publicity period that reaches it is refused."""
    calendar_year = _year_for_update(actor=actor, year=year)
    if not calendar_year.complete:
        raise ValidationError(
            _("The schedule of %(year)s is not complete; it can be changed as it is.") % {"year": year}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the year is reopened.")]})
    calendar_year.complete = False
    calendar_year.completed_by = None
    calendar_year.completed_at = None
    audited(calendar_year, actor, reason)
    calendar_year.save()
    _covered_years_changed()
    return calendar_year


def _warning(year):
    subject = message("calendar.gap.subject", year=year)
    body = message("calendar.gap.body", year=year, address=calendar_year_address(year))
    return subject, body


@transaction.atomic
def calendar_gap_warn(*, today=None):
    """While this year's schedule, or from 1 November next year's, is not complete, send every
    active commission staff member and administrator a notice, in their language, once a day: one
    who had it today (Beijing time) is skipped, so the task may run as often as beat likes. The
    recipients' rows are locked, so two runs at once send one notice. Returns how many were sent."""
    today = today or timezone.localdate()
    year = calendar_gap_year(today, cached=False)
    if year is None:
        return 0
    recipients = list(
        get_user_model()
        .objects.select_for_update()
        .filter(is_active=True, role__in=CALENDAR_WARNED_ROLES)
        .order_by("pk")
    )
    since = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    subject, body = _warning(year)
    warned = set(
        Notice.objects.filter(recipient__in=recipients, subject=subject, created_at__gte=since).values_list(
            "recipient_id", flat=True
        )
    )
    return len(
        notices_create(recipients=[user for user in recipients if user.pk not in warned], subject=subject, body=body)
    )
