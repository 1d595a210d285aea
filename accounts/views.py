from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.i18n import set_language

from accounts.services import user_language_set


def language_set(request):
    """Django's set_language, remembering the choice on the account of a signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


def admin_login(request):
    """The administration's login page is allauth's, so that the lockout and the second factor apply
    to it: an anonymous visitor is sent there with the page they asked for; a signed-in user who
    reached it lacks the right to the administration."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"), reverse("account_login"))
