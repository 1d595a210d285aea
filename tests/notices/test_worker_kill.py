"""Notices survive a killed worker: real Celery workers on Redis and PostgreSQL, one SIGKILLed in the
middle of each batch at a kill point that varies per trial, and every notice e-mailed exactly once,
counted from what the workers' e-mail backend actually accepted (tests/worker_faults.py)."""

import random
from collections import Counter

import pytest

from config.celery import app
from notices.models import Notice
from notices.services import notice_message_id
from tests.factories import ApplicantFactory
from tests.worker_harness import KILL_TEST_MARKS

TRIALS = 20
BATCH = 200
# Where the worker dies, in turn: holding the task, unacknowledged (redelivered: acks late); in the
# middle of handing the mail over (the row rolls back, the redelivered task sends it); after the
# commit, unacknowledged (the redelivered task must find it sent and send nothing).
KILL_POINTS = ["before-task", "mid-send", "after-task"]

pytestmark = KILL_TEST_MARKS


def queue_deliveries(notice_ids, together=1):
    """A task message for each notice (`deliver_notice`), or for each `together` of them (`deliver_notices`,
    as a submission queues its notices)."""
    with app.producer_or_acquire() as producer:
        for start in range(0, len(notice_ids), together):
            batch = notice_ids[start : start + together]
            if together == 1:
                app.send_task("notices.tasks.deliver_notice", kwargs={"notice_id": batch[0]}, producer=producer)
            else:
                app.send_task("notices.tasks.deliver_notices", kwargs={"notice_ids": batch}, producer=producer)


def kill_point_identifier(point, notice_ids, victim, together):
    """What `point` names the victim by (tests/worker_faults.py): the notice for a point in its sending,
    its task's identifier for a point of the task (its id, or the ids of its batch)."""
    if point == "mid-send" or together == 1:
        return victim
    start = notice_ids.index(victim) // together * together
    return notice_ids[start : start + together]


def new_batch(recipients, trial):
    notices = Notice.objects.bulk_create(
        Notice(recipient=recipients[n % len(recipients)], subject=f"Trial {trial}, notice {n}", body="b")
        for n in range(BATCH)
    )
    return [notice.pk for notice in notices]


@pytest.mark.parametrize(
    ("together", "trials"),
    [(1, TRIALS), (25, 9)],
    ids=["a task for each notice", "a task for each 25 notices, written together"],
)
def test_every_notice_is_emailed_exactly_once_when_a_worker_is_killed_mid_batch(workers, together, trials):
    recipients = [ApplicantFactory() for _ in range(5)]
    rng = random.Random()
    for _ in range(2):
        workers.start()
    for process in list(workers.processes.values()):
        workers.wait_ready(process)

    outcomes = []
    for trial in range(trials):
        notice_ids = new_batch(recipients, trial)
        point = KILL_POINTS[trial % len(KILL_POINTS)]
        victim = notice_ids[rng.randrange(BATCH // 4, 3 * BATCH // 4)]
        workers.arm(point, kill_point_identifier(point, notice_ids, victim, together))
        queue_deliveries(notice_ids, together)
        workers.kill_at_kill_point()
        workers.start()
        workers.drain()

        sent = Counter(line["notice"] for line in workers.sent())
        lost = [pk for pk in notice_ids if sent[pk] == 0]
        doubled = [pk for pk in notice_ids if sent[pk] > 1]
        outcomes.append((trial, point, victim, len(lost), len(doubled)))

    failed = [outcome for outcome in outcomes if outcome[3] or outcome[4]]
    assert not failed, f"(trial, kill point, notice, lost, doubled): {failed}"
    assert len(workers.sent()) == trials * BATCH
    assert workers.started == trials + 2


def test_a_worker_killed_after_the_server_accepted_the_mail_sends_it_again_with_the_same_message_id(workers):
    """The window notice_deliver documents: killed between the server's acceptance and the commit, the
    notice goes out twice, and the copies carry one Message-ID, so a mail store can tell them apart."""
    recipient = ApplicantFactory()
    notice_ids = [
        Notice.objects.create(recipient=recipient, subject=f"Window {n}", body="b").pk for n in range(BATCH // 10)
    ]
    victim = notice_ids[len(notice_ids) // 2]
    workers.wait_ready(workers.start())
    workers.arm("after-send", victim)
    queue_deliveries(notice_ids)
    workers.kill_at_kill_point()
    workers.start()
    workers.drain()

    sent = workers.sent()
    copies = [line["message_id"] for line in sent if line["notice"] == victim]
    assert copies == [notice_message_id(Notice.objects.get(pk=victim))] * 2
    assert Counter(line["notice"] for line in sent if line["notice"] != victim) == Counter(
        {pk: 1 for pk in notice_ids if pk != victim}
    )
