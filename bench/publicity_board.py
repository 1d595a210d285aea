# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of the public board (/publicity/) and a list's page against a one-query baseline page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgcb .venv/bin/python bench/publicity_board.py \
        [--entries 10000] [--batches 20] [--runs 21] [--test-database zgcb_bench_publicity_board]
    .venv/bin/python bench/publicity_board.py            # the embedded SQLite default, in memory

The script creates a throw-away test database of its own (zgcb_bench_publicity_board on PostgreSQL
unless --test-database names another, an in-memory database on SQLite), bulk-creates the lists (with
versions, corrected and withdrawn rows, entries with a period of their own and classified projects,
which have no published row), requests each page through Django's test Client as an anonymous reader
(the whole stack: middleware, view, templates; DEBUG off), prints the medians, uncached (the cache
emptied before each request, outside the timing) and cached, and destroys the database again: the
database DATABASE_URL names is never written.

The baseline is a page of the same layout whose content is one query (the latest list's title),
served by a view this script adds. The goals: each page at least half the baseline's throughput
(a median at most twice the baseline's), cached and uncached; the last page at least 0.8 of the
first's; the same number of queries on the first, a middle and the last page, at most 4; no page
over 200 KB. bench/README.md has the figures. Benchmarks report; nothing here asserts a timing.
"""

import argparse
import gc
import http.client
import os
import random
import signal
import statistics
import subprocess  # nosec B404 # starts the project's own gunicorn for --http
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from bench.harness import database_label, request
from config import urls as site_urls
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Organisation, Programme
from publicity.calendar import working_days_between, working_days_window
from publicity.models import BatchVersion, PublicityBatch, PublicityEntry, PublishedEntry

TEST_DATABASE_NAME = "zgcb_bench_publicity_board"
RUNS = 21
CLASSIFIED_PER_BATCH = 3
# Phases of the lists, latest first: 4 running, 1 about to start, 1 ended and waiting to be closed,
# the rest closed (the archive).
RUNNING, UPCOMING, ENDED = range(4), 4, 5


# --- the baseline: the layout around one query ---------------------------------------------------


def baseline(request):
    title = PublicityBatch.objects.order_by("-pk").values_list("title_zh", flat=True).first()
    return render(
        request, "publicity/public_page.html", {"title": "Baseline", "content": format_html("<h1>{}</h1>", title)}
    )


urlpatterns = [path("bench/baseline/", baseline), *site_urls.urlpatterns]


# --- fixture data --------------------------------------------------------------------------------


def credit_code(n):
    body = f"91110108{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def window(first_day):
    return working_days_window(first_day)


def create_fixture(entries, batches, rng):
    """`batches` lists of `entries // batches` public projects each, plus classified ones. Every
    third list has a version 2 that corrects five titles; every sixth a version 3 that withdraws
    three projects (objection upheld) and adds two with a period of their own. Returns the lists,
    latest first."""
    today = timezone.localdate()
    programmes = list(Programme.objects.order_by("position"))
    staff = User.objects.create(username="bench-staff", role=Role.STAFF)
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Unit {k} Technology Co., Ltd.",
            credit_code=credit_code(k),
            organisation_type="enterprise",
            district="haidian",
            registered_capital=Decimal(10_000_000),
            established_on=today - timedelta(days=3000),
            annual_revenue=Decimal(50_000_000),
            legal_representative="Zhang San",
        )
        for k in range(max(10, entries // 10))
    )
    applicant = User.objects.create(username="bench-applicant", role=Role.APPLICANT, organisation=organisations[0])
    per_batch = entries // batches
    made = []
    for b in range(batches):
        if b in RUNNING:
            starts_on, ends_on = window(today - timedelta(days=2 * b))
        elif b == UPCOMING:
            starts_on, ends_on = window(today + timedelta(days=3))
        else:
            starts_on, ends_on = window(today - timedelta(days=10 + 18 * (b - ENDED)))
        closed = b > ENDED
        call = Call.objects.create(
            year=starts_on.year,
            title=f"Bench call {b}",
            opens_at=timezone.now() - timedelta(days=400),
            closes_at=timezone.now() - timedelta(days=300),
        )
        batch = PublicityBatch.objects.create(
            call=call,
            title=f"List of projects to be supported, batch {batches - b} of the bench",
            starts_on=starts_on,
            ends_on=ends_on,
            opened_by=staff,
            closed_at=timezone.now() - timedelta(days=b) if closed else None,
        )
        state = (lambda: rng.choice([S.CONFIRMED, S.DISBURSING, S.PAID])) if closed else (lambda: S.IN_PUBLICITY)
        declarations = Declaration.objects.bulk_create(
            [
                Declaration(
                    organisation=rng.choice(organisations),
                    call=call,
                    programme=programmes[i % len(programmes)],
                    title=f"{programmes[i % len(programmes)].code} project {b}-{i}: technology finance support",
                    summary="Bench fixture declaration.",
                    facts={},
                    state=state(),
                    number=f"ZGC-{starts_on.year}-{programmes[i % len(programmes)].code}-B{b:02d}{i:05d}",
                    submitted_at=timezone.now() - timedelta(days=200),
                    approved_amount=Decimal(rng.randrange(100_000, 5_000_000)),
                    classified=i >= per_batch,
                    created_by=applicant,
                )
                for i in range(per_batch + CLASSIFIED_PER_BATCH)
            ],
            batch_size=2000,
        )
        batch_entries = PublicityEntry.objects.bulk_create(
            [PublicityEntry(batch=batch, declaration=d, starts_on=starts_on, ends_on=ends_on) for d in declarations],
            batch_size=2000,
        )
        rows = [published_row(e, d, 1) for e, d in zip(batch_entries, declarations, strict=True) if not d.classified]
        versions = [BatchVersion(batch=batch, number=1, published_by=staff, changelog="First publication.")]
        public = [(e, d) for e, d in zip(batch_entries, declarations, strict=True) if not d.classified]
        if b % 3 == 0:
            for row in rows[:5]:
                row.until_version = 1
            rows += [published_row(e, d, 2, title=f"{d.title} (corrected)") for e, d in public[:5]]
            versions.append(BatchVersion(batch=batch, number=2, published_by=staff, changelog="Five titles corrected."))
        if b % 6 == 0:
            withdrawn = public[5:8]
            for row in rows:
                if row.entry in [e for e, _d in withdrawn]:
                    row.until_version = 2
            PublicityEntry.objects.filter(pk__in=[e.pk for e, _d in withdrawn]).update(withdrawn_at=timezone.now())
            Declaration.objects.filter(pk__in=[d.pk for _e, d in withdrawn]).update(state=S.OBJECTION_UPHELD)
            own_start, own_end = window(starts_on + timedelta(days=3))
            added = Declaration.objects.bulk_create(
                Declaration(
                    organisation=rng.choice(organisations),
                    call=call,
                    programme=programmes[0],
                    title=f"Project added to batch {b}, {k}",
                    summary="Bench fixture declaration.",
                    facts={},
                    state=state(),
                    number=f"ZGC-{starts_on.year}-ART5-A{b:02d}{k:05d}",
                    approved_amount=Decimal(1_000_000),
                    created_by=applicant,
                )
                for k in range(2)
            )
            added_entries = PublicityEntry.objects.bulk_create(
                PublicityEntry(batch=batch, declaration=d, starts_on=own_start, ends_on=own_end) for d in added
            )
            rows += [published_row(e, d, 3) for e, d in zip(added_entries, added, strict=True)]
            versions.append(
                BatchVersion(
                    batch=batch, number=3, published_by=staff, changelog="Three withdrawn after objections, two added."
                )
            )
            ends_on = max(ends_on, own_end)
            PublicityBatch.objects.filter(pk=batch.pk).update(ends_on=ends_on)
        PublishedEntry.objects.bulk_create(rows, batch_size=2000)
        # Each version's count of public rows, and the batch's working days, as publicity.services
        # stores them when it publishes.
        for version in versions:
            version.row_count = sum(
                row.since_version <= version.number and (row.until_version or version.number) >= version.number
                for row in rows
            )
        BatchVersion.objects.bulk_create(versions)
        PublicityBatch.objects.filter(pk=batch.pk).update(
            version=len(versions),
            row_count=versions[-1].row_count,
            working_days=[day.isoformat() for day in working_days_between(starts_on, ends_on)],
        )
        made.append(batch)
    analyse()
    return made


def published_row(entry, declaration, since, title=None):
    organisation = declaration.organisation
    title = title or declaration.title
    return PublishedEntry(
        entry=entry,
        batch_id=entry.batch_id,
        since_version=since,
        number=declaration.number,
        programme_id=declaration.programme_id,
        unit_name=organisation.name,
        credit_code=organisation.credit_code,
        title=title,
        amount=declaration.approved_amount,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        search_text=f"{organisation.name} {title} {declaration.number}".lower(),
    )


def analyse():
    """Fresh planner statistics after the bulk load, and on PostgreSQL the visibility map that lets a
    count read an index alone, as autovacuum would give a live database."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- measuring ----------------------------------------------------------------------------------


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        request(client, url)
    return len(context.captured_queries)


def measure(client, urls, runs, *, cached):
    """The median and the fastest wall time, and the median CPU time of this process, of each url
    over `runs` rounds; each round requests every url once, in turn, so the baseline and the pages
    see the same conditions. Uncached, the cache is emptied before each request (not timed). The CPU
    time is steadier than the wall time on a loaded machine; on SQLite it includes the database's
    work, on PostgreSQL only this process's."""
    times = {url: [] for url in urls}
    for url in urls:  # warm the templates, the query planner and, for the cached run, the cache
        request(client, url)
    for _ in range(runs):
        for url in urls:
            if not cached:
                cache.clear()
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            request(client, url)
            times[url].append((time.perf_counter() - start, time.process_time() - start_cpu))
    return {
        url: (
            statistics.median(wall for wall, _cpu in values),
            min(wall for wall, _cpu in values),
            statistics.median(cpu for _wall, cpu in values),
        )
        for url, values in times.items()
    }


def variants(made):
    """The pages measured: the board and a running list's page, first, middle and last."""
    shown = PublishedEntry.objects.filter(until_version__isnull=True).count()
    board_pages = -(-shown // 50)
    running = made[0]
    running_pages = -(-running.published_entries.filter(until_version__isnull=True).count() // 50)
    versioned = next(batch for batch in made if PublicityBatch.objects.get(pk=batch.pk).version > 1)
    unit = Organisation.objects.order_by("pk").values_list("name", flat=True)[7].split(" Technology")[0]
    return [
        ("board, first page", "/publicity/"),
        ("board, middle page", f"/publicity/?page={board_pages // 2}"),
        ("board, last page", f"/publicity/?page={board_pages}"),
        ("list, first page", f"/publicity/{running.pk}/"),
        ("list, middle page", f"/publicity/{running.pk}/?page={running_pages // 2}"),
        ("list, last page", f"/publicity/{running.pk}/?page={running_pages}"),
        ("version 1 of a list", f"/publicity/{versioned.pk}/v1/"),
        ("board, search a unit", f"/publicity/?q={unit.replace(' ', '+')}"),
        ("board, one programme", "/publicity/?programme=ART6&page=3"),
        ("board, one list", f"/publicity/?batch={made[10].pk}&page=5"),
        ("list CSV", f"/publicity/{running.pk}/csv"),
        ("Atom feed", "/publicity/feed/"),
    ], shown


def run(entries, batches, runs, http_runs=0):
    rng = random.Random(13)  # nosec B311 # reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    made = create_fixture(entries, batches, rng)
    pages, shown = variants(made)
    print(f"database: {database_label()}")
    print(
        f"fixture: {PublicityEntry.objects.count():,} entries in {batches} lists "
        f"({PublicityEntry.objects.filter(declaration__classified=True).count()} classified), "
        f"{PublishedEntry.objects.count():,} published rows ({shown:,} current), "
        f"{BatchVersion.objects.count()} versions; built in {time.perf_counter() - t0:.1f} s"
    )
    client = Client()
    base_url = "/bench/baseline/"
    urls = [base_url, *(url for _label, url in pages)]
    queries = {url: count_queries(client, url) for url in urls}
    sizes = {url: len(request(client, url).content) for url in urls}
    uncached = measure(client, urls, runs, cached=False)
    cached = measure(client, urls, runs, cached=True)

    print(
        f"\n{runs} runs, anonymous reader; ratio = time / the baseline's (goal <= 2); fastest in brackets; "
        "CPU: the median CPU time's ratio\n"
    )
    print(
        f"  {'page':<22} {'url':<34} {'uncached':>9} {'ratio':>12} {'CPU':>5} "
        f"{'cached':>9} {'ratio':>12} {'CPU':>5} {'queries':>7} {'KB':>6}"
    )
    base = {"uncached": uncached[base_url], "cached": cached[base_url]}
    for label, url in [("baseline (1 query)", base_url), *pages]:
        cells = []
        for run_times, name in ((uncached, "uncached"), (cached, "cached")):
            (median, fastest, cpu), (base_median, base_fastest, base_cpu) = run_times[url], base[name]
            cells.append(
                f"{median * 1000:6.1f} ms {median / base_median:5.2f} ({fastest / base_fastest:4.2f}) "
                f"{cpu / base_cpu:5.2f}"
            )
        print(f"  {label:<22} {url:<34} {cells[0]} {cells[1]} {queries[url]:>7} {sizes[url] / 1024:6.1f}")
    print()
    for name, run_times in (("uncached", uncached), ("cached", cached)):
        for clock, at in (("wall", 0), ("CPU", 2)):
            ratios = {label: run_times[url][at] / run_times[base_url][at] for label, url in pages}
            slowest = max(ratios, key=ratios.get)
            met = sum(ratio <= 2 for ratio in ratios.values())
            print(
                f"{name}, {clock} time: {met} of {len(ratios)} pages within 2 x the baseline's median "
                f"(throughput >= 0.5 x); slowest: {slowest}, {ratios[slowest]:.2f}"
            )
    for name, at in (("board", 0), ("list", 3)):
        first, last = pages[at][1], pages[at + 2][1]
        print(
            f"{name}: last page's throughput / first's: uncached {uncached[first][0] / uncached[last][0]:.2f}, "
            f"cached {cached[first][0] / cached[last][0]:.2f} (goal >= 0.8); queries first/middle/last "
            + "/".join(str(queries[url]) for _label, url in pages[at : at + 3])
            + " (goal: equal, <= 4)"
        )
    print(f"largest page: {max(sizes.values()) / 1024:.1f} KB (goal <= 200 KB)")
    if http_runs:
        found = measure_http(_database_url(), urls, http_runs)
        print_http(found, [("baseline (1 query)", base_url), *pages], base_url)


def _database_url():
    """The address of the bench's own database, for the server it starts."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (
        f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )


# --- through gunicorn (--http) ---------------------------------------------------------------------

HTTP_PORT = 8719
HTTP_BLOCK = 20  # requests of one page in a row, between two readings of the CPU clocks
CACHES_BY_RUN = {
    "uncached": "django.core.cache.backends.dummy.DummyCache",
    "cached": "django.core.cache.backends.locmem.LocMemCache",
}


def _cpu_seconds(pid):
    """The CPU time a process's threads have used, from the scheduler's account in /proc (Linux), in
    nanoseconds: /proc/PID/stat counts in ticks of 10 ms, a few per block of requests, which made
    the ratios jump by 0.05 from one run to the next."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                total += int(schedstat.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return total / 1e9


def _http_get(url):
    client = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=30)
    try:
        client.request("GET", url)
        response = client.getresponse()
        body = response.read()
    finally:
        client.close()
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status} through gunicorn: {body[:200]!r}")
    return body


def _server(database_url, cache_backend):
    """gunicorn with the Dockerfile's config file, one sync worker (so its CPU time is the pages'), on
    the bench's database; returns the process and the worker's pid."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.http_settings",
        "BENCH_CACHE": cache_backend,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        # The project's gunicorn.conf.py, with one sync worker: its CPU time is then the pages'.
        "GUNICORN_BIND": f"127.0.0.1:{HTTP_PORT}",
        "GUNICORN_WORKER_CLASS": "sync",
        # One thread too: with more, gunicorn runs gthread whatever the class, each thread with a
        # database connection of its own, and the backend's CPU time would go uncounted.
        "GUNICORN_THREADS": "1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(  # nosec B603 # the project's own gunicorn, arguments fixed here
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            _http_get("/healthz/")
            break
        except (ConnectionError, OSError):
            time.sleep(0.1)
    with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
        worker = int(children.read().split()[0])
    return server, worker


def _database_backend():
    """The PostgreSQL backend serving the gunicorn worker's connection (CONN_MAX_AGE keeps it), whose
    CPU time is the database's share of the pages; None on SQLite (in the worker's process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return pids[0] if len(pids) == 1 else None


def measure_http(database_url, urls, runs):
    """For each run (uncached, cached): each url's server CPU time per request (the worker's, plus on
    PostgreSQL its backend's), summed over `runs` rounds of HTTP_BLOCK requests in turn with the
    other urls, and the wall time per request of this one client (requests in sequence)."""
    found = {}
    for run, backend in CACHES_BY_RUN.items():
        server, worker = _server(database_url, backend)
        try:
            for url in urls:
                _http_get(url)
            database = _database_backend()
            cpu, wall = dict.fromkeys(urls, 0.0), dict.fromkeys(urls, 0.0)
            for _ in range(runs):
                for url in urls:
                    start_cpu = _cpu_seconds(worker) + (_cpu_seconds(database) if database else 0)
                    start = time.perf_counter()
                    for _ in range(HTTP_BLOCK):
                        _http_get(url)
                    wall[url] += time.perf_counter() - start
                    cpu[url] += _cpu_seconds(worker) + (_cpu_seconds(database) if database else 0) - start_cpu
            count = runs * HTTP_BLOCK
            found[run] = {url: (cpu[url] / count, wall[url] / count) for url in urls}
            found[run]["database"] = database is not None
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return found


def print_http(found, labels, base_url):
    print(
        "\nthrough gunicorn (one sync worker, the page cache off / on); server CPU per request: the worker's"
        + (" and its PostgreSQL backend's" if found["uncached"]["database"] else " (SQLite runs in it)")
        + "; throughput ratio = the baseline's CPU time / the page's (goal >= 0.5)\n"
    )
    print(f"  {'page':<22} {'uncached CPU':>12} {'throughput':>10} {'wall':>9}   {'cached CPU':>10} {'throughput':>10}")
    for label, url in labels:
        cells = []
        for run in ("uncached", "cached"):
            cpu, wall = found[run][url]
            base_cpu = found[run][base_url][0]
            cells.append((cpu, base_cpu / cpu, wall))
        (u_cpu, u_ratio, u_wall), (c_cpu, c_ratio, _c_wall) = cells
        print(
            f"  {label:<22} {u_cpu * 1000:9.2f} ms {u_ratio:10.2f} {u_wall * 1000:6.1f} ms   "
            f"{c_cpu * 1000:7.2f} ms {c_ratio:10.2f}"
        )
    for run in ("uncached", "cached"):
        ratios = {label: found[run][base_url][0] / found[run][url][0] for label, url in labels[1:]}
        lowest = min(ratios, key=ratios.get)
        met = sum(ratio >= 0.5 for ratio in ratios.values())
        print(
            f"{run}: {met} of {len(ratios)} pages at least 0.5 x the baseline's throughput; "
            f"lowest: {lowest}, {ratios[lowest]:.2f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000, help="public entries in the fixture")
    parser.add_argument("--batches", type=int, default=20, help="lists in the fixture (at least 11)")
    parser.add_argument("--runs", type=int, default=RUNS, help="rounds over every page")
    parser.add_argument(
        "--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database (PostgreSQL)"
    )
    parser.add_argument(
        "--http",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="also measure through gunicorn, ROUNDS rounds of 20 requests a page (SQLite: in a temporary file)",
    )
    args = parser.parse_args()
    if args.batches < 11 or args.entries < 50 * args.batches:
        parser.error("--batches must be at least 11 and --entries at least 50 per list")

    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = args.test_database
    elif args.http:
        # The server is another process: the database is a file it can open.
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.mkdtemp(prefix="zgcb-")) / "bench.sqlite3")
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    # As in production: DEBUG off (no query log), static files by name (the bench renders pages
    # without a collected manifest), a local-memory cache (the bench empties it between requests).
    # Not setup_test_environment(): its instrumented template rendering would weigh on the pages.
    production = {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["testserver"],
        "ROOT_URLCONF": sys.modules[__name__],
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }
    try:
        with override_settings(**production):
            run(args.entries, args.batches, args.runs, args.http)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
