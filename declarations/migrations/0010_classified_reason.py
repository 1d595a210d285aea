"""Why a project is kept off the public list, and the new workflow action.

Adding a column with a default makes Django rebuild the table on SQLite, which drops the queue's
order index of migration 0009 (written in SQL, so Django does not know it): it is made again."""

import importlib

from django.db import migrations, models

queue_order_index = importlib.import_module("declarations.migrations.0009_queue_order_index")


def recreate_queue_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        queue_order_index.drop_index(apps, schema_editor)
        queue_order_index.create_index(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0009_queue_order_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='declaration',
            name='classified_reason',
            field=models.TextField(blank=True, verbose_name='reason it is not publicised'),
        ),
        migrations.AddField(
            model_name='historicaldeclaration',
            name='classified_reason',
            field=models.TextField(blank=True, verbose_name='reason it is not publicised'),
        ),
        migrations.AlterField(
            model_name='declarationevent',
            name='action',
            field=models.CharField(choices=[('submit', 'Submit'), ('withdraw', 'Withdraw'), ('return', 'Return for revision'), ('accept', 'Accept'), ('refuse', 'Do not accept'), ('disqualify', 'Disqualify (Art. 17)'), ('start_review', 'Start expert evaluation'), ('complete_review', 'Complete evaluation'), ('approve', 'Approve support'), ('reject', 'Do not support'), ('publicise', 'Publicise'), ('uphold_objection', 'Uphold objection'), ('reopen_review', 'Uphold objection: back to evaluation'), ('confirm', 'Confirm after publicity'), ('start_disbursement', 'Start disbursement'), ('complete_payment', 'Complete payment'), ('stop', 'Stop support (Art. 17)'), ('recover', 'Recover funds (Art. 21)')], max_length=30, verbose_name='action'),
        ),
        migrations.RunPython(recreate_queue_index, migrations.RunPython.noop),
    ]
