"""Each version's number of public rows, and the current version's on its batch, stored so that the
board reads them instead of counting rows; counted here for the versions published so far."""

from django.db import migrations, models
from django.db.models import Q


def count_rows(apps, schema_editor):
    PublicityBatch = apps.get_model("publicity", "PublicityBatch")
    BatchVersion = apps.get_model("publicity", "BatchVersion")
    PublishedEntry = apps.get_model("publicity", "PublishedEntry")
    for version in BatchVersion.objects.all():
        version.row_count = (
            PublishedEntry.objects.filter(batch_id=version.batch_id, since_version__lte=version.number)
            .filter(Q(until_version__isnull=True) | Q(until_version__gte=version.number))
            .count()
        )
        version.save(update_fields=["row_count"])
    for batch in PublicityBatch.objects.all():
        batch.row_count = PublishedEntry.objects.filter(batch=batch, until_version__isnull=True).count()
        batch.save(update_fields=["row_count"])


class Migration(migrations.Migration):
    dependencies = [("publicity", "0007_objection_emails")]

    operations = [
        migrations.AddField(
            model_name="batchversion",
            name="row_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="projects listed"),
        ),
        migrations.AddField(
            model_name="publicitybatch",
            name="row_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="projects listed"),
        ),
        migrations.RunPython(count_rows, migrations.RunPython.noop),
    ]
