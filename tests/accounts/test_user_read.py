"""The signed-in user is read on every request by User.objects.get(pk=...) (ModelBackend.get_user),
which accounts.models.UserManager runs as a statement built once per process: the same user as the
ORM's read, with an applicant's organisation, afresh on each request, and every other get left to
the ORM."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _columns(user):
    return [getattr(user, field.attname) for field in User._meta.concrete_fields]


def test_a_user_read_by_key_is_the_user_the_orm_reads_and_a_missing_key_is_refused():
    user = ApplicantFactory(first_name="Li", last_name="Wei", email="li@example.com")
    read = User.objects.get(pk=user.pk)
    assert _columns(read) == _columns(User.objects.filter(pk=user.pk).get())
    assert read._state.db == "default" and not read._state.adding
    assert read.organisation.pk == user.organisation_id
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)


def test_an_applicants_organisation_comes_with_the_user_and_staff_have_none(django_assert_num_queries):
    applicant = ApplicantFactory()
    organisation = applicant.organisation
    staff = StaffFactory()
    with django_assert_num_queries(2):
        read = User.objects.get(pk=applicant.pk)
        assert read.organisation == organisation
        assert read.organisation.name == organisation.name
        assert read.organisation.credit_code == organisation.credit_code
        assert User.objects.get(pk=staff.pk).organisation is None


def test_every_other_get_is_the_orms():
    user = ApplicantFactory()
    assert User.objects.get(username=user.username) == user
    assert User.objects.get(pk=str(user.pk)) == user
    assert User.objects.get(pk=user.pk, is_active=True) == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk, is_active=False)


def test_each_request_reads_the_user_afresh_by_one_query(client, applicant):
    client.force_login(applicant)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notices/").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(reads) == 1
    # A user deactivated meanwhile is signed out at their next request: nothing of the read is kept.
    User.objects.filter(pk=applicant.pk).update(is_active=False)
    response = client.get("/notices/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
