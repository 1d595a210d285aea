def unread_notices(request):
    """The unread count for the header badge: one COUNT query, only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notice_count": lambda: user.notices.filter(read_at__isnull=True).count()}
