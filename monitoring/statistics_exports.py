"""The statistics page's tables as one XLSX workbook, a sheet per table, written with the console
exports' helpers (review.exports): numbers and amounts as numbers, every text cell neutralised."""

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from common.exports import neutralise
from monitoring.enums import PerformanceGrade
from review.exports import (
    AMOUNT,
    NUMBER,
    TEXT,
    XLSX_CONTENT_TYPE,
    Column,
    _sheet_title,
    _values,
    _xlsx_cell,
    export_filename,
)

DAYS = "score"  # two decimals, as the console's scores


def _programme(row):
    return f"{row.programme.code} {row.programme.title}" if row.programme else _("All programmes")


def _rounded(days):
    return None if days is None else round(days, 2)


DECLARATION_COLUMNS = (
    Column(gettext_lazy("Programme"), _programme, TEXT, width=40),
    Column(gettext_lazy("Received"), lambda r: r.received, NUMBER, width=12),
    Column(gettext_lazy("Accepted"), lambda r: r.accepted, NUMBER, width=12),
    Column(gettext_lazy("Supported"), lambda r: r.supported, NUMBER, width=12),
    Column(gettext_lazy("Not supported"), lambda r: r.not_supported, NUMBER, width=14),
    Column(gettext_lazy("Disqualified"), lambda r: r.disqualified, NUMBER, width=14),
    Column(gettext_lazy("Not accepted"), lambda r: r.not_accepted, NUMBER, width=14),
)
AMOUNT_COLUMNS = (
    Column(gettext_lazy("Programme"), _programme, TEXT, width=40),
    Column(gettext_lazy("Requested (yuan)"), lambda r: r.requested, AMOUNT, width=18),
    Column(gettext_lazy("Approved (yuan)"), lambda r: r.approved, AMOUNT, width=18),
    Column(gettext_lazy("Paid (yuan)"), lambda r: r.paid, AMOUNT, width=18),
    Column(gettext_lazy("Ordered recovered (yuan)"), lambda r: r.recovery_ordered, AMOUNT, width=18),
    Column(gettext_lazy("Repaid (yuan)"), lambda r: r.repaid, AMOUNT, width=18),
    Column(gettext_lazy("Budget (yuan)"), lambda r: r.budget, AMOUNT, width=18),
    Column(gettext_lazy("Budget used (yuan)"), lambda r: r.committed, AMOUNT, width=18),
)
TIMELINESS_COLUMNS = (
    Column(gettext_lazy("Programme"), _programme, TEXT, width=40),
    Column(gettext_lazy("Days to acceptance (median)"), lambda r: _rounded(r.timeliness.to_acceptance), DAYS),
    Column(gettext_lazy("Days to decision (median)"), lambda r: _rounded(r.timeliness.to_decision), DAYS),
    Column(gettext_lazy("Days to first payment (median)"), lambda r: _rounded(r.timeliness.to_payment), DAYS),
)
FUNNEL_COLUMNS = (
    Column(gettext_lazy("Stage"), lambda stage: stage[0], TEXT, width=30),
    Column(gettext_lazy("Declarations"), lambda stage: stage[1], NUMBER, width=14),
)
MONTH_COLUMNS = (
    Column(gettext_lazy("Month"), lambda m: m.month.strftime("%Y-%m"), TEXT, width=12),
    Column(gettext_lazy("Declarations received"), lambda m: m.received, NUMBER, width=16),
    Column(gettext_lazy("Paid (yuan)"), lambda m: m.paid, AMOUNT, width=18),
)


def _grade_columns():
    """The grades' columns: one per grade, in PerformanceGrade's order, and their total."""
    return (
        Column(gettext_lazy("Programme"), _programme, TEXT, width=40),
        *(
            Column(label, lambda r, at=at: r.by_grade[at], NUMBER, width=12)
            for at, label in enumerate(PerformanceGrade.labels)
        ),
        Column(gettext_lazy("Reports evaluated"), lambda r: r.total, NUMBER, width=16),
    )


def statistics_sheets(stats):
    """(title, columns, records) of each table of the page, in its order."""
    programmes = [*stats.programmes, stats.totals]
    return (
        (_("Declarations"), DECLARATION_COLUMNS, programmes),
        (_("Amounts"), AMOUNT_COLUMNS, programmes),
        (_("Timeliness"), TIMELINESS_COLUMNS, programmes),
        (_("Funnel"), FUNNEL_COLUMNS, stats.funnel),
        (_("Months"), MONTH_COLUMNS, stats.months),
        (_("Performance grades"), _grade_columns(), [*stats.grades, stats.grade_totals]),
    )


def statistics_xlsx_response(stats):
    workbook = Workbook(write_only=True)
    for title, columns, records in statistics_sheets(stats):
        sheet = workbook.create_sheet(_sheet_title(title))
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.append([neutralise(str(column.header)) for column in columns])
        kinds = [column.kind for column in columns]
        for row in _values(columns, records):
            sheet.append([_xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)])
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    workbook.save(target)
    target.seek(0)
    stem = f"statistics-{stats.year}" + (f"-call-{stats.call.pk}" if stats.call else "")
    return FileResponse(
        target, as_attachment=True, filename=export_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE
    )
