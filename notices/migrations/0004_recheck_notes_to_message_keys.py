from django.db import migrations

from common.messages import texts_to_messages

KEYS = ["review.recheck.disqualified", "review.recheck.stopped"]


def forwards(apps, schema_editor):
    texts_to_messages(
        apps.get_model("notices", "Notice"), schema_editor, {"subject": "message", "body": "paragraphs"}, KEYS
    )


class Migration(migrations.Migration):
    """A notice quoting the note of a disqualification under Art. 17 or of support stopped after the
    re-check (its "Comments" paragraph), kept as the text written then, quotes the note's message,
    read in the recipient's language. Reversible as a no-op."""

    dependencies = [("notices", "0003_notices_to_message_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
