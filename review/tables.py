"""The evaluation queue as a django-tables2 table over review.filters.declaration_queue_for()."""

from operator import attrgetter

import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from declarations.enums import DeclarationState
from declarations.templatetags.money import yuan
from review.filters import PER_PAGE_CHOICES, Flag, flags_of

STATE_LABELS = dict(DeclarationState.choices)

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
    hidden = () if user.role == Role.STAFF else ("selection",)
    if user.role == Role.REVIEWER:
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

    def __init__(self, *args, selected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = set(selected)

    # What every row repeats, worked out once per table (in the request's language).

    @cached_property
    def _select_label(self):
        return gettext("Select %(declaration)s")

    @cached_property
    def _declaration_url(self):
        """The declaration page's URL around the pk: reversed once, not once per row."""
        placeholder = 2**62
        return reverse("review:declaration", args=[placeholder]).split(str(placeholder))

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
        return {value: str(label) for value, label in STATE_LABELS.items()}

    @cached_property
    def _date_format(self):
        return formats.get_format("SHORT_DATE_FORMAT")

    def render_selection(self, value, record):
        return format_html(
            '<input type="checkbox" class="form-check-input" form="bulk-form" name="declarations" value="{}"'
            ' aria-label="{}"{}>',
            value,
            self._select_label % {"declaration": record},
            " checked" if value in self.selected else "",
        )

    def render_title(self, value, record):
        before, after = self._declaration_url
        return format_html('<a href="{}{}{}">{}</a>', before, record.pk, after, value)

    def render_state(self, value, record):
        return self._state_labels[value]

    def render_flags(self, value, record):
        # Each badge was built by format_html.
        return mark_safe(" ".join(self._badges[flag] for flag in flags_of(record)))

    def render_award_cap(self, value, record):
        return yuan(value)

    render_approved_amount = render_award_cap

    def render_submitted_at(self, value, record):
        return dateformat.format(timezone.localtime(value), self._date_format)

    def body(self):
        """The rows of the current page, each as the HTML of its cells, from the columns' renders.
        django-tables2's general per-cell machinery (signature inspection, attributes per cell)
        would cost more than the rest of the page; the columns, their order and their renders stay
        the same."""
        columns = [
            (
                attrgetter(bound.accessor.replace("__", ".")),
                bound.column.empty_values,
                conditional_escape(bound.default),
                getattr(self, f"render_{bound.name}", None),
                bound.attrs["td"].as_html(),
            )
            for bound in self.columns
        ]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = []
            for accessor, empty, default, render, td in columns:
                try:
                    value = accessor(record)
                except ObjectDoesNotExist:
                    value = None
                if value not in empty:
                    value = render(value, record) if render else value
                cells.append(f"<td {td}>{default if value in empty else conditional_escape(value)}</td>")
            # The attributes are built by django-tables2 and every content is escaped above.
            rows.append(mark_safe("".join(cells)))
        return rows
