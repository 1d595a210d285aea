"""The registers the checks read: credit records and changes of unit status (Art. 17), and municipal
funds granted through other channels (Art. 16), imported by commission staff from CSV or XLSX files.

An import validates the whole file first and lists every bad row; a file with any error imports
nothing. A row identical to a record already in the register is skipped, not an error."""

import csv
import datetime
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import filetype
import rules
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from common.exports import neutralise
from common.history import audited
from common.money import MONEY_LIMIT, yuan
from declarations.models import Organisation
from declarations.validators import normalise_credit_code, validate_credit_code
from declarations.workflow import TransitionRefused
from review.models import (
    CreditList,
    CreditRecord,
    FundingRecord,
    Register,
    RegisterImport,
    UnitStatus,
    UnitStatusRecord,
)
from review.tasks import check_double_funding_after_import

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX file is a zip archive: 5 MB of it may unpack to far more. Real registers of 20,000 rows
# unpack to some tens of megabytes.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Columns read from a spreadsheet row; the registers have eight at most.
MAX_COLUMNS = 64
# Shown of an offending value in the report.
SHOWN_CHARACTERS = 100


class Kind:
    TEXT = "text"
    CREDIT_CODE = "credit_code"
    CHOICE = "choice"
    DATE = "date"
    AMOUNT = "amount"


@dataclass(frozen=True)
class Column:
    name: str  # the model field, also the English header
    chinese: tuple  # the Chinese headers, the first one written in the templates
    kind: str = Kind.TEXT
    required: bool = True
    choices: type | None = None  # Kind.CHOICE: the TextChoices, with its Chinese names in CHOICE_NAMES_ZH
    unknown: str = ""  # Kind.CHOICE: the message for a value that is none of them, with %(names)s


@dataclass(frozen=True)
class RegisterSpec:
    model: type
    columns: tuple

    @property
    def fields(self):
        return [column.name for column in self.columns]


SPECS = {
    Register.CREDIT: RegisterSpec(
        model=CreditRecord,
        columns=(
            Column("credit_code", ("统一社会信用代码",), Kind.CREDIT_CODE),
            Column("name", ("名称",), required=False),
            Column(
                "list",
                ("名单",),
                Kind.CHOICE,
                choices=CreditList,
                unknown=gettext_lazy("Unknown list: use one of %(names)s."),
            ),
            Column("starts_on", ("起始日期",), Kind.DATE),
            Column("ends_on", ("截止日期",), Kind.DATE, required=False),
            Column("source", ("来源",)),
        ),
    ),
    Register.FUNDING: RegisterSpec(
        model=FundingRecord,
        columns=(
            Column("credit_code", ("统一社会信用代码",), Kind.CREDIT_CODE),
            Column("organisation_name", ("单位名称",)),
            Column("project_title", ("项目名称",)),
            Column("project_content", ("项目内容",), required=False),
            Column("channel", ("资金渠道",)),
            Column("amount", ("金额（元）", "金额"), Kind.AMOUNT),
            Column("granted_on", ("拨付日期",), Kind.DATE),
            Column("reference", ("文号",), required=False),
        ),
    ),
    Register.UNIT_STATUS: RegisterSpec(
        model=UnitStatusRecord,
        columns=(
            Column("credit_code", ("统一社会信用代码",), Kind.CREDIT_CODE),
            Column("name", ("名称", "单位名称"), required=False),
            Column(
                "status",
                ("登记状态", "状态"),
                Kind.CHOICE,
                choices=UnitStatus,
                unknown=gettext_lazy("Unknown status: use one of %(names)s."),
            ),
            Column("effective_on", ("生效日期", "变更日期"), Kind.DATE),
            Column("source", ("来源",)),
            Column("note", ("备注",), required=False),
        ),
    ),
}
# The Chinese names of the lists and statuses of Art. 17 as the registers publish them: the first is
# the one the report suggests, the others are read too.
CHOICE_NAMES_ZH = {
    CreditList.RESEARCH_DISHONESTY: ("科研失信",),
    CreditList.ENFORCEMENT: ("失信被执行人",),
    CreditList.SERIOUSLY_ILLEGAL: ("严重违法失信企业",),
    UnitStatus.REVOKED: ("吊销", "已吊销", "被吊销", "吊销营业执照"),
    UnitStatus.CANCELLED: ("注销", "已注销", "被注销"),
    UnitStatus.MOVED_OUT: ("迁出北京", "迁出本市", "注册地迁出本市", "注册地迁出北京"),
}


@dataclass(frozen=True)
class RowError:
    """One problem of an import: `row` as numbered in the file (the header is row 1) and the
    column's header as written there; a problem of the whole file has neither."""

    row: int | None
    column: str
    message: str
    value: str = ""


