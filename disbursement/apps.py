from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisbursementConfig(AppConfig):
    name = "disbursement"
    verbose_name = _("Disbursement")

    def ready(self):
        # The applicant's pages show the money: declarations cannot import this app, which lies above it.
        from declarations.selectors import register_money_reader  # noqa: PLC0415 -- the app registry is ready only now
        from disbursement.recovery_selectors import applicant_money  # noqa: PLC0415 -- the app registry is ready only now

        register_money_reader(applicant_money)
