"""The rows of the public lists, written in Python.

A page of the board has 50 rows of 7 or 8 cells; through the template engine (a variable lookup, a
filter and an escape per cell, a {% url %} and a {% blocktranslate %} per row) they took most of the
page's time. Here the labels, the date format and the objection link are worked out once per page,
and each row is one format string with every value escaped. The head of the table, its caption and
everything around it stay in templates/publicity/_entries_table.html."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from common.money import yuan


class EntriesTable:
    """The body of a page of public rows (publicity.selectors.PublicPage): one <tbody> per list when
    `grouped` (the board), with the list's title as the group's header row."""

    def __init__(self, page, *, grouped):
        self.page, self.grouped = page, grouped

    @property
    def columns(self):
        return 8 if self.page.takes_objections else 7

    def body(self):
        dates = {}

        def day(value):
            if value not in dates:
                dates[value] = date_format(value, "DATE_FORMAT")
            return dates[value]

        raise_objection = escape(gettext("Raise an objection"))
        # "/publicity/entries/0/objection/" with the entry's id in place of the 0.
        objection_url = reverse("publicity:objection", args=[0]).replace("/0/", "/%d/", 1)
        groups, current = [], None
        for row in self.page.object_list:
            if current is None or row.batch_id != current[0].pk:
                current = (row.batch, [])
                groups.append(current)
            own = ""
            if row.has_own_period:
                period = gettext("own period %(start)s – %(end)s")  # noqa: RUF001 -- the en dash of a period
                own = (
                    '<span class="d-block small text-body-secondary">'
                    f"{escape(period % {'start': day(row.starts_on), 'end': day(row.ends_on)})}</span>"
                )
            objection = ""
            if self.page.takes_objections:
                link = ""
                if row.accepts_objections:
                    link = (
                        f'<a class="btn btn-sm btn-outline-danger text-nowrap" href="{objection_url % row.entry_id}">'
                        f'{raise_objection}<span class="visually-hidden"> '
                        f"{escape(gettext('to %(number)s') % {'number': row.number})}</span></a>"
                    )
                objection = f"<td>{link}</td>"
            current[1].append(
                f'<tr><th scope="row" class="text-nowrap">{escape(row.number)}</th>'
                f'<td><span class="text-nowrap">{escape(row.programme_code)}</span> '
                f'<span class="small text-body-secondary d-none d-md-inline">{escape(row.programme_title)}</span></td>'
                f"<td>{escape(row.unit_name)}</td>"
                f'<td class="text-nowrap small">{escape(row.credit_code)}</td>'
                f"<td>{escape(row.title)}</td>"
                f'<td class="text-end text-nowrap">{yuan(row.amount)}</td>'
                f'<td><span class="text-nowrap">{escape(row.state_label)}</span>{own}</td>'
                f"{objection}</tr>\n"
            )
        if not groups:
            return mark_safe(
                f'<tbody><tr><td colspan="{self.columns}" class="text-body-secondary">'
                f"{escape(gettext('No project matches.'))}</td></tr></tbody>"
            )
        parts = []
        for batch, rows in groups:
            parts.append("<tbody>\n")
            if self.grouped:
                parts.append(
                    f'<tr class="table-light"><th scope="rowgroup" colspan="{self.columns}">'
                    f'<a href="{reverse("publicity:batch", args=[batch.pk])}">{escape(batch.title)}</a> '
                    f'<span class="fw-normal text-body-secondary">· {escape(batch.phase_label)}</span></th></tr>\n'
                )
            parts += rows
            parts.append("</tbody>\n")
        # Every value is escaped above; the markup is this module's.
        return mark_safe("".join(parts))