@dataclass
class ImportReport:
    register: str
    file_name: str
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    register_import: RegisterImport | None = None

    @property
    def ok(self):
        return not self.errors

    @property
    def file_errors(self):
        return [error for error in self.errors if error.row is None]

    @property
    def row_errors(self):
        return [error for error in self.errors if error.row is not None]

    @property
    def bad_rows(self):
        return len({error.row for error in self.row_errors})


class FileRefused(Exception):
    """The file as a whole cannot be imported; the message says why."""


# --- Reading a file into rows --------------------------------------------------------------------


def _read(uploaded_file):
    size = uploaded_file.size or 0
    if size > MAX_BYTES:
        shown, limit = filesizeformat(size), filesizeformat(MAX_BYTES)
        if shown == limit:
            shown, limit = _("%(n)s bytes") % {"n": f"{size:,}"}, _("%(n)s bytes") % {"n": f"{MAX_BYTES:,}"}
        raise FileRefused(
            _("The file is %(size)s; the largest accepted is %(limit)s. Split it into smaller files.")
            % {"size": shown, "limit": limit}
        )
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(limit)s. Split it into smaller files.") % {"limit": filesizeformat(MAX_BYTES)}
        )
    return data


NOT_A_TABLE = gettext_lazy("Only CSV and XLSX files are accepted, and this file's content is neither%(found)s.")


def _table(data):
    """(kind, rows): kind is "csv" or "xlsx", judged by the content; rows yields (row number, cells)."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx", _xlsx_rows(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(_("This is an old Excel (.xls) file: save it as .xlsx or CSV and upload that."))
    kind = filetype.guess(data[:8192])
    if kind is not None:
        raise FileRefused(NOT_A_TABLE % {"found": f" ({kind.mime})"})
    return "csv", _csv_rows(_decode(data))


def _decode(data):
    encodings = ["utf-16"] if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise FileRefused(NOT_A_TABLE % {"found": ""})


def _delimiter(text):
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(text):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise FileRefused(
            _("The file cannot be read as CSV at row %(row)d: %(error)s") % {"row": number + 1, "error": error}
        ) from None


def _xlsx_rows(data):
    import openpyxl  # noqa: PLC0415 -- slow import (75 ms), for XLSX files only

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error):
        raise FileRefused(
            _("This file looks like an XLSX file but is damaged: save it again and upload the new copy.")
        ) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(NOT_A_TABLE % {"found": " (zip)"})
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("This XLSX file unpacks to more than %(limit)s.") % {"limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
            yield number, list(cells)
    # openpyxl raises many kinds of error on a damaged workbook; each means the same to the user.
    except Exception:
        raise FileRefused(
            _("This XLSX file cannot be read: save it again in Excel or WPS and upload the new copy.")
        ) from None
    finally:
        if workbook is not None:
            workbook.close()


# --- Reading values ------------------------------------------------------------------------------


def _text(value):
    """A cell as text: CSV cells are text already, spreadsheet cells may be numbers or dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _shown(value):
    text = _text(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# 2026-01-05, 2026/1/5, 2026.1.5 or 2026年1月5日; a time of day after it is ignored.
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_AMOUNT = re.compile(r"^-?\d+(?:\.\d+)?$")


def _choice_names(choices):
    """{name as written in a file, lower case: value} for a TextChoices: value, English label, Chinese names."""
    names = {}
    for choice in choices:
        names[choice.value] = choice.value
        with translation.override("en"):
            names[str(choice.label).lower()] = choice.value
        for name in CHOICE_NAMES_ZH[choice]:
            names[name] = choice.value
    return names


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    found = _DATE.match(text)
    if found:
        try:
            return datetime.date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    raise ValidationError(_("Not a date: write it as 2026-01-05 or 2026/1/5."))


def _parse_amount(value):
    if isinstance(value, bool):
        raise ValidationError(_("Not an amount: write it in yuan, such as 1,600,000.00."))
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"[,，\s¥￥]", "", _text(value))
        if not _AMOUNT.match(text):
            raise ValidationError(_("Not an amount: write it in yuan, such as 1,600,000.00."))
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValidationError(_("Not an amount: write it in yuan, such as 1,600,000.00."))
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("An amount has at most two decimals (fen)."))
    if amount > MONEY_LIMIT:
        raise ValidationError(_("An amount cannot exceed %(limit)s yuan.") % {"limit": yuan(MONEY_LIMIT)})
    return amount.quantize(Decimal("0.01"))


