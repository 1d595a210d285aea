"""Existing batches become version 1, their entries take the batch's period, their public rows are
copied, objections get receipt numbers, and the years chinesecalendar knows are covered."""

import secrets

from django.db import migrations


def receipt(used):
    while True:
        number = "GS" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))
        if number not in used:
            used.add(number)
            return number


def forwards(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("publicity", "CalendarYear")
    PublicityBatch = apps.get_model("publicity", "PublicityBatch")
    PublicityEntry = apps.get_model("publicity", "PublicityEntry")
    BatchVersion = apps.get_model("publicity", "BatchVersion")
    PublishedEntry = apps.get_model("publicity", "PublishedEntry")
    Objection = apps.get_model("publicity", "Objection")

    years = {day.year for day in chinese_calendar.holidays}
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source="package", complete=True) for year in sorted(years)], ignore_conflicts=True
    )
    for batch in PublicityBatch.objects.all():
        BatchVersion.objects.create(
            batch=batch, number=1, published_at=batch.opened_at, published_by_id=batch.opened_by_id
        )
        for entry in PublicityEntry.objects.filter(batch=batch).select_related("declaration__organisation"):
            entry.starts_on, entry.ends_on = batch.starts_on, batch.ends_on
            entry.save(update_fields=["starts_on", "ends_on"])
            declaration = entry.declaration
            if declaration.classified:
                continue
            PublishedEntry.objects.create(
                entry=entry,
                batch=batch,
                since_version=1,
                number=declaration.number or "",
                programme_id=declaration.programme_id,
                unit_name=declaration.organisation.name,
                credit_code=declaration.organisation.credit_code,
                title=declaration.title,
                amount=declaration.approved_amount or 0,
                starts_on=batch.starts_on,
                ends_on=batch.ends_on,
                search_text=" ".join([declaration.organisation.name, declaration.title, declaration.number or ""]).lower(),
            )
    used = set()
    for objection in Objection.objects.filter(receipt_number__isnull=True):
        objection.receipt_number = receipt(used)
        objection.save(update_fields=["receipt_number"])


class Migration(migrations.Migration):
    dependencies = [("publicity", "0004_versions_objections"), ("declarations", "0010_classified_reason")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
