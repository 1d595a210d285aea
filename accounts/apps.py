from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.security import signals_connect  # noqa: PLC0415 -- leaf: models load before ready()

        signals_connect(mfa_installed=apps.is_installed("allauth.mfa"))
