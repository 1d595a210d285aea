import io
import json
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from common.messages import render
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from notices.models import Notice
from publicity.calendar import (
    COVERED_YEARS_CACHE_KEY,
    CalendarNotCovered,
    calendar_gap_year,
    working_day_calendar,
    working_days_left,
    working_days_window,
)
from publicity.calendar_services import (
    calendar_holiday_add,
    calendar_make_up_day_add,
    calendar_year_complete,
    calendar_year_reopen,
)
from publicity.models import CalendarDay, CalendarYear
from publicity.services import publicity_batch_open
from publicity.tasks import warn_of_calendar_gaps
from tests.factories import CallFactory
from tests.publicity.conftest import SHANGHAI, on

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


# --- The State Council's answers, through manage.py publicity_window ------------------------------

# From the State Council's notices on the holidays of 2025 (国办发明电〔2024〕12号) and 2026
# (国办发明电〔2025〕7号), counted by hand: (first day the list could be up, first day, last day).
STATE_COUNCIL_WINDOWS = [
    # 2025 New Year: 1 January off. 30, 31 Dec, 2, 3, 6 Jan.
    ("2024-12-30", "2024-12-30", "2025-01-06"),
    # Spring Festival: 28 Jan to 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
    ("2025-01-24", "2025-01-24", "2025-02-06"),
    ("2025-01-28", "2025-02-05", "2025-02-10"),
    # Qingming: 4 to 6 April off.
    ("2025-04-01", "2025-04-01", "2025-04-08"),
    # May Day: 1 to 5 May off; Sunday 27 April worked.
    ("2025-04-24", "2025-04-24", "2025-04-29"),
    ("2025-04-29", "2025-04-29", "2025-05-08"),
    # Dragon Boat: 31 May to 2 June off.
    ("2025-05-28", "2025-05-28", "2025-06-04"),
    # National Day and Mid-Autumn: 1 to 8 October off; Sunday 28 September and Saturday 11 October worked.
    ("2025-09-26", "2025-09-26", "2025-10-09"),
    ("2025-10-01", "2025-10-09", "2025-10-14"),
    # 2026 New Year: 1 to 3 January off; Sunday 4 January worked.
    ("2025-12-29", "2025-12-29", "2026-01-05"),
    # Spring Festival: 15 to 23 February off; Saturdays 14 and 28 February worked.
    ("2026-02-11", "2026-02-11", "2026-02-24"),
    ("2026-02-15", "2026-02-24", "2026-02-28"),
    # Qingming: 4 to 6 April off.
    ("2026-04-02", "2026-04-02", "2026-04-09"),
    # May Day: 1 to 5 May off; Saturday 9 May worked.
    ("2026-04-29", "2026-04-29", "2026-05-08"),
    ("2026-05-06", "2026-05-06", "2026-05-11"),
    # Dragon Boat: 19 to 21 June off.
    ("2026-06-17", "2026-06-17", "2026-06-24"),
    # Mid-Autumn: 25 to 27 September off; National Day's make-up Sunday 20 September.
    ("2026-09-18", "2026-09-18", "2026-09-23"),
    ("2026-09-23", "2026-09-23", "2026-09-30"),
    # National Day: 1 to 7 October off; Saturday 10 October worked.
    ("2026-09-29", "2026-09-29", "2026-10-10"),
    ("2026-10-01", "2026-10-08", "2026-10-13"),
    # The last window of 2026 that stays in 2026.
    ("2026-12-25", "2026-12-25", "2026-12-31"),
]


def publicity_window(*args):
    out = io.StringIO()
    call_command("publicity_window", *args, stdout=out)
    return json.loads(out.getvalue())


def test_publicity_window_gives_the_state_councils_answers_for_2025_and_2026():
    answers = publicity_window(*[start for start, _, _ in STATE_COUNCIL_WINDOWS])

    assert answers == [
        {"from": start, "starts_on": first, "ends_on": last} for start, first, last in STATE_COUNCIL_WINDOWS
    ]


def chinesecalendar_window(first_possible_day, count=5):
    """The same question asked of the chinesecalendar package directly, day by day."""
    day = first_possible_day
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    start, counted = day, 1
    while counted < count:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return start, day


