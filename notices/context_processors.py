from notices.selectors import unread_notice_count


def unread_notices(request):
    """The unread count for the header badge: one query, only for signed-in users, only when the
    page's layout asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notice_count": lambda: unread_notice_count(user)}
