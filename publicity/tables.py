"""The parts of the public pages that repeat for each row, list or version, written in Python.

A page of the board has 50 rows of 7 or 8 cells, a summary of each list in publicity and a row of
the archive for each closed list; a list's page has its summary and its versions. Through the
template engine (a variable lookup, a filter and an escape per cell, a {% url %} and a
{% blocktranslate %} per row or line) they took most of the page's time. Here the labels, the
formats and the addresses are worked out once per page (`PageTexts`), and each row, summary or
version is a few format strings with every value escaped (by html.escape, which is what
django.utils.html.escape calls, without its wrapping). Everything around them (headings, the
tables' heads and captions, the forms, the pagination) stays in templates/publicity/.

The markup is the markup the templates wrote, with whitespace where they had some. Escaping follows
the template tags it replaces: the text of {% translate %} is escaped, the text of
{% blocktranslate %} is not (only the values put into it are). Messages are translated outside
f-strings: makemessages does not find a gettext() call inside one."""

from functools import lru_cache
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import linebreaksbr
from django.urls import get_script_prefix
from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from common.addresses import address_template
from common.money import yuan

# A batch's phases, as publicity.selectors.BatchPhase names them, and their badges.
BADGES = {"running": "text-bg-success", "upcoming": "text-bg-info"}
OTHER_BADGE = "text-bg-secondary"


def _text(value):
    return escape(str(value))


@lru_cache(maxsize=4096)
def _date(day, language, date_format_setting):
    """`day` written by date_format() in `date_format_setting`, the DATE_FORMAT of `language`, the
    active language: the dates of the lists repeat from page to page, and date_format() parses the
    format for every call. The format is part of the key so that a change of the setting is seen."""
    return date_format(day, date_format_setting)


def page_texts():
    """The PageTexts of the active language, worked out once per process (and script prefix, which
    the addresses start with)."""
    return _page_texts(get_language(), get_script_prefix())


@lru_cache(maxsize=16)
def _page_texts(language, script_prefix):
    return PageTexts()


@receiver(setting_changed)
def _formats_changed(**kwargs):
    """Tests change the formats and languages: texts worked out before would be stale."""
    _page_texts.cache_clear()
    _date.cache_clear()


