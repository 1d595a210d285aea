"""The registers of Art. 16 and 17: staff import CSV and XLSX files; the whole file is validated
first, every bad row is reported, and a file with any error imports nothing."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.models import CreditRecord, FundingRecord, Register, RegisterImport
from review.registers import MAX_ROWS, RowError, register_import
from tests.factories import credit_code_for

pytestmark = pytest.mark.django_db

CODE_A, CODE_B, CODE_C = credit_code_for(1), credit_code_for(2), credit_code_for(3)
CREDIT_HEADER = "credit_code,name,list,starts_on,ends_on,source"
FUNDING_HEADER = "统一社会信用代码,单位名称,项目名称,项目内容,资金渠道,金额（元）,拨付日期,文号"


def csv_file(text, name="register.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="register.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def credit_rows(*rows):
    return "\n".join([CREDIT_HEADER, *rows]) + "\n"


def errors_of(report):
    return [(e.row, e.column, e.message, e.value) for e in report.errors]


# --- Good files ----------------------------------------------------------------------------------


def test_credit_register_imports_a_good_csv_with_every_way_of_naming_a_list(staff):
    text = "\ufeff" + credit_rows(
        f"{CODE_A},Alpha Ltd.,research_dishonesty,2026-01-05,2027-01-04,Credit China 2026-001",
        f"{CODE_B},,失信被执行人,2026/1/5,,Court enforcement list",
        f"{CODE_C.lower()},Gamma Ltd.,Seriously illegal and untrustworthy enterprise,2025.12.31,,SAMR",
    )

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(text, "credit.csv"), actor=staff)

    assert (report.ok, report.rows, report.imported, report.skipped) == (True, 3, 3, 0)
    imported = RegisterImport.objects.get()
    assert (imported.register, imported.file_name, imported.rows, imported.imported_by) == (
        Register.CREDIT,
        "credit.csv",
        3,
        staff,
    )
    assert len(imported.sha256) == 64
    assert list(
        CreditRecord.objects.order_by("credit_code").values_list(
            "credit_code", "name", "list", "starts_on", "ends_on", "source", "imported_from"
        )
    ) == [
        (
            CODE_A,
            "Alpha Ltd.",
            "research_dishonesty",
            datetime.date(2026, 1, 5),
            datetime.date(2027, 1, 4),
            "Credit China 2026-001",
            imported.pk,
        ),
        (CODE_B, "", "enforcement", datetime.date(2026, 1, 5), None, "Court enforcement list", imported.pk),
        (CODE_C, "Gamma Ltd.", "seriously_illegal", datetime.date(2025, 12, 31), None, "SAMR", imported.pk),
    ]


def test_funding_register_imports_a_good_xlsx_with_chinese_headers_in_any_order_and_date_cells(staff):
    upload = xlsx_file(
        [
            ["金额（元）", "统一社会信用代码", "单位名称", "项目名称", "资金渠道", "拨付日期", "文号", "项目内容"],
            [
                500000,
                CODE_A,
                "甲公司",
                "量子传感芯片研发",
                "市经信局",
                datetime.datetime(2025, 6, 1),
                "京经信〔2025〕1号",
                "",
            ],
            ["1,234,567.89", CODE_B, "乙公司", "机器人", "市发改委", "2025-07-15", None, "工业机器人关节模组"],
            [0.5, CODE_B, "乙公司", "小额", "区科委", datetime.date(2024, 1, 2), 42, None],
        ]
    )

    report = register_import(register=Register.FUNDING, uploaded_file=upload, actor=staff)

    assert errors_of(report) == []
    assert (report.imported, report.skipped) == (3, 0)
    assert list(
        FundingRecord.objects.order_by("granted_on").values_list(
            "credit_code", "project_title", "project_content", "channel", "amount", "granted_on", "reference"
        )
    ) == [
        (CODE_B, "小额", "", "区科委", Decimal("0.50"), datetime.date(2024, 1, 2), "42"),
        (
            CODE_A,
            "量子传感芯片研发",
            "",
            "市经信局",
            Decimal("500000.00"),
            datetime.date(2025, 6, 1),
            "京经信〔2025〕1号",
        ),
        (CODE_B, "机器人", "工业机器人关节模组", "市发改委", Decimal("1234567.89"), datetime.date(2025, 7, 15), ""),
    ]


def test_a_csv_saved_in_gb18030_is_read(staff):
    text = f'{FUNDING_HEADER}\n{CODE_A},甲公司,量子传感,芯片,市科委,"1,000.00",2025年3月1日,\n'

    report = register_import(register=Register.FUNDING, uploaded_file=csv_file(text, encoding="gb18030"), actor=staff)

    assert (report.ok, report.imported) == (True, 1)
    assert FundingRecord.objects.get().organisation_name == "甲公司"


def test_the_file_type_is_judged_by_content_not_by_name(staff):
    upload = xlsx_file([CREDIT_HEADER.split(","), [CODE_A, "", "enforcement", "2026-01-05", "", "Court"]], "list.csv")

    report = register_import(register=Register.CREDIT, uploaded_file=upload, actor=staff)

    assert (report.ok, report.imported) == (True, 1)


def test_a_tab_separated_file_is_read(staff):
    text = CREDIT_HEADER.replace(",", "\t") + f"\n{CODE_A}\t\tenforcement\t2026-01-05\t\tCourt\n"

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(text), actor=staff)

    assert (report.ok, report.imported) == (True, 1)


# --- Bad rows ------------------------------------------------------------------------------------


def test_a_credit_file_with_bad_rows_imports_nothing_and_the_report_names_every_bad_row(staff):
    text = credit_rows(
        f"{CODE_A},Alpha,enforcement,2026-01-05,,Court",  # row 2: good
        f"{CODE_A[:-1]}X,Alpha,enforcement,2026-01-05,,Court",  # row 3: check character
        f"{CODE_B},Beta,blacklist,2026-02-30,,Court",  # row 4: list and date
        f"{CODE_C},Gamma,enforcement,2026-03-01,2026-02-01,",  # row 5: source missing, ends before starts
        "",  # row 6: blank, not counted
        f"{CODE_C},Gamma,enforcement,2026-03-01,2026-02-01,Court",  # row 7: ends before starts
        f"{CODE_A},Alpha,enforcement,2026-01-05,,Court",  # row 8: same as row 2
        f"{CODE_B},{'x' * 201},enforcement,2026-01-05,,Court",  # row 9: name too long
        f"{CODE_B},Beta,enforcement,2026-01-05,,=cmd|' /C calc'!A0",  # row 10: good (a formula is only text)
    )

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(text), actor=staff)

    assert report.ok is False
    assert errors_of(report) == [
        (
            3,
            "credit_code",
            "The last character of this unified social credit code does not match: check for a typing error.",
            f"{CODE_A[:-1]}X",
        ),
        (
            4,
            "list",
            "Unknown list: use one of research_dishonesty / 科研失信, enforcement / 失信被执行人, "
            "seriously_illegal / 严重违法失信企业.",
            "blacklist",
        ),
        (4, "starts_on", "Not a date: write it as 2026-01-05 or 2026/1/5.", "2026-02-30"),
        (5, "source", "This value is required.", ""),
        (7, "ends_on", "The listing cannot end before it starts (2026-03-01).", "2026-02-01"),
        (8, "", "The same record as row 2.", ""),
        (9, "name", "At most 200 characters; this value has 201.", "x" * 99 + "…"),
    ]
    assert (report.rows, report.bad_rows) == (8, 6)
    assert CreditRecord.objects.count() == 0
    assert RegisterImport.objects.count() == 0


def test_a_funding_file_with_bad_amounts_and_dates_imports_nothing(staff):
    rows = [
        f"{CODE_A},甲,项目一,,渠道,-5,2025-01-01,",
        f"{CODE_A},甲,项目二,,渠道,1.005,2025-01-01,",
        f"{CODE_A},甲,项目三,,渠道,1e5,2025-01-01,",
        f"{CODE_A},甲,项目四,,渠道,100000000000000,2025-01-01,",
        f"{CODE_A},甲,项目五,,渠道,,1/5/2025,",
        f"{CODE_A},甲,项目六,,渠道,NaN,2025-01-01,",
        f"{CODE_A},甲,项目七,,渠道,1000,2025-01-01,",
    ]
    text = FUNDING_HEADER + "\n" + "\n".join(rows) + "\n"

    report = register_import(register=Register.FUNDING, uploaded_file=csv_file(text), actor=staff)

    assert errors_of(report) == [
        (2, "金额（元）", "An amount cannot be negative.", "-5"),
        (3, "金额（元）", "An amount has at most two decimals (fen).", "1.005"),
        (4, "金额（元）", "Not an amount: write it in yuan, such as 1,600,000.00.", "1e5"),
        (5, "金额（元）", "An amount cannot exceed 999,999,999,999.99 yuan.", "100000000000000"),
        (6, "金额（元）", "This value is required.", ""),
        (6, "拨付日期", "Not a date: write it as 2026-01-05 or 2026/1/5.", "1/5/2025"),
        (7, "金额（元）", "Not an amount: write it in yuan, such as 1,600,000.00.", "NaN"),
    ]
    assert FundingRecord.objects.count() == 0


def test_an_unquoted_amount_with_commas_is_reported_at_its_row(staff):
    text = f"{FUNDING_HEADER}\n{CODE_A},甲,项目,,渠道,1,000,000.00,2025-01-01,\n"

    report = register_import(register=Register.FUNDING, uploaded_file=csv_file(text), actor=staff)

    assert [(e.row, e.column) for e in report.errors] == [(2, "")]
    assert "double quotes" in report.errors[0].message


def test_control_characters_in_a_value_are_reported(staff):
    text = credit_rows(f"{CODE_A},Al\x07pha,enforcement,2026-01-05,,Court")

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(text), actor=staff)

    assert errors_of(report) == [(2, "name", "This value contains a control character; retype it.", "Al\x07pha")]


def test_xlsx_rows_are_numbered_as_in_the_sheet(staff):
    upload = xlsx_file(
        [
            CREDIT_HEADER.split(","),
            [CODE_A, "", "enforcement", datetime.datetime(2026, 1, 5), None, "Court"],
            [],
            [CODE_B, "", "enforcement", 45000, None, "Court"],
        ]
    )

    report = register_import(register=Register.CREDIT, uploaded_file=upload, actor=staff)

    assert errors_of(report) == [(4, "starts_on", "Not a date: write it as 2026-01-05 or 2026/1/5.", "45000")]


# --- File-level errors ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _zip_without_workbook():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    return out.getvalue()


FILE_ERRORS = [
    ("empty", b"", "The file is empty."),
    ("blank lines", b"\n\n  \n", "The file is empty."),
    ("png", PNG, "Only CSV and XLSX files are accepted, and this file's content is neither (image/png)."),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "Only CSV and XLSX files are accepted"),
    ("binary", b"\x00\x01\x02\x03" * 50, "Only CSV and XLSX files are accepted, and this file's content is neither."),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an old Excel (.xls) file"),
    (
        "docx",
        _zip_without_workbook(),
        "Only CSV and XLSX files are accepted, and this file's content is neither (zip).",
    ),
    ("damaged xlsx", b"PK\x03\x04" + b"\x00" * 100, "This file looks like an XLSX file but is damaged"),
    ("header only", (CREDIT_HEADER + "\n").encode(), "The file has a header row but no records below it."),
    ("missing columns", b"credit_code,name,source\n1,2,3\n", "The header row (row 1) lacks these columns: list"),
    (
        "column twice",
        b"credit_code,list,starts_on,source,list\n",
        "The column list (名单) appears twice in the header row.",
    ),
    ("bad csv", b'credit_code,list,starts_on,source\n"a' + b"x" * 140000 + b"\n", "The file cannot be read as CSV"),
]


@pytest.mark.parametrize(("case", "content", "message"), FILE_ERRORS, ids=[case for case, *_ in FILE_ERRORS])
def test_file_level_errors_are_reported_and_nothing_is_imported(staff, case, content, message):
    upload = SimpleUploadedFile("register.csv", content)

    report = register_import(register=Register.CREDIT, uploaded_file=upload, actor=staff)

    assert len(report.errors) == 1
    assert report.errors[0].row is None
    assert report.errors[0].message.startswith(message)
    assert (CreditRecord.objects.count(), RegisterImport.objects.count()) == (0, 0)


def test_missing_columns_are_named_in_the_report(staff):
    report = register_import(
        register=Register.CREDIT, uploaded_file=csv_file("credit_code,name,source\nx,y,z\n"), actor=staff
    )

    assert report.errors == [
        RowError(None, "", "The header row (row 1) lacks these columns: list (名单), starts_on (起始日期).")
    ]


def test_a_file_over_5_mb_is_refused_before_it_is_read(staff):
    content = (CREDIT_HEADER + "\n").encode() + b"x" * (5 * 1024 * 1024)

    report = register_import(
        register=Register.CREDIT, uploaded_file=SimpleUploadedFile("big.csv", content), actor=staff
    )

    assert report.errors == [
        RowError(
            None,
            "",
            "The file is 5,242,927 bytes; the largest accepted is 5,242,880 bytes. Split it into smaller files.",
        )
    ]


def test_a_file_over_20000_rows_is_refused(staff):
    row = f"{CODE_A},,enforcement,2026-01-05,,Court\n"
    content = CREDIT_HEADER + "\n" + row * (MAX_ROWS + 1)

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(content), actor=staff)

    assert report.errors == [RowError(None, "", "The file has more than 20,000 rows: split it into smaller files.")]
    assert CreditRecord.objects.count() == 0


def test_a_file_of_exactly_20000_rows_is_validated(staff):
    content = CREDIT_HEADER + "\n" + "".join(f"{CODE_A},{n},enforcement,2026-01-05,,Court\n" for n in range(MAX_ROWS))

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(content), actor=staff)

    assert (report.ok, report.imported) == (True, MAX_ROWS)


# --- Duplicates ----------------------------------------------------------------------------------


def test_rows_already_in_the_register_are_skipped_and_counted(staff):
    first = credit_rows(f"{CODE_A},Alpha,enforcement,2026-01-05,,Court", f"{CODE_B},Beta,enforcement,2026-01-05,,Court")
    register_import(register=Register.CREDIT, uploaded_file=csv_file(first), actor=staff)
    again = credit_rows(
        f"{CODE_A},Alpha,失信被执行人,2026/1/5,,Court",  # the same record, written differently
        f"{CODE_B},Beta,enforcement,2026-01-05,2026-12-31,Court",  # a different period: a new record
    )

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(again, "again.csv"), actor=staff)

    assert (report.ok, report.imported, report.skipped) == (True, 1, 1)
    assert CreditRecord.objects.count() == 3
    assert RegisterImport.objects.get(file_name="again.csv").rows == 1


def test_a_funding_row_equal_in_amount_is_skipped(staff):
    text = f"{FUNDING_HEADER}\n{CODE_A},甲,项目,,渠道,1000,2025-01-01,\n"
    register_import(register=Register.FUNDING, uploaded_file=csv_file(text), actor=staff)

    report = register_import(
        register=Register.FUNDING, uploaded_file=csv_file(text.replace(",1000,", ',"1,000.00",')), actor=staff
    )

    assert (report.imported, report.skipped) == (0, 1)
    assert FundingRecord.objects.count() == 1


def test_only_staff_may_import(reviewer):
    from declarations.workflow import TransitionRefused

    with pytest.raises(TransitionRefused):
        register_import(register=Register.CREDIT, uploaded_file=csv_file(credit_rows()), actor=reviewer)


# --- Downloads -----------------------------------------------------------------------------------


def test_the_templates_have_the_header_row_and_import_as_they_are(client, staff):
    client.force_login(staff)
    csv_response = client.get("/console/registers/funding/template.csv")
    xlsx_response = client.get("/console/registers/credit/template.xlsx")

    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="funding-register-template.csv"'
    assert csv_response.content.decode("utf-8-sig") == (
        "credit_code,organisation_name,project_title,project_content,channel,amount,granted_on,reference\r\n"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content), read_only=True).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["credit_code", "name", "list", "starts_on", "ends_on", "source"]
    ]


def test_the_templates_speak_chinese_in_chinese(client, staff):
    client.force_login(staff)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    response = client.get("/console/registers/funding/template.csv")

    assert response.content.decode("utf-8-sig") == f"{FUNDING_HEADER}\r\n"


# --- Pages ---------------------------------------------------------------------------------------


def test_staff_import_a_file_from_the_page_and_see_the_counts(client, staff):
    client.force_login(staff)
    text = credit_rows(f"{CODE_A},Alpha,enforcement,2026-01-05,,Court")

    response = client.post(
        "/console/registers/import/", {"register": "credit", "file": csv_file(text, "list.csv")}, follow=True
    )

    assert response.redirect_chain == [("/console/registers/credit/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Credit register (Art. 17): 1 record imported."]
    assert [r.credit_code for r in response.context["page"]] == [CODE_A]


def test_a_refused_file_shows_every_error_at_the_form_and_imports_nothing(client, staff):
    client.force_login(staff)
    text = credit_rows(f"{CODE_A},Alpha,nope,2026-01-05,,Court", f"{CODE_B},Beta,enforcement,yesterday,,Court")

    response = client.post("/console/registers/import/", {"register": "credit", "file": csv_file(text)})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "2 of 2 rows have errors, listed below; nothing was imported. Correct them and upload the file again."
    ]
    assert [(e.row, e.column) for e in response.context["report"].row_errors] == [(2, "list"), (3, "starts_on")]
    assert "yesterday" in response.content.decode()
    assert CreditRecord.objects.count() == 0


def test_a_file_level_error_is_shown_at_the_file_field(client, staff):
    client.force_login(staff)

    response = client.post(
        "/console/registers/import/", {"register": "funding", "file": SimpleUploadedFile("x.png", PNG)}
    )

    assert response.context["form"].errors["file"] == [
        "Only CSV and XLSX files are accepted, and this file's content is neither (image/png)."
    ]


def test_the_import_form_requires_a_register_and_a_file(client, staff):
    client.force_login(staff)

    response = client.post("/console/registers/import/", {"register": "nonsense"})

    assert response.context["form"].errors == {
        "register": ["Select a valid choice. nonsense is not one of the available choices."],
        "file": ["This field is required."],
    }


def test_the_overview_shows_counts_and_the_latest_imports(client, staff):
    register_import(
        register=Register.CREDIT,
        uploaded_file=csv_file(credit_rows(f"{CODE_A},Alpha,enforcement,2026-01-05,,Court"), "march.csv"),
        actor=staff,
    )
    client.force_login(staff)

    response = client.get("/console/registers/")

    assert response.context["registers"] == [(Register.CREDIT, 1), (Register.FUNDING, 0), (Register.UNIT_STATUS, 0)]
    assert [(i.file_name, i.rows, i.imported_by) for i in response.context["imports"]] == [("march.csv", 1, staff)]


def test_the_records_are_searched_by_credit_code_or_name(client, staff):
    register_import(
        register=Register.CREDIT,
        uploaded_file=csv_file(
            credit_rows(
                f"{CODE_A},Alpha Optics,enforcement,2026-01-05,,Court", f"{CODE_B},Beta,enforcement,2026-01-05,,C"
            )
        ),
        actor=staff,
    )
    client.force_login(staff)

    assert [r.credit_code for r in client.get("/console/registers/credit/?q=optics").context["page"]] == [CODE_A]
    assert [r.credit_code for r in client.get(f"/console/registers/credit/?q={CODE_B.lower()}").context["page"]] == [
        CODE_B
    ]
    assert client.get("/console/registers/credit/?q=" + "x" * 200).status_code == 200
    assert client.get("/console/registers/nonsense/").status_code == 404


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize("register", ["credit", "funding"])
def test_register_list_query_count_does_not_grow_with_records(
    client, staff, register, count, django_assert_max_num_queries
):
    if register == "credit":
        text = credit_rows(*(f"{CODE_A},n{n},enforcement,2026-01-05,,Court" for n in range(count)))
        q = "n1"
    else:
        text = FUNDING_HEADER + "\n" + "".join(f"{CODE_A},甲,项目{n},,渠道,1000,2025-01-01,\n" for n in range(count))
        q = "项目1"
    assert register_import(register=register, uploaded_file=csv_file(text), actor=staff).imported == count
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get(f"/console/registers/{register}/?q={q}")

    assert len(response.context["page"]) == sum(str(n).startswith("1") for n in range(count))
    with django_assert_max_num_queries(6):
        response = client.get(f"/console/registers/{register}/")
    assert len(response.context["page"]) == min(count, 50)


@pytest.mark.parametrize("count", [1, 30])
def test_overview_query_count_does_not_grow_with_imports(client, staff, count, django_assert_max_num_queries):
    for n in range(count):
        text = credit_rows(f"{CODE_A},n{n},enforcement,2026-01-05,,Court")
        register_import(register=Register.CREDIT, uploaded_file=csv_file(text), actor=staff)
    client.force_login(staff)

    # Session, user, a count per register (three), the latest imports, the unread notices.
    with django_assert_max_num_queries(7):
        response = client.get("/console/registers/")

    assert len(response.context["imports"]) == min(count, 10)


REGISTER_PAGES = [
    ("get", "/console/registers/"),
    ("get", "/console/registers/import/"),
    ("get", "/console/registers/credit/"),
    ("get", "/console/registers/funding/"),
    ("get", "/console/registers/credit/template.csv"),
    ("get", "/console/registers/funding/template.xlsx"),
    ("post", "/console/registers/import/"),
]


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "administrator"])
def test_every_register_page_and_post_is_refused_to_everyone_but_staff(client, request, role):
    client.force_login(request.getfixturevalue(role))
    text = credit_rows(f"{CODE_A},Alpha,enforcement,2026-01-05,,Court")

    statuses = []
    for method, url in REGISTER_PAGES:
        data = {"register": "credit", "file": csv_file(text)} if method == "post" else None
        statuses.append(getattr(client, method)(url, data).status_code)

    assert statuses == [403] * len(REGISTER_PAGES)
    assert CreditRecord.objects.count() == 0


def test_register_pages_send_anonymous_users_to_login(client):
    for _method, url in REGISTER_PAGES:
        assert client.get(url)["Location"].startswith("/accounts/login/")


# --- Generated input -----------------------------------------------------------------------------

cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "-1",
            "1e400",
            "NaN",
            "2026-02-30",
            "=1+1",
            "\x00",
            "9" * 40,
            "1,2,3",
            "\uff12\uff10\uff12\uff16/\uff11/\uff15",
        ]
    ),
    st.sampled_from([CODE_A, CODE_B, "enforcement", "科研失信", "2026-01-05", "1,000.00"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.permutations(["credit_code", "name", "list", "starts_on", "ends_on", "source", "统一社会信用代码", "x"]),
    rows=st.lists(st.lists(cell, max_size=10), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_generated_csv_files_get_a_report_never_an_exception(staff, header, rows, encoding):
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(header[:6])
    writer.writerows(rows)
    try:
        content = lines.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return

    report = register_import(register=Register.CREDIT, uploaded_file=SimpleUploadedFile("f.csv", content), actor=staff)

    assert report.ok or CreditRecord.objects.filter(imported_from__isnull=False).count() == sum(
        i.rows for i in RegisterImport.objects.all()
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=2000), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)))
def test_generated_bytes_get_a_report_never_an_exception(staff, content):
    report = register_import(
        register=Register.FUNDING, uploaded_file=SimpleUploadedFile("f.xlsx", content), actor=staff
    )

    assert (report.ok, FundingRecord.objects.count()) == (False, 0)
    assert report.errors


def test_typed_spreadsheet_cells_are_reported_not_crashed_on(staff):
    header = ["credit_code", "organisation_name", "project_title", "channel", "amount", "granted_on"]
    odd = [
        [CODE_A, "甲", "一", "渠道", float("nan"), datetime.date(2025, 1, 1)],
        [CODE_A, "甲", "二", "渠道", float("inf"), datetime.date(2025, 1, 1)],
        [CODE_A, "甲", "三", "渠道", True, datetime.time(10, 30)],
        [CODE_A, "甲", "四", "渠道", 10**20, datetime.datetime(2025, 1, 1, 9, 30)],
        [123456789012345678, 1.5, datetime.date(2025, 1, 1), False, 1.005, 45000.5],
    ]

    report = register_import(register=Register.FUNDING, uploaded_file=xlsx_file([header, *odd]), actor=staff)

    assert [(e.row, e.column) for e in report.errors] == [
        (2, "amount"),
        (3, "amount"),
        (4, "amount"),
        (4, "granted_on"),
        (5, "amount"),
        (6, "credit_code"),
        (6, "amount"),
        (6, "granted_on"),
    ]
    assert FundingRecord.objects.count() == 0


# --- History (issue 15: the registers keep theirs) ------------------------------------------------


def test_an_import_writes_the_history_of_each_record_and_of_the_import_with_who_imported_it(staff):
    text = credit_rows(
        f"{CODE_A},Alpha Ltd.,research_dishonesty,2026-01-05,2027-01-04,Credit China 2026-001",
        f"{CODE_B},,enforcement,2026-01-05,,Court enforcement list",
    )

    report = register_import(register=Register.CREDIT, uploaded_file=csv_file(text), actor=staff)

    history = CreditRecord.history.filter(imported_from=report.register_import).order_by("credit_code")
    assert [(h.credit_code, h.history_type, h.history_user) for h in history] == [
        (CODE_A, "+", staff),
        (CODE_B, "+", staff),
    ]
    assert [(h.rows, h.history_user) for h in RegisterImport.history.all()] == [(2, staff)]


def test_a_corrected_credit_record_keeps_its_earlier_version(staff):
    register_import(
        register=Register.CREDIT,
        uploaded_file=csv_file(credit_rows(f"{CODE_A},Alpha Ltd.,enforcement,2026-01-05,,Court list")),
        actor=staff,
    )
    record = CreditRecord.objects.get(credit_code=CODE_A)
    record.ends_on = datetime.date(2026, 6, 30)
    record.save()

    assert [h.ends_on for h in record.history.order_by("history_date", "history_id")] == [
        None,
        datetime.date(2026, 6, 30),
    ]
