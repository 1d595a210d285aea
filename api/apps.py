from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # The token's description in the OpenAPI schema (drf-spectacular's extensions register on import).
        from api import schema  # noqa: F401, PLC0415
