from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.enums import Role


class User(AbstractUser):
    """A person who signs in. An applicant belongs to one organisation and acts for it."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    organisation = models.ForeignKey(
        "declarations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Who changed a role or an organisation, and when; never the password hash.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="applicant")
                | models.Q(organisation__isnull=False)
                | models.Q(is_superuser=True),
                name="applicant_has_organisation",
                violation_error_message=_("An applicant must belong to an organisation."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username
