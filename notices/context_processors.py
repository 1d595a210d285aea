from notices.selectors import unread_notice_badge


def unread_notices(request):
    """The header badge's unread count: one query, only for signed-in users, only when the page's
    layout asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notice_badge": lambda: unread_notice_badge(user)}
