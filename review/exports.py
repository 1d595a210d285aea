"""Exports of the console: the declarations of the queue and the decisions, as CSV and XLSX.

Both formats are written row by row from `QuerySet.iterator()`: the memory they take does not grow
with the number of rows. CSV streams (UTF-8 with a byte-order mark, so Excel reads Chinese); XLSX is
written by openpyxl in write-only mode to a temporary file, which is then sent. Every text cell goes
through `neutralise()` so a spreadsheet never runs a formula a user typed.
"""

import csv
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from common.exports import neutralise
from common.typography import join_clauses
from review.filters import Flag, flags_of

CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"


# --- what is exported ---------------------------------------------------------------------------


TEXT, NUMBER, SCORE, AMOUNT, DATE, DATETIME = "text", "number", "score", "amount", "date", "datetime"


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # record -> the cell's value (None for an empty cell)
    kind: str = TEXT
    width: int = 16


def _user_name(user):
    return (user.get_full_name() or user.username) if user else None


DECLARATION_COLUMNS = (
    Column(_("Number"), lambda d: d.number, width=24),
    Column(_("Project"), lambda d: d.title, width=40),
    Column(_("Organisation"), lambda d: d.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda d: d.organisation.credit_code, width=22),
    Column(_("Programme"), lambda d: d.programme.code, width=10),
    Column(_("Call"), lambda d: d.call.title, width=28),
    Column(_("State"), lambda d: d.get_state_display(), width=26),
    Column(_("Total score"), lambda d: d.total_score, SCORE, width=12),
    Column(_("Spread"), lambda d: d.score_spread, SCORE, width=10),
    Column(_("Evaluations submitted"), lambda d: d.evaluations_submitted, NUMBER, width=12),
    Column(_("Reviewers assigned"), lambda d: d.reviewers_assigned, NUMBER, width=12),
    Column(_("Flags"), lambda d: join_clauses(Flag.LABELS[flag] for flag in flags_of(d)), width=36),
    Column(_("Award cap (yuan)"), lambda d: d.award_cap, AMOUNT, width=18),
    Column(_("Approved amount (yuan)"), lambda d: d.approved_amount, AMOUNT, width=18),
    Column(_("Submitted"), lambda d: d.submitted_at, DATETIME, width=18),
)

DECISION_COLUMNS = (
    Column(_("Number"), lambda d: d.declaration.number, width=24),
    Column(_("Organisation"), lambda d: d.declaration.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda d: d.declaration.organisation.credit_code, width=22),
    Column(_("Programme"), lambda d: d.declaration.programme.code, width=10),
    Column(_("Project"), lambda d: d.declaration.title, width=40),
    Column(_("Outcome"), lambda d: d.get_outcome_display(), width=18),
    Column(_("Approved amount (yuan)"), lambda d: d.amount, AMOUNT, width=18),
    Column(_("Award cap (yuan)"), lambda d: d.award_cap, AMOUNT, width=18),
    Column(_("Support scheme or reason"), lambda d: d.reason, width=40),
    Column(_("Meeting date"), lambda d: d.opinion.meeting.held_on, DATE, width=12),
    Column(_("Meeting opinion"), lambda d: d.opinion.opinion, width=50),
    Column(_("Decided by"), lambda d: _user_name(d.decided_by), width=16),
    Column(_("Decided at"), lambda d: d.decided_at, DATETIME, width=18),
)


def decision_queryset(queryset):
    """Decisions with everything their export reads, in one query."""
    return queryset.select_related(
        "declaration__organisation", "declaration__programme", "opinion__meeting", "decided_by"
    ).order_by("declaration__number", "pk")


def _values(columns, records):
    """Each record's row of typed values: text as text (neutralised), numbers as Decimal/int, dates
    as dates, aware times as local times."""
    for record in records:
        row = []
        for column in columns:
            value = column.value(record)
            if value is None:
                pass
            elif column.kind == DATETIME:
                value = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
            elif column.kind == TEXT:
                value = neutralise(str(value))
            row.append(value)
        yield row


def export_filename(stem, extension):
    """`stem-YYYY-MM-DD.extension`, the date of the export in Beijing."""
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


# --- CSV ----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_lines(columns, records, language, rows_per_chunk=200):
    writer = csv.writer(_Echo())
    # The rows are produced after the view has returned: keep the request's language.
    with translation.override(language):
        yield "\ufeff" + writer.writerow([neutralise(str(column.header)) for column in columns])
        chunk = []
        for row in _values(columns, records):
            chunk.append(writer.writerow([_csv_cell(value) for value in row]))
            if len(chunk) >= rows_per_chunk:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)


def csv_response(columns, queryset, stem):
    """A streamed CSV download of `queryset` (read in chunks) with one column per `columns`."""
    response = StreamingHttpResponse(
        _csv_lines(columns, queryset.iterator(chunk_size=CHUNK_SIZE), translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    return response


# --- XLSX ---------------------------------------------------------------------------------------

NUMBER_FORMATS = {SCORE: "0.00", AMOUNT: AMOUNT_FORMAT, DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", NUMBER: "0"}


def _sheet_title(title):
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def _xlsx_cell(sheet, value, kind):
    if value is None:
        return None
    if isinstance(value, str):
        # Characters XML 1.0 cannot hold (control characters) would make openpyxl refuse the file.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=Decimal(value) if kind == AMOUNT else value)
    cell.number_format = NUMBER_FORMATS.get(kind, "General")
    return cell


def xlsx_response(columns, queryset, stem, sheet_title):
    """An XLSX download of `queryset` (read in chunks), one column per `columns`: numbers and
    amounts as numbers (amounts formatted #,##0.00), dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append([neutralise(str(column.header)) for column in columns])
    kinds = [column.kind for column in columns]
    for row in _values(columns, queryset.iterator(chunk_size=CHUNK_SIZE)):
        sheet.append([_xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)])
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=export_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE
    )


FORMATS = ("csv", "xlsx")


def export_response(fmt, columns, queryset, *, stem, sheet_title):
    """The download of `queryset` in `fmt` ("csv" or "xlsx")."""
    if fmt == "csv":
        return csv_response(columns, queryset, stem)
    return xlsx_response(columns, queryset, stem, sheet_title)
