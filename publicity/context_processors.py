import rules

from publicity.calendar import calendar_gap_year


def calendar_gap(request):
    """`calendar_gap`: the year whose working days are missing, for the console's banner (this year,
    and from 1 November next year), or None. Asked only by a page that shows it, and only for
    those warned; the covered years come from the cache."""
    user = getattr(request, "user", None)

    def gap():
        if user is None or not rules.has_perm("publicity.view_calendar_gap", user):
            return None
        return calendar_gap_year()

    return {"calendar_gap": gap}
