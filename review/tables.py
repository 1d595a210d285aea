"""The evaluation queue as a django-tables2 table over review.filters.declaration_queue_for(): its
columns, their order and their sorting; the rows of a page are read by
review.selectors.declaration_queue_rows() and written by templates/review/queue/table.html."""

from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

import django_tables2 as tables
import rules
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.templatetags.django_tables2 import table_page_range

from common.html import format_rows
from common.money import yuan
from declarations.enums import DeclarationState
from review.filters import PER_PAGE_CHOICES, Flag
from review.selectors import RankedByTotalScore, ReadAtOnce, declaration_queue_rows

STATE_LABELS = dict(DeclarationState.choices)


@lru_cache(maxsize=4096)
def short_date(day, language, short_date_format):
    """`day` written by date_format() in `short_date_format`, the SHORT_DATE_FORMAT of `language`,
    the active language: a page repeats a few days, and date_format() parses the format for every
    call. The format is part of the key so that a change of the setting is seen."""
    return date_format(day, short_date_format)


# What a cell without a value says.
EMPTY = "—"


def _text(value):
    """A score as the queue writes it, or EMPTY."""
    return EMPTY if value is None else str(value)


def amount(value):
    """An amount in yuan as the site writes it (common.money.yuan), or EMPTY."""
    if value is None:
        return EMPTY
    # An amount in cents (every DecimalField of money) needs no more than Python's formatting.
    if type(value) is Decimal and value.as_tuple().exponent == -2:
        return f"{value:,.2f}"
    return yuan(value)


