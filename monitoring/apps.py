from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # The statistics' permission (rules autodiscovers rules.py only).
        from monitoring import statistics_rules  # noqa: F401, PLC0415
