from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.money import MONEY


class Payment(models.Model):
    """One transfer of support funds to the undertaking unit."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.declaration} {self.amount}"


class Recovery(models.Model):
    """Funds recovered under Art. 21, with the period the unit is barred from applying."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="recoveries"
    )
    amount = models.DecimalField(_("amount to recover (yuan)"), **MONEY)
    reason = models.TextField(_("reason"))
    barred_until = models.DateField(_("barred from applying until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_amount_positive")]

    def __str__(self):
        return f"{self.declaration} {self.amount}"
