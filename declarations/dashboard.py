"""The applicant's dashboard's table rows, written here: each row of a page of
declarations.selectors.dashboard_page() with its timeline, what to do next and its money. A page holds
50 declarations: through the template engine (a lookup, a condition and an escape per cell) the rows
took most of the page's time, and formatting a date through the template's filters costs more than
reading the row (django's date_format parses its format on every call). So the labels and the
addresses are worked out once per page, days once per day and language (as review.tables.short_date
does for the queue), and each row is one format string with every value escaped (html.escape, which
django.utils.html.escape calls). The markup is the one templates/declarations/dashboard.html wrote;
the table around the rows stays there."""

from functools import lru_cache
from html import escape

from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.addresses import address_template
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
    formats, the time zone, the state labels and the cells' labels in that language (escaped), the
    addresses of a declaration's pages."""

    def __init__(self):
        self.language = translation.get_language()
        self.short_date = get_format("SHORT_DATE_FORMAT")
        self.datetime = get_format("DATETIME_FORMAT")
        self.zone = timezone.get_current_timezone()
        self.labels = {state: escape(str(label)) for state, label in APPLICANT_LABELS.items()}
        self.detail_url = address_template("declarations:detail", "")
        self.edit_url = address_template("declarations:edit", "")
        self.cell = {
            "state": escape(_("State")),
            "next": escape(_("What to do next")),
            "money": escape(_("Paid / approved (yuan)")),
            "yuan": escape(_("yuan")),
            "missing": escape(_("Still missing:")),
            "revise": escape(_("Revise")),
            "continue": escape(_("Continue")),
            "colon": colon(),
        }

    def day(self, value):
        """A date, or a moment's day in Beijing time, in SHORT_DATE_FORMAT: (ISO, text)."""
        if hasattr(value, "tzinfo"):
            value = value.astimezone(self.zone).date()
        return value.isoformat(), _formatted(value, self.language, self.short_date)

    def moment(self, value):
        """A moment in Beijing time in DATETIME_FORMAT (a call's close: a page repeats a few)."""
        return _formatted(value.astimezone(self.zone), self.language, self.datetime)


def _note(text, limit=200):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _events(events, formats):
    """The timeline's items: each change's day, the state it led to and its note."""
    items = []
    for event in events:
        iso, day = formats.day(event.created_at)
        note = f"{formats.cell['colon']}{escape(_note(event.note, 120))}" if event.note else ""
        items.append(f'<li><time datetime="{iso}">{escape(day)}</time> · {formats.labels[event.to_state]}{note}</li>')
    return "".join(items)


def _next_step(declaration, step, formats):
    """The cell of what to do next: the action, by when, the commission's note, what is missing and
    the link to continue or revise a declaration that can be edited."""
    cell = formats.cell
    amount = f'{cell["colon"]}<span class="amount">{yuan(step.amount)}</span> {cell["yuan"]}' if step.amount else ""
    strong = ' class="fw-semibold"' if step.urgent else ""
    parts = [f"<div{strong}>{escape(str(step.action))}{amount}</div>"]
    if step.due_at is not None:
        due = _("By %(due)s (Beijing time)") % {"due": formats.moment(step.due_at)}
        parts.append(f'<div class="small">{escape(due)}</div>')
    elif step.due_on is not None:
        due = _("By %(due)s") % {"due": formats.day(step.due_on)[1]}
        parts.append(f'<div class="small">{escape(due)}</div>')
    if step.note:
        note = _("The commission asks: %(note)s") % {"note": _note(step.note)}
        parts.append(f'<div class="small text-body-secondary">{escape(note)}</div>')
    if step.items:
        items = "".join(f"<li>{escape(str(item))}</li>" for item in step.items)
        parts.append(f'<div class="small">{cell["missing"]}</div><ul class="small mb-0">{items}</ul>')
    if declaration.is_editable:
        label = cell["revise"] if declaration.state == S.RETURNED else cell["continue"]
        parts.append(
            f'<a class="small" href="{formats.edit_url % declaration.pk}">{label}'
            f'<span class="visually-hidden"> {escape(declaration.title)}</span></a>'
        )
    return "".join(parts)


def _money(money):
    """The cell of the money: paid of approved, the balance still to be paid, what is to be repaid."""
    if not money:
        return "—"
    parts = [f"{yuan(money.paid)} / {yuan(money.approved)}"]
    if money.balance:
        balance = _("%(amount)s still to be paid") % {"amount": yuan(money.balance)}
        parts.append(f'<div class="small text-body-secondary">{escape(balance)}</div>')
    if money.to_repay:
        to_repay = _("%(amount)s to repay") % {"amount": yuan(money.to_repay)}
        parts.append(f'<div class="small text-danger">{escape(to_repay)}</div>')
    return "".join(parts)


def dashboard_row(row, formats):
    """The <tr> of a declarations.selectors.DashboardRow, written with `formats` (_Formats)."""
    declaration, cell = row.declaration, formats.cell
    title = escape(declaration.title)
    history = ""
    if row.events:
        changes = ngettext("History: %(n)s change", "History: %(n)s changes", len(row.events)) % {"n": len(row.events)}
        history = (
            f'<details class="small mt-1"><summary class="text-body-secondary">{escape(changes)}</summary>'
            f'<ol class="timeline timeline-compact mt-1 mb-0">{_events(row.events, formats)}</ol></details>'
        )
    updated_iso, updated = formats.day(declaration.updated_at)
    return (
        f'<tr><td><a class="fw-semibold" href="{formats.detail_url % declaration.pk}">{title}</a>'
        f'<div class="small text-body-secondary">{escape(declaration.number or "—")} · '
        f"{escape(declaration.programme_code)} · {escape(declaration.programme_title)}</div>{history}</td>"
        f'<td data-label="{cell["state"]}">'
        f'<span class="badge text-bg-light border">{formats.labels[declaration.state]}</span>'
        f'<div class="small text-body-secondary"><time datetime="{updated_iso}">{escape(updated)}</time></div></td>'
        f'<td data-label="{cell["next"]}">{_next_step(declaration, row.next_step, formats)}</td>'
        f'<td data-label="{cell["money"]}" class="amount">{_money(row.money)}</td></tr>\n'
    )


def dashboard_rows(page):
    """The <tr> of each row of the page (declarations.selectors.dashboard_page), in order; every
    value in them is escaped, the markup is this module's."""
    formats = _Formats()
    return mark_safe("".join(dashboard_row(row, formats) for row in page.object_list))  # nosec B308 B703 # every value in it is escaped
