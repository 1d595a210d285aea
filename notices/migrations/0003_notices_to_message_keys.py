from django.db import migrations

from common.messages import MESSAGES, texts_to_messages


def forwards(apps, schema_editor):
    keys = [key for key in MESSAGES if key != "paragraphs"]
    texts_to_messages(
        apps.get_model("notices", "Notice"), schema_editor, {"subject": "message", "body": "paragraphs"}, keys
    )


class Migration(migrations.Migration):
    """Notices written in the language active at the time become message keys with parameters,
    read and e-mailed in the recipient's language; a paragraph that matches no message stays as it
    was written."""

    dependencies = [("notices", "0002_notices_as_messages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
