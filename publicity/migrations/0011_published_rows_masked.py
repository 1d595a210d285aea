"""The published rows' unit names and titles masked where they are stored, and their search text
made of the masked text: the public pages no longer mask them on each read, and the search can no
longer be asked whether a row holds a person's identifier. The masking is common.masking's, the one
the pages used; the search text is publicity.models.published_search_text's, written out here as a
migration must be."""

from django.db import migrations

from common.masking import mask_identifiers

CHUNK = 2000


def mask_rows(apps, schema_editor):
    PublishedEntry = apps.get_model("publicity", "PublishedEntry")
    rows = PublishedEntry.objects.order_by("pk").values_list("pk", "unit_name", "title", "number")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        changed = []
        for pk, unit_name, title, number in chunk:
            masked_name, masked_title = mask_identifiers(unit_name), mask_identifiers(title)
            if (masked_name, masked_title) != (unit_name, title):
                search_text = " ".join([masked_name, masked_title, number or ""]).lower()
                changed.append(
                    PublishedEntry(pk=pk, unit_name=masked_name, title=masked_title, search_text=search_text)
                )
        PublishedEntry.objects.bulk_update(changed, ["unit_name", "title", "search_text"])
        last = chunk[-1][0]


class Migration(migrations.Migration):
    dependencies = [("publicity", "0010_stored_working_days")]
    operations = [migrations.RunPython(mask_rows, migrations.RunPython.noop)]