@pytest.mark.parametrize(("start", "first", "last"), STATE_COUNCIL_WINDOWS, ids=[w[0] for w in STATE_COUNCIL_WINDOWS])
def test_the_hand_counted_answers_agree_with_chinesecalendar(start, first, last):
    assert chinesecalendar_window(date.fromisoformat(start)) == (date.fromisoformat(first), date.fromisoformat(last))


def test_every_window_of_2025_and_2026_agrees_with_chinesecalendar():
    starts = [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 720, 3)]

    answers = publicity_window(*[day.isoformat() for day in starts])

    assert [(a["starts_on"], a["ends_on"]) for a in answers] == [
        tuple(d.isoformat() for d in chinesecalendar_window(day)) for day in starts
    ]


def test_publicity_window_counts_other_lengths():
    # 29, 30 Sep, 8, 9, 10 (Saturday, worked), 12 ... 16 Oct.
    assert publicity_window("2026-09-29", "--days", "10") == [
        {"from": "2026-09-29", "starts_on": "2026-09-29", "ends_on": "2026-10-16"}
    ]
    assert publicity_window("2026-10-03", "--days", "1") == [
        {"from": "2026-10-03", "starts_on": "2026-10-08", "ends_on": "2026-10-08"}
    ]


def test_publicity_window_refuses_every_window_that_reaches_2027():
    address = reverse("publicity:calendar_year", args=[2027])
    # Every start from 26 December 2026 (its first working day is the 28th) to the end of 2027.
    starts = [date(2026, 12, 26) + timedelta(days=n) for n in range(0, 371)]

    answers = publicity_window(*[day.isoformat() for day in starts])

    assert [set(a) for a in answers] == [{"from", "error"}] * len(starts)
    assert {a["error"] for a in answers} == {
        "The working days of 2027 are not known yet: the administrator enters the State Council's holiday "
        f"schedule for 2027 on the page {address} (Working-day calendar in the staff console)."
    }
    # A longer period from 2026 reaches 2027 too; each date gets its own answer, in order.
    assert publicity_window("2026-12-01", "2026-12-25", "--days", "30") == [
        {"from": "2026-12-01", "error": answers[0]["error"]},
        {"from": "2026-12-25", "error": answers[0]["error"]},
    ]


def test_publicity_window_speaks_chinese_when_asked():
    (answer,) = publicity_window("2026-12-28", "--language", "zh-hans")

    assert "2027" in answer["error"]
    assert "/publicity/console/calendar/2027/" in answer["error"]
    assert "The working days" not in answer["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-02-30"], "argument DATE: '2026-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2026-09-29"),
        (["2026-09-29", "29/09/2026"], "argument DATE: '29/09/2026' is not a date"),
        (["20260929"], "argument DATE: '20260929' is not a date"),
        (["2026-09-29", "--days", "0"], "argument --days: '0' is not a number of working days"),
        (["2026-09-29", "--days", "-3"], "argument --days: '-3' is not a number of working days"),
        (["2026-09-29", "--days", "five"], "argument --days: 'five' is not a number of working days"),
        (["2026-09-29", "--days", "1e9"], "argument --days: '1e9' is not a number of working days"),
    ],
)
def test_publicity_window_refuses_what_is_not_a_date_or_a_number_of_days(args, message):
    with pytest.raises(CommandError) as refusal:
        publicity_window(*args)

    assert message in str(refusal.value)


def test_publicity_window_needs_a_date():
    with pytest.raises(CommandError, match="the following arguments are required: DATE"):
        publicity_window()


def test_publicity_window_at_the_ends_of_the_calendar_names_the_year():
    answers = publicity_window("9999-12-30", "0001-01-01", "--days", "999")

    assert [a["error"].split(" are not known")[0] for a in answers] == [
        "The working days of 9999",
        "The working days of 1",
    ]


def test_the_batch_service_refuses_a_period_that_reaches_a_year_not_entered(staff, make_approved):
    with on(date(2026, 12, 25)):
        call = CallFactory()
        (declaration,) = make_approved(call)
        with pytest.raises(TransitionRefused) as refusal:
            publicity_batch_open(actor=staff, call=call, declaration_ids=[declaration.pk])

    assert str(refusal.value) == str(CalendarNotCovered(2027))
    assert "/publicity/console/calendar/2027/" in str(refusal.value)
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


def test_working_days_left_counts_covered_years_only():
    """What is left of a running period is shown, never refused: a day of a year not entered (or
    reopened) simply does not count."""
    assert working_days_left(date(2026, 12, 29), date(2027, 1, 9)) == 3


