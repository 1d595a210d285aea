from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewAssignment(models.Model):
    """An expert reviewer's evaluation of one declaration: a draft until `submitted_at` is set."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    opinion = models.TextField(_("evaluation opinion"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "reviewer"], name="one_assignment_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | (models.Q(score__gte=0) & models.Q(score__lte=100)),
                name="assignment_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} — {self.declaration}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class CreditList(models.TextChoices):
    """The lists of Art. 17 that cancel the qualification to apply."""

    RESEARCH_DISHONESTY = "research_dishonesty", _("Research dishonesty (discipline period)")
    ENFORCEMENT = "enforcement", _("Untrustworthy person subject to enforcement")
    SERIOUSLY_ILLEGAL = "seriously_illegal", _("Seriously illegal and untrustworthy enterprise")


class CreditRecordQuerySet(models.QuerySet):
    def in_force_on(self, day):
        return self.filter(starts_on__lte=day).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day))


class CreditRecord(models.Model):
    """One entry of a credit list (Art. 17) for a unified social credit code, for a period."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    name = models.CharField(_("name as listed"), max_length=200, blank=True)
    list = models.CharField(_("list"), max_length=30, choices=CreditList.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while the listing has no end."))
    source = models.CharField(_("source"), max_length=200, help_text=_("For example Credit China and its reference."))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["credit_code", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="credit_record_ends_after_it_starts",
                violation_error_message=_("A listing cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.credit_code} {self.get_list_display()}"

    def describe(self):
        """The record as a refusal names it: list, period and source."""
        until = self.ends_on.isoformat() if self.ends_on else _("no end date")
        return _("%(list)s, %(starts)s to %(until)s, source: %(source)s") % {
            "list": self.get_list_display(),
            "starts": self.starts_on.isoformat(),
            "until": until,
            "source": self.source,
        }
