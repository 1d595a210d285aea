"""What the pages read of a user's notices."""

from common import sql
from notices.models import Notice

# The header's badge counts a user's unread notices up to this many and shows "99+" from there, as
# mail and chat applications do: every submission tells each member of staff who accepts
# declarations (thousands of notices a year, most never opened one by one), and counting them all
# on every page they open took a millisecond and more; the count reads at most this many ids.
UNREAD_COUNTED_UP_TO = 100

# Asked on every signed-in page: built once (common.sql.Prepared), since building the ORM's query
# took longer than PostgreSQL takes to answer it from the recipient's index.
_UNREAD_OF = sql.Prepared(
    lambda recipient: (
        Notice.objects.filter(recipient_id=recipient, read_at__isnull=True)
        .order_by()
        .values_list("pk")[:UNREAD_COUNTED_UP_TO]
    ),
    fields=sql.fields_of(Notice, "id"),
    recipient=sql.STAND_IN_ID,
)


def unread_notice_count(user):
    """How many of the user's notices they have not read, counted up to UNREAD_COUNTED_UP_TO."""
    return len(_UNREAD_OF.rows(recipient=user.pk))


def unread_notice_badge(user):
    """The header badge's text: the unread count, "99+" from UNREAD_COUNTED_UP_TO, "" when every notice
    is read."""
    count = unread_notice_count(user)
    if count >= UNREAD_COUNTED_UP_TO:
        return f"{UNREAD_COUNTED_UP_TO - 1}+"
    return str(count) if count else ""
