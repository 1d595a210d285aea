from django.db import migrations

from common.messages import texts_to_messages

# The notes the system wrote on declaration events before they were stored as messages.
KEYS = [
    "review.conflict.released",
    "review.meeting.proposed",
    "disbursement.payment.first",
    "disbursement.payment.full",
    "recovery.opened",
    "publicity.ended",
]


def forwards(apps, schema_editor):
    texts_to_messages(apps.get_model("declarations", "DeclarationEvent"), schema_editor, {"note": "message"}, KEYS)


class Migration(migrations.Migration):
    """Notes written by the system in Chinese or English become message keys with parameters, shown
    in the reader's language; notes typed by people stay as typed. Reversible as a no-op: a message
    reads back as the same text."""

    dependencies = [("declarations", "0016_call_title_in_two_languages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
