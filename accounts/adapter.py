from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from accounts.rules import is_staff_side


class MFAAdapter(DefaultMFAAdapter):
    """The staff side keeps its authenticator app: it may regenerate recovery codes, never remove
    the second factor (an administrator deletes a lost one in the administration)."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not is_staff_side(authenticator.user)
