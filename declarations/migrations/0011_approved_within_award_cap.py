"""The approved amount never exceeds the award cap the decision computed (issue 14: the database keeps
the guard too). Adding a constraint makes Django rebuild the table on SQLite, which drops the queue's
order index of migration 0009 (written in SQL): it is made again, as in 0010."""

import importlib

from django.db import migrations, models

queue_order_index = importlib.import_module("declarations.migrations.0009_queue_order_index")


def recreate_queue_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        queue_order_index.drop_index(apps, schema_editor)
        queue_order_index.create_index(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("declarations", "0010_classified_reason"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approved_amount__isnull", True),
                    ("award_cap__isnull", True),
                    ("approved_amount__lte", models.F("award_cap")),
                    _connector="OR",
                ),
                name="declaration_approved_within_award_cap",
            ),
        ),
        migrations.RunPython(recreate_queue_index, migrations.RunPython.noop),
    ]
