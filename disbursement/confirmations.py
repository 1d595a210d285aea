"""What each irreversible action on a declaration's money page will do, as its confirmation step
says it (common.confirm): stopping support, terminating, a recovery case's opening, repayments and
referral, and rejecting or cancelling a payment order. Each builder takes what the form cleaned and
returns the Confirmation; rendering it changes nothing."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.confirm import Confirmation, confirmation_page
from common.money import yuan
from declarations.enums import DeclarationState as S


def _declaration_facts(declaration):
    return [
        (_("Declaration"), f"{declaration.number or ''} {declaration.title}".strip()),
        (_("Organisation"), declaration.organisation.name),
    ]


def _money_page(declaration_id):
    return reverse("disbursement:declaration", args=[declaration_id])


def _date(value):
    return date_format(value, "DATE_FORMAT")


def money_page_confirmation(request, confirmation):
    """The confirmation page of an action on the money page, in the console's disbursement section."""
    return confirmation_page(request, confirmation, extra={"console_section": "disbursement"})


def _unpaid(declaration):
    """What of the approved amount is not paid (declaration_for_disbursement's amounts)."""
    return declaration.outstanding if declaration.outstanding is not None else 0


def _unpaid_cancelled(declaration):
    return _(
        "The %(amount)s yuan of the approved amount not yet paid are cancelled, and so are the orders not yet paid."
    ) % {"amount": yuan(_unpaid(declaration))}


def stop_confirmation(declaration, data):
    """Stopping support after the Art. 17 re-check (disbursement.services.declaration_stop)."""
    return Confirmation(
        title=_("Stop support (Art. 17 re-check)"),
        consequences=[
            _("Support is stopped: the declaration ends, and nothing more can be paid on it."),
            _unpaid_cancelled(declaration),
            _("The %(amount)s yuan already paid stay on record.") % {"amount": yuan(declaration.paid_total)},
            _("The applicant is told, with your reason."),
        ],
        facts=[
            *_declaration_facts(declaration),
            (_("Approved amount (yuan)"), yuan(declaration.approved_amount)),
            (_("Reason"), data["reason"]),
        ],
        button=_("Stop support"),
        action_url=reverse("disbursement:stop", args=[declaration.pk]),
        cancel_url=_money_page(declaration.pk),
        danger=True,
    )


def terminate_confirmation(declaration, data):
    """Terminating the project's execution (disbursement.recovery.declaration_terminate)."""
    lines = [
        _("The project's execution is terminated (Art. 21): nothing more can be paid on it."),
        _unpaid_cancelled(declaration),
    ]
    if declaration.state == S.IN_PUBLICITY:
        lines.append(_("The project is withdrawn from the publicity list, in a new version of its batch."))
    if declaration.paid_total > 0:
        lines.append(
            _("The %(amount)s yuan already paid are recovered by opening a recovery case next.")
            % {"amount": yuan(declaration.paid_total)}
        )
    lines.append(_("The applicant is told, with your reason."))
    return Confirmation(
        title=_("Terminate the project execution (Art. 21)"),
        consequences=lines,
        facts=[
            *_declaration_facts(declaration),
            (_("Approved amount (yuan)"), yuan(declaration.approved_amount)),
            (_("Reason"), data["reason"]),
        ],
        button=_("Terminate the project"),
        action_url=reverse("disbursement:terminate", args=[declaration.pk]),
        cancel_url=_money_page(declaration.pk),
        danger=True,
    )


def recovery_case_confirmation(declaration, data):
    """Opening a recovery case (disbursement.recovery.recovery_case_open)."""
    lines = [
        _("A recovery case is opened: %(amount)s yuan are to be repaid by %(due_on)s.")
        % {"amount": yuan(data["amount_due"]), "due_on": _date(data["due_on"])}
    ]
    if declaration.state != S.RECOVERED:
        lines.append(_("The declaration moves to “Funds recovered”; the applicant is told."))
    if data.get("barred_until"):
        lines.append(
            _("%(organisation)s is barred from applying until %(date)s.")
            % {"organisation": declaration.organisation.name, "date": _date(data["barred_until"])}
        )
    if data.get("dishonest"):
        lines.append(
            _(
                "Dishonesty is recorded in the credit register until then: the unit's later declarations are "
                "refused (Art. 17), and it is listed for social-credit reporting (Art. 22)."
            )
        )
    return Confirmation(
        title=_("Open a recovery case (Art. 21)"),
        consequences=lines,
        facts=[
            *_declaration_facts(declaration),
            (_("Paid so far (yuan)"), yuan(declaration.paid_total)),
            (_("Amount to recover (yuan)"), yuan(data["amount_due"])),
            (_("Reason"), data["reason"]),
        ],
        button=_("Open the recovery case"),
        action_url=reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        cancel_url=_money_page(declaration.pk),
        danger=True,
    )


def _case_facts(case):
    declaration = case.declaration
    return [
        (_("Recovery case"), case.number),
        *_declaration_facts(declaration),
        (_("Still due (yuan)"), yuan(case.still_due)),
    ]


def repayment_confirmation(case, data):
    """Recording a repayment on a recovery case (disbursement.recovery.repayment_record)."""
    left = max(case.still_due - data["amount"], 0)
    lines = [
        _("A repayment of %(amount)s yuan, received on %(date)s, is recorded on recovery case %(number)s.")
        % {"amount": yuan(data["amount"]), "date": _date(data["received_on"]), "number": case.number},
        _("A recorded repayment cannot be taken back."),
    ]
    if left:
        lines.append(_("%(left)s yuan are then still due.") % {"left": yuan(left)})
    else:
        lines.append(_("Nothing is then left due: the case is settled."))
    return Confirmation(
        title=_("Record a repayment"),
        consequences=lines,
        facts=[*_case_facts(case), (_("Receipt reference"), data["reference"])],
        button=_("Record repayment"),
        action_url=reverse("disbursement:repayment_create", args=[case.pk]),
        cancel_url=_money_page(case.declaration_id),
    )


def refer_confirmation(case, data):
    """Referring a recovery case for enforcement (disbursement.recovery.recovery_case_refer)."""
    return Confirmation(
        title=_("Refer for enforcement"),
        consequences=[
            _("Recovery case %(number)s is referred for enforcement (Art. 22): this cannot be taken back.")
            % {"number": case.number},
            _("Repayments collected through it are still recorded on the case."),
        ],
        facts=[*_case_facts(case), (_("Reason"), data["reason"])],
        button=_("Refer for enforcement"),
        action_url=reverse("disbursement:recovery_case_refer", args=[case.pk]),
        cancel_url=_money_page(case.declaration_id),
        danger=True,
    )
