from allauth.mfa.models import Authenticator


def has_authenticator_app(user) -> bool:
    """Whether `user` signs in with an authenticator app (TOTP) as their second factor."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
