from django.db import migrations

from common.messages import texts_to_messages


def forwards(apps, schema_editor):
    texts_to_messages(
        apps.get_model("publicity", "BatchVersion"),
        schema_editor,
        {"changelog": "message"},
        ["publicity.terminated_withdrawn"],
    )


class Migration(migrations.Migration):
    """The changelog of a version that withdrew a terminated project (Art. 21), written in the
    language active then, becomes its message key. Reversible as a no-op."""

    dependencies = [("publicity", "0014_batch_titles_and_changelogs_in_two_languages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
