from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # The queue's flag of a past performance fail: review cannot import monitoring, which lies above it.
        from monitoring.performance_selectors import (  # noqa: PLC0415 -- the app registry is ready only now
            performance_fail_declaration_ids,
            performance_fail_expression,
        )
        from review.selectors import register_queue_flag  # noqa: PLC0415 -- the app registry is ready only now

        register_queue_flag(
            "performance_failed",
            expression=performance_fail_expression,
            flagged_ids=performance_fail_declaration_ids,
        )
