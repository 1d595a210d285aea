from accounts.models import User


def user_language_set(*, user, language):
    """Remember the language a signed-in user chose: notices reach them in it."""
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