# Badge colours of the flags (Bootstrap 5 "text-bg-*", AA contrast).
FLAG_BADGES = {
    Flag.CREDIT: "text-bg-danger",
    Flag.DOUBLE_FUNDING: "text-bg-warning",
    Flag.OUTLIERS: "text-bg-info",
    Flag.PASS_MARKS_MISSED: "text-bg-secondary",
    Flag.PERFORMANCE_FAIL: "text-bg-danger",
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


class SharedColumn:
    """A column every QueueTable uses as it is. A django-tables2 table deep-copies its class's columns
    as it is made, so that hiding or showing one (BoundColumns.hide, .show, the only changes it
    makes to a column) stays within that table: the queue hides and shows none (a user's columns are
    left out by `exclude`, which each table applies to its own list), and the copy of its twelve
    columns took 0.7 ms of each page of the queue."""

    def __deepcopy__(self, memo):
        return self


class Column(SharedColumn, tables.Column):
    pass


class SelectionColumn(SharedColumn, tables.CheckBoxColumn):
    """A checkbox per declaration for the bulk actions (in the form "bulk-form"), written by the
    table's template."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", verbose_name=_("Select"), **kwargs)

    @property
    def header(self):
        return _("Select")


def _numeric(**kwargs):
    return {"attrs": {"th": {"class": "text-end"}}, **kwargs}


class QueueTable(tables.Table):
    """The declarations of the queue (a queryset of review.filters.declaration_queue_for(), of which
    the page reads the ids alone). `selected` (declaration ids) are ticked.

    The columns give the header and the sorting; templates/review/queue/table.html writes the rows
    of the page (page_rows), a cell per column in the columns' order. Only the groups of columns a
    user may not see (OPTIONAL, with exclude=columns_hidden_from(user)) can be left out, each group
    as a whole."""

    OPTIONAL = {"selection": ("selection",), "scores": ("total_score", "score_spread", "flags")}

    selection = SelectionColumn()
    number = Column(verbose_name=_("Number"), order_by=("number", "pk"))
    title = Column(verbose_name=_("Project"), order_by=("title", "pk"))
    organisation = Column(
        verbose_name=_("Organisation"), accessor="organisation__name", order_by=("organisation__name", "pk")
    )
    programme = Column(
        verbose_name=_("Programme"),
        accessor="programme__code",
        order_by=("programme__position", "pk"),
        attrs={"th": {"class": "col-spare"}},
    )
    state = Column(verbose_name=_("State"), order_by=("state", "pk"))
    # The highest first when first sorted: it ranks the declarations.
    total_score = Column(**_numeric(verbose_name=_("Total score"), initial_sort_descending=True))
    score_spread = Column(**_numeric(verbose_name=_("Spread"), initial_sort_descending=True))
    flags = Column(verbose_name=_("Flags"), accessor="pk", orderable=False)
    award_cap = Column(**_numeric(verbose_name=_("Award cap (yuan)")))
    approved_amount = Column(**_numeric(verbose_name=_("Approved (yuan)")))
    submitted_at = Column(verbose_name=_("Submitted"))

    _order_by_total_score = _nulls_last("evaluation_summary__total")

    def order_total_score(self, queryset, is_descending):
        if self.whole_queue:
            return RankedByTotalScore(queryset, descending=is_descending), True
        return self._order_by_total_score(queryset, is_descending)

    order_score_spread = _nulls_last("evaluation_summary__spread")
    order_award_cap = _nulls_last("award_cap")
    order_approved_amount = _nulls_last("approved_amount")
    order_submitted_at = _nulls_last("submitted_at")

    class Meta:
        template_name = "review/queue/table.html"
        attrs = {"class": "table table-hover table-sm align-middle small table-stacked"}
        empty_text = _("No declarations match.")
        per_page = PER_PAGE_CHOICES[0]

    def __init__(self, *args, selected=(), params=None, whole_queue=False, **kwargs):
        # The data is the whole queue, unfiltered: ranked by total score, it is read a page at a time
        # in the summary's order (review.selectors.RankedByTotalScore).
        self.whole_queue = whole_queue
        super().__init__(*args, **kwargs)
        excluded = set(self.exclude or ())
        if excluded != {name for group in self.OPTIONAL.values() if excluded & set(group) for name in group}:
            raise ValueError(f"The queue's template leaves out these groups of columns only: {self.OPTIONAL}.")
        self.selected = set(selected)
        # The request's parameters (a QueryDict), which the sort and page links keep.
        self.params = QueryDict() if params is None else params

    def read_at_once(self, most):
        """The declarations, as sorted, read in one query when there are `most` or fewer
        (review.selectors.ReadAtOnce): once sorted, before the page is read."""
        self.data.data = ReadAtOnce(self.data.data, most=most)

    def _link(self, key, value):
        """The request's parameters with `key` set to `value` (every value of a repeated parameter kept),
        as django-tables2's querystring_replace."""
        params = dict(self.params.lists())
        params[key] = value
        return "?" + urlencode(params, doseq=True)

    @cached_property
    def header_row(self):
        """The header row's cells: each column's label and attributes, a link to its next order
        where it sorts, and the order it is sorted in ("ascending", "descending") for screen
        readers. The cells depend only on the columns shown, the order and the language: they are
        written once per process for each (_HEADER_ROWS) and a request fills in the links, which
        keep its other parameters. Drawn by the template for each request, they took a twentieth of
        the page."""
        key = (type(self), tuple(sorted(self.exclude or ())), tuple(self.order_by or ()), translation.get_language())
        row = _HEADER_ROWS.get(key)
        if row is None:
            if len(_HEADER_ROWS) >= _HEADER_ROWS_KEPT:
                _HEADER_ROWS.clear()
            row = _HEADER_ROWS[key] = self._header_row()
        template, orders = row
        field = self.prefixed_order_by_field
        return format_html(template, *(self._link(field, order) for order in orders))

    def _header_row(self):
        """The header row as a format_html template with a placeholder for each sort link, and the
        order each link asks for, in the same order."""
        cells, orders = [], []
        for bound in self.columns:
            sort = None
            if bound.is_ordered:
                sort = "descending" if bound.order_by_alias.is_descending else "ascending"
            label = conditional_escape(bound.header)
            if bound.orderable:
                orders.append(bound.order_by_alias.next)
                arrow = format_html(' <span aria-hidden="true">{}</span>', SORT_ARROWS[sort]) if sort else ""
                content = format_html('<a href="' + _LINK + '">{}{}</a>', label, arrow)
            else:
                content = label
            sorted_as = format_html(' aria-sort="{}"', sort) if sort else ""
            cell = format_html('<th {} scope="col"{}>{}</th>', bound.attrs["th"].as_html(), sorted_as, content)
            # The cell's own braces are text; its link's place becomes the template's placeholder.
            cells.append(cell.replace("{", "{{").replace("}", "}}").replace(_LINK, "{}"))
        return "".join(cells), tuple(orders)

    @property
    def column_count(self):
        return len(self.columns)

    @cached_property
    def shown(self):
        """Which groups of OPTIONAL columns are shown, by group."""
        excluded = set(self.exclude or ())
        return {group: not excluded & set(names) for group, names in self.OPTIONAL.items()}

    @cached_property
    def pages(self):
        """The links to the other pages, when there is more than one: (number, link), the current
        page without a link and a gap ("...") without either; and the previous and next pages' links."""
        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return None
        key = self.prefixed_page_field
        return {
            "previous": self._link(key, page.previous_page_number()) if page.has_previous() else None,
            "next": self._link(key, page.next_page_number()) if page.has_next() else None,
            "numbers": [
                (number, None if number in ("...", page.number) else self._link(key, number))
                for number in table_page_range(page, self.paginator)
            ],
            "current": page.number,
        }

    @cached_property
    def ids(self):
        """The ids of the declarations on the current page, in order."""
        return [row.record.pk for row in self.page.object_list]

    @cached_property
    def rows_html(self):
        """The rows of the current page (review.selectors.declaration_queue_rows) as HTML, a cell per
        column shown in the columns' order ("—" where there is no value): one format string for
        every row, which common.html.format_rows fills with each row's values, escaped. Through the
        template engine a lookup, a condition and an escape per cell made the 25 rows half of the
        page's rendering. What a page repeats is worked out once per table: the state's labels, the
        flags' badges, the submission's day in the active language, the declaration's address and
        its checkbox's label."""
        rows = declaration_queue_rows(self.ids)
        badges = self._badges
        language = translation.get_language()
        short_date_format = get_format("SHORT_DATE_FORMAT")
        zone = timezone.get_current_timezone()
        select = gettext("Select %(declaration)s")
        before, after = self._declaration_url
        shown = self.shown
        cells = []
        if shown["selection"]:
            cells.append(
                '<td><input type="checkbox" class="form-check-input" form="bulk-form" name="declarations" '
                'value="{}" aria-label="{}"{}></td>'
            )
        cells.append(
            '<td class="text-nowrap">{}</td><td class="col-project"><a href="{}">{}</a></td><td>{}</td>'
            '<td class="col-spare">{}</td><td class="col-state">{}</td>'
        )
        if shown["scores"]:
            cells.append('<td class="amount">{}</td><td class="amount">{}</td><td class="col-flags">{}</td>')
        cells.append('<td class="amount">{}</td><td class="amount">{}</td><td class="text-nowrap">{}</td>')
        row_format = "<tr>" + "".join(cells) + "</tr>"
        values = []
        for row in rows:
            pk, number, title, submitted = row["pk"], row["number"], row["title"], row["submitted_at"]
            own = []
            if shown["selection"]:
                own += [pk, select % {"declaration": number or title}, " checked" if pk in self.selected else ""]
            own += [
                number or EMPTY,
                f"{before}{pk}{after}",
                title,
                row["organisation__name"],
                row["programme__code"],
                STATE_LABELS.get(row["state"], row["state"]),
            ]
            if shown["scores"]:
                own += [
                    _text(row["total_score"]),
                    _text(row["score_spread"]),
                    badges[tuple(row[field] for field in Flag.FIELDS.values())],
                ]
            day = (
                EMPTY
                if submitted is None
                else short_date(timezone.localtime(submitted, zone).date(), language, short_date_format)
            )
            own += [amount(row["award_cap"]), amount(row["approved_amount"]), day]
            values.append(own)
        return format_rows("\n", row_format, values)

    @cached_property
    def _declaration_url(self):
        """The declaration page's URL around its pk: reversed once per table, not once per row."""
        placeholder = 2**62
        before, after = reverse("review:declaration", args=[placeholder]).split(str(placeholder))
        return before, after

    @cached_property
    def _badges(self):
        """The badges of each combination of flags (a truth value per Flag.FIELDS), by combination."""
        badge = {
            flag: format_html(
                '<span class="badge {}" title="{}">{}</span>',
                FLAG_BADGES[flag],
                Flag.LABELS[flag],
                Flag.SHORT_LABELS[flag],
            )
            for flag in Flag.FIELDS
        }
        return _BadgeSets(badge)


# The header rows written (QueueTable.header_row), by table, columns left out, order and language:
# (format_html template, the orders its links ask for). A few dozen in use; cleared when full, since
# an order can be any list of columns a request names.
_HEADER_ROWS: dict = {}
_HEADER_ROWS_KEPT = 256
SORT_ARROWS = {"ascending": "▲", "descending": "▼"}
# Where a header cell's link goes while its template is written: a character no label holds.
_LINK = "\x00"


class _BadgeSets(dict):
    """The badges of a combination of flags, joined by spaces, made when first asked for."""

    def __init__(self, badge):
        super().__init__()
        self.badge = badge

    def __missing__(self, combination):
        flags = [flag for flag, on in zip(self.badge, combination, strict=True) if on]
        self[combination] = format_html_join(" ", "{}", ((self.badge[flag],) for flag in flags))
        return self[combination]
