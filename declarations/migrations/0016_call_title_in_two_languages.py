from django.db import migrations, models

import common.messages


class Migration(migrations.Migration):
    """A call's title becomes its Chinese title (the rows keep theirs) beside an English one, which
    stays empty (showing the Chinese) until staff give it; declaration events' notes become messages
    (common.messages): the column is the same text, read as a message when it holds one."""

    dependencies = [("declarations", "0015_declaration_index_organisation_newest")]

    operations = [
        migrations.RenameField("call", "title", "title_zh"),
        migrations.RenameField("historicalcall", "title", "title_zh"),
        migrations.AlterField(
            "call", "title_zh", models.CharField(max_length=200, verbose_name="title (Chinese)")
        ),
        migrations.AlterField(
            "historicalcall", "title_zh", models.CharField(max_length=200, verbose_name="title (Chinese)")
        ),
        migrations.AddField(
            "call",
            "title_en",
            models.CharField(
                blank=True,
                help_text="Leave empty to show the Chinese title.",
                max_length=200,
                verbose_name="title (English)",
            ),
        ),
        migrations.AddField(
            "historicalcall",
            "title_en",
            models.CharField(
                blank=True,
                help_text="Leave empty to show the Chinese title.",
                max_length=200,
                verbose_name="title (English)",
            ),
        ),
        migrations.AlterField(
            "declarationevent", "note", common.messages.MessageField(blank=True, verbose_name="note")
        ),
    ]
