"""The register of unit status (Art. 17): imported from CSV or XLSX like the other registers,
recorded by commission staff on an organisation's console page, and recorded when an organisation's
own profile moves it out of Beijing."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.enums import District
from declarations.services import organisation_update
from declarations.workflow import TransitionRefused
from review.models import Register, RegisterImport, UnitStatus, UnitStatusRecord
from review.recheck import unit_recheck
from review.registers import register_import
from review.unit_status import unit_status_record
from tests.factories import OrganisationFactory, credit_code_for

pytestmark = pytest.mark.django_db

CODE_A, CODE_B, CODE_C = credit_code_for(11), credit_code_for(12), credit_code_for(13)
CHINESE_HEADER = "统一社会信用代码,名称,登记状态,生效日期,来源,备注"


def csv_file(text, name="status.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="status.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _records():
    return list(
        UnitStatusRecord.objects.order_by("credit_code", "effective_on").values_list(
            "credit_code", "name", "status", "effective_on", "source", "note"
        )
    )


# --- Imports -------------------------------------------------------------------------------------


def test_a_csv_with_chinese_headers_and_every_way_of_naming_a_status_is_imported(staff):
    text = "\n".join(
        [
            CHINESE_HEADER,
            f"{CODE_A},甲公司,吊销,2026-03-01,北京市市场监督管理局 2026-11,",
            f"{CODE_B},乙公司,已注销,2026/4/2,区市场监管局,简易注销",
            f"{CODE_C.lower()},,迁出本市,2026年5月3日,迁移登记,迁往天津",
            f"{CODE_A},甲公司,moved_out,2026-06-01,AMR,",
            f"{CODE_B},,Registration cancelled,2026-06-02,AMR,",
        ]
    )

    report = register_import(
        register=Register.UNIT_STATUS, uploaded_file=csv_file(text, encoding="gb18030"), actor=staff
    )

    assert (report.ok, report.rows, report.imported, report.skipped) == (True, 5, 5, 0)
    imported = RegisterImport.objects.get()
    assert (imported.register, imported.rows, imported.imported_by) == (Register.UNIT_STATUS, 5, staff)
    d = datetime.date
    assert _records() == [
        (CODE_A, "甲公司", "revoked", d(2026, 3, 1), "北京市市场监督管理局 2026-11", ""),
        (CODE_A, "甲公司", "moved_out", d(2026, 6, 1), "AMR", ""),
        (CODE_B, "乙公司", "cancelled", d(2026, 4, 2), "区市场监管局", "简易注销"),
        (CODE_B, "", "cancelled", d(2026, 6, 2), "AMR", ""),
        (CODE_C, "", "moved_out", d(2026, 5, 3), "迁移登记", "迁往天津"),
    ]
    assert set(UnitStatusRecord.objects.values_list("imported_from", "recorded_by")) == {(imported.pk, None)}


def test_an_xlsx_with_english_headers_in_any_order_and_date_cells_is_imported(staff):
    upload = xlsx_file(
        [
            ["source", "effective_on", "status", "credit_code"],
            ["SAMR notice 12", datetime.datetime(2026, 2, 1), "revoked", CODE_A],
            ["Tianjin AMR", datetime.date(2026, 2, 3), "迁出北京", CODE_B],
        ]
    )

    report = register_import(register=Register.UNIT_STATUS, uploaded_file=upload, actor=staff)

    assert (report.ok, report.imported) == (True, 2)
    assert _records() == [
        (CODE_A, "", "revoked", datetime.date(2026, 2, 1), "SAMR notice 12", ""),
        (CODE_B, "", "moved_out", datetime.date(2026, 2, 3), "Tianjin AMR", ""),
    ]


def test_a_file_with_bad_rows_imports_nothing_and_the_report_names_every_bad_row(staff):
    text = "\n".join(
        [
            CHINESE_HEADER,
            f"{CODE_A},甲,吊销,2026-03-01,AMR,",  # row 2: good
            f"{CODE_A},甲,停业,2026-03-01,AMR,",  # row 3: not a status of Art. 17
            f"{CODE_B[:-1]}X,乙,注销,2026-02-30,AMR,",  # row 4: check character and date
            f"{CODE_C},丙,迁出北京,,,",  # row 5: date and source missing
            f"{CODE_A},甲,吊销,2026-03-01,AMR,",  # row 6: same as row 2
        ]
    )

    report = register_import(register=Register.UNIT_STATUS, uploaded_file=csv_file(text), actor=staff)

    assert [(e.row, e.column, e.message, e.value) for e in report.errors] == [
        (
            3,
            "登记状态",
            "Unknown status: use one of revoked / 吊销, cancelled / 注销, moved_out / 迁出北京.",
            "停业",
        ),
        (
            4,
            "统一社会信用代码",
            "The last character of this unified social credit code does not match: check for a typing error.",
            f"{CODE_B[:-1]}X",
        ),
        (4, "生效日期", "Not a date: write it as 2026-01-05 or 2026/1/5.", "2026-02-30"),
        (5, "生效日期", "This value is required.", ""),
        (5, "来源", "This value is required.", ""),
        (6, "", "The same record as row 2.", ""),
    ]
    assert (UnitStatusRecord.objects.count(), RegisterImport.objects.count()) == (0, 0)


def test_an_xlsx_with_bad_cells_imports_nothing(staff):
    upload = xlsx_file(
        [
            ["credit_code", "status", "effective_on", "source"],
            [CODE_A, "revoked", 45000, "AMR"],
            [CODE_B, True, datetime.date(2026, 1, 1), "AMR"],
        ]
    )

    report = register_import(register=Register.UNIT_STATUS, uploaded_file=upload, actor=staff)

    assert [(e.row, e.column) for e in report.errors] == [(2, "effective_on"), (3, "status")]
    assert UnitStatusRecord.objects.count() == 0


def test_a_file_without_the_status_column_is_refused(staff):
    report = register_import(
        register=Register.UNIT_STATUS,
        uploaded_file=csv_file(f"credit_code,effective_on,source\n{CODE_A},2026-01-01,AMR\n"),
        actor=staff,
    )

    assert [e.message for e in report.errors] == ["The header row (row 1) lacks these columns: status (登记状态)."]


def test_rows_already_in_the_register_are_skipped(staff):
    text = f"{CHINESE_HEADER}\n{CODE_A},甲,吊销,2026-03-01,AMR,\n"
    register_import(register=Register.UNIT_STATUS, uploaded_file=csv_file(text), actor=staff)

    report = register_import(
        register=Register.UNIT_STATUS, uploaded_file=csv_file(text.replace("吊销", "revoked")), actor=staff
    )

    assert (report.ok, report.imported, report.skipped) == (True, 0, 1)
    assert UnitStatusRecord.objects.count() == 1


def test_an_imported_status_is_found_by_the_recheck(staff):
    unit = OrganisationFactory(credit_code=CODE_A)
    text = f"{CHINESE_HEADER}\n{CODE_A},甲,注销,{timezone.localdate().isoformat()},AMR 2026-1,\n"

    register_import(register=Register.UNIT_STATUS, uploaded_file=csv_file(text), actor=staff)

    assert [f.record for f in unit_recheck(unit)] == list(UnitStatusRecord.objects.all())


def test_the_import_page_takes_a_unit_status_file(client, staff):
    client.force_login(staff)
    text = f"{CHINESE_HEADER}\n{CODE_A},甲,吊销,2026-03-01,AMR,\n"

    response = client.post(
        "/console/registers/import/", {"register": "unit_status", "file": csv_file(text)}, follow=True
    )

    assert response.redirect_chain == [("/console/registers/unit_status/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Register of unit status (Art. 17): 1 record imported."]
    assert [r.credit_code for r in response.context["page"]] == [CODE_A]


def test_the_templates_name_the_columns_in_english_and_in_chinese(client, staff):
    client.force_login(staff)

    english = client.get("/console/registers/unit_status/template.csv").content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/console/registers/unit_status/template.xlsx").content), read_only=True
    ).worksheets[0]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get("/console/registers/unit_status/template.csv").content.decode("utf-8-sig")

    assert english == "credit_code,name,status,effective_on,source,note\r\n"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["credit_code", "name", "status", "effective_on", "source", "note"]
    ]
    assert chinese == f"{CHINESE_HEADER}\r\n"


# --- The records page ----------------------------------------------------------------------------


def test_the_records_are_searched_and_link_to_the_organisation_when_it_signed_up(client, staff):
    unit = OrganisationFactory(credit_code=CODE_A, name="Alpha Optics Co., Ltd.")
    text = f"{CHINESE_HEADER}\n{CODE_A},Alpha Optics,吊销,2026-03-01,AMR,\n{CODE_B},Beta,注销,2026-03-01,AMR,\n"
    register_import(register=Register.UNIT_STATUS, uploaded_file=csv_file(text), actor=staff)
    client.force_login(staff)

    found = client.get("/console/registers/unit_status/?q=optics")
    every = client.get("/console/registers/unit_status/")

    assert [r.credit_code for r in found.context["page"]] == [CODE_A]
    assert [(r.credit_code, r.organisation_pk) for r in every.context["page"]] == [(CODE_A, unit.pk), (CODE_B, None)]
    assert f'href="/console/organisations/{unit.pk}/"' in every.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_the_records_page_query_count_does_not_grow(client, staff, count, django_assert_max_num_queries):
    rows = "".join(f"{CODE_A},n{n},吊销,2026-03-01,AMR,\n" for n in range(count))
    register_import(register=Register.UNIT_STATUS, uploaded_file=csv_file(f"{CHINESE_HEADER}\n{rows}"), actor=staff)
    unit = OrganisationFactory(credit_code=CODE_B)
    for n in range(count):
        unit_status_record(
            organisation_id=unit.pk,
            actor=staff,
            status="moved_out",
            effective_on=datetime.date(2026, 1, 1),
            source=f"s{n}",
        )
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get("/console/registers/unit_status/")

    assert len(response.context["page"]) == min(2 * count, 50)


# --- Recorded by staff on the organisation's page ------------------------------------------------


def test_staff_record_a_status_on_the_organisations_page(client, staff):
    unit = OrganisationFactory(credit_code=CODE_A, name="Alpha Ltd.")
    client.force_login(staff)
    before = timezone.now()

    response = client.post(
        f"/console/organisations/{unit.pk}/",
        {"status": "revoked", "effective_on": "2026-04-30", "source": "SAMR notice 2026-77", "note": "Seen on GSXT."},
        follow=True,
    )

    record = UnitStatusRecord.objects.get()
    assert response.redirect_chain == [(f"/console/organisations/{unit.pk}/", 302)]
    assert (
        record.credit_code,
        record.name,
        record.status,
        record.effective_on,
        record.source,
        record.note,
        record.recorded_by,
        record.imported_from,
    ) == (
        CODE_A,
        "Alpha Ltd.",
        "revoked",
        datetime.date(2026, 4, 30),
        "SAMR notice 2026-77",
        "Seen on GSXT.",
        staff,
        None,
    )
    assert before <= record.recorded_at <= timezone.now()
    assert [str(m) for m in response.context["messages"]] == [
        "Recorded in the register of unit status: Business licence revoked, effective April 30, 2026, "
        "source: SAMR notice 2026-77."
    ]
    assert list(response.context["page"]) == [record]
    assert [f.record for f in response.context["findings"]] == [record]


def test_the_organisations_page_shows_what_is_wrong_at_each_field_and_records_nothing(client, staff):
    unit = OrganisationFactory()
    client.force_login(staff)

    missing = client.post(f"/console/organisations/{unit.pk}/", {})
    wrong = client.post(
        f"/console/organisations/{unit.pk}/",
        {"status": "suspended", "effective_on": "2026-02-30", "source": "x" * 201, "note": "\x00"},
    )

    assert missing.status_code == wrong.status_code == 200
    assert missing.context["form"].errors == {
        "status": ["Choose the change of registration."],
        "effective_on": ["Give the day the change took effect."],
        "source": ["Say where the change is recorded, such as the market regulator's notice."],
    }
    assert wrong.context["form"].errors == {
        "status": ["Choose one of the changes listed."],
        "effective_on": ["Enter a valid date."],
        "source": ["Ensure this value has at most 200 characters (it has 201)."],
        "note": ["Null characters are not allowed."],
    }
    assert UnitStatusRecord.objects.count() == 0


def test_an_unknown_organisation_is_a_404(client, staff):
    client.force_login(staff)

    assert client.get("/console/organisations/999999/").status_code == 404
    assert client.get(f"/console/organisations/{2**63}/").status_code == 404


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "administrator"])
def test_the_organisations_page_is_refused_to_everyone_but_staff(client, request, role):
    unit = OrganisationFactory()
    client.force_login(request.getfixturevalue(role))

    statuses = [
        client.get(f"/console/organisations/{unit.pk}/").status_code,
        client.post(
            f"/console/organisations/{unit.pk}/",
            {"status": "revoked", "effective_on": "2026-04-30", "source": "SAMR"},
        ).status_code,
    ]

    assert statuses == [403, 403]
    assert UnitStatusRecord.objects.count() == 0


def test_the_organisations_page_sends_anonymous_users_to_login(client):
    unit = OrganisationFactory()

    assert client.get(f"/console/organisations/{unit.pk}/")["Location"].startswith("/accounts/login/")
    assert client.post(f"/console/organisations/{unit.pk}/", {})["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "administrator"])
def test_only_staff_record_a_status_through_the_service(request, role):
    unit = OrganisationFactory()

    with pytest.raises(TransitionRefused):
        unit_status_record(
            organisation_id=unit.pk,
            actor=request.getfixturevalue(role),
            status="revoked",
            effective_on=datetime.date(2026, 1, 1),
            source="AMR",
        )


@pytest.mark.parametrize("count", [2, 60])
def test_the_organisations_page_query_count_does_not_grow(client, staff, count, django_assert_max_num_queries):
    unit = OrganisationFactory()
    for n in range(count):
        unit_status_record(
            organisation_id=unit.pk,
            actor=staff,
            status="cancelled",
            effective_on=datetime.date(2026, 1, 1),
            source=f"s{n}",
        )
    register_import(
        register=Register.UNIT_STATUS,
        uploaded_file=csv_file(f"{CHINESE_HEADER}\n{unit.credit_code},x,吊销,2026-03-01,AMR,\n"),
        actor=staff,
    )
    client.force_login(staff)

    with django_assert_max_num_queries(8):
        response = client.get(f"/console/organisations/{unit.pk}/")

    assert len(response.context["page"]) == min(count + 1, 50)
    assert len(response.context["findings"]) == count + 1


# --- Recorded when the organisation's own profile moves it out of Beijing -------------------------

PROFILE = {
    "organisation_name": "Applicant Co., Ltd.",
    "organisation_type": "investment_institution",
    "registered_capital": "50,000,000.00",
    "established_on": "2015-03-01",
    "annual_revenue": "80,000,000.00",
    "legal_representative": "Zhang San",
}


def test_a_profile_moved_out_of_beijing_is_recorded_in_the_register(client, applicant):
    client.force_login(applicant)
    unit = applicant.organisation

    response = client.post("/applicant/organisation/", {**PROFILE, "district": "outside_beijing"})

    assert response.status_code == 302
    record = UnitStatusRecord.objects.get()
    assert (record.credit_code, record.name, record.status, record.effective_on, record.recorded_by) == (
        unit.credit_code,
        "Applicant Co., Ltd.",
        UnitStatus.MOVED_OUT,
        timezone.localdate(),
        applicant,
    )
    assert record.source.in_language("en") == (
        "Organisation profile: registered district changed from Haidian District to Outside Beijing"
    )
    assert record.source.in_language("zh-hans") == "单位信息：注册所在区由海淀区变更为北京市外"
    unit.refresh_from_db()
    assert [f.record for f in unit_recheck(unit)] == [record]


def test_other_profile_changes_record_nothing(applicant):
    unit = applicant.organisation

    organisation_update(organisation_id=unit.pk, actor=applicant, district=District.CHAOYANG, name="Renamed Co.")
    organisation_update(organisation_id=unit.pk, actor=applicant, district=District.CHAOYANG)

    assert UnitStatusRecord.objects.count() == 0


def test_a_unit_already_outside_beijing_records_nothing_when_its_profile_changes(applicant):
    unit = applicant.organisation
    unit.district = District.OUTSIDE_BEIJING
    unit.save()

    organisation_update(organisation_id=unit.pk, actor=applicant, name="Renamed Co.")

    assert UnitStatusRecord.objects.count() == 0


def test_a_refused_profile_change_records_nothing(applicant, other_applicant):
    with pytest.raises(TransitionRefused):
        organisation_update(
            organisation_id=applicant.organisation_id, actor=other_applicant, district=District.OUTSIDE_BEIJING
        )

    assert UnitStatusRecord.objects.count() == 0


field_input = st.one_of(
    st.text(max_size=250),
    st.sampled_from(
        ["", "revoked", "moved_out", "2026-02-30", "0001-01-01", "9999-12-31", "1e400", "\x00", "x" * 2001]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries(dict.fromkeys(("status", "effective_on", "source", "note"), field_input)))
def test_the_organisations_page_never_fails_and_records_only_what_the_form_accepts(client, staff, data):
    unit = OrganisationFactory()
    client.force_login(staff)
    before = UnitStatusRecord.objects.count()

    response = client.post(f"/console/organisations/{unit.pk}/", data)

    if response.status_code == 302:
        assert UnitStatusRecord.objects.count() == before + 1
    else:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert UnitStatusRecord.objects.count() == before


def test_a_status_recorded_by_staff_keeps_its_history_with_who_recorded_it(staff):
    unit = OrganisationFactory(credit_code=CODE_A)

    record = unit_status_record(
        organisation_id=unit.pk, actor=staff, status="revoked", effective_on=datetime.date(2026, 3, 1), source="AMR"
    )

    assert [(h.status, h.history_type, h.history_user) for h in record.history.all()] == [("revoked", "+", staff)]
