import os
import time

import pytest
import rules
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from common.messages import message
from declarations.enums import DeclarationAction as A
from declarations.workflow import declaration_transition
from notices.models import Notice
from notices.services import delivered_together, notice_create, notice_deliver, notices_create, notices_for_staff
from notices.tasks import MAX_ATTEMPTS, deliver_notices, deliver_pending_notices
from tests.factories import ApplicantFactory, DeclarationFactory, StaffFactory
from tests.notices.failing_backend import CountingBackend


def _submitted(applicant, staff):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    declaration_transition(declaration_id=declaration.pk, action=A.SUBMIT, actor=applicant)
    return declaration


def applied_with_retries(task, **kwargs):
    """Run `task` in process as eager mode does, its retries too, without raising its last failure."""
    from config.celery import app

    app.conf.task_eager_propagates = False
    try:
        return task.apply(kwargs=kwargs)
    finally:
        app.conf.task_eager_propagates = True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transition_emails_each_notice_once_after_commit_in_eager_mode(applicant, staff):
    """Eager mode: the task runs in process when the transaction commits."""
    declaration = _submitted(applicant, staff)
    notice = Notice.objects.get(declaration=declaration, recipient=applicant)
    # The applicant's notice, and the staff's of a new submission.
    assert sorted(m.to for m in mail.outbox) == sorted([[applicant.email], [staff.email]])
    assert notice.emailed_at is not None

    assert notice_deliver(notice_id=notice.pk) is False
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refused_transition_writes_no_notice(applicant, staff):
    declaration = _submitted(applicant, staff)
    with pytest.raises(Exception, match="cannot be done"):
        declaration_transition(declaration_id=declaration.pk, action=A.SUBMIT, actor=applicant)
    assert Notice.objects.filter(declaration=declaration, recipient=applicant).count() == 1


@pytest.mark.django_db
def test_pending_notices_are_delivered_by_the_periodic_sweep(applicant):
    """A notice whose task was lost (crash between commit and queueing) is sent by the sweep."""
    notice = Notice.objects.create(recipient=applicant, subject="Lost", body="Queued task never ran.")
    deliver_pending_notices()  # eager: runs the delivery tasks in process
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert [m.subject for m in mail.outbox] == ["Lost"]
    deliver_pending_notices()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_inbox_shows_only_the_users_own_notices_and_marks_them_read(client, applicant, other_applicant):
    Notice.objects.create(recipient=applicant, subject="Mine", body="For me.")
    Notice.objects.create(recipient=other_applicant, subject="Theirs", body="Not for me.")
    client.force_login(applicant)
    page = client.get("/notices/")
    assert [n.subject for n in page.context["page"]] == ["Mine"]
    assert "Mine" in page.content.decode()
    client.post("/notices/read/")
    assert Notice.objects.get(subject="Mine").read_at is not None
    assert Notice.objects.get(subject="Theirs").read_at is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notice_is_delivered_through_the_real_redis_broker_by_a_worker(applicant, settings):
    """Not eager: the task goes through Redis (REDIS_URL) to a Celery worker thread."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: .ci/run sets it")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
            from django.db import transaction

            with transaction.atomic():
                notice = notice_create(recipient=applicant, subject="Through Redis", body="Delivered by a worker.")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                notice.refresh_from_db()
                if notice.emailed_at is not None:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert notice.emailed_at is not None
    assert [m.subject for m in mail.outbox] == ["Through Redis"]


@pytest.mark.django_db
def test_failed_deliveries_are_counted_and_the_sweep_gives_up(applicant, settings):
    from notices.tasks import deliver_notice

    settings.EMAIL_BACKEND = "tests.notices.failing_backend.FailingBackend"
    notice = Notice.objects.create(recipient=applicant, subject="Unreachable", body="SMTP is down.")
    applied_with_retries(deliver_notice, notice_id=notice.pk)  # the task fails and is retried in process
    notice.refresh_from_db()
    assert notice.emailed_at is None
    assert notice.email_attempts >= 1

    Notice.objects.filter(pk=notice.pk).update(email_attempts=MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_pending_notices()
    notice.refresh_from_db()
    assert (notice.emailed_at, len(mail.outbox)) == (None, 0)


def test_healthz_answers_on_any_host_over_plain_http(client, db, settings):
    settings.ALLOWED_HOSTS = ["kjzx.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz/", HTTP_HOST="10.0.0.7:8000")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.parametrize("count", [2, 40])
def test_inbox_query_count_does_not_grow_with_notices(client, applicant, count, django_assert_max_num_queries):
    Notice.objects.bulk_create(Notice(recipient=applicant, subject=f"N{n}", body="b") for n in range(count))
    client.force_login(applicant)
    with django_assert_max_num_queries(6):
        response = client.get("/notices/")
    assert len(response.context["page"]) == min(count, 20)


def _submission_counted(applicant):
    """Submit a new declaration of the applicant's: (its queries, the commit's callbacks), the
    callbacks not run."""
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as callbacks:
        declaration_transition(declaration_id=declaration.pk, action=A.SUBMIT, actor=applicant)
    return declaration, queries.captured_queries, callbacks


@pytest.mark.django_db
def test_a_submission_tells_every_member_of_staff_with_the_same_queries_and_one_task_message(applicant):
    """The staff's notices are one INSERT and, after the commit, the applicant's and theirs one task
    message (which e-mails them all from the worker): a commission with 30 staff costs
    the submission what one does."""
    staff = [StaffFactory()]
    _declaration, few, _callbacks = _submission_counted(applicant)
    staff += StaffFactory.create_batch(29)
    mail.outbox.clear()

    declaration, many, callbacks = _submission_counted(applicant)

    told = Notice.objects.filter(declaration=declaration).exclude(recipient=applicant)
    assert sorted(notice.recipient_id for notice in told) == sorted(user.pk for user in staff)
    subject = message("declaration.submitted.subject", number=str(declaration))
    assert {(n.subject.as_json() == subject.as_json(), n.body.key, n.email_attempts) for n in told} == {
        (True, "declaration.submitted.body", 0)
    }
    assert all(n.created_at is not None and n.emailed_at is None and n.read_at is None for n in told)
    assert len(many) == len(few)
    assert len([query for query in many if 'INTO "notices_notice"' in query["sql"]]) == 2  # applicant's, staff's
    # One task message (other apps' callbacks, such as the console's count kept in the cache, aside).
    assert len([callback for callback in callbacks if callback.__module__ == "notices.services"]) == 1
    for callback in callbacks:
        callback()  # eager: the delivery tasks run in process
    assert sorted(m.to for m in mail.outbox) == sorted([[applicant.email], *([user.email] for user in staff)])


@pytest.mark.django_db
def test_notices_written_together_are_queued_by_one_task_message_and_none_when_the_block_fails(applicant, staff):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    with TestCase.captureOnCommitCallbacks() as callbacks, delivered_together():
        first = notice_create(recipient=applicant, subject="One", body="First", declaration=declaration)
        others = notices_create(recipients=[applicant, staff], subject="Two", body="Second")
    assert len(callbacks) == 1
    mail.outbox.clear()
    callbacks[0]()  # eager: the delivery task runs in process
    assert sorted(m.subject for m in mail.outbox) == ["One", "Two", "Two"]
    assert Notice.objects.filter(pk__in=[first.pk, *others], emailed_at__isnull=False).count() == 3

    with TestCase.captureOnCommitCallbacks() as callbacks, pytest.raises(RuntimeError), delivered_together():
        notice_create(recipient=applicant, subject="Three", body="Third")
        raise RuntimeError
    assert callbacks == []


@pytest.fixture
def counting_backend(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.notices.failing_backend.CountingBackend"
    monkeypatch.setattr(CountingBackend, "opened", 0)
    return CountingBackend


@pytest.mark.django_db
def test_notices_written_together_are_emailed_over_one_connection_to_the_mail_server(applicant, counting_backend):
    """A submission's 30 staff notices open one SMTP connection (and TLS handshake), not 30."""
    staff = StaffFactory.create_batch(30)
    with TestCase.captureOnCommitCallbacks(execute=True):
        notice_ids = notices_create(recipients=staff, subject="Submitted", body="A new declaration.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in staff)
    assert counting_backend.opened == 1
    assert Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=False, email_attempts=1).count() == 30

    assert deliver_notices(notice_ids=notice_ids) == 0  # run again (a redelivered message): nothing sent twice
    assert len(mail.outbox) == 30


