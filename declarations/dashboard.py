"""The applicant's dashboard as its template writes it: each row of a page of
declarations.selectors.dashboard_page() with its texts formatted here, once. A page holds 50
declarations, each with its timeline: formatting a date through the template's filters costs more
than reading the row (django's date_format parses its format on every call), so days are written
once per day and language (as review.tables.short_date does for the queue), and the template only
places the strings."""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import yuan
from common.typography import colon
from declarations.enums import APPLICANT_LABELS
from declarations.enums import DeclarationState as S


@lru_cache(maxsize=4096)
def _formatted(value, language, fmt):
    """`value` (a date or a moment) written in `fmt`, a format of `language`, the active one: the
    language is part of the key because the format string alone may be the same in two."""
    return date_format(value, fmt)


class _Formats:
    """What every row of a page writes with, looked up once for the page: the active language, its
    formats, the time zone and the state labels in that language."""

    def __init__(self):
        self.language = translation.get_language()
        self.short_date = get_format("SHORT_DATE_FORMAT")
        self.datetime = get_format("DATETIME_FORMAT")
        self.zone = timezone.get_current_timezone()
        self.labels = {state: str(label) for state, label in APPLICANT_LABELS.items()}

    def day(self, value):
        """A date, or a moment's day in Beijing time, in SHORT_DATE_FORMAT: (ISO, text)."""
        if hasattr(value, "tzinfo"):
            value = value.astimezone(self.zone).date()
        return value.isoformat(), _formatted(value, self.language, self.short_date)

    def moment(self, value):
        """A moment in Beijing time in DATETIME_FORMAT (a call's close: a page repeats a few)."""
        return _formatted(value.astimezone(self.zone), self.language, self.datetime)


@dataclass(frozen=True)
class Row:
    """What the dashboard writes of one declaration."""

    title: str
    url: str
    number: str
    programme: str
    state: str
    updated_iso: str
    updated: str
    history: str  # "History: 3 changes", or "" without events
    events: str  # the timeline's items, HTML (each text escaped)
    action: str
    urgent: bool
    due: str  # "By ...", or ""
    note: str  # the commission's request for a correction, or ""
    missing: tuple  # labels
    amount_due: str  # to repay, or ""
    edit_url: str
    edit_label: str
    money: str  # "paid / approved", or ""
    balance: str  # "... still to be paid", or ""
    to_repay: str  # "... to repay", or ""


def _note(text, limit=200):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dashboard_row(row, formats):
    """The Row of a declarations.selectors.DashboardRow, written with `formats` (_Formats)."""
    declaration, step, money = row.declaration, row.next_step, row.money
    events = format_html_join(
        "",
        '<li><time datetime="{}">{}</time> · {}{}</li>',
        (
            (
                *formats.day(event.created_at),
                formats.labels[event.to_state],
                f"{colon()}{_note(event.note, 120)}" if event.note else "",
            )
            for event in row.events
        ),
    )
    if step.due_at is not None:
        due = _("By %(due)s (Beijing time)") % {"due": formats.moment(step.due_at)}
    elif step.due_on is not None:
        due = _("By %(due)s") % {"due": formats.day(step.due_on)[1]}
    else:
        due = ""
    editable = declaration.is_editable
    return Row(
        title=declaration.title,
        url=reverse("declarations:detail", args=[declaration.pk]),
        number=declaration.number or "—",
        programme=f"{declaration.programme.code} · {declaration.programme.title}",
        state=formats.labels[declaration.state],
        updated_iso=declaration.updated_at.isoformat(),
        updated=formats.day(declaration.updated_at)[1],
        history=(
            ngettext("History: %(n)s change", "History: %(n)s changes", len(row.events)) % {"n": len(row.events)}
            if row.events
            else ""
        ),
        events=events,
        action=step.action,
        urgent=step.urgent,
        due=due,
        note=_("The commission asks: %(note)s") % {"note": _note(step.note)} if step.note else "",
        missing=step.items,
        amount_due=yuan(step.amount) if step.amount else "",
        edit_url=reverse("declarations:edit", args=[declaration.pk]) if editable else "",
        edit_label=(_("Revise") if declaration.state == S.RETURNED else _("Continue")) if editable else "",
        money=f"{yuan(money.paid)} / {yuan(money.approved)}" if money else "",
        balance=_("%(amount)s still to be paid") % {"amount": yuan(money.balance)} if money and money.balance else "",
        to_repay=_("%(amount)s to repay") % {"amount": yuan(money.to_repay)} if money and money.to_repay else "",
    )


def dashboard_rows(page):
    """The page's rows (declarations.selectors.dashboard_page) as Row, in order."""
    formats = _Formats()
    return [dashboard_row(row, formats) for row in page.object_list]