class PageTexts:
    """What a page writes again and again, in the active language, worked out once: its labels
    (escaped), each day in DATE_FORMAT, numbers as a template writes them, and the addresses of a
    list's pages and downloads with %d for its id."""

    def __init__(self):
        self.language = get_language()
        self.formats = {
            name: get_format(name)
            for name in ("DATE_FORMAT", "DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        }
        self.batch_url = address_template("publicity:batch", "")
        self.csv_url = address_template("publicity:batch_csv", "")
        self.notice_url = address_template("publicity:notice_pdf", "")
        self.objection_url = address_template("publicity:objection", "")
        self.version_url = address_template("publicity:version", "", "v")
        label = {
            "period": gettext("Publicity period"),
            "working_days": gettext("(5 working days)"),
            "ends_on": gettext("Publicity ends on"),
            "at_midnight": gettext("at 24:00, Beijing time"),
            "status": gettext("Status"),
            "opening_day": gettext("The opening day"),
            "opening_day_counts": gettext("The day the list was published counts as the first working day."),
            "opening_day_next": gettext("The period starts on the working day after the list was published."),
            "projects": gettext("Projects"),
            "downloads": gettext("Downloads"),
            "csv": gettext("List (CSV)"),
            "notice": gettext("Printable notice (PDF, in Chinese)"),
            "raise_objection": gettext("Raise an objection"),
            "no_project": gettext("No project matches."),
            "current": gettext("current"),
            "published": gettext("published"),
            "search_projects": gettext("Search the projects"),
            "search": gettext("Search"),
            "clear": gettext("Clear"),
            "pages": gettext("Pages of the list"),
            "previous": gettext("Previous"),
            "next": gettext("Next"),
            "number": gettext("Declaration number"),
            "programme": gettext("Programme"),
            "unit": gettext("Unit"),
            "credit_code": gettext("Unified social credit code"),
            "project": gettext("Project"),
            "amount": gettext("Approved amount (yuan)"),
            "objection": gettext("Objection"),
        }
        self.label = {key: _text(value) for key, value in label.items()}

    def date(self, value):
        """`value` as the template filter date:"DATE_FORMAT" writes it."""
        return _date(value, self.language, self.formats["DATE_FORMAT"])

    def day(self, value):
        """date(), escaped."""
        return escape(self.date(value))

    def number(self, value):
        """A whole number as a template writes it ({{ value }}: number_format(), with the formats
        read once)."""
        formats = self.formats
        return numberformat.format(
            value, formats["DECIMAL_SEPARATOR"], None, formats["NUMBER_GROUPING"], formats["THOUSAND_SEPARATOR"]
        )

    def period(self, starts_on, ends_on):
        """Two <time> elements, as the templates wrote a period."""
        return (
            f'<time datetime="{starts_on.isoformat()}">{self.day(starts_on)}</time> – '  # noqa: RUF001 -- the en dash of a period
            f'<time datetime="{ends_on.isoformat()}">{self.day(ends_on)}</time>'
        )


class EntriesTable:
    """The body of a page of public rows (publicity.selectors.PublicPage): one <tbody> per list when
    `grouped` (the board), with the list's title as the group's header row."""

    def __init__(self, page, *, grouped, texts=None):
        self.page, self.grouped = page, grouped
        self.texts = texts or page_texts()

    @property
    def columns(self):
        return 8 if self.page.takes_objections else 7

    def html(self):
        """The table, with its caption (the count of rows, the page) and its head."""
        texts, page, label = self.texts, self.page, self.texts.label
        paginator = page.paginator
        caption = ngettext("%(counter)s project", "%(counter)s projects", paginator.count) % {
            "counter": texts.number(paginator.count)
        }
        if paginator.num_pages > 1:
            caption += " · " + gettext("page %(number)s of %(pages)s") % {
                "number": texts.number(page.number),
                "pages": texts.number(paginator.num_pages),
            }
        heads = ["number", "programme", "unit", "credit_code", "project"]
        head = "".join(f'<th scope="col">{label[key]}</th>' for key in heads)
        head += f'<th scope="col" class="text-end">{label["amount"]}</th><th scope="col">{label["status"]}</th>'
        if page.takes_objections:
            head += f'<th scope="col">{label["objection"]}</th>'
        # position-relative: the visually hidden text of a link stays inside the scrolling box, not
        # widening the page.
        return mark_safe(  # nosec B308 B703 # every value in it is escaped
            '<div class="table-responsive position-relative">\n'
            '<table class="table table-sm align-middle caption-top entries table-stacked">\n'
            f"<caption>{caption}</caption>\n<thead>\n<tr>{head}</tr>\n</thead>\n{self.body()}</table>\n</div>\n"
        )

    def body(self):
        texts = self.texts
        raise_objection = texts.label["raise_objection"]
        own_period = gettext("own period %(start)s – %(end)s")  # noqa: RUF001 -- the en dash of a period
        to_number = gettext("to %(number)s")
        groups, current = [], None
        # A page's rows share a few programmes and states: each written (escaped) once.
        escaped: dict[str, str] = {}
        cells = _escaped_cells(self.page.object_list)
        for row, (number, code, unit, credit_code, title) in zip(self.page.object_list, cells, strict=True):
            programme, state = row.programme_title, row.state_label
            if programme not in escaped:
                escaped[programme] = _text(programme)
            if state not in escaped:
                escaped[state] = _text(state)
            if current is None or row.batch_id != current[0].pk:
                current = (row.batch, [])
                groups.append(current)
            own = ""
            if row.has_own_period:
                period = own_period % {"start": texts.date(row.starts_on), "end": texts.date(row.ends_on)}
                own = f'<span class="d-block small text-body-secondary">{escape(period)}</span>'
            objection = ""
            if self.page.takes_objections:
                link = ""
                if row.accepts_objections:
                    link = (
                        f'<a class="btn btn-sm btn-outline-danger text-nowrap" '
                        f'href="{texts.objection_url % row.entry_id}">'
                        f'{raise_objection}<span class="visually-hidden"> '
                        f"{escape(to_number % {'number': row.number})}</span></a>"
                    )
                objection = f"<td>{link}</td>"
            current[1].append(
                f'<tr><th scope="row" class="text-nowrap">{number}</th>'
                f'<td><span class="text-nowrap">{code}</span> '
                f'<span class="small text-body-secondary d-none d-md-inline">{escaped[programme]}</span></td>'
                f"<td>{unit}</td>"
                f'<td class="text-nowrap small">{credit_code}</td>'
                f"<td>{title}</td>"
                f'<td class="amount">{yuan(row.amount)}</td>'
                f'<td><span class="text-nowrap">{escaped[state]}</span>{own}</td>'
                f"{objection}</tr>\n"
            )
        if not groups:
            return mark_safe(  # nosec B308 B703 # every value in it is escaped above
                f'<tbody><tr><td colspan="{self.columns}" class="text-body-secondary">'
                f"{texts.label['no_project']}</td></tr></tbody>"
            )
        parts = []
        for batch, rows in groups:
            parts.append("<tbody>\n")
            if self.grouped:
                parts.append(
                    f'<tr class="table-light"><th scope="rowgroup" colspan="{self.columns}">'
                    f'<a href="{texts.batch_url % batch.pk}">{escape(batch.title)}</a> '
                    f'<span class="fw-normal text-body-secondary">· {_text(batch.phase_label)}</span></th></tr>\n'
                )
            parts += rows
            parts.append("</tbody>\n")
        # Every value is escaped above; the markup is this module's.
        return mark_safe("".join(parts))  # nosec B308 B703 # every value in it is escaped above


# Between the cells of a page escaped at once: escaping changes no other character than & < > " '.
_CELL = "\x00"
_CELLS_OF_A_ROW = 5


def _escaped_cells(rows):
    """Each row's number, programme code, unit, credit code and title, escaped: the page's cells in
    one string, escaped at once (250 calls of escape() cost more than the rows' query), then cut
    apart; each cell on its own when one holds the separator."""
    values = [
        str(value)
        for row in rows
        for value in (row.number, row.programme_code, row.unit_name, row.credit_code, row.title)
    ]
    cells = escape(_CELL.join(values)).split(_CELL)
    if len(cells) != len(values):
        cells = [escape(value) for value in values]
    return [cells[at : at + _CELLS_OF_A_ROW] for at in range(0, len(cells), _CELLS_OF_A_ROW)] if values else []


def batch_summary(batch, texts):
    """A batch's summary (the attributes publicity.selectors._summarise sets): its period, the end,
    its phase and what is left of it, the opening day's rule, its projects and version, its
    downloads, as a <dl>; on a list's page and on the board's card of each list in publicity."""
    label = texts.label
    later = ""
    if batch.has_later_periods:
        later = gettext(
            "Projects added or whose amount was raised later have 5 working days of their own, shown beside them; "
            "the last ends on %(end)s."
        )
        later = f'<div class="small text-body-secondary">{later % {"end": texts.day(batch.ends_on)}}</div>'
    left = []
    if batch.hours_left:
        hours = ngettext(
            "Last day: less than %(hours)s hour left.", "Last day: less than %(hours)s hours left.", batch.hours_left
        )
        left.append(f'<strong class="ms-1">{hours % {"hours": texts.number(batch.hours_left)}}</strong>')
    elif batch.days_left:
        days = ngettext("%(days)s working day left.", "%(days)s working days left.", batch.days_left)
        left.append(f'<span class="ms-1">{days % {"days": texts.number(batch.days_left)}}</span>')
    if batch.phase == "upcoming":
        objections = gettext("Objections may be raised from %(start)s to %(end)s.")
        dates = {"start": texts.day(batch.starts_on), "end": texts.day(batch.ends_on)}
        left.append(f'<span class="ms-1">{objections % dates}</span>')
    opening = label["opening_day_counts"] if batch.counts_opening_day else label["opening_day_next"]
    version = gettext("version %(number)s")
    # Every value is escaped; the markup is this module's.
    return mark_safe(  # nosec B308 B703 # every value in it is escaped above
        '\n<dl class="row mb-0 batch-summary">\n'
        f'<dt class="col-sm-4 col-lg-3">{label["period"]}</dt>\n'
        '<dd class="col-sm-8 col-lg-9">\n'
        f"{texts.period(batch.starts_on, batch.main_ends_on)}\n"
        f'<span class="text-body-secondary">{label["working_days"]}</span>\n'
        f"{later}\n</dd>\n"
        f'<dt class="col-sm-4 col-lg-3">{label["ends_on"]}</dt>\n'
        '<dd class="col-sm-8 col-lg-9 fw-bold">\n'
        f'<time datetime="{batch.ends_on.isoformat()}">{texts.day(batch.ends_on)}</time>\n'
        f'<span class="fw-normal">{label["at_midnight"]}</span>\n</dd>\n'
        f'<dt class="col-sm-4 col-lg-3">{label["status"]}</dt>\n'
        '<dd class="col-sm-8 col-lg-9">\n'
        f'<span class="badge {BADGES.get(batch.phase, OTHER_BADGE)}">{_text(batch.phase_label)}</span>\n'
        f"{chr(10).join(left)}\n</dd>\n"
        f'<dt class="col-sm-4 col-lg-3">{label["opening_day"]}</dt>\n'
        f'<dd class="col-sm-8 col-lg-9">\n{opening}\n</dd>\n'
        f'<dt class="col-sm-4 col-lg-3">{label["projects"]}</dt>\n'
        '<dd class="col-sm-8 col-lg-9">\n'
        f"{texts.number(batch.row_count)}\n"
        f'· <a href="{texts.batch_url % batch.pk}#versions">{version % {"number": texts.number(batch.version)}}</a>\n'
        "</dd>\n"
        f'<dt class="col-sm-4 col-lg-3">{label["downloads"]}</dt>\n'
        '<dd class="col-sm-8 col-lg-9">\n'
        f'<a href="{texts.csv_url % batch.pk}" download>{label["csv"]}</a>\n'
        f'· <a href="{texts.notice_url % batch.pk}">{label["notice"]}</a>\n'
        "</dd>\n</dl>\n"
    )


class BoardLists:
    """The board's lists in publicity (a card each, with its summary) and its archive (a row of the
    archive table each): publicity.selectors.Board's `current` and `archive`."""

    def __init__(self, board, texts):
        self.board, self.texts = board, texts

    def current(self):
        texts = self.texts
        return mark_safe(  # nosec B308 B703 # every value in it is escaped above
            "".join(
                f'<article class="card mb-3" aria-labelledby="batch-{batch.pk}-title">\n'
                f'<div class="card-header">\n<h3 id="batch-{batch.pk}-title" class="h5 mb-0">'
                f'<a href="{texts.batch_url % batch.pk}">{escape(batch.title)}</a></h3>\n</div>\n'
                f'<div class="card-body">{batch_summary(batch, texts)}</div>\n</article>\n'
                for batch in self.board.current
            )
        )

    def archive(self):
        return archive_rows(self.board.archive, self.texts)


def archive_rows(batches, texts):
    """A row of the archive's table for each closed batch: on the board (the latest) and on the
    archive's page."""
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        "".join(
            f'<tr>\n<th scope="row" class="fw-normal"><a href="{texts.batch_url % batch.pk}">'
            f"{escape(batch.title)}</a></th>\n"
            f'<td class="text-nowrap">{texts.period(batch.starts_on, batch.ends_on)}</td>\n'
            f'<td class="text-end">{texts.number(batch.row_count)}</td>\n'
            f'<td class="text-nowrap"><a href="{texts.csv_url % batch.pk}" download>CSV</a> · '
            f'<a href="{texts.notice_url % batch.pk}">PDF</a></td>\n</tr>\n'
            for batch in batches
        )
    )


def version_items(versions, batch, texts):
    """The <li> of each version of `batch` (latest first) with its address, its date and its
    changelog (already masked): templates/publicity/_versions.html's list."""
    label, version_number = texts.label, gettext("Version %(number)s")
    items = []
    for item in versions:
        is_current = item.number == batch.version
        badge = f'<span class="badge text-bg-success">{label["current"]}</span>' if is_current else ""
        # The template filter date converted the time to the current time zone first.
        published_at = timezone.localtime(item.published_at)
        items.append(
            f'<li class="border-start border-3 ps-3 mb-3{" border-success" if is_current else ""}">\n'
            '<h3 class="h6 mb-1">\n'
            f'<a href="{texts.version_url % (batch.pk, item.number)}">'
            f"{version_number % {'number': texts.number(item.number)}}</a>\n"
            f"{badge}\n"
            f'<span class="fw-normal text-body-secondary">· {label["published"]} '
            f'<time datetime="{date_format(published_at, "c")}">'
            f"{_text(date_format(published_at, 'DATETIME_FORMAT'))}</time></span>\n</h3>\n"
            f'<p class="mb-0">{linebreaksbr(item.changelog, autoescape=True)}</p>\n</li>\n'
        )
    # Every value is escaped above; the markup is this module's.
    return mark_safe("".join(items))  # nosec B308 B703 # every value in it is escaped above


class Pagination:
    """The links of a page of public rows (publicity.selectors.PublicPage) to the others, as a <nav>
    (html()): `previous` and `next` (an address or None), and `links`,
    a (label, address) for each page number shown, the address None for the page itself and for a
    gap (…). `query`: the query string without the page. False when there is one page."""

    def __init__(self, page, query, texts):
        self.page, self.texts, self.current = page, texts, texts.number(page.number)
        prefix = f"?{query}&page=" if query else "?page="
        self.previous = f"{prefix}{page.number - 1}" if page.has_previous() else None
        self.next = f"{prefix}{page.number + 1}" if page.has_next() else None
        ellipsis = page.paginator.ELLIPSIS
        self.links = [
            (number, None)
            if number == ellipsis
            else (texts.number(number), None if number == page.number else f"{prefix}{number}")
            for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ]

    def __bool__(self):
        return self.page.paginator.num_pages > 1

    def html(self):
        """The <nav> of the links, none when there is one page."""
        if not self:
            return ""
        label = self.texts.label
        items = []
        if self.previous:
            items.append(
                f'<li class="page-item"><a class="page-link" rel="prev" href="{escape(self.previous)}">'
                f"{label['previous']}</a></li>"
            )
        for text, href in self.links:
            if href:
                items.append(f'<li class="page-item"><a class="page-link" href="{escape(href)}">{text}</a></li>')
            elif text == self.current:
                items.append(
                    f'<li class="page-item active" aria-current="page"><span class="page-link">{text}</span></li>'
                )
            else:
                items.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
        if self.next:
            items.append(
                f'<li class="page-item"><a class="page-link" rel="next" href="{escape(self.next)}">'
                f"{label['next']}</a></li>"
            )
        # The addresses are escaped; the labels are numbers and this module's.
        return mark_safe(  # nosec B308 B703 # every value in it is escaped
            f'<nav aria-label="{label["pages"]}">\n<ul class="pagination flex-wrap">\n{"".join(items)}\n</ul>\n</nav>\n'
        )


def search_form(form, query, texts):
    """The search of a page of public rows (publicity.forms.BoardSearch), with the filters by
    programme and list where it has them (the board), and "Clear" when a search is shown."""
    label = texts.label
    if form.with_filters:
        fields = (
            f'<div class="col-12 col-lg-4">{form.search_html()}</div>\n'
            f'<div class="col-12 col-sm-6 col-lg-3">{form.programme_html()}</div>\n'
            f'<div class="col-12 col-sm-6 col-lg-3">{form.batch_html()}</div>\n'
        )
    else:
        fields = f'<div class="col-12 col-md-8 col-lg-6">{form.search_html()}</div>\n'
    clear = f'<a class="btn btn-link" href="?">{label["clear"]}</a>' if query else ""
    # The fields are written (and escaped) by common.forms' markup functions; the rest is this module's.
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        f'<form method="get" action="" class="row g-2 align-items-end mb-3" role="search" '
        f'aria-label="{label["search_projects"]}">\n{fields}'
        f'<div class="col-auto">\n<button type="submit" class="btn btn-primary">{label["search"]}</button>\n'
        f"{clear}\n</div>\n</form>\n"
    )
