"""Celery tasks of monitoring: leaves that call a service (imported inside the task)."""

from celery import shared_task


@shared_task(name="monitoring.tasks.send_performance_reminders")
def send_performance_reminders():
    """Remind units of performance reports due soon or overdue, once per due date and kind; runs
    periodically (beat)."""
    from monitoring.performance import performance_reminders_send  # noqa: PLC0415 -- leaf

    return performance_reminders_send()
