from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """An exception to Monday-to-Friday: a public holiday on a weekday, or a make-up working day
    on a weekend. Seeded for the years the chinesecalendar package knows; the administrator adds
    the next year when the State Council publishes it."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class PublicityBatch(models.Model):
    """One publication of the list of projects to be supported, for 5 working days."""

    call = models.ForeignKey(
        "declarations.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="publicity_batches"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("publicity starts on"))
    ends_on = models.DateField(_("publicity ends on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicity batch")
        verbose_name_plural = _("publicity batches")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="batch_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self):
        return self.closed_at is not None


class PublicityEntry(models.Model):
    batch = models.ForeignKey(PublicityBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="entries")
    declaration = models.OneToOneField(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="publicity_entry",
    )

    class Meta:
        verbose_name = _("publicity entry")
        verbose_name_plural = _("publicity entries")
        ordering = ["pk"]

    def __str__(self):
        return str(self.declaration)


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection raised by anyone during the publicity period."""

    entry = models.ForeignKey(
        PublicityEntry, verbose_name=_("project"), on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField(_("your name"), max_length=100)
    contact = models.CharField(_("telephone or e-mail"), max_length=100)
    text = models.TextField(_("objection"), max_length=5000)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=20, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    response = models.TextField(_("response"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.entry}: {self.name}"
