from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.masking import mask_bank_account
from common.messages import MessageField, from_json
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
    # The approved order this payment carries out (none for payments recorded before orders existed).
    order = models.OneToOneField(
        "PaymentOrder",
        verbose_name=_("payment order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )

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
    note = MessageField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("recovery case event")
        verbose_name_plural = _("recovery case events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case_id}: {self.get_from_state_display()} → {self.get_to_state_display()}"


account_number_validator = RegexValidator(
    r"^[0-9]{8,30}$", _("A bank account number has 8 to 30 digits, without spaces or other characters.")
)


class BankAccount(models.Model):
    """The unit's account that support funds are paid into: one per organisation, every change kept."""

    organisation = models.OneToOneField(
        "declarations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="bank_account",
    )
    account_name = models.CharField(
        _("account name"), max_length=200, help_text=_("Exactly the unit's registered name.")
    )
    bank_name = models.CharField(_("bank and branch"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=30, validators=[account_number_validator])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self):
        return f"{self.account_name} {self.masked_number}"

    @property
    def masked_number(self):
        return mask_bank_account(self.account_number)


class Tranche(models.Model):
    """One instalment of a declaration's payment plan."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="tranches"
    )
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="tranche_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self):
        return f"{self.declaration} #{self.number}"


class PaymentOrderState(models.TextChoices):
    PREPARED = "prepared", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to be paid")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentOrderAction(models.TextChoices):
    PREPARE = "prepare", _("Prepare")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    MARK_PAID = "mark_paid", _("Mark paid")
    CANCEL = "cancel", _("Cancel")


class PaymentOrder(models.Model):
    """A finance officer's order to pay one tranche into the unit's account; a second finance officer
    approves it (after the Art. 17 re-check) before it can be marked paid. The account is copied onto
    the order as it was when prepared."""

    tranche = models.ForeignKey(Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="orders")
    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="orders"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PaymentOrderState.choices, default=PaymentOrderState.PREPARED
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    account_name = models.CharField(_("account name"), max_length=200)
    bank_name = models.CharField(_("bank and branch"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=30)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_order_amount_positive"),
            # Two-person approval, kept by the database too.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("prepared_by")),
                name="payment_order_not_approved_by_preparer",
            ),
        ]
        indexes = [models.Index(fields=["state", "prepared_at"], name="payment_order_state_idx")]

    def __str__(self):
        return f"{self.number}"

    @property
    def number(self):
        return f"PO-{self.prepared_at:%Y}-{self.pk:06d}"

    @property
    def masked_account_number(self):
        return mask_bank_account(self.account_number)


class PaymentOrderEvent(models.Model):
    """The audit trail of an order: every transition, who took it, when and why."""

    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("payment order"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=PaymentOrderAction.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=PaymentOrderState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=PaymentOrderState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = MessageField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("payment order event")
        verbose_name_plural = _("payment order events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order} {self.action}"


class Recheck(models.Model):
    """One Art. 17 re-check of the unit before a payment: when, by whom, for which order, what it found."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="rechecks"
    )
    order = models.ForeignKey(
        PaymentOrder,
        verbose_name=_("payment order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechecks",
    )
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    passed = models.BooleanField(_("passed"))
    # What was found, as the refusal named it: [{"cause": ..., "message": a stored message}] (rows
    # written before messages were stored may hold {"cause": ..., "text": ...}).
    findings = models.JSONField(_("findings"), default=list, blank=True)

    class Meta:
        verbose_name = _("Art. 17 re-check")
        verbose_name_plural = _("Art. 17 re-checks")
        ordering = ["-checked_at", "-pk"]

    def __str__(self):
        return f"{self.declaration} {self.checked_at:%Y-%m-%d %H:%M} {self.passed}"

    @property
    def finding_messages(self):
        """Each finding's message, read in the reader's language."""
        return [from_json(finding.get("message", finding.get("text", ""))) for finding in self.findings]
