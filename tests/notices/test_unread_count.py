"""The header's count of unread notices (notices.selectors.unread_notice_count, a prepared read)."""

import pytest
from django.utils import timezone

from notices.models import Notice
from notices.selectors import unread_notice_count

pytestmark = pytest.mark.django_db


def _badge(client):
    html = client.get("/notices/").content.decode()
    start = html.find('badge rounded-pill text-bg-warning">')
    return None if start < 0 else html[start:].split(">", 1)[1].split("<", 1)[0]


def test_the_header_counts_the_users_unread_notices_only(client, applicant, other_applicant):
    client.force_login(applicant)
    assert unread_notice_count(applicant) == 0
    assert _badge(client) is None
    for n in range(3):
        Notice.objects.create(recipient=applicant, subject=f"Mine {n}", body="For me.")
    Notice.objects.create(recipient=applicant, subject="Read", body="Seen.", read_at=timezone.now())
    Notice.objects.create(recipient=other_applicant, subject="Theirs", body="Not for me.")

    assert unread_notice_count(applicant) == 3
    assert unread_notice_count(other_applicant) == 1
    assert _badge(client) == "3"
    client.post("/notices/read/")
    assert unread_notice_count(applicant) == 0
    assert _badge(client) is None


def test_the_count_is_one_query(applicant, django_assert_num_queries):
    Notice.objects.create(recipient=applicant, subject="Mine", body="For me.")
    with django_assert_num_queries(1):
        assert unread_notice_count(applicant) == 1
