from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _audit_triggers(sender, using, **kwargs):
    from common.audit import audit_triggers_install  # noqa: PLC0415 -- circular: reads the app registry's models

    audit_triggers_install(using)


class CommonConfig(AppConfig):
    """What every app shares (money, form fields, admin bases); it imports none of them."""

    name = "common"
    verbose_name = "Common"

    def ready(self):
        # After every migrate, once: each audit table, a history table added since included, gets
        # the trigger that refuses UPDATE and DELETE (common.audit).
        post_migrate.connect(_audit_triggers, sender=self, dispatch_uid="common.audit_triggers")
