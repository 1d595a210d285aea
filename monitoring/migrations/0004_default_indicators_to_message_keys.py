from django.db import migrations

from common.messages import texts_to_messages


def forwards(apps, schema_editor):
    for name in ("PerformanceIndicator", "HistoricalPerformanceIndicator"):
        texts_to_messages(
            apps.get_model("monitoring", name), schema_editor, {"name": "message"}, ["monitoring.indicator.name"]
        )
        texts_to_messages(
            apps.get_model("monitoring", name), schema_editor, {"unit": "message"}, ["monitoring.indicator.unit"]
        )


class Migration(migrations.Migration):
    """A default indicator's name and unit, copied into a plan in the language active then (Chinese
    or English), become its key, read in the reader's language; a name staff typed stays as typed.
    Reversible as a no-op: a message reads back as the same text."""

    dependencies = [("monitoring", "0003_indicator_names_as_messages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
