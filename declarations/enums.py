from django.db import models
from django.utils.translation import gettext_lazy as _


class DeclarationState(models.TextChoices):
    """A declaration's life (docs/workflow.md). The choice label is the staff's wording."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    RETURNED = "returned", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    DISQUALIFIED = "disqualified", _("Disqualified (Art. 17)")
    UNDER_REVIEW = "under_review", _("Under expert evaluation")
    REVIEWED = "reviewed", _("Evaluated, awaiting decision")
    NOT_SUPPORTED = "not_supported", _("Not supported")
    APPROVED = "approved", _("Approved, awaiting publicity")
    IN_PUBLICITY = "in_publicity", _("In publicity")
    OBJECTION_UPHELD = "objection_upheld", _("Objection upheld")
    CONFIRMED = "confirmed", _("Confirmed after publicity")
    DISBURSING = "disbursing", _("Disbursing")
    PAID = "paid", _("Paid in full")
    STOPPED = "stopped", _("Support stopped (Art. 17 re-check)")
    TERMINATED = "terminated", _("Project execution terminated (Art. 21)")
    RECOVERED = "recovered", _("Funds recovered (Art. 21)")


S = DeclarationState

# What the applicant reads: internal steps of the evaluation are not theirs to see.
APPLICANT_LABELS = {
    S.DRAFT: _("Draft"),
    S.SUBMITTED: _("Submitted"),
    S.RETURNED: _("Returned for revision"),
    S.WITHDRAWN: _("Withdrawn"),
    S.ACCEPTED: _("Under evaluation"),
    S.NOT_ACCEPTED: _("Not accepted"),
    S.DISQUALIFIED: _("Not qualified"),
    S.UNDER_REVIEW: _("Under evaluation"),
    S.REVIEWED: _("Under evaluation"),
    S.NOT_SUPPORTED: _("Not supported"),
    S.APPROVED: _("To be supported, awaiting publicity"),
    S.IN_PUBLICITY: _("In publicity"),
    S.OBJECTION_UPHELD: _("Not supported after publicity"),
    S.CONFIRMED: _("Support confirmed, awaiting payment"),
    S.DISBURSING: _("Funds being paid"),
    S.PAID: _("Funds paid"),
    S.STOPPED: _("Support stopped"),
    S.TERMINATED: _("Project terminated"),
    S.RECOVERED: _("Funds recovered"),
}

# What the public board says, for the only states it shows.
PUBLIC_LABELS = {
    S.IN_PUBLICITY: _("In publicity"),
    S.CONFIRMED: _("Publicity ended"),
    S.DISBURSING: _("Publicity ended"),
    S.PAID: _("Publicity ended"),
}


class DeclarationAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    WITHDRAW = "withdraw", _("Withdraw")
    RETURN = "return", _("Return for revision")
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Do not accept")
    DISQUALIFY = "disqualify", _("Disqualify (Art. 17)")
    START_REVIEW = "start_review", _("Start expert evaluation")
    COMPLETE_REVIEW = "complete_review", _("Complete evaluation")
    APPROVE = "approve", _("Approve support")
    REJECT = "reject", _("Do not support")
    PUBLICISE = "publicise", _("Publicise")
    UPHOLD_OBJECTION = "uphold_objection", _("Uphold objection")
    REOPEN_REVIEW = "reopen_review", _("Uphold objection: back to evaluation")
    CONFIRM = "confirm", _("Confirm after publicity")
    START_DISBURSEMENT = "start_disbursement", _("Start disbursement")
    COMPLETE_PAYMENT = "complete_payment", _("Complete payment")
    STOP = "stop", _("Stop support (Art. 17)")
    TERMINATE = "terminate", _("Terminate the project execution (Art. 21)")
    RECOVER = "recover", _("Recover funds (Art. 21)")


class OrganisationType(models.TextChoices):
    ENTERPRISE = "enterprise", _("High-tech enterprise")
    INVESTMENT_INSTITUTION = "investment_institution", _("Investment institution")
    GUARANTEE_INSTITUTION = "guarantee_institution", _("Guarantee institution")
    BANK = "bank", _("Bank")
    INSURER = "insurer", _("Insurance institution")
    SECURITIES_INSTITUTION = "securities_institution", _("Securities trading institution")
    EQUITY_EXCHANGE = "equity_exchange", _("Regional equity market operator")
    LONG_TERM_CAPITAL = "long_term_capital", _("Social security, insurance or bank wealth-management fund")
    FUND = "fund", _("Private equity fund")
    OTHER = "other", _("Other")


class District(models.TextChoices):
    DONGCHENG = "dongcheng", _("Dongcheng District")
    XICHENG = "xicheng", _("Xicheng District")
    CHAOYANG = "chaoyang", _("Chaoyang District")
    HAIDIAN = "haidian", _("Haidian District")
    FENGTAI = "fengtai", _("Fengtai District")
    SHIJINGSHAN = "shijingshan", _("Shijingshan District")
    MENTOUGOU = "mentougou", _("Mentougou District")
    FANGSHAN = "fangshan", _("Fangshan District")
    TONGZHOU = "tongzhou", _("Tongzhou District")
    SHUNYI = "shunyi", _("Shunyi District")
    CHANGPING = "changping", _("Changping District")
    DAXING = "daxing", _("Daxing District")
    HUAIROU = "huairou", _("Huairou District")
    PINGGU = "pinggu", _("Pinggu District")
    MIYUN = "miyun", _("Miyun District")
    YANQING = "yanqing", _("Yanqing District")
    OUTSIDE_BEIJING = "outside_beijing", _("Outside Beijing")


class SignatoryCapacity(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    AUTHORISED_CONTACT = "authorised_contact", _("Authorised contact")


class DocumentState(models.TextChoices):
    """A generated document's making (declarations.DeclarationDocument): queued, then rendered by a
    Celery task, then ready to download, or failed after its retries."""

    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
