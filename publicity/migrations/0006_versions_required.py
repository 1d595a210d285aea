from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publicity", "0005_versions_backfill")]

    operations = [
        migrations.AlterField(
            model_name="publicityentry", name="starts_on", field=models.DateField(verbose_name="publicity starts on")
        ),
        migrations.AlterField(
            model_name="publicityentry", name="ends_on", field=models.DateField(verbose_name="publicity ends on")
        ),
        migrations.AlterField(
            model_name="objection",
            name="receipt_number",
            field=models.CharField(max_length=20, unique=True, verbose_name="receipt number"),
        ),
    ]
