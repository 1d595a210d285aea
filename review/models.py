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
