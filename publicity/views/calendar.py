"""The working-day calendar in the staff console: the administrator enters each year's holidays and
make-up working days as the State Council publishes them, and says when the year is complete."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.views import permission_required
from publicity.calendar import calendar_year_get_for_console, calendar_year_list_for_console
from publicity.calendar_forms import HolidayForm, MakeUpDayForm, RemoveForm, ReopenForm
from publicity.calendar_services import (
    calendar_holiday_add,
    calendar_holiday_remove,
    calendar_make_up_day_add,
    calendar_make_up_day_remove,
    calendar_year_complete,
    calendar_year_reopen,
)


def _console(request, template, context):
    return render(request, template, {"console_section": "calendar", **context})


def _known_year(year):
    """A year a date can have; any other address is not a page."""
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404
    return year


def _refusal(request, error):
    for message in error.messages:
        messages.error(request, message)


@permission_required("publicity.manage_calendar")
def calendar_years(request):
    return _console(request, "publicity/calendar/years.html", {"years": calendar_year_list_for_console()})


def calendar_year_page(request, year, *, holiday_form=None, make_up_form=None, reopen_form=None):
    """The year's page, with the forms as posted when one was refused."""
    schedule = calendar_year_get_for_console(year=year)
    return _console(
        request,
        "publicity/calendar/year.html",
        {
            "year": year,
            "schedule": schedule,
            "holiday_form": holiday_form or HolidayForm(year=year),
            "make_up_form": make_up_form or MakeUpDayForm(year=year),
            "reopen_form": reopen_form or ReopenForm(),
        },
    )


@permission_required("publicity.manage_calendar")
def calendar_year(request, year):
    return calendar_year_page(request, _known_year(year))


def _add(request, year, form, service, success):
    """Validate `form`, hand it to `service`; a refusal goes back to the page at its field."""
    if form.is_valid():
        try:
            service(actor=request.user, year=year, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, success(form.cleaned_data))
            return redirect("publicity:calendar_year", year)
    messages.error(request, _("Nothing was entered: please correct the errors below."))
    return None


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_holiday_add_view(request, year):
    year = _known_year(year)
    form = HolidayForm(request.POST, year=year)
    done = _add(
        request,
        year,
        form,
        calendar_holiday_add,
        lambda data: (
            _("Holiday “%(name)s” entered: %(first)s to %(last)s.")
            % {
                "name": data["name"].strip(),
                "first": date_format(data["first_day"], "DATE_FORMAT"),
                "last": date_format(data["last_day"], "DATE_FORMAT"),
            }
        ),
    )
    return done or calendar_year_page(request, year, holiday_form=form)


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_make_up_day_add_view(request, year):
    year = _known_year(year)
    form = MakeUpDayForm(request.POST, year=year)
    done = _add(
        request,
        year,
        form,
        calendar_make_up_day_add,
        lambda data: _("Make-up working day entered: %(date)s.") % {"date": date_format(data["day"], "DATE_FORMAT")},
    )
    return done or calendar_year_page(request, year, make_up_form=form)


def _remove(request, year, remove, success):
    """Call `remove` with the day the button names; refusals become messages on the year's page."""
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was removed: reload the page and try again."))
    else:
        try:
            remove(form.cleaned_data["day"])
        except ValidationError as refusal:
            _refusal(request, refusal)
        else:
            messages.success(request, success)
    return redirect("publicity:calendar_year", year)


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_holiday_remove_view(request, year):
    year = _known_year(year)
    return _remove(
        request,
        year,
        lambda day: calendar_holiday_remove(actor=request.user, year=year, first_day=day),
        _("The holiday was removed."),
    )


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_make_up_day_remove_view(request, year):
    year = _known_year(year)
    return _remove(
        request,
        year,
        lambda day: calendar_make_up_day_remove(actor=request.user, year=year, day=day),
        _("The make-up working day was removed."),
    )


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_year_complete_view(request, year):
    year = _known_year(year)
    try:
        calendar_year_complete(actor=request.user, year=year)
    except ValidationError as refusal:
        _refusal(request, refusal)
    else:
        messages.success(
            request,
            _("The schedule of %(year)s is complete: publicity periods may now reach %(year)s.") % {"year": year},
        )
    return redirect("publicity:calendar_year", year)


@permission_required("publicity.manage_calendar")
@require_POST
def calendar_year_reopen_view(request, year):
    year = _known_year(year)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            calendar_year_reopen(actor=request.user, year=year, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                form.add_error(None, refusal)
            else:
                _refusal(request, refusal)
                return redirect("publicity:calendar_year", year)
        else:
            messages.warning(
                request,
                _(
                    "%(year)s is reopened: until it is complete again, every publicity period that reaches it "
                    "is refused."
                )
                % {"year": year},
            )
            return redirect("publicity:calendar_year", year)
    messages.error(request, _("The year was not reopened: please correct the errors below."))
    return calendar_year_page(request, year, reopen_form=form)


urlpatterns = [
    path("console/calendar/", calendar_years, name="calendar_years"),
    path("console/calendar/<int:year>/", calendar_year, name="calendar_year"),
    path("console/calendar/<int:year>/holidays/", calendar_holiday_add_view, name="calendar_holiday_add"),
    path("console/calendar/<int:year>/holidays/remove/", calendar_holiday_remove_view, name="calendar_holiday_remove"),
    path("console/calendar/<int:year>/make-up-days/", calendar_make_up_day_add_view, name="calendar_make_up_day_add"),
    path(
        "console/calendar/<int:year>/make-up-days/remove/",
        calendar_make_up_day_remove_view,
        name="calendar_make_up_day_remove",
    ),
    path("console/calendar/<int:year>/complete/", calendar_year_complete_view, name="calendar_year_complete"),
    path("console/calendar/<int:year>/reopen/", calendar_year_reopen_view, name="calendar_year_reopen"),
]
