from django.db import migrations, models

import common.messages


class Migration(migrations.Migration):
    """A batch's title becomes its Chinese title beside an English one (filled by the data
    migration that follows); versions' changelogs become messages (common.messages)."""

    dependencies = [("publicity", "0012_published_rows_in_order")]

    operations = [
        migrations.RenameField("publicitybatch", "title", "title_zh"),
        migrations.AlterField(
            "publicitybatch", "title_zh", models.CharField(max_length=200, verbose_name="title (Chinese)")
        ),
        migrations.AddField(
            "publicitybatch",
            "title_en",
            models.CharField(blank=True, max_length=200, verbose_name="title (English)"),
        ),
        migrations.AlterField(
            "batchversion", "changelog", common.messages.MessageField(blank=True, verbose_name="changes")
        ),
    ]
