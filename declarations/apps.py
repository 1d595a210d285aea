from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self):
        from declarations.choices import choices_changed  # noqa: PLC0415 -- models are loaded now
        from declarations.models import Call, Programme  # noqa: PLC0415 -- models are loaded now

        for model in (Call, Programme):
            post_save.connect(choices_changed, sender=model, dispatch_uid=f"choices_changed_{model.__name__}_save")
            post_delete.connect(choices_changed, sender=model, dispatch_uid=f"choices_changed_{model.__name__}_delete")
