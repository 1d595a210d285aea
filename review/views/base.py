"""What every console view needs: who may enter, and who is commission staff."""

import rules
from django.core.exceptions import PermissionDenied


def console_user(request):
    """The signed-in console user (staff, reviewer or finance); everyone else gets 403."""
    if not rules.has_perm("console.enter", request.user):
        raise PermissionDenied
    return request.user


def staff_user(request):
    """The signed-in commission staff member; everyone else gets 403."""
    if not rules.has_perm("console.staff", request.user):
        raise PermissionDenied
    return request.user
