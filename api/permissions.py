"""What a token may do: read (the views are read-only), as its holder, by the `rules` permissions the
pages use. Which rows it reads is the visibility selectors' business (api.selectors)."""

import rules
from rest_framework.permissions import BasePermission


class ReadOnlyForSignedIn(BasePermission):
    """Anonymous requests are refused (401, no data). Only GET, HEAD and OPTIONS exist on the API's
    views, so any other method is a 405."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class HasRulesPermission(BasePermission):
    """The view's `rules_permission` (e.g. "disbursement.view_money"), the one its page asks."""

    def has_permission(self, request, view):
        return rules.has_perm(view.rules_permission, request.user)
