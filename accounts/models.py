from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.enums import Role, SecurityEventKind, SecurityOutcome
from common import sql


class UserManager(DjangoUserManager):
    def get(self, *args, **kwargs):
        """`User.objects.get(pk=<int>)`, the read of the signed-in user on every request
        (ModelBackend.get_user), by a statement built once per process (common.sql.Prepared):
        building it took the ORM longer than the database takes to run it (0.78 against 0.33 ms a
        request on the bench machine). An applicant's organisation comes in the same row: most of
        their pages show it or ask of it, and reading it through the foreign key was a query of its
        own, built by the ORM each time (about 2 ms of the dashboard). Any other get is the ORM's."""
        pk = kwargs.get("pk")
        if args or len(kwargs) != 1 or type(pk) is not int or self._db is not None:
            return super().get(*args, **kwargs)
        found = _USER_BY_PK.rows(pk=pk)
        if not found:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return found[0]


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

    objects = UserManager()

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


_USER_BY_PK = sql.Prepared(
    lambda pk: User.objects.filter(pk=pk).select_related("organisation"), related=("organisation",), pk=sql.STAND_IN_ID
)


class SecurityEvent(models.Model):
    """One thing a security officer asks about afterwards: a sign-in, a failure, a lockout, an MFA
    change, a denial, an export or a bank account shown in full. Written only by
    `accounts.security.security_event_record`; never changed."""

    kind = models.CharField(_("kind"), max_length=20, choices=SecurityEventKind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=SecurityOutcome.choices)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    # Kept even if the user is deleted later: no constraint, no cascade; the name is kept as it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's username, or the one typed at a failed sign-in (never the password).
    username = models.CharField(_("username"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    object_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("object type"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="security_event_time"),
            models.Index(fields=["kind", "-occurred_at"], name="security_event_kind_time"),
            models.Index(fields=["address", "-occurred_at"], name="security_event_address_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.username or '—'} · {self.occurred_at:%Y-%m-%d %H:%M:%S}"
