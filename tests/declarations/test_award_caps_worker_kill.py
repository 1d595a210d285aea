"""The award-cap recomputation survives a killed worker: real Celery workers on Redis and PostgreSQL,
one SIGKILLed in the middle of each round of recomputations at a kill point that varies per trial;
afterwards every open declaration's cap is current and nothing else was written."""

import random

from config.celery import app
from declarations.models import Declaration, DeclarationEvent
from declarations.services import award_caps_recompute
from tests.factories import ApplicantFactory, CallFactory, DeclarationFactory, OrganisationFactory
from tests.worker_faults import TRANSPORT_OPTIONS
from tests.worker_harness import KILL_TEST_MARKS

TRIALS = 20
DECLARATIONS = 200
RECOMPUTE = "declarations.tasks.recompute_award_caps"
# Holding the task, unacknowledged; with the caps computed, not written; after the write,
# unacknowledged (the redelivered task recomputes and must write nothing new).
KILL_POINTS = ["before-task", "mid-write", "after-task"]

pytestmark = KILL_TEST_MARKS


def test_every_award_cap_is_recomputed_once_more_and_nothing_doubled_when_a_worker_is_killed(workers):
    call = CallFactory()
    author = ApplicantFactory()
    # One organisation each, so that each task recomputes its own declaration's cap only.
    declaration_ids = [
        DeclarationFactory(organisation=OrganisationFactory(), call=call, created_by=author).pk
        for _ in range(DECLARATIONS)
    ]
    declarations = Declaration.objects.filter(pk__in=declaration_ids)
    events, history = DeclarationEvent.objects.count(), Declaration.history.count()
    rng = random.Random()
    for _ in range(2):
        workers.start()
    for process in list(workers.processes.values()):
        workers.wait_ready(process)

    outcomes = []
    for trial in range(TRIALS):
        # Stale: what no computation stores, so that a recomputation lost shows.
        declarations.update(award_cap=None, award_assessment={"stale": trial})
        point = KILL_POINTS[trial % len(KILL_POINTS)]
        victim = declaration_ids[rng.randrange(DECLARATIONS // 4, 3 * DECLARATIONS // 4)]
        workers.arm(point, victim)
        with app.producer_or_acquire() as producer:
            for pk in declaration_ids:
                app.send_task(RECOMPUTE, kwargs={"declaration_id": pk}, producer=producer)
        workers.kill_at_kill_point()
        workers.start()
        workers.drain()

        # Every cap current: recomputing them all again in this process changes none.
        stale = award_caps_recompute(declarations=Declaration.objects.filter(pk__in=declaration_ids))
        outcomes.append((trial, point, victim, stale))

    failed = [outcome for outcome in outcomes if outcome[3]]
    assert not failed, f"(trial, kill point, declaration, caps not current): {failed}"
    assert (DeclarationEvent.objects.count(), Declaration.history.count()) == (events, history)


def test_a_worker_killed_while_bringing_messages_back_delays_them_by_seconds_only(workers):
    """Its lock on bringing messages back (kombu's `unacked_mutex`) outlives it until it expires."""
    call, author = CallFactory(), ApplicantFactory()
    declaration_ids = [
        DeclarationFactory(organisation=OrganisationFactory(), call=call, created_by=author).pk for _ in range(20)
    ]
    workers.wait_ready(workers.start())
    workers.arm("before-task", declaration_ids[10])
    with app.producer_or_acquire() as producer:
        for pk in declaration_ids:
            app.send_task(RECOMPUTE, kwargs={"declaration_id": pk}, producer=producer)
    workers.kill_at_kill_point()
    # What the killed worker's main process leaves when it dies holding the lock.
    assert workers.redis.lock("unacked_mutex", timeout=TRANSPORT_OPTIONS["unacked_mutex_expire"]).acquire()
    workers.start()
    workers.drain(timeout=30)

    assert not award_caps_recompute(declarations=Declaration.objects.filter(pk__in=declaration_ids))
