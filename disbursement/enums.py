from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoveryCaseState(models.TextChoices):
    """A recovery case's life (Art. 21), drawn by disbursement.workflow.CASE_TRANSITIONS."""

    OPEN = "open", _("Open: nothing repaid yet")
    PARTLY_REPAID = "partly_repaid", _("Partly repaid")
    REPAID = "repaid", _("Repaid in full")
    REFERRED = "referred", _("Referred for enforcement")


class RecoveryCaseAction(models.TextChoices):
    # Not a transition: the case is created in its first state.
    OPEN = "open", _("Open a recovery case")
    REPAY = "repay", _("Record a repayment")
    SETTLE = "settle", _("Record the repayment that settles the case")
    COLLECT = "collect", _("Record an amount collected through enforcement")
    REFER = "refer", _("Refer for enforcement")
    # Not a transition: the periodic task flags a case whose due date has passed.
    FLAG_OVERDUE = "flag_overdue", _("Flag as overdue")
