"""The evaluation queue as a django-tables2 table over review.filters.declaration_queue_for()."""

from decimal import Decimal
from html import escape as html_escape
from operator import attrgetter
from urllib.parse import urlencode

import django_tables2 as tables
import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.templatetags.django_tables2 import table_page_range

from common.money import yuan
from declarations.enums import DeclarationState
from review.filters import PER_PAGE_CHOICES, Flag, flags_of

STATE_LABELS = dict(DeclarationState.choices)

# The parts of a date format that QueueTable writes itself (see _date_parts), as dateformat does;
# any other ASCII letter is a part it leaves to dateformat, anything else is written as it is.
DATE_PARTS = {
    "Y": lambda d: f"{d.year:04d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "n": lambda d: str(d.month),
    "j": lambda d: str(d.day),
}


def escape(text):
    """django.utils.html.escape for a value that is not a lazy string, without its keep_lazy check
    per call (the same html.escape of str())."""
    return SafeString(html_escape(str(text)))


# Badge colours of the flags (Bootstrap 5 "text-bg-*", AA contrast).
FLAG_BADGES = {
    Flag.CREDIT: "text-bg-danger",
    Flag.DOUBLE_FUNDING: "text-bg-warning",
    Flag.OUTLIERS: "text-bg-info",
    Flag.PASS_MARKS_MISSED: "text-bg-secondary",
}


def columns_hidden_from(user):
    """The columns `user` does not get: the selection for the bulk actions is commission staff's;
    an expert reviewer sees no scores (scoring is blind) and no flags."""
    hidden = () if rules.has_perm("console.staff", user) else ("selection",)
    if not rules.has_perm("console.view_scores", user):
        hidden += ("total_score", "score_spread", "flags")
    return hidden


def _nulls_last(field):
    """A table order method: by `field`, declarations without a value last in both directions
    (SQLite and PostgreSQL differ otherwise), then the newest first, so pages never overlap."""

    def order(table, queryset, is_descending):
        expression = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        return queryset.order_by(expression, "-pk"), True

    return order


