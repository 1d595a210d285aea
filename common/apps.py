from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What every app shares (money, form fields, admin bases); it imports none of them."""

    name = "common"
    verbose_name = "Common"
