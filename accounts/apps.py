from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.security import signals_connect  # noqa: PLC0415 -- leaf: models load before ready()

        signals_connect(mfa_installed=apps.is_installed("allauth.mfa"))

        from accounts.middleware import session_signed_in  # noqa: PLC0415 -- it imports models: after the registry is ready

        user_logged_in.connect(session_signed_in, dispatch_uid="accounts.session_signed_in")