class SelectionColumn(tables.CheckBoxColumn):
    """A checkbox per declaration for the bulk actions (in the form "bulk-form"); see
    QueueTable.render_selection."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", verbose_name=_("Select"), **kwargs)

    @property
    def header(self):
        return _("Select")


def _numeric(**kwargs):
    return {"attrs": {"td": {"class": "amount"}, "th": {"class": "text-end"}}, **kwargs}


class QueueTable(tables.Table):
    """The declarations of the queue. `selected` (declaration ids) are ticked; leave out the columns
    a user may not see with exclude=columns_hidden_from(user).

    Every column renders through a `render_<name>(value, record)` of the table, or its value
    escaped; `body()` calls them for the page."""

    selection = SelectionColumn()
    number = tables.Column(verbose_name=_("Number"), attrs={"td": {"class": "text-nowrap"}}, order_by=("number", "pk"))
    title = tables.Column(verbose_name=_("Project"), order_by=("title", "pk"), attrs={"td": {"class": "col-project"}})
    organisation = tables.Column(
        verbose_name=_("Organisation"), accessor="organisation__name", order_by=("organisation__name", "pk")
    )
    programme = tables.Column(
        verbose_name=_("Programme"), accessor="programme__code", order_by=("programme__position", "pk")
    )
    state = tables.Column(verbose_name=_("State"), order_by=("state", "pk"), attrs={"td": {"style": "min-width: 8em"}})
    # The highest first when first sorted: it ranks the declarations.
    total_score = tables.Column(**_numeric(verbose_name=_("Total score"), initial_sort_descending=True))
    score_spread = tables.Column(**_numeric(verbose_name=_("Spread"), initial_sort_descending=True))
    flags = tables.Column(verbose_name=_("Flags"), accessor="pk", orderable=False, empty_values=())
    award_cap = tables.Column(**_numeric(verbose_name=_("Award cap (yuan)")))
    approved_amount = tables.Column(**_numeric(verbose_name=_("Approved (yuan)")))
    submitted_at = tables.Column(verbose_name=_("Submitted"), attrs={"td": {"class": "text-nowrap"}})

    order_total_score = _nulls_last("evaluation_summary__total")
    order_score_spread = _nulls_last("evaluation_summary__spread")
    order_award_cap = _nulls_last("award_cap")
    order_approved_amount = _nulls_last("approved_amount")
    order_submitted_at = _nulls_last("submitted_at")

    class Meta:
        template_name = "review/queue/table.html"
        attrs = {"class": "table table-hover table-sm align-middle small"}
        empty_text = _("No declarations match.")
        per_page = PER_PAGE_CHOICES[0]

    def __init__(self, *args, selected=(), query=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = set(selected)
        # The request's query (a QueryDict), which the sort links keep.
        self.query = {} if query is None else query

    # What every row repeats, worked out once per table (in the request's language).

    @cached_property
    def _select_label(self):
        return gettext("Select %(declaration)s")

    @cached_property
    def _declaration_url(self):
        """The declaration page's URL around the pk (escaped): reversed once, not once per row."""
        placeholder = 2**62
        return [escape(part) for part in reverse("review:declaration", args=[placeholder]).split(str(placeholder))]

    @cached_property
    def _badges(self):
        return {
            flag: format_html(
                '<span class="badge {}" title="{}">{}</span>',
                FLAG_BADGES[flag],
                Flag.LABELS[flag],
                Flag.SHORT_LABELS[flag],
            )
            for flag in Flag.LABELS
        }

    @cached_property
    def _state_labels(self):
        return {value: escape(label) for value, label in STATE_LABELS.items()}

    @cached_property
    def _date_parts(self):
        """The short date format as a function of a date when it is made of the usual numeric parts
        only (Y, m, d, n, j and literal text), else None: dateformat.format() parses it for every cell."""
        date_format = formats.get_format("SHORT_DATE_FORMAT")
        parts = []
        for char in date_format:
            if char in DATE_PARTS:
                parts.append(DATE_PARTS[char])
            elif (char.isascii() and char.isalpha()) or char == "\\":
                return None
            else:
                parts.append(char)
        return parts

    @cached_property
    def _timezone(self):
        return timezone.get_current_timezone()

    def render_selection(self, value, record):
        label = escape(self._select_label % {"declaration": record})
        checked = " checked" if value in self.selected else ""
        return SafeString(
            '<input type="checkbox" class="form-check-input" form="bulk-form" name="declarations"'
            f' value="{value}" aria-label="{label}"{checked}>'
        )

    def render_title(self, value, record):
        before, after = self._declaration_url
        return SafeString(f'<a href="{before}{record.pk}{after}">{escape(value)}</a>')

    def render_state(self, value, record):
        return self._state_labels[value]

    def render_flags(self, value, record):
        # Each badge was built by format_html.
        return SafeString(" ".join([self._badges[flag] for flag in flags_of(record)]))

    def render_award_cap(self, value, record):
        # An amount in cents (every DecimalField of money) needs no more than Python's formatting;
        # anything else goes through yuan(), which the rest of the site uses.
        if type(value) is Decimal and value.as_tuple().exponent == -2:
            return f"{value:,.2f}"
        return yuan(value)

    render_approved_amount = render_award_cap

    def render_submitted_at(self, value, record):
        parts = self._date_parts
        if parts is None:
            return dateformat.format(timezone.localtime(value, self._timezone), formats.get_format("SHORT_DATE_FORMAT"))
        local = timezone.localtime(value, self._timezone)
        return "".join([part if isinstance(part, str) else part(local) for part in parts])

    # The header and the rows, in Python: django-tables2's general per-cell machinery (signature
    # inspection, attributes per cell) and a template tag per sort link would cost more than the
    # rest of the page. The columns, their order, their sorting and their renders stay the table's.

    def thead(self):
        """The header row: each column's header, a sort link to its next order where it sorts (the
        current query with the table's sort parameter replaced, as django-tables2's
        querystring_replace), and which order it is sorted in for screen readers."""
        params = dict(self.query)
        key = self.prefixed_order_by_field
        cells = []
        for bound in self.columns:
            header = conditional_escape(bound.header)
            sort = ""
            if bound.is_ordered:
                descending = bound.order_by_alias.is_descending
                sort = f' aria-sort="{"descending" if descending else "ascending"}"'
                header += SafeString(f' <span aria-hidden="true">{"▼" if descending else "▲"}</span>')
            if bound.orderable:
                params[key] = bound.order_by_alias.next
                href = escape("?" + urlencode(params, doseq=True))
                header = f'<a href="{href}">{header}</a>'
            cells.append(f'<th {bound.attrs["th"].as_html()} scope="col"{sort}>{header}</th>')
        # The attributes are built by django-tables2 and every content is escaped above.
        return mark_safe(f"<thead {self.attrs['thead'].as_html()}>\n<tr>{''.join(cells)}</tr>\n</thead>")

    def pagination(self):
        """The links to the other pages (the current query with the table's page parameter replaced,
        as querystring_replace), when there is more than one."""
        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return ""
        key = self.prefixed_page_field
        params = dict(self.query)  # every value of a repeated parameter, as querystring_replace

        def link(number, text):
            params[key] = number
            href = escape("?" + urlencode(params, doseq=True))
            return f'<li class="page-item"><a class="page-link" href="{href}">{text}</a></li>'

        items = []
        if page.has_previous():
            items.append(link(page.previous_page_number(), escape(gettext("Previous"))))
        for number in table_page_range(page, self.paginator):
            if number == "...":
                items.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
            elif number == page.number:
                items.append(
                    '<li class="page-item active" aria-current="page">'
                    f'<span class="page-link">{escape(formats.localize(number))}</span></li>'
                )
            else:
                items.append(link(number, escape(formats.localize(number))))
        if page.has_next():
            items.append(link(page.next_page_number(), escape(gettext("Next"))))
        # Every text and link is escaped above.
        return mark_safe(
            f'<nav aria-label="{escape(gettext("Pages"))}">\n  <ul class="pagination flex-wrap">\n'
            + "\n".join(items)
            + "\n  </ul>\n</nav>"
        )

    def body(self):
        """The rows of the current page, as HTML, from the columns' renders; a row saying so when
        there are none."""
        columns = [
            (
                attrgetter(bound.accessor.replace("__", ".")),
                bound.column.empty_values,
                f"<td {bound.attrs['td'].as_html()}>",
                conditional_escape(bound.default),
                getattr(self, f"render_{bound.name}", None),
            )
            for bound in self.columns
        ]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = ["<tr>"]
            for accessor, empty, td, default, render in columns:
                try:
                    value = accessor(record)
                except ObjectDoesNotExist:
                    value = None
                if value in empty:
                    cells += (td, default, "</td>")
                    continue
                if render is not None:
                    value = render(value, record)
                    if value in empty:
                        cells += (td, default, "</td>")
                        continue
                cells += (td, value if isinstance(value, SafeData) else escape(value), "</td>")
            cells.append("</tr>\n")
            rows.append("".join(cells))
        if not rows:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>\n', len(self.columns), self.empty_text))
        # The attributes are built by django-tables2 and every content is escaped above.
        return mark_safe("".join(rows))
