"""The one way a view is guarded."""

from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def permission_required(permission):
    """Guard a view by a `rules` permission: anonymous visitors go to the login page, signed-in
    users without it get 403. The view then reads its object through a visibility selector, so an
    object the user may not see is a 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(request, *args, **kwargs):
            if not rules.has_perm(permission, request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator
