"""Single-line text (common.text, SingleLineCharField) and dates of the policy's work
(PolicyDateField): refused with a message at the field in every form that uses them, and a notice's
subject always on one line."""

import datetime

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from common.forms import POLICY_FIRST_DAY, YEARS_AHEAD, PolicyDateField
from common.text import single_line, validate_single_line
from declarations.forms import DeclarationForm, NewDeclarationForm
from declarations.models import Call
from disbursement.forms import OrderPaidForm, TrancheForm
from disbursement.recovery_forms import RecoveryCaseForm
from notices.models import Notice
from notices.services import notice_create, notice_deliver
from publicity.calendar_forms import HolidayForm
from review.meeting_forms import MeetingForm

ONE_LINE = "Write this on one line, without line breaks, tabs or other control characters."
BROKEN = {
    "crlf": "Quantum\r\nBcc: victim@example.com",
    "lf": "Quantum\nSensing",
    "cr": "Quantum\rSensing",
    "tab": "Quantum\tSensing",
    "nul": "Quantum\x00Sensing",
    "next-line": "Quantum\x85Sensing",
    "line-separator": "Quantum\u2028Sensing",
    "paragraph-separator": "Quantum\u2029Sensing",
    "right-to-left-override": "invoice\u202efdp.exe",
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN.keys())
def test_text_with_a_line_break_or_a_control_character_is_not_single_line(text):
    with pytest.raises(Exception, match="on one line"):
        validate_single_line(text)
    assert "\n" not in single_line(text) and "\r" not in single_line(text)
    validate_single_line(single_line(text))


def test_ordinary_titles_are_single_line():
    for text in ("量子传感首轮投资", "First-round investment in Quantum Sensing (2026)", "A - B · C"):
        validate_single_line(text)
        assert single_line(text) == text


SINGLE_LINE_FORMS = {
    "new-declaration-title": (lambda: NewDeclarationForm, {"calls": Call.objects.none()}, "title"),
    "project-title": (lambda: DeclarationForm, {}, "title"),
    "payment-voucher": (lambda: OrderPaidForm, {}, "voucher_number"),
    "holiday-name": (lambda: HolidayForm, {"year": 2026}, "name"),
    "meeting-place": (lambda: MeetingForm, {}, "place"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", SINGLE_LINE_FORMS.values(), ids=SINGLE_LINE_FORMS.keys())
def test_a_single_line_field_refuses_a_line_break_at_the_field(case):
    form_class, kwargs, field = case
    typed_as = form_class()(**kwargs).add_prefix(field)

    form = form_class()(data={typed_as: BROKEN["crlf"]}, **kwargs)

    assert not form.is_valid()
    assert ONE_LINE in form.errors[field]


@pytest.mark.django_db
def test_a_call_title_typed_in_the_admin_is_single_line(administrator):
    request = RequestFactory().get("/")
    request.user = administrator
    form_class = admin.site._registry[Call].get_form(request)

    form = form_class(data={"title_zh": BROKEN["lf"], "title_en": BROKEN["lf"]})

    assert (ONE_LINE in form.errors["title_zh"], ONE_LINE in form.errors["title_en"]) == (True, True)


TOO_EARLY = "Enter a date from 1 January 2022, when the policy took effect."


def _day(**delta):
    return (timezone.localdate() + datetime.timedelta(**delta)).isoformat()


DATE_FORMS = {
    "payment-1900": (OrderPaidForm, {}, "paid_on", "1900-01-01", TOO_EARLY),
    "payment-2021": (OrderPaidForm, {}, "paid_on", "2021-12-31", TOO_EARLY),
    "payment-tomorrow": (OrderPaidForm, {}, "paid_on", _day(days=1), "The payment date cannot be in the future."),
    "tranche-1900": (TrancheForm, {}, "planned_on", "1900-01-01", TOO_EARLY),
    "tranche-far-ahead": (TrancheForm, {}, "planned_on", "2999-01-01", "Enter a date no later than"),
    "recovery-due-1900": (RecoveryCaseForm, {}, "due_on", "1900-01-01", TOO_EARLY),
    "recovery-due-far-ahead": (RecoveryCaseForm, {}, "due_on", "9999-12-31", "Enter a date no later than"),
    "meeting-1900": (MeetingForm, {}, "held_on", "1900-01-01", TOO_EARLY),
    "meeting-far-ahead": (MeetingForm, {}, "held_on", "2999-01-01", "Enter a date no later than"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", DATE_FORMS.values(), ids=DATE_FORMS.keys())
def test_an_absurd_date_is_refused_at_the_field(case):
    form_class, kwargs, field, typed, message = case

    form = form_class(data={field: typed}, **kwargs)

    assert not form.is_valid()
    assert any(error.startswith(message) for error in form.errors[field])


def test_the_policys_dates_run_from_2022_to_a_bounded_future():
    today = timezone.localdate()
    field, past_only = PolicyDateField(), PolicyDateField(future=False)

    assert field.clean(POLICY_FIRST_DAY.isoformat()) == POLICY_FIRST_DAY
    assert field.clean(f"{today.year + YEARS_AHEAD}-12-31") == datetime.date(today.year + YEARS_AHEAD, 12, 31)
    assert past_only.clean(today.isoformat()) == today
    assert field.widget_attrs(field.widget) | {} == {"min": "2022-01-01", "max": f"{today.year + YEARS_AHEAD}-12-31"}


@pytest.mark.django_db
def test_a_notice_about_a_title_with_line_breaks_has_a_one_line_subject_and_is_emailed(applicant):
    notice = notice_create(recipient=applicant, subject="Declaration “A\r\nBcc: x@example.com”: submitted", body="b")

    assert Notice.objects.get(pk=notice.pk).subject == "Declaration “A Bcc: x@example.com”: submitted"
    assert notice_deliver(notice_id=notice.pk) is True
    assert [message.subject for message in mail.outbox] == ["Declaration “A Bcc: x@example.com”: submitted"]


@pytest.mark.django_db
def test_a_notice_subject_longer_than_its_column_is_cut_not_refused(applicant):
    notice = notice_create(recipient=applicant, subject="x" * 300, body="b")

    assert len(Notice.objects.get(pk=notice.pk).subject) == 200
