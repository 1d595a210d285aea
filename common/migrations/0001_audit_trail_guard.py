"""The trigger function that keeps the audit trail from being rewritten on PostgreSQL (common.audit):
it refuses UPDATE and DELETE to every role, the owner's too, except prune_audit's deletion of rows
older than the retention period. common.apps attaches it to every audit table after each migrate,
so a history table added later is covered without a migration of its own."""

from django.db import migrations

from common.audit import AUDIT_GUARD, AUDIT_GUARD_DROP


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [migrations.RunPython(_on_postgresql(AUDIT_GUARD), _on_postgresql(AUDIT_GUARD_DROP))]
