"""A user's own API tokens: the list, a new one (its value shown once, on the answer to the form), and
revoking one. Everyone signed in may hold tokens; what a token reads is what its holder may see."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import ApiToken
from api.services import TOKENS_PER_USER, TokenRefused, token_issue, token_revoke


def _page(request, form, *, new_token=None, status=200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "limit": TOKENS_PER_USER},
        status=status,
    )


@login_required
@reauthentication_required(allow_get=True)
def tokens(request):
    """GET: the user's tokens and the form. POST (after a recent sign-in or re-authentication, so an
    unattended session cannot mint a long-lived credential): a new token, its value shown this once."""
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, value = token_issue(
            request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], request=request
        )
    except TokenRefused:
        form.add_error(None, _("You hold %(limit)d tokens: revoke one first.") % {"limit": TOKENS_PER_USER})
        return _page(request, form, status=400)
    return _page(request, TokenForm(), new_token={"token": token, "value": value})


@login_required
@require_POST
def token_revoke_view(request, key):
    token = ApiToken.objects.filter(user=request.user, token_key=key).first()
    if token is None:
        raise Http404
    token_revoke(token, request=request)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")
