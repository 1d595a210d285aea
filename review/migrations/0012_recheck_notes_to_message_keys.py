from django.db import migrations

from common.messages import texts_to_messages


def forwards(apps, schema_editor):
    texts_to_messages(
        apps.get_model("review", "AcceptanceCheck"), schema_editor, {"note": "message"}, ["review.recheck.disqualified"]
    )
    for name in ("UnitStatusRecord", "HistoricalUnitStatusRecord"):
        texts_to_messages(
            apps.get_model("review", name), schema_editor, {"source": "message"}, ["review.status_source.profile"]
        )


class Migration(migrations.Migration):
    """The note of a disqualification under Art. 17 kept with an acceptance check, and the source
    of a move out of Beijing recorded from a unit's profile, written in the language active then,
    become message keys with parameters; text people typed stays as typed. Reversible as a no-op."""

    dependencies = [("review", "0011_notes_and_sources_as_messages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
