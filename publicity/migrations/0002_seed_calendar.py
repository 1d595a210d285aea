"""Seed the working-day exceptions the chinesecalendar package knows."""

from django.db import migrations


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("publicity", "CalendarDay")
    rows = [
        CalendarDay(date=day, is_working_day=False, name=name or "")
        for day, name in chinese_calendar.holidays.items()
        if day.weekday() < 5
    ] + [
        CalendarDay(date=day, is_working_day=True, name=name or "")
        for day, name in chinese_calendar.workdays.items()
        if day.weekday() >= 5
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
