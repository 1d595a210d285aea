from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import MONEY
from disbursement.enums import RecoveryCaseAction, RecoveryCaseState


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


class RecoveryCase(models.Model):
    """A decision to recover funds from one declaration (Art. 21): how much is due, by when and why,
    how long the unit is barred from applying, and whether dishonesty was found (Art. 22).

    `state` and `repaid_amount` are written only by disbursement.workflow.recovery_case_transition;
    `overdue_since` by the periodic flagging (disbursement.recovery.recovery_cases_flag_overdue)."""

    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="recovery_cases",
    )
    number = models.CharField(_("case number"), max_length=50, unique=True)
    reason = models.TextField(_("reason"))
    amount_due = models.DecimalField(_("amount to recover (yuan)"), **MONEY)
    repaid_amount = models.DecimalField(_("repaid (yuan)"), **MONEY, default=Decimal("0.00"), editable=False)
    due_on = models.DateField(_("to be repaid by"))
    barred_until = models.DateField(_("barred from applying until"), null=True, blank=True)
    dishonest = models.BooleanField(_("dishonesty found (Art. 22)"), default=False)
    # The record of the finding in the credit register, which later checks of Art. 17 read.
    credit_record = models.OneToOneField(
        "review.CreditRecord",
        verbose_name=_("credit record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recovery_case",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=RecoveryCaseState.choices,
        default=RecoveryCaseState.OPEN,
        db_index=True,
    )
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("recovery case")
        verbose_name_plural = _("recovery cases")
        ordering = ["opened_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_due__gt=0), name="recovery_case_amount_due_positive"),
            models.CheckConstraint(
                condition=models.Q(repaid_amount__gte=0, repaid_amount__lte=models.F("amount_due")),
                name="recovery_case_repaid_at_most_due",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def still_due(self):
        return self.amount_due - self.repaid_amount

    @property
    def is_overdue(self):
        """Flagged as overdue and still awaiting repayment (not repaid, not referred)."""
        from disbursement.workflow import AWAITING_REPAYMENT_STATES  # noqa: PLC0415 -- circular: the workflow imports the models

        return self.overdue_since is not None and self.state in AWAITING_REPAYMENT_STATES


class Repayment(models.Model):
    """Money the unit paid back on a recovery case, as the finance officer received it."""

    case = models.ForeignKey(
        RecoveryCase, verbose_name=_("recovery case"), on_delete=models.PROTECT, related_name="repayments"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("receipt reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["received_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_amount_positive")]

    def __str__(self):
        return f"{self.case} {self.amount}"


class RecoveryCaseEvent(models.Model):
    """The audit record of a recovery case: its opening, each change of state, its overdue flag."""

    case = models.ForeignKey(
        RecoveryCase, verbose_name=_("recovery case"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=RecoveryCaseAction.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=RecoveryCaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=RecoveryCaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted, for example when it flagged the case as overdue."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("recovery case event")
        verbose_name_plural = _("recovery case events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case_id}: {self.from_state} -> {self.to_state}"
