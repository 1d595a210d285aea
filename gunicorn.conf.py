"""gunicorn's settings for every way the project serves HTTP: the Dockerfile, docker-compose.yml and the
benches that start a server (`gunicorn -c gunicorn.conf.py config.wsgi:application`). Every value can be
changed by an environment variable, without a new image; the defaults are the ones bench/load.py chose
(bench/README.md, "load.py" and "Runs 21 and 22"): sync workers, two per core.

A command-line flag still wins over this file (the benches pass --bind and --log-level)."""

import gc
import os
import sys


def _int(name, default):
    # An empty variable (compose's `${X:-}`) means the default.
    return int(os.environ.get(name) or default)


def _cores():
    # The cores this process may run on (a container's CPU set), not the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# sync: one request at a time per process, two processes per core. The kernel hands each new
# connection to whichever process is free, so requests queue in one line in front of all the
# processes; a process's threads, by contrast, share its interpreter lock, and a page of many short
# queries waited for it after each query while a sibling thread ran Python. Measured with
# bench/load.py (bench/README.md, "Runs 21 and 22"), against gthread with 4 processes of 4 threads
# on the same data: the same throughput, all requests' p95 lower or the same (at 16 users 50 and
# 54 ms against 80 and 63; at 64, 190 and 150 against 190 and 170), and each page within 3 x of the
# minimal page of its kind in both runs at 16 and at 64 users (gthread in neither run at either;
# run 23, sync again: all within 3 x at 64 users, two pages at 3.1 and 3.2 x at 16).
# A sync process must not read from a slow client: the proxy in front buffers requests and
# responses (nginx does by default), and the pages are short since the PDFs are made by Celery.
# gthread (GUNICORN_WORKER_CLASS=gthread, 4 threads by default) remains for a deployment without
# such a proxy.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "sync"
# WEB_CONCURRENCY is the name Heroku-style platforms and gunicorn itself use for the process count.
# Two per core: a process waits on PostgreSQL and Redis for about a third of a page's time, in which
# the other runs.
workers = _int("WEB_CONCURRENCY", 2 * _cores())
# More than one thread turns gunicorn's sync worker into gthread.
threads = _int("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1)

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


# How long a thread of a gthread worker may hold Python's interpreter lock while another waits for
# it (Python's default, 5 ms). A request that comes back from PostgreSQL waits up to this long for
# each query while a sibling thread runs Python, so a page of many short queries waits many times
# over. 1 ms brought gthread within 3 x at 64 users in run 22 but not at 16; sync needs none.
switch_interval_ms = float(os.environ.get("PYTHON_SWITCH_INTERVAL_MS") or 5)


# Python's cyclic garbage collector, run between requests rather than in them. Left to itself it runs
# whenever 700 more container objects exist than after its last run: a page of the queue ran it one
# to two times, and the objects the page still held (its rows, the template's context) were moved to
# an older generation, whose own collections then walked them too: one request in eight paid 1 to 2
# ms for it, one in a hundred a full collection of 7 to 13 ms, in the page's own time (in process,
# the queues on bench/load.py's fixture). Its threshold is raised to GC_REQUEST_ALLOWANCE instead (the
# load's pages leave 700 to 1,600 each; an export or a large import still collects in the request
# when it makes more), and after each response the generations that Python would have collected by
# then are collected, while the request's objects are gone: each of those collections takes 0.2 to
# 0.3 ms, not 1 to 2, and none is in a page's time.
PYTHON_GC_THRESHOLDS = gc.get_threshold()
gc_request_allowance = _int("GC_REQUEST_ALLOWANCE", 50_000)


def post_worker_init(worker):
    """Once the worker has loaded the project (config.wsgi imports every view): its connection to the
    Celery broker made now, not on the first request that queues a task (config.celery.producer_warmed),
    and the prepared reads built, not by the first request that reads each (common.sql.Prepared: a
    worker's first submission took 20 to 35 ms more); then every object made so far (Django, the
    project's modules and settings) set apart from the garbage collector's full collections, which
    walk every object of the process while all its threads wait. Measured in process beside the
    load's pages: full collections of 55 to 91 ms without, 11 to 33 ms with (bench/README.md,
    "load.py"). Then the collector's first threshold raised, so that it runs between requests
    (post_request)."""
    from common.sql import prepared_reads_built  # noqa: PLC0415 -- the project is loaded in the worker, after the fork
    from config.celery import producer_warmed  # noqa: PLC0415 -- the project is loaded in the worker, after the fork

    producer_warmed()
    prepared_reads_built()
    sys.setswitchinterval(switch_interval_ms / 1000)
    gc.freeze()
    if gc_request_allowance:
        gc.set_threshold(gc_request_allowance, *PYTHON_GC_THRESHOLDS[1:])


def post_request(worker, req, environ, resp):
    """After the response has been sent (gunicorn calls this before it closes the connection, with
    every byte written): the collection Python's own thresholds ask for by now, the oldest
    generation due first, as Python picks it."""
    if not gc_request_allowance:
        return
    counts = gc.get_count()
    if counts[0] <= PYTHON_GC_THRESHOLDS[0]:
        return
    for generation in (2, 1, 0):
        if counts[generation] > PYTHON_GC_THRESHOLDS[generation]:
            gc.collect(generation)
            return