def test_working_days_left_is_zero_once_the_period_is_over(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert working_days_left(date(2026, 10, 13), date(2026, 10, 12)) == 0


def test_working_day_calendar_reads_exceptions_and_covered_years_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = working_day_calendar(date(2026, 9, 25), date(2026, 10, 12))

    assert (calendar.exceptions[date(2026, 10, 10)], 2026 in calendar.covered) == (True, True)
    assert [calendar.is_working_day(date(2026, 10, d)) for d in (7, 8, 10, 11)] == [False, True, True, False]


# --- Entering a year in the console ---------------------------------------------------------------

# Where the administrator is when the State Council's notice for 2027 comes out.
ENTERED_ON = date(2026, 12, 1)


@pytest.fixture
def admin_client(client, administrator):
    """The administrator's browser on ENTERED_ON, the clock running, so that the history has an order."""
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        client.force_login(administrator)
        yield client


def year_url(name, year=2027):
    return reverse(f"publicity:{name}", args=[year])


def enter_holiday(client, name, first_day, last_day, year=2027):
    return client.post(
        year_url("calendar_holiday_add", year),
        {"holiday-name": name, "holiday-first_day": first_day, "holiday-last_day": last_day},
    )


def enter_make_up_day(client, day, name, year=2027):
    return client.post(year_url("calendar_make_up_day_add", year), {"make_up-day": day, "make_up-name": name})


def days_of(year):
    return list(CalendarDay.objects.filter(date__year=year).values_list("date", "is_working_day", "name"))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_administrator_enters_2027_and_the_command_then_answers(admin_client, administrator):
    assert publicity_window("2026-12-28")[0]["error"] == str(CalendarNotCovered(2027))
    page = admin_client.get(year_url("calendar_year"))
    assert page.context["schedule"].status == "missing"

    # A schedule like the State Council's, for the test: New Year 1-3 January, Spring Festival
    # 6-14 February with Saturday 20 February worked, Qingming 3-5 April.
    responses = [
        enter_holiday(admin_client, "New Year's Day", "2027-01-01", "2027-01-03"),
        enter_holiday(admin_client, "Spring Festival", "2027-02-06", "2027-02-14"),
        enter_make_up_day(admin_client, "2027-02-20", "Spring Festival"),
        enter_holiday(admin_client, "Qingming", "2027-04-03", "2027-04-05"),
    ]
    assert [r["Location"] for r in responses] == [year_url("calendar_year")] * 4
    # Entered but not complete: still not counted.
    assert publicity_window("2026-12-28")[0]["error"] == str(CalendarNotCovered(2027))

    completed = admin_client.post(year_url("calendar_year_complete"))

    assert completed["Location"] == year_url("calendar_year")
    assert messages_of(completed)[-1] == ("The schedule of 2027 is complete: publicity periods may now reach 2027.")
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.complete, year.completed_by) == ("administrator", True, administrator)
    assert timezone.localdate(year.completed_at) == ENTERED_ON
    assert publicity_window("2026-12-28", "2027-02-04", "2027-02-19", "2027-04-01") == [
        # 28-31 December, then Monday 4 January after New Year.
        {"from": "2026-12-28", "starts_on": "2026-12-28", "ends_on": "2027-01-04"},
        # 4, 5 February, then 15-17 February after the Spring Festival.
        {"from": "2027-02-04", "starts_on": "2027-02-04", "ends_on": "2027-02-17"},
        # 19, 20 (Saturday, worked), 22, 23, 24 February.
        {"from": "2027-02-19", "starts_on": "2027-02-19", "ends_on": "2027-02-24"},
        # 1, 2, then 6, 7, 8 April after Qingming.
        {"from": "2027-04-01", "starts_on": "2027-04-01", "ends_on": "2027-04-08"},
    ]
    # 2028 is the next year nobody has entered.
    assert publicity_window("2027-12-29")[0]["error"] == str(CalendarNotCovered(2028))


