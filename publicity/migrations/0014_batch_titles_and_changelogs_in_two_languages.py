from django.db import migrations

from common.messages import message, message_from_text, texts_to_messages


def forwards(apps, schema_editor):
    """A batch whose title is the default one (in either language) gets the default in each
    language, composed from its call's title; another keeps its title as the Chinese one, with
    no English title (shown instead). Changelogs written by the system become messages."""
    batches = apps.get_model("publicity", "PublicityBatch")
    for batch in batches.objects.select_related("call").iterator():
        if not message_from_text(batch.title_zh, ["publicity.default_title"]).key:
            continue
        call = batch.call
        title_zh = message("publicity.default_title", call=call.title_zh).in_language("zh-hans")
        title_en = message("publicity.default_title", call=call.title_en or call.title_zh).in_language("en")
        batches.objects.filter(pk=batch.pk).update(title_zh=title_zh[:200], title_en=title_en[:200])
    texts_to_messages(
        apps.get_model("publicity", "BatchVersion"),
        schema_editor,
        {"changelog": "message"},
        ["publicity.first_publication", "publicity.withdrawn"],
    )


class Migration(migrations.Migration):
    dependencies = [("publicity", "0013_batch_title_in_two_languages"), ("declarations", "0016_call_title_in_two_languages")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
