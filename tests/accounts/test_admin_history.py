import pytest

from accounts.enums import Role
from declarations.services import declaration_update
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


def test_administrator_changing_a_role_is_recorded_with_who_did_it(client, administrator, reviewer):
    client.force_login(administrator)
    page = client.get(f"/admin/accounts/user/{reviewer.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups", "user_permissions")
    }
    data |= {"role": Role.STAFF, "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00", "language": "en"}
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{reviewer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = reviewer.history.first()
    assert (latest.role, latest.history_user, latest.history_type) == (Role.STAFF, administrator, "~")
    assert not hasattr(latest, "password")


def test_each_saved_version_of_a_declaration_is_kept(draft, applicant):
    declaration_update(
        declaration_id=draft.pk, actor=applicant, facts=draft.facts | {"investment_amount": "9000000.00"}
    )
    versions = [v.facts.get("investment_amount") for v in draft.history.order_by("history_date")]
    assert versions == ["8000000.00", "9000000.00"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/disbursement/payment/add/",
        "/admin/disbursement/recoverycase/add/",
        "/admin/publicity/publicitybatch/add/",
        "/admin/publicity/objection/add/",
        "/admin/review/reviewassignment/add/",
        "/admin/declarations/declaration/add/",
        "/admin/declarations/declarationdocument/add/",
        "/admin/notices/notice/add/",
    ],
)
def test_admin_cannot_write_what_only_services_write(client, administrator, path):
    client.force_login(administrator)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("applicant", "/applicant/"),
        ("staff", "/console/home/"),
        ("reviewer", "/console/"),
        ("finance", "/disbursement/home/"),
        ("administrator", "/admin/"),
    ],
)
def test_each_role_starts_where_its_work_is_after_login(client, request, role, start):
    user = request.getfixturevalue(role)
    response = sign_in(client, user.username)
    assert response["Location"] == start