def _parse(column, model, value, choice_names):
    """The column's value from one cell, or ValidationError with the message for the report."""
    if column.kind == Kind.DATE:
        if _text(value) == "":
            if column.required:
                raise ValidationError(_("This value is required."))
            return None
        return _parse_date(value)
    if column.kind == Kind.AMOUNT:
        if _text(value) == "":
            raise ValidationError(_("This value is required."))
        return _parse_amount(value)
    text = _text(value)
    if text == "":
        if column.required:
            raise ValidationError(_("This value is required."))
        return ""
    if _CONTROL.search(text):
        raise ValidationError(_("This value contains a control character; retype it."))
    if column.kind == Kind.CREDIT_CODE:
        code = normalise_credit_code(text)
        validate_credit_code(code)
        return code
    if column.kind == Kind.CHOICE:
        try:
            return choice_names[column.name][text.lower()]
        except KeyError:
            raise ValidationError(
                str(column.unknown)
                % {"names": ", ".join(f"{choice.value} / {CHOICE_NAMES_ZH[choice][0]}" for choice in column.choices)}
            ) from None
    max_length = model._meta.get_field(column.name).max_length
    if max_length and len(text) > max_length:
        raise ValidationError(
            _("At most %(limit)d characters; this value has %(count)d.") % {"limit": max_length, "count": len(text)}
        )
    return text


# --- The header ----------------------------------------------------------------------------------


def _header_key(value):
    text = _text(value).lstrip("\ufeff").strip().rstrip("*").strip()
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"[\s\-]+", "_", text.lower())


def _aliases(spec):
    aliases = {}
    with translation.override("en"):
        for column in spec.columns:
            names = [column.name, str(spec.model._meta.get_field(column.name).verbose_name), *column.chinese]
            for name in names:
                aliases[_header_key(name)] = column
    return aliases


def column_label(column):
    return f"{column.name} ({column.chinese[0]})"


def _map_header(spec, cells, report, number):
    """{cell index: Column} for the header row; refuses a file missing a column or naming one twice."""
    aliases = _aliases(spec)
    positions, seen = {}, {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        column = aliases.get(key)
        if column is None:
            report.ignored_columns.append(_shown(cell))
            continue
        if column.name in seen:
            raise FileRefused(
                _("The column %(column)s appears twice in the header row.") % {"column": column_label(column)}
            )
        seen[column.name] = _shown(cell)
        positions[index] = column
    missing = [column_label(column) for column in spec.columns if column.required and column.name not in seen]
    if missing:
        raise FileRefused(
            _("The header row (row %(row)d) lacks these columns: %(columns)s.")
            % {"row": number, "columns": ", ".join(missing)}
        )
    return positions, seen


# --- The import ----------------------------------------------------------------------------------


def _blank(cells):
    return all(_text(cell) == "" for cell in cells)


def _validate(spec, kind, rows, report):
    """The values of every good row; every problem goes into the report."""
    choice_names = {column.name: _choice_names(column.choices) for column in spec.columns if column.kind == Kind.CHOICE}
    header = None
    good, first_seen = [], {}
    for number, cells in rows:
        if _blank(cells):
            continue
        if header is None:
            header = _map_header(spec, cells, report, number)
            header_width = len(cells)
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise FileRefused(
                _("The file has more than %(limit)s rows: split it into smaller files.") % {"limit": f"{MAX_ROWS:,}"}
            )
        positions, headers = header
        errors_before = len(report.errors)
        if kind == "csv" and len(cells) > header_width and not _blank(cells[header_width:]):
            report.errors.append(
                RowError(
                    number,
                    "",
                    _(
                        "This row has more values than the header has columns: a value that contains a comma "
                        "must be put in double quotes."
                    ),
                    _shown(",".join(cells)),
                )
            )
            continue
        values = {column.name: None if column.kind == Kind.DATE else "" for column in spec.columns}
        for index, column in positions.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.name] = _parse(column, spec.model, raw, choice_names)
            except ValidationError as invalid:
                report.errors.append(RowError(number, headers[column.name], " ".join(invalid.messages), _shown(raw)))
        if (
            spec.model is CreditRecord
            and len(report.errors) == errors_before
            and values["ends_on"] is not None
            and values["ends_on"] < values["starts_on"]
        ):
            report.errors.append(
                RowError(
                    number,
                    headers["ends_on"],
                    _("The listing cannot end before it starts (%(starts)s).")
                    % {"starts": values["starts_on"].isoformat()},
                    values["ends_on"].isoformat(),
                )
            )
        if len(report.errors) > errors_before:
            continue
        key = tuple(values[name] for name in spec.fields)
        if key in first_seen:
            report.errors.append(
                RowError(number, "", _("The same record as row %(row)d.") % {"row": first_seen[key]}, "")
            )
            continue
        first_seen[key] = number
        good.append(values)
    if header is None:
        raise FileRefused(_("The file is empty."))
    if report.rows == 0:
        raise FileRefused(_("The file has a header row but no records below it."))
    return good


