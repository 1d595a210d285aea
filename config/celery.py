import logging
import os

from celery import Celery, signals
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def producer_warmed():
    """Do, in a web worker that has just started, what the first task it queues would do: finalise
    the app's tasks, load the result backend (found among the installed packages' entry points), import
    the broker's transport, connect to the broker and declare the default queue. Measured: 40 to 90 ms
    on a worker's first task message, 1 ms after; a submission, whose notices are the first message
    of its worker, took that much longer, once in each worker after every restart. A broker that does
    not answer is logged, not raised: the worker serves pages, and queues its tasks when it answers."""
    if app.conf.task_always_eager:
        return False
    app.finalize(auto=True)
    app.backend  # noqa: B018 -- loaded now, not on the first task
    try:
        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1, interval_start=0)
            producer.maybe_declare(app.amqp.default_queue)
    except (OperationalError, OSError) as error:
        logger.warning("the Celery broker did not answer as the web worker started: %s", error)
        return False
    return True


@signals.worker_init.connect
def documents_loaded(**_kwargs):
    """A Celery worker makes the declarations' PDFs (declarations.tasks): WeasyPrint is imported as
    the worker starts, before its pool's processes are forked, not in each process's first PDF,
    which took 0.65 s longer for it."""
    import declarations.documents  # noqa: F401, PLC0415 -- the app registry is ready only once the worker starts
