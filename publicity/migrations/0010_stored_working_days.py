"""Each batch stores its working days from its first to its last day, as the calendar has them, so
that the public pages count the days left without reading the calendar; worked out here for the
batches opened so far (the calendar's rule, as publicity.calendar.is_working_day has it: a weekday
unless the exceptions say otherwise, in a year whose schedule is complete)."""

from datetime import timedelta

from django.db import migrations, models


def store_working_days(apps, schema_editor):
    PublicityBatch = apps.get_model("publicity", "PublicityBatch")
    CalendarDay = apps.get_model("publicity", "CalendarDay")
    CalendarYear = apps.get_model("publicity", "CalendarYear")
    for batch in PublicityBatch.objects.all():
        start, end = batch.starts_on, batch.ends_on
        exceptions = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
        )
        covered = set(
            CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year, complete=True).values_list(
                "year", flat=True
            )
        )
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        batch.working_days = [
            day.isoformat() for day in days if day.year in covered and exceptions.get(day, day.weekday() < 5)
        ]
        batch.save(update_fields=["working_days"])


class Migration(migrations.Migration):
    dependencies = [("publicity", "0009_current_rows_indexes")]

    operations = [
        migrations.AddField(
            model_name="publicitybatch",
            name="working_days",
            field=models.JSONField(default=list, editable=False, verbose_name="working days"),
        ),
        migrations.RunPython(store_working_days, migrations.RunPython.noop),
    ]