def _existing_keys(spec, values):
    """The records already in the register for the file's credit codes, as comparable tuples."""
    codes = sorted({row["credit_code"] for row in values})
    keys = set()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        keys.update(spec.model.objects.filter(credit_code__in=chunk).values_list(*spec.fields))
    return keys


def _lock_register(register):
    """On PostgreSQL two imports into one register wait for each other, so neither misses the
    other's rows when it skips what is already there. SQLite writes one transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"review.register.{register}".encode())])


def _file_name(name):
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    return name.strip()[-200:] or "register"


def register_import(*, register, uploaded_file, actor):
    """Import a CSV or XLSX file into a register (Register); returns an ImportReport.

    The whole file is validated first and every problem reported; with any problem nothing is
    imported. Otherwise, in one transaction: the register is locked (PostgreSQL), rows identical to
    records already in it are skipped and counted, a `RegisterImport` (file name, SHA-256, rows,
    actor) is written and the records are created pointing to it. After a funding import commits,
    the double-funding check is queued for the open declarations of the units it named."""
    if not rules.has_perm("console.staff", actor):
        raise TransitionRefused(_("Only commission staff import registers."))
    spec = SPECS[Register(register)]
    report = ImportReport(register=register, file_name=_file_name(getattr(uploaded_file, "name", "")))
    try:
        data = _read(uploaded_file)
        kind, rows = _table(data)
        good = _validate(spec, kind, rows, report)
    except FileRefused as refusal:
        report.errors = [RowError(None, "", str(refusal))]
        return report
    if not report.ok:
        return report
    with transaction.atomic():
        _lock_register(register)
        existing = _existing_keys(spec, good)
        new = [values for values in good if tuple(values[name] for name in spec.fields) not in existing]
        register_import = RegisterImport(
            register=register,
            file_name=report.file_name,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(new),
            imported_by=actor,
        )
        audited(register_import, actor).save()
        bulk_create_with_history(
            [spec.model(imported_from=register_import, **values) for values in new],
            spec.model,
            batch_size=500,
            default_user=actor,
        )
        if register == Register.FUNDING and new:
            transaction.on_commit(
                lambda: check_double_funding_after_import.delay(register_import_id=register_import.pk)
            )
    report.imported, report.skipped = len(new), len(good) - len(new)
    report.register_import = register_import
    return report


# --- Templates to fill in ------------------------------------------------------------------------


def template_headers(register):
    """The header row of the register's template: Chinese headers in Chinese, field names otherwise."""
    chinese = (translation.get_language() or "").startswith("zh")
    return [column.chinese[0] if chinese else column.name for column in SPECS[Register(register)].columns]


def register_template_csv(register):
    """The header row as a UTF-8 CSV file with a byte-order mark, so Excel reads the Chinese."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([neutralise(h) for h in template_headers(register)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register_template_xlsx(register):
    import openpyxl  # noqa: PLC0415 -- slow import (75 ms), for XLSX files only

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(str(Register(register).label)[:31].replace(":", " ").replace("/", " "))
    sheet.append([neutralise(h) for h in template_headers(register)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Reads for the pages -------------------------------------------------------------------------


def register_counts():
    """{register: number of records}."""
    return {register: spec.model.objects.count() for register, spec in SPECS.items()}


def register_imports_latest(limit=10):
    return list(RegisterImport.objects.select_related("imported_by").order_by("-imported_at", "-pk")[:limit])


def register_records(register, q=""):
    """The register's records, searched by credit code or name, with the import each came from and,
    in the registers of Art. 17, the id of the organisation of the code (`organisation_pk`) or None."""
    register = Register(register)
    records = SPECS[register].model.objects.select_related("imported_from")
    if register == Register.UNIT_STATUS:
        records = records.select_related("recorded_by")
    if register in (Register.CREDIT, Register.UNIT_STATUS):
        # The organisation of the code, when one has signed up, for a link to its console page.
        organisations = Organisation.objects.filter(credit_code=OuterRef("credit_code")).values("pk")
        records = records.annotate(organisation_pk=Subquery(organisations[:1]))
    q = (q or "").strip()
    if q:
        if register in (Register.CREDIT, Register.UNIT_STATUS):
            records = records.filter(Q(credit_code__icontains=q) | Q(name__icontains=q))
        else:
            records = records.filter(
                Q(credit_code__icontains=q) | Q(organisation_name__icontains=q) | Q(project_title__icontains=q)
            )
    return records.order_by(*SPECS[register].model._meta.ordering)