@pytest.mark.django_db
def test_a_refused_address_does_not_hold_back_the_notices_after_it_and_is_retried_until_given_up(
    counting_backend, monkeypatch
):
    """The delivery stops at the failure, counts it, and is retried with the rest first: every other
    notice is sent, the refused one tried once per attempt the task is given."""
    recipients = ApplicantFactory.create_batch(5)
    monkeypatch.setattr(CountingBackend, "refused", frozenset({recipients[1].email}))
    notice_ids = notices_create(recipients=recipients, subject="Decided", body="b")
    applied_with_retries(deliver_notices, notice_ids=notice_ids)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in recipients if user != recipients[1])
    refused = Notice.objects.get(recipient=recipients[1])
    assert (refused.emailed_at, refused.email_attempts) == (None, MAX_ATTEMPTS + 1)
    assert counting_backend.opened == MAX_ATTEMPTS + 1  # one connection for each try of the task


@pytest.mark.django_db
def test_a_connection_that_fails_to_close_is_retried_and_sends_nothing_twice(counting_backend, monkeypatch):
    """The server hung up as the connection was closed, after every notice was sent and marked: the
    task is retried rather than failed, and the retry finds nothing left to send."""
    recipients = ApplicantFactory.create_batch(3)
    monkeypatch.setattr(CountingBackend, "closing_fails", True)
    notice_ids = notices_create(recipients=recipients, subject="Decided", body="b")
    result = applied_with_retries(deliver_notices, notice_ids=notice_ids)

    assert (result.state, result.result) == ("SUCCESS", 0)  # the retry's: nothing left to send
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in recipients)
    assert Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=False, email_attempts=1).count() == 3
    assert counting_backend.opened == 1  # tried again, it found them all sent and opened no connection


@pytest.fixture
def superusers_only_permission():
    rules.add_perm("tests.superusers_only", rules.is_superuser)
    yield "tests.superusers_only"
    rules.remove_perm("tests.superusers_only")


@pytest.mark.django_db
def test_staff_are_told_by_what_the_permission_says_of_who_they_are(superusers_only_permission):
    """The permission is asked of each kind of member of staff, and every member of a kind that holds
    it is told: staff for review.accept, only superusers for a permission of theirs; nobody inactive,
    nobody of another role."""
    plain = StaffFactory.create_batch(3)
    superuser = StaffFactory(is_superuser=True)
    StaffFactory(is_active=False)
    ApplicantFactory(is_superuser=True)

    assert notices_for_staff(permission="review.accept", subject="Submitted", body="b") == 4
    assert sorted(Notice.objects.filter(subject="Submitted").values_list("recipient", flat=True)) == sorted(
        user.pk for user in [*plain, superuser]
    )
    assert notices_for_staff(permission=superusers_only_permission, subject="Yours", body="b") == 1
    assert list(Notice.objects.filter(subject="Yours").values_list("recipient", flat=True)) == [superuser.pk]
    assert notices_for_staff(permission="accounts.view_security_events", subject="Nobody's", body="b") == 0
