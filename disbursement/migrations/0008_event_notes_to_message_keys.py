from django.db import migrations

from common.messages import texts_to_messages


def forwards(apps, schema_editor):
    texts_to_messages(
        apps.get_model("disbursement", "RecoveryCaseEvent"),
        schema_editor,
        {"note": "message"},
        ["recovery.received", "recovery.due"],
    )


class Migration(migrations.Migration):
    """Recovery cases' notes written by the system become message keys with parameters; notes typed
    by people stay as typed."""

    dependencies = [("disbursement", "0007_event_notes_as_messages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
