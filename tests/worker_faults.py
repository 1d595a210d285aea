"""Loaded into a real Celery worker by the worker-kill tests (`celery -A config worker --include
tests.worker_faults`, with WORKER_FAULTS_DIR set): records every e-mail the worker actually hands
over, and stops the worker at the point a test asks for, so the test can SIGKILL it there.

The test arms one kill point by writing `control.json` in WORKER_FAULTS_DIR:
{"phase": ..., "id": ...}. The pool child that reaches it writes `paused.json`
({"worker": <the worker's main process>}) and sleeps until it is killed. Phases:

- "before-task": a task for `id` was received and is about to run (not acknowledged yet);
- "mid-send": the e-mail of notice `id` is being handed to the server, not yet accepted;
- "after-send": the server accepted the e-mail of notice `id`; the row is not committed yet (the
  window `notices.services.notice_deliver` documents);
- "mid-write": the award caps of the recomputation of declaration `id` are computed, not written;
- "after-task": the task for `id` returned (its transaction committed), not acknowledged yet.
"""

import json
import os
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun, worker_ready
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

FAULTS_DIR = Path(os.environ["WORKER_FAULTS_DIR"]) if os.environ.get("WORKER_FAULTS_DIR") else None
SENT_FILE = "sent.jsonl"
# Redis' visibility timeout short, checked every second: a killed worker's messages come back in
# seconds, not the hour of production's default. A worker's main process brings them back holding a
# lock in Redis (`unacked_mutex`) for a millisecond; killed in that millisecond it leaves the lock for
# its expiry, kombu's five minutes, and no message comes back until then (a drain that failed in CI):
# the lock expires in seconds here too.
TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": 3,
}
# The ids that identify a task's work, per task.
TASK_IDS = {
    "notices.tasks.deliver_notice": "notice_id",
    "notices.tasks.deliver_notices": "notice_ids",
    "declarations.tasks.recompute_award_caps": "declaration_id",
}


def armed(phase, identifier):
    """Whether the test armed `phase` for `identifier`."""
    try:
        control = json.loads((FAULTS_DIR / "control.json").read_text())
    except (FileNotFoundError, ValueError):
        return False
    return control.get("phase") == phase and control.get("id") == identifier


def pause_if_armed(phase, identifier):
    """Tell the test where this worker stands, then wait for its SIGKILL."""
    if FAULTS_DIR is None or not armed(phase, identifier):
        return
    marker = FAULTS_DIR / "paused.json"
    partial = FAULTS_DIR / f"paused.{os.getpid()}.tmp"
    partial.write_text(json.dumps({"worker": os.getppid(), "child": os.getpid(), "phase": phase, "id": identifier}))
    partial.rename(marker)
    time.sleep(600)
    raise SystemExit("worker_faults: the test did not kill the paused worker")


def notice_id_of(message):
    """The notice id in a notice's Message-ID, <notice.ID.CREATED@domain>."""
    message_id = message.extra_headers.get("Message-ID", "")
    return int(message_id.split(".")[1]) if message_id.startswith("<notice.") else None


class RecordingBackend(BaseEmailBackend):
    """An e-mail backend that appends one line per message it accepted to WORKER_FAULTS_DIR/sent.jsonl:
    one write(2) with O_APPEND, so lines from killed and live workers never mix."""

    def send_messages(self, email_messages):
        for message in email_messages:
            notice_id = notice_id_of(message)
            pause_if_armed("mid-send", notice_id)
            line = json.dumps(
                {"message_id": message.extra_headers.get("Message-ID"), "notice": notice_id, "pid": os.getpid()}
            )
            descriptor = os.open(FAULTS_DIR / SENT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, (line + "\n").encode())
            finally:
                os.close(descriptor)
            pause_if_armed("after-send", notice_id)
        return len(email_messages)


def _task_identifier(task, kwargs):
    name = TASK_IDS.get(getattr(task, "name", ""))
    return (kwargs or {}).get(name) if name else None


def _before_task(sender=None, kwargs=None, **_):
    pause_if_armed("before-task", _task_identifier(sender, kwargs))


def _after_task(sender=None, kwargs=None, **_):
    pause_if_armed("after-task", _task_identifier(sender, kwargs))


def _ready(**_):
    (FAULTS_DIR / f"ready.{os.getpid()}").touch()


def install():
    """Inside the worker: record e-mail, bring back a killed worker's messages in seconds
    (TRANSPORT_OPTIONS), and arm the kill points."""
    from config.celery import app
    from declarations import services

    settings.EMAIL_BACKEND = "tests.worker_faults.RecordingBackend"
    app.conf.broker_transport_options = TRANSPORT_OPTIONS
    task_prerun.connect(_before_task, weak=False)
    task_postrun.connect(_after_task, weak=False)
    worker_ready.connect(_ready, weak=False)

    write = services._award_caps_write

    def paused_write(changed):
        for pk, *_ in changed:
            pause_if_armed("mid-write", pk)
        return write(changed)

    services._award_caps_write = paused_write


if FAULTS_DIR is not None:
    install()
