"""Celery tasks of monitoring: leaves that call a service (imported inside the task)."""

from celery import shared_task


@shared_task(name="monitoring.tasks.send_performance_reminders")
def send_performance_reminders():
    """Remind units of performance reports due soon or overdue, once per due date and kind; runs
    periodically (beat)."""
    from monitoring.performance import performance_reminders_send  # noqa: PLC0415 -- leaf

    return performance_reminders_send()


@shared_task(name="monitoring.tasks.count_statistics")
def count_statistics(year, call_id=None):
    """Count the statistics page's figures of a year (and call) and keep them: asked for by the page
    when the data has moved on since the last count."""
    from monitoring.statistics_snapshots import statistics_snapshot_count  # noqa: PLC0415 -- leaf

    snapshot = statistics_snapshot_count(year, call_id)
    return snapshot.pk if snapshot else None
