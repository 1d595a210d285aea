from django.conf import settings
from django.views.i18n import set_language

from accounts.services import user_language_set


def language_set(request):
    """Django's set_language, remembering the choice on the account of a signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response