def test_the_year_page_lists_what_is_entered_as_ranges_with_the_history(admin_client, administrator):
    enter_holiday(admin_client, "Spring Festival", "2027-02-06", "2027-02-14")
    enter_make_up_day(admin_client, "2027-02-20", "Spring Festival")
    enter_holiday(admin_client, "Qingming", "2027-04-03", "2027-04-05")
    enter_holiday(admin_client, "Qingming", "2027-04-03", "2027-04-05")  # twice by mistake: refused
    admin_client.post(year_url("calendar_holiday_remove"), {"day": "2027-04-03"})

    schedule = admin_client.get(year_url("calendar_year")).context["schedule"]

    assert [(h.name, h.first_day, h.last_day, len(h.days)) for h in schedule.holidays] == [
        ("Spring Festival", date(2027, 2, 6), date(2027, 2, 14), 9)
    ]
    assert [(d.date, d.name) for d in schedule.make_up_days] == [(date(2027, 2, 20), "Spring Festival")]
    assert [(line.who, line.what) for line in schedule.history] == [
        (administrator, "Holiday “Qingming” removed: April 3, 2027 to April 5, 2027."),
        (administrator, "Holiday “Qingming” entered: April 3, 2027 to April 5, 2027."),
        (administrator, "Make-up working day entered: Feb. 20, 2027 (Spring Festival)."),
        (administrator, "Holiday “Spring Festival” entered: Feb. 6, 2027 to Feb. 14, 2027."),
        (administrator, "Entry of the year's schedule begun."),
    ]
    page = admin_client.get(year_url("calendar_year")).content.decode()
    assert "Holiday “Qingming” removed: April 3, 2027 to April 5, 2027." in page
    assert page.count('btn-outline-danger text-nowrap">Remove') == 2


def test_a_make_up_day_is_removed(admin_client):
    enter_make_up_day(admin_client, "2027-02-20", "Spring Festival")

    removed = admin_client.post(year_url("calendar_make_up_day_remove"), {"day": "2027-02-20"})

    assert messages_of(removed)[-1] == "The make-up working day was removed."
    assert days_of(2027) == []


def test_the_year_list_shows_every_year_and_next_year_first(admin_client):
    response = admin_client.get(reverse("publicity:calendar_years"))

    rows = response.context["years"]
    assert [(r.year, r.status, r.is_next) for r in rows[:3]] == [
        (2027, "missing", True),
        (2026, "complete", False),
        (2025, "complete", False),
    ]
    assert [(r.year, r.record.get_source_display(), r.holiday_count, r.make_up_count) for r in rows[1:3]] == [
        # As the package stores them: New Year, Spring Festival, Qingming, May Day, Dragon Boat,
        # Mid-Autumn and National Day; 2025's National Day is split by Mid-Autumn on 6 October.
        (2026, "chinesecalendar package", 7, 6),
        (2025, "chinesecalendar package", 8, 5),
    ]
    assert rows[-1].year == 2004
    page = response.content.decode()
    assert '<tr class="table-warning">' in page
    assert 'href="/publicity/console/calendar/2027/"' in page


