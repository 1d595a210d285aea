from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("disbursement", "0005_recovery_cases_from_recoveries"),
    ]

    operations = [migrations.DeleteModel(name="Recovery")]
