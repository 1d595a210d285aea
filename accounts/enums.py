from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    STAFF = "staff", _("Commission staff")
    REVIEWER = "reviewer", _("Expert reviewer")
    FINANCE = "finance", _("Finance officer")
    ADMIN = "admin", _("Administrator")


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKOUT = "lockout", _("Locked out")
    LOGOUT = "logout", _("Signed out")
    MFA_ADDED = "mfa_added", _("Authenticator added")
    MFA_REMOVED = "mfa_removed", _("Authenticator removed")
    MFA_RESET = "mfa_reset", _("Authenticator reset")
    DENIED = "denied", _("Access denied")
    EXPORT = "export", _("Export")
    ACCOUNT_UNMASKED = "account_unmasked", _("Bank account shown in full")
    RATE_LIMITED = "rate_limited", _("Rate limit reached")
    API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")


class SecurityOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")
