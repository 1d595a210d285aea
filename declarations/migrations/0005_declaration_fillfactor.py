"""Leave a third of each page of declarations free on PostgreSQL, so recomputing award caps (columns
no index covers) updates rows in place (HOT updates) instead of adding an entry to every index."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE declarations_declaration SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE declarations_declaration RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0004_award_cap")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