@pytest.mark.parametrize(
    ("name", "first_day", "last_day", "errors"),
    [
        (
            "",
            "2027-02-06",
            "2027-02-14",
            {"name": ["Name the holiday, as the State Council's notice does (e.g. Spring Festival)."]},
        ),
        ("Spring Festival", "", "2027-02-14", {"first_day": ["Enter a date."]}),
        (
            "Spring Festival",
            "2027-02-30",
            "2027-02-14",
            {"first_day": ["Enter a date as YYYY-MM-DD, e.g. 2027-02-06."]},
        ),
        ("Spring Festival", "6 Feb", "2027-02-14", {"first_day": ["Enter a date as YYYY-MM-DD, e.g. 2027-02-06."]}),
        ("Spring Festival", "2026-12-31", "2027-01-02", {"first_day": ["Enter a date in 2027."]}),
        ("New Year", "2027-12-31", "2028-01-02", {"last_day": ["Enter a date in 2027."]}),
        ("Spring Festival", "2027-02-14", "2027-02-06", {"last_day": ["The last day cannot be before the first day."]}),
        (
            "Spring Festival",
            "2027-02-06",
            "2027-03-06",
            {"last_day": ["That is 29 days; no holiday is longer than 14. Check the dates."]},
        ),
        (
            "x" * 101,
            "2027-02-06",
            "2027-02-14",
            {"name": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
    ],
)
def test_a_holiday_is_refused_with_a_message_at_its_field(admin_client, name, first_day, last_day, errors):
    response = enter_holiday(admin_client, name, first_day, last_day)

    assert response.status_code == 200
    assert response.context["holiday_form"].errors == errors
    assert messages_of(response) == ["Nothing was entered: please correct the errors below."]
    assert days_of(2027) == []
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_holiday_that_overlaps_what_is_entered_is_refused(admin_client):
    enter_holiday(admin_client, "Spring Festival", "2027-02-06", "2027-02-14")
    enter_make_up_day(admin_client, "2027-02-20", "Spring Festival")

    overlapping = enter_holiday(admin_client, "Lantern Festival", "2027-02-13", "2027-02-16")
    on_make_up_day = enter_holiday(admin_client, "Extra", "2027-02-19", "2027-02-21")

    assert overlapping.context["holiday_form"].errors == {
        "first_day": ["Feb. 13, 2027 is entered already, as the holiday “Spring Festival”."]
    }
    assert on_make_up_day.context["holiday_form"].errors == {
        "first_day": ["Feb. 20, 2027 is entered already, as a make-up working day (Spring Festival)."]
    }
    assert len(days_of(2027)) == 10


@pytest.mark.parametrize(
    ("day", "name", "errors"),
    [
        (
            "2027-02-19",
            "Spring Festival",
            {
                "day": [
                    "Feb. 19, 2027 is a Friday, a working day anyway: a make-up working day is a Saturday or a Sunday."
                ]
            },
        ),
        ("2028-01-08", "Spring Festival", {"day": ["Enter a date in 2027."]}),
        ("2027-02-20", "", {"name": ["Name the holiday it makes up for (e.g. Spring Festival)."]}),
        (
            "2027-02-07",
            "Spring Festival",
            {"day": ["Feb. 7, 2027 is entered already, as the holiday “Spring Festival”."]},
        ),
        ("", "Spring Festival", {"day": ["Enter a date."]}),
        # Every mistake at once, each at its field.
        (
            "2027-02-19",
            " ",
            {
                "day": [
                    "Feb. 19, 2027 is a Friday, a working day anyway: a make-up working day is a Saturday or a Sunday."
                ],
                "name": ["Name the holiday it makes up for (e.g. Spring Festival)."],
            },
        ),
    ],
)
def test_a_make_up_day_is_refused_with_a_message_at_its_field(admin_client, day, name, errors):
    enter_holiday(admin_client, "Spring Festival", "2027-02-06", "2027-02-14")

    response = enter_make_up_day(admin_client, day, name)

    assert response.context["make_up_form"].errors == errors
    assert [d for d in days_of(2027) if d[1]] == []


def test_a_year_without_holidays_cannot_be_complete_nor_one_complete_already(admin_client):
    empty = admin_client.post(year_url("calendar_year_complete"))
    enter_holiday(admin_client, "New Year's Day", "2027-01-01", "2027-01-03")
    admin_client.post(year_url("calendar_year_complete"))
    again = admin_client.post(year_url("calendar_year_complete"))

    assert messages_of(empty) == [
        "No holiday of 2027 is entered: enter the holidays of the State Council's notice first."
    ]
    assert messages_of(again)[-1] == "The schedule of 2027 is complete already."


def test_a_complete_year_is_read_only_until_reopened(admin_client, administrator):
    before = days_of(2026)

    added = enter_holiday(admin_client, "Extra", "2026-03-11", "2026-03-11", year=2026)
    made_up = enter_make_up_day(admin_client, "2026-03-14", "Extra", year=2026)
    removed = admin_client.post(year_url("calendar_holiday_remove", 2026), {"day": "2026-10-01"})

    refusal = "The schedule of 2026 is complete, so it cannot be changed: reopen the year first."
    assert added.context["holiday_form"].non_field_errors() == [refusal]
    assert made_up.context["make_up_form"].non_field_errors() == [refusal]
    assert messages_of(removed)[-1] == refusal
    assert days_of(2026) == before
    page = admin_client.get(year_url("calendar_year", 2026)).content.decode()
    assert "Enter a holiday" not in page
    assert "Reopen 2026" in page


def test_a_reopened_year_refuses_every_period_until_complete_again(admin_client, administrator):
    no_reason = admin_client.post(year_url("calendar_year_reopen", 2026), {"reopen-reason": "  "})
    assert no_reason.context["reopen_form"].errors == {"reason": ["Say why the year is reopened."]}
    assert publicity_window("2026-03-09")[0]["ends_on"] == "2026-03-13"

    reopened = admin_client.post(
        year_url("calendar_year_reopen", 2026), {"reopen-reason": "The State Council added a holiday on 11 March."}
    )
    assert messages_of(reopened)[-1] == (
        "2026 is reopened: until it is complete again, every publicity period that reaches it is refused."
    )
    assert publicity_window("2026-03-09")[0]["error"] == str(CalendarNotCovered(2026))
    enter_holiday(admin_client, "Extra holiday", "2026-03-11", "2026-03-11", year=2026)
    admin_client.post(year_url("calendar_year_complete", 2026))

    assert publicity_window("2026-03-09")[0]["ends_on"] == "2026-03-16"
    year = CalendarYear.objects.get(year=2026)
    assert (year.source, year.complete, year.completed_by) == ("package", True, administrator)
    history = [line.what for line in admin_client.get(year_url("calendar_year", 2026)).context["schedule"].history]
    assert history[:3] == [
        "Schedule marked complete.",
        "Holiday “Extra holiday” entered: March 11, 2026.",
        "Year reopened: The State Council added a holiday on 11 March.",
    ]


def test_a_reason_for_reopening_longer_than_a_hundred_characters_is_kept_whole(admin_client):
    """The form takes 500 characters, and the year's history keeps them all (its change reason was a
    column of 100, which PostgreSQL refused to overflow: a DataError, a 500)."""
    reason = ("The State Council moved the make-up working day of the Spring Festival. " * 8)[:500].strip()

    reopened = admin_client.post(year_url("calendar_year_reopen", 2026), {"reopen-reason": reason})

    assert reopened.status_code == 302
    assert CalendarYear.history.filter(year=2026).latest().history_change_reason == reason
    history = [line.what for line in admin_client.get(year_url("calendar_year", 2026)).context["schedule"].history]
    assert history[0] == f"Year reopened: {reason}"


def test_removing_what_is_not_there_says_so(admin_client):
    enter_holiday(admin_client, "Spring Festival", "2027-02-06", "2027-02-14")

    not_a_first_day = admin_client.post(year_url("calendar_holiday_remove"), {"day": "2027-02-07"})
    not_a_date = admin_client.post(year_url("calendar_holiday_remove"), {"day": "soon"})
    no_make_up_day = admin_client.post(year_url("calendar_make_up_day_remove"), {"day": "2027-02-20"})

    assert messages_of(not_a_first_day)[-1] == "No holiday of 2027 begins on that day."
    assert messages_of(not_a_date)[-1] == "Nothing was removed: reload the page and try again."
    assert messages_of(no_make_up_day)[-1] == "Feb. 20, 2027 is not a make-up working day of 2027."
    assert len(days_of(2027)) == 9


@pytest.mark.parametrize("year", [0, 10000, 99999999999999999999])
def test_a_year_no_date_can_have_is_not_a_page(admin_client, year):
    assert admin_client.get(f"/publicity/console/calendar/{year}/").status_code == 404
    assert admin_client.post(f"/publicity/console/calendar/{year}/complete/").status_code == 404


CALENDAR_PAGES = [
    ("get", "calendar_years", None),
    ("get", "calendar_year", 2027),
    ("post", "calendar_holiday_add", 2027),
    ("post", "calendar_holiday_remove", 2026),
    ("post", "calendar_make_up_day_add", 2027),
    ("post", "calendar_make_up_day_remove", 2026),
    ("post", "calendar_year_complete", 2027),
    ("post", "calendar_year_reopen", 2026),
]
CALENDAR_POSTS = {
    "holiday-name": "Spring Festival",
    "holiday-first_day": "2027-02-06",
    "holiday-last_day": "2027-02-14",
    "make_up-day": "2027-02-20",
    "make_up-name": "Spring Festival",
    "day": "2026-10-10",
    "reopen-reason": "Because.",
}


def test_every_calendar_page_is_in_the_permission_tests():
    from django.urls import get_resolver

    names = {n for n in get_resolver().namespace_dict["publicity"][1].reverse_dict if isinstance(n, str)}
    assert {n for n in names if n.startswith("calendar")} == {name for _, name, _ in CALENDAR_PAGES}


@pytest.mark.parametrize("role", ["staff", "reviewer", "finance", "applicant"])
@pytest.mark.parametrize(("method", "name", "year"), CALENDAR_PAGES, ids=lambda v: str(v))
def test_only_the_administrator_keeps_the_calendar(client, request, role, method, name, year):
    client.force_login(request.getfixturevalue(role))
    before = (days_of(2026), days_of(2027), list(CalendarYear.objects.values_list("year", "complete")))
    url = reverse(f"publicity:{name}", args=[year] if year else [])

    response = client.get(url) if method == "get" else client.post(url, CALENDAR_POSTS)

    assert response.status_code == 403
    assert (days_of(2026), days_of(2027), list(CalendarYear.objects.values_list("year", "complete"))) == before


@pytest.mark.parametrize(("method", "name", "year"), CALENDAR_PAGES, ids=lambda v: str(v))
def test_anonymous_visitors_are_sent_to_sign_in(client, method, name, year):
    url = reverse(f"publicity:{name}", args=[year] if year else [])

    response = client.get(url) if method == "get" else client.post(url, CALENDAR_POSTS)

    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_the_services_judge_what_they_are_given_as_the_forms_do(administrator):
    with pytest.raises(ValidationError) as weekday:
        calendar_make_up_day_add(actor=administrator, year=2027, day=date(2027, 2, 19), name="Spring Festival")
    with pytest.raises(ValidationError) as backwards:
        calendar_holiday_add(
            actor=administrator, year=2027, name="New Year", first_day=date(2027, 1, 3), last_day=date(2027, 1, 1)
        )

    assert weekday.value.message_dict == {
        "day": ["Feb. 19, 2027 is a Friday, a working day anyway: a make-up working day is a Saturday or a Sunday."]
    }
    assert backwards.value.message_dict == {"last_day": ["The last day cannot be before the first day."]}
    assert days_of(2027) == []


def test_the_services_refuse_anyone_but_the_administrator(staff):
    with pytest.raises(ValidationError) as refusal:
        calendar_holiday_add(
            actor=staff, year=2027, name="New Year", first_day=date(2027, 1, 1), last_day=date(2027, 1, 3)
        )

    assert refusal.value.messages == ["You are not allowed to do this."]
    assert days_of(2027) == []


def test_the_console_navigation_offers_the_calendar_to_the_administrator_only(client, administrator, staff):
    client.force_login(administrator)
    admin_page = client.get(reverse("publicity:calendar_years")).content.decode()
    client.force_login(staff)
    staff_page = client.get(reverse("publicity:console_batches")).content.decode()

    assert admin_page.count('href="/publicity/console/calendar/"') == 2  # the header and the console menu
    assert 'href="/console/"' not in admin_page  # the administrator does not enter the review console
    assert 'href="/publicity/console/calendar/"' not in staff_page


# --- The warning while next year is not entered -------------------------------------------------------


@pytest.fixture
def everyone(applicant, staff, reviewer, finance, administrator):
    from tests.factories import AdminFactory, StaffFactory

    StaffFactory(username="staff-left", is_active=False)
    return {
        "staff": staff,
        "chinese_staff": StaffFactory(username="staff-zh", language="zh-hans"),
        "administrator": administrator,
        "second_administrator": AdminFactory(username="admin-b"),
    }


def warnings():
    """(recipient, subject in the recipient's language) of every notice."""
    notices = Notice.objects.select_related("recipient")
    return sorted((notice.recipient.username, render(notice.subject, notice.recipient.language)) for notice in notices)


def test_no_warning_before_november(everyone):
    with on(date(2026, 10, 31), hour=23):
        assert warn_of_calendar_gaps.delay().get() == 0

    assert warnings() == []


def test_from_1_november_staff_and_administrators_are_warned_once_a_day(
    everyone, mailoutbox, django_capture_on_commit_callbacks
):
    with on(date(2026, 11, 1), hour=0), django_capture_on_commit_callbacks(execute=True):
        first = warn_of_calendar_gaps.delay().get()
    with on(date(2026, 11, 1), hour=17):
        again = warn_of_calendar_gaps.delay().get()

    assert (first, again) == (4, 0)
    assert warnings() == [
        ("admin-a", "The working days of 2027 are not entered yet"),
        ("admin-b", "The working days of 2027 are not entered yet"),
        ("staff-a", "The working days of 2027 are not entered yet"),
        ("staff-zh", "2027年的工作日尚未录入"),
    ]
    notice = Notice.objects.get(recipient=everyone["staff"])
    assert notice.body == (
        "The State Council's holiday schedule for 2027 has not been entered in the platform. Until it is, "
        "every publicity period that would reach 2027 is refused, never guessed. The administrator enters "
        "the holidays and make-up working days of 2027 on the page /publicity/console/calendar/2027/ and "
        "then marks the year's schedule complete."
    )
    assert sorted(mail.subject for mail in mailoutbox) == [
        "2027年的工作日尚未录入",
        *["The working days of 2027 are not entered yet"] * 3,
    ]

    with on(date(2026, 11, 2), hour=9):
        assert warn_of_calendar_gaps.delay().get() == 4


def test_the_warning_stops_once_next_year_is_complete(everyone, administrator):
    with on(date(2026, 11, 20)):
        calendar_holiday_add(
            actor=administrator, year=2027, name="New Year", first_day=date(2027, 1, 1), last_day=date(2027, 1, 3)
        )
        calendar_year_complete(actor=administrator, year=2027)

        assert warn_of_calendar_gaps.delay().get() == 0

    assert warnings() == []


def test_beat_runs_the_warning_every_office_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["warn-of-calendar-gaps"]

    assert entry["task"] == warn_of_calendar_gaps.name == "publicity.tasks.warn_of_calendar_gaps"
    assert (entry["schedule"].hour, entry["schedule"].minute) == (set(range(9, 18)), {0})


def banner(client):
    return client.get(reverse("publicity:console_batches")).context["calendar_gap"]()


def test_the_console_shows_the_banner_from_1_november_while_next_year_is_missing(client, staff, administrator):
    with on(date(2026, 10, 31)):
        client.force_login(staff)
        october = client.get(reverse("publicity:console_batches")).content.decode()
    with on(date(2026, 11, 1)):
        client.force_login(staff)
        november = client.get(reverse("publicity:console_batches")).content.decode()
        client.force_login(administrator)
        for_the_administrator = client.get(reverse("publicity:calendar_years")).content.decode()

    assert 'id="calendar-gap"' not in october
    assert "The working days of 2027 are not entered yet." in november
    assert "The administrator enters it under Working-day calendar in the console." in november
    assert 'href="/publicity/console/calendar/2027/">Enter the schedule of 2027</a>' in for_the_administrator


def test_the_banner_goes_once_next_year_is_complete(client, staff, administrator):
    with on(date(2026, 12, 1)):
        client.force_login(staff)
        assert banner(client) == 2027
        calendar_holiday_add(
            actor=administrator, year=2027, name="New Year", first_day=date(2027, 1, 1), last_day=date(2027, 1, 3)
        )
        assert banner(client) == 2027
        calendar_year_complete(actor=administrator, year=2027)
        assert banner(client) is None
        calendar_year_reopen(actor=administrator, year=2027, reason="A correction.")
        assert banner(client) == 2027


def test_the_banner_is_for_staff_and_administrators_only(client, finance, reviewer, applicant):
    with on(date(2026, 12, 1)):
        for user in (finance, reviewer):
            client.force_login(user)
            page = client.get(reverse("review:queue")).content.decode()
            assert 'id="calendar-gap"' not in page
        client.force_login(applicant)
        assert 'id="calendar-gap"' not in client.get(reverse("declarations:dashboard")).content.decode()


def test_the_banner_reads_the_covered_years_once(client, staff, django_assert_num_queries):
    with on(date(2026, 12, 1)):
        client.force_login(staff)
        client.get(reverse("publicity:console_batches"))
        with django_assert_num_queries(0):
            assert calendar_gap_year() == 2027
        cache.delete(COVERED_YEARS_CACHE_KEY)
        with django_assert_num_queries(1):
            assert calendar_gap_year() == 2027


def test_a_window_longer_than_the_calendar_read_at_first_is_read_on(administrator):
    """Three weeks are read for 5 working days; holidays entered back to back are longer than that."""
    CalendarYear.objects.filter(year=2026).update(complete=False)
    calendar_holiday_add(
        actor=administrator, year=2026, name="Long", first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
    )
    calendar_holiday_add(
        actor=administrator, year=2026, name="Longer", first_day=date(2026, 3, 16), last_day=date(2026, 3, 29)
    )
    calendar_year_complete(actor=administrator, year=2026)

    assert working_days_window(date(2026, 3, 2)) == (date(2026, 3, 30), date(2026, 4, 3))
