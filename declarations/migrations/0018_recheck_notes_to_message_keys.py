from django.db import migrations

from common.messages import texts_to_messages


def forwards(apps, schema_editor):
    texts_to_messages(
        apps.get_model("declarations", "DeclarationEvent"),
        schema_editor,
        {"note": "message"},
        ["review.recheck.disqualified", "review.recheck.stopped"],
    )
    texts_to_messages(
        apps.get_model("declarations", "HistoricalDeclaration"),
        schema_editor,
        {"history_change_reason": "message"},
        ["publicity.classification_lifted"],
    )


class Migration(migrations.Migration):
    """The notes naming the Art. 17 findings (a disqualification, support stopped after the
    re-check) and the history's "publication allowed again", written in the language active then,
    become message keys with parameters; notes people typed stay as typed. Reversible as a no-op."""

    dependencies = [("declarations", "0017_event_notes_to_message_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
