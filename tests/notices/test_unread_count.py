"""The header's count of unread notices (notices.selectors.unread_notice_count, a prepared read), and
its badge."""

import pytest
from django.utils import timezone

from notices.models import Notice
from notices.selectors import UNREAD_COUNTED_UP_TO, unread_notice_badge, unread_notice_count

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


def _unread(recipient, number):
    Notice.objects.bulk_create(Notice(recipient=recipient, subject=f"N{k}", body="-") for k in range(number))


def test_the_badge_shows_99_plus_from_a_hundred_unread_notices(client, staff):
    client.force_login(staff)
    _unread(staff, 99)
    assert (unread_notice_count(staff), unread_notice_badge(staff), _badge(client)) == (99, "99", "99")
    _unread(staff, 1)
    assert (unread_notice_count(staff), unread_notice_badge(staff), _badge(client)) == (100, "99+", "99+")


def test_the_count_reads_no_further_than_the_badge_shows_however_many_are_unread(staff, django_assert_num_queries):
    """Each submission tells every member of staff who accepts declarations: thousands a year. The
    count is the number of ids the one query read."""
    _unread(staff, 250)
    with django_assert_num_queries(1):
        assert unread_notice_count(staff) == UNREAD_COUNTED_UP_TO == 100
