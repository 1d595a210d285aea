"""The API's tokens: knox's (stored as a SHA-512 digest of the value, shown once; an expiry; revoked by
deleting the row), with a name its holder gives it, so that a list of tokens says which system holds
which."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system or script uses this token."))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
