import io
import json
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from publicity.calendar import (
    CalendarNotCovered,
    working_days_left,
    working_days_window,
)
from publicity.models import CalendarDay
from publicity.services import publicity_batch_open
from tests.factories import CallFactory
from tests.publicity.conftest import on

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
    # Every start from 26 December 2026 (its first working day is the 28th) to the end of 2027.
    starts = [date(2026, 12, 26) + timedelta(days=n) for n in range(0, 371)]

    answers = publicity_window(*[day.isoformat() for day in starts])

    assert [set(a) for a in answers] == [{"from", "error"}] * len(starts)
    assert {a["error"] for a in answers} == {
        "The working days of 2027 are not known yet: the administrator enters the State Council's holiday "
        "schedule for 2027 in the console, under Working-day calendar."
    }
    # A longer period from 2026 reaches 2027 too; each date gets its own answer, in order.
    assert publicity_window("2026-12-01", "2026-12-25", "--days", "30") == [
        {"from": "2026-12-01", "error": answers[0]["error"]},
        {"from": "2026-12-25", "error": answers[0]["error"]},
    ]


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


def test_working_days_left_refuses_a_year_not_entered():
    with pytest.raises(CalendarNotCovered) as refusal:
        working_days_left(date(2026, 12, 30), date(2027, 1, 4))

    assert refusal.value.year == 2027
