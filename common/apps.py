from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _audit_triggers(sender, using, **kwargs):
    from common.audit import audit_triggers_install  # noqa: PLC0415 -- circular: reads the app registry's models

    audit_triggers_install(using)


class CommonConfig(AppConfig):
    """What every app shares (money, form fields, admin bases); it imports none of them."""

    name = "common"
    verbose_name = "Common"

    def ready(self):
        from common.sql import plan_cache_mode_set  # noqa: PLC0415 -- reads the database backend's modules

        connection_created.connect(plan_cache_mode_set, dispatch_uid="common.sql.plan_cache_mode")
        # After every migrate, once: each audit table, a history table added since included, gets
        # the trigger that refuses UPDATE and DELETE (common.audit).
        post_migrate.connect(_audit_triggers, sender=self, dispatch_uid="common.audit_triggers")
