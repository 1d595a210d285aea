"""gunicorn's settings for every way the project serves HTTP: the Dockerfile, docker-compose.yml and the
benches that start a server (`gunicorn -c gunicorn.conf.py config.wsgi:application`). Every value can be
changed by an environment variable, without a new image; the defaults are the ones bench/load.py chose
(bench/README.md, "load.py"): gthread workers, two per core, with 4 threads each.

A command-line flag still wins over this file (the benches pass --bind and --log-level)."""

import gc
import os


def _int(name, default):
    # An empty variable (compose's `${X:-}`) means the default.
    return int(os.environ.get(name) or default)


def _cores():
    # The cores this process may run on (a container's CPU set), not the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# gthread: a worker's threads wait on PostgreSQL, Redis and the client in turn, so a slow page holds
# one thread, not a whole process, and a few processes use the cores. `sync` (one request per
# process) is there for comparison: bench/load.py measured it behind gthread under the same load.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# WEB_CONCURRENCY is the name Heroku-style platforms and gunicorn itself use for the process count.
# Two per core: Python runs one thread of a process at a time, and the proxy's connections are not
# spread evenly over the processes, so with one per core a busy process queued its requests while
# the other idled (bench/README.md, "load.py": at 64 users on 2 cores, 2 x 4 served 9.9 requests/s
# with every page 5 to 12 x the minimal page's p95, 4 x 4 11.2 requests/s within 2.3 x; against
# sync with 5 processes, 4 x 4 served 31% more with a p95 of 0.77 s against 1.9 s).
workers = _int("WEB_CONCURRENCY", 2 * _cores())
threads = _int("GUNICORN_THREADS", 4)

# A request that takes longer than `timeout` has its worker killed and restarted (the client gets a
# 502 from the proxy): long enough for the slowest legitimate page, short enough that a stuck one
# is cut. A worker asked to stop (a deploy, max_requests) finishes its requests within
# graceful_timeout. keepalive: how long an idle connection from the proxy is kept open; above the
# proxy's own idle timeout for upstream connections (nginx and most load balancers: 60 s), so that
# the proxy closes first: when gunicorn closes a connection the proxy is reusing, the request on it
# is reset (bench/load.py saw such resets with 5 s). An idle connection costs a gthread worker a
# socket in its poller, not a thread; sync workers keep none.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# Each worker is replaced after about this many requests (the jitter keeps them from restarting
# together), so that memory a page's libraries keep (an export's workbook) is given back. 0 turns it
# off. A replacement is not free: the new worker loads the project (1 to 2 s of CPU, which slowed its
# siblings' requests to 1 or 2 s on the 2-core bench machine), starts with cold caches and
# connections, and the old one closes its idle keep-alive connections, one of which a client may be
# reusing (a reset). With 2,000, bench/load.py's 64 users replaced a worker every 40 s or so; the
# PDFs, whose fonts held most memory, are made by Celery since issue 18.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)

# The access log on stdout, with the request's time in milliseconds (%(M)s) at the end; requests
# slower than SLOW_REQUEST_SECONDS are also logged as JSON by config.middleware.SlowRequestLogMiddleware.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The control socket and the workers' heartbeat files in memory, not on the container's overlay disk,
# where a slow write can make gunicorn think a worker is stuck.
_SHM = "/dev/shm"  # nosec B108 # gunicorn's own files (heartbeats), made by it with its own names
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (_SHM if os.path.isdir(_SHM) else None)


def post_worker_init(worker):
    """Once the worker has loaded the project: its connection to the Celery broker made now, not on
    the first request that queues a task (config.celery.producer_warmed); then every object made so
    far (Django, the project's modules and settings) set apart from the garbage collector's full
    collections, which walk every object of the process while all its threads wait. Measured in
    process beside the load's pages: full collections of 55 to 91 ms without, 11 to 33 ms with
    (bench/README.md, "load.py")."""
    from config.celery import producer_warmed  # noqa: PLC0415 -- the project is loaded in the worker, after the fork

    producer_warmed()
    gc.freeze()
