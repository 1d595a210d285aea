"""The statistics page's figures, counted by a task and kept (issue 16, item 3).

Counting a year's figures reads every declaration of it (monitoring.statistics.statistics_for:
about 50 ms at 10,000 declarations, nine times a plain page), and every submission, decision or
payment changes them. So the web request does not count: it reads the latest count kept for its year
and call (a StatisticsSnapshot, one query) and the data's version (one query). When the data has
moved on since (or the count is older than STALE_AFTER), it asks the task `count_statistics` to
count again, once per version however many people look, and shows the figures it has as of when
they were counted, saying that newer ones are on their way. Where tasks run in the process (the
embedded default) the count is made at once and the page shows it. Before any count exists the page
says the figures are being counted.
"""

from datetime import date, timedelta
from decimal import Decimal

from celery.result import EagerResult
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from declarations.models import Call, Programme
from monitoring.models import StatisticsSnapshot
from monitoring.statistics import (
    AMOUNT_FIELDS,
    BUDGET_FIELDS,
    COUNT_FIELDS,
    FUNNEL,
    GradeCounts,
    Month,
    ProgrammeStatistics,
    Statistics,
    Timeliness,
    data_version,
    statistics_for,
)

# The award caps (the amounts requested) are recomputed after a decision without an event of their
# own: a count older than this is made again even if the data's version has not moved.
STALE_AFTER = timedelta(minutes=10)
# How long a count asked for is waited for before it is asked again (a worker lost on the way).
RECOUNT_WAIT_SECONDS = 120
RECOUNT_PREFIX = "monitoring:statistics:recount:"

TIMELINESS = ("to_acceptance", "to_decision", "to_payment")


def snapshot_key(year, call=None):
    return f"{year}:{call.pk if call is not None else '-'}"


def _version_text(version):
    return ":".join(str(value) for value in version)


# --- the figures as JSON --------------------------------------------------------------------------


def _row_json(row):
    return {
        "programme": row.programme.pk if row.programme else None,
        **{name: getattr(row, name) for name in COUNT_FIELDS},
        **{name: str(getattr(row, name)) for name in AMOUNT_FIELDS},
        **{name: None if getattr(row, name) is None else str(getattr(row, name)) for name in BUDGET_FIELDS},
        "timeliness": [getattr(row.timeliness, name) for name in TIMELINESS],
    }


def _row(data, programmes):
    return ProgrammeStatistics(
        programme=programmes.get(data["programme"]),
        **{name: data[name] for name in COUNT_FIELDS},
        **{name: Decimal(data[name]) for name in AMOUNT_FIELDS},
        **{name: None if data[name] is None else Decimal(data[name]) for name in BUDGET_FIELDS},
        timeliness=Timeliness(*data["timeliness"]),
    )


def statistics_json(stats):
    """`stats` (a Statistics) as JSON values: programmes by id, amounts as decimal text, the funnel's
    counts in FUNNEL's order (its labels are translated when shown)."""
    return {
        "programmes": [_row_json(row) for row in stats.programmes],
        "totals": _row_json(stats.totals),
        "funnel": [count for _label, count in stats.funnel],
        "months": [[month.month.isoformat(), month.received, str(month.paid)] for month in stats.months],
        "grades": [[grades.programme.pk, grades.counts] for grades in stats.grades],
        "grade_totals": stats.grade_totals.counts if stats.grade_totals else None,
        "computed_at": stats.computed_at.isoformat(),
    }


def statistics_from_json(data, *, year, call, programmes):
    """The Statistics that statistics_json wrote; `programmes`: {id: Programme} of its rows."""
    grade_totals = GradeCounts(None)
    if data["grade_totals"] is not None:
        grade_totals.counts.update(data["grade_totals"])
    grades = []
    for programme_id, counts in data["grades"]:
        row = GradeCounts(programmes.get(programme_id))
        row.counts.update(counts)
        grades.append(row)
    return Statistics(
        year=year,
        call=call,
        programmes=[_row(row, programmes) for row in data["programmes"]],
        totals=_row(data["totals"], programmes),
        funnel=[(label, count) for (_action, label), count in zip(FUNNEL, data["funnel"], strict=True)],
        months=[Month(date.fromisoformat(month), received, Decimal(paid)) for month, received, paid in data["months"]],
        grades=grades,
        grade_totals=grade_totals,
        computed_at=parse_datetime(data["computed_at"]),
    )


# --- counting, by the task ------------------------------------------------------------------------


def statistics_snapshot_count(year, call_id=None):
    """Count the figures of `year` (and of call `call_id`, or all its calls) and keep them with the
    data's version read before counting: a change made while counting leaves the count stale, and
    the next look asks for another. Returns the snapshot, None for a call that no longer exists."""
    call = None
    if call_id is not None:
        call = Call.objects.filter(pk=call_id).first()
        if call is None:
            return None
    version = _version_text(data_version())
    stats = statistics_for(year, call)
    values = {
        "year": year,
        "call": call,
        "data_version": version,
        "computed_at": stats.computed_at,
        "figures": statistics_json(stats),
    }
    # update_or_create takes care of two counts creating the row at once (get_or_create's retry).
    snapshot, _created = StatisticsSnapshot.objects.update_or_create(key=snapshot_key(year, call), defaults=values)
    return snapshot


# --- what the page reads --------------------------------------------------------------------------


def _is_current(snapshot, version):
    return snapshot.data_version == version and snapshot.computed_at > timezone.now() - STALE_AFTER


def _count_asked(year, call, version, snapshot):
    """Ask the task to count, once per data version and count it replaces (every
    RECOUNT_WAIT_SECONDS at most); True when it has counted already (tasks run in the process)."""
    from monitoring.tasks import count_statistics  # noqa: PLC0415 -- tasks import the services

    replaced = snapshot.computed_at.isoformat() if snapshot is not None else "-"
    asked = f"{RECOUNT_PREFIX}{snapshot_key(year, call)}:{version}:{replaced}"
    if not cache.add(asked, True, RECOUNT_WAIT_SECONDS):
        return False
    result = count_statistics.delay(year, call.pk if call is not None else None)
    return isinstance(result, EagerResult)


def statistics_shown(year, call=None):
    """The Statistics the page shows for `year` and `call`: the latest count kept, with `is_current`
    False while a newer count is on its way; None before the first count exists. Three queries (the
    data's version, the snapshot, its programmes), and the count's when it counts in the process."""
    version = _version_text(data_version())
    key = snapshot_key(year, call)
    snapshot = StatisticsSnapshot.objects.filter(key=key).first()
    if (snapshot is None or not _is_current(snapshot, version)) and _count_asked(year, call, version, snapshot):
        snapshot = StatisticsSnapshot.objects.filter(key=key).first()
    if snapshot is None:
        return None
    figures = snapshot.figures
    ids = {row["programme"] for row in figures["programmes"]} | {programme_id for programme_id, _ in figures["grades"]}
    programmes = Programme.objects.in_bulk(ids - {None})
    stats = statistics_from_json(figures, year=year, call=call, programmes=programmes)
    stats.is_current = _is_current(snapshot, version)
    return stats
